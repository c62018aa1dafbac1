/** Metrics against hand-computed values and scikit-learn's definitions (macro averages, zero_division=0). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";

const M = tl.metrics;

/** Scores whose argmax is `pred[i]` (3 classes unless said otherwise). */
function scoresFor(pred: number[], classes = 3): tl.Tensor {
  return tl.tensor(pred.map((p) => Array.from({ length: classes }, (_, c) => (c === p ? 0.8 : 0.1))));
}

function close(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? "value"}: ${actual}, expected ${expected}`);
}

// y_true / y_pred where class 1 is never predicted. By hand (rows true, columns predicted):
// [[1,0,1],[1,0,1],[1,0,2]]; precision per class 1/3, 0 (0/0), 2/4; recall 1/2, 0, 2/3; F1 2/5, 0, 4/7.
const yTrue = [0, 0, 1, 1, 2, 2, 2];
const yPred = [0, 2, 0, 2, 2, 2, 0];

describe("classification metrics", () => {
  test("accuracy: argmax of scores, int32 and whole-number float targets, accumulated over batches", () => {
    const out = scoresFor(yPred);
    assert.equal(M.evaluateMetric("accuracy", out, tl.tensor(yTrue, { dtype: "int32" })), 3 / 7);
    assert.equal(M.evaluateMetric("accuracy", out, tl.tensor(yTrue)), 3 / 7);
    const acc = new M.Accuracy();
    acc.update(scoresFor([0, 2]), tl.tensor([0, 1]));
    acc.update(scoresFor([1, 1, 2]), tl.tensor([1, 1, 0]));
    assert.equal(acc.compute(), 3 / 5);
    acc.reset();
    assert.equal(acc.compute(), 0);
  });

  test("accuracy of binary probabilities thresholds at 0.5, for [N] and [N, 1]", () => {
    const p = [0.1, 0.5, 0.7, 0.49];
    const y = tl.tensor([0, 1, 0, 0]);
    assert.equal(M.evaluateMetric("accuracy", tl.tensor(p), y), 3 / 4);
    assert.equal(M.evaluateMetric("accuracy", tl.tensor(p.map((v) => [v])), y), 3 / 4);
  });

  test("macro precision, recall and F1 with a class never predicted (scikit-learn, zero_division=0)", () => {
    const out = scoresFor(yPred);
    const y = tl.tensor(yTrue);
    close(M.evaluateMetric("precision", out, y), (1 / 3 + 0 + 1 / 2) / 3, "precision");
    close(M.evaluateMetric("recall", out, y), (1 / 2 + 0 + 2 / 3) / 3, "recall");
    close(M.evaluateMetric("f1", out, y), (2 / 5 + 0 + 4 / 7) / 3, "f1");
  });

  test("macro averages run over the classes in targets or predictions, or over all numClasses when given", () => {
    // Class 1 appears in neither: scikit-learn's default labels are {0, 2}. Precision 1/2 and 1/1.
    const out = scoresFor([0, 0, 2]);
    const y = tl.tensor([0, 2, 2]);
    close(M.evaluateMetric("precision", out, y), 0.75);
    close(M.evaluateMetric(new M.MacroScore("precision", 3), out, y), 0.5);
    // Recall 1/1 and 1/2; F1 2/3 and 2/3.
    close(M.evaluateMetric("recall", out, y), 0.75);
    close(M.evaluateMetric("f1", out, y), 2 / 3);
  });

  test("macro scores accumulate over batches exactly like one big batch", () => {
    const whole = new M.MacroScore("f1");
    whole.update(scoresFor(yPred), tl.tensor(yTrue));
    const parts = new M.MacroScore("f1");
    parts.update(scoresFor(yPred.slice(0, 3)), tl.tensor(yTrue.slice(0, 3)));
    parts.update(scoresFor(yPred.slice(3)), tl.tensor(yTrue.slice(3)));
    assert.equal(parts.compute(), whole.compute());
  });

  test("confusion matrix: rows are true classes, columns predictions; sized by the output's classes", () => {
    assert.deepEqual(M.confusionMatrix(scoresFor(yPred), tl.tensor(yTrue)), [[1, 0, 1], [1, 0, 1], [1, 0, 2]]);
    // Four output columns: a 4x4 matrix even though class 3 never occurs.
    assert.deepEqual(M.confusionMatrix(scoresFor([0, 1], 4), tl.tensor([1, 1])), [[0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    const cm = new M.ConfusionMatrix(3);
    cm.update(scoresFor([2, 2]), tl.tensor([0, 2]));
    cm.update(scoresFor([1]), tl.tensor([1]));
    assert.deepEqual(cm.compute(), [[0, 0, 1], [0, 1, 0], [0, 0, 1]]);
    cm.reset();
    assert.deepEqual(cm.compute(), []);
  });

  test("top-k accuracy: target among the k highest scores; ties count for the target", () => {
    const out = tl.tensor([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4], [0.2, 0.7, 0.1]]);
    const y = tl.tensor([2, 2, 0, 1]);
    // Rows: target rank 2, 3, 2 (0.3 ties 0.3, only 0.4 is higher), 1.
    assert.equal(M.evaluateMetric("top1Accuracy", out, y), 1 / 4);
    assert.equal(M.evaluateMetric("top2Accuracy", out, y), 3 / 4);
    assert.equal(M.evaluateMetric(new M.TopKAccuracy(3), out, y), 1);
    assert.equal(new M.TopKAccuracy(5).name, "top5Accuracy");
  });
});

describe("regression metrics", () => {
  test("MAE and RMSE by hand, over batches and across [N, 1] / [N] shapes", () => {
    // Differences -1, 0, -2, 4: MAE 7/4, MSE 21/4.
    const o = tl.tensor([[1], [2], [3], [4]]);
    const t = tl.tensor([2, 2, 5, 0]);
    assert.equal(M.evaluateMetric("mae", o, t), 1.75);
    close(M.evaluateMetric("rmse", o, t), Math.sqrt(21 / 4));
    const rmse = new M.RegressionError("rmse");
    rmse.update(tl.tensor([1, 2]), tl.tensor([2, 2]));
    rmse.update(tl.tensor([3, 4]), tl.tensor([5, 0]));
    close(rmse.compute(), Math.sqrt(21 / 4));
  });
});

describe("bad input", () => {
  const out = scoresFor([0, 1, 2]);
  const cases: [string, () => unknown, RegExp][] = [
    ["target out of range", () => M.evaluateMetric("accuracy", out, tl.tensor([0, 1, 3])), /\[accuracy\] target 2 is 3, not a class index in \[0, 3\)/],
    ["negative target", () => M.evaluateMetric("f1", out, tl.tensor([0, -1, 2])), /\[confusionMatrix\] target 1 is -1/],
    ["non-whole target", () => M.evaluateMetric("accuracy", out, tl.tensor([0, 1.5, 2])), /target 1 is 1.5/],
    ["binary target 2", () => M.evaluateMetric("accuracy", tl.tensor([0.2, 0.9]), tl.tensor([0, 2])), /not a class index in \[0, 2\)/],
    ["top-k target out of range", () => M.evaluateMetric("top2Accuracy", out, tl.tensor([0, 1, 7])), /\[top2Accuracy\] target 2 is 7/],
    ["size mismatch", () => M.evaluateMetric("accuracy", out, tl.tensor([0, 1])), /target has shape \[2\] \(2 elements\) but the output has 3 rows/],
    ["3-d output", () => M.evaluateMetric("accuracy", tl.zeros([2, 3, 4]), tl.tensor([0, 1])), /expected scores of shape \[N, C\]/],
    ["top-k of 1-d output", () => M.evaluateMetric("top1Accuracy", tl.zeros([3]), tl.tensor([0, 1, 0])), /expected scores of shape \[N, C\], got \[3\]/],
    ["k = 0", () => new M.TopKAccuracy(0), /k must be a whole number ≥ 1, got 0/],
    ["output wider than numClasses", () => new M.ConfusionMatrix(2).update(out, tl.tensor([0, 1, 1])), /the output has 3 classes but the matrix was made for 2/],
    ["regression size mismatch", () => M.evaluateMetric("mae", tl.zeros([3]), tl.zeros([4])), /\[mae\] output \[3\] and target \[4\] differ in size/],
    ["unknown metric name", () => M.resolveMetric("auc" as never), /unknown metric "auc"/],
  ];
  for (const [name, fn, message] of cases) {
    test(name, () => assert.throws(fn, message));
  }
});
