/**
 * tl.nn.functional beyond values: clear errors for bad labels and shapes, dropout's randomness and
 * scaling, batchNorm's running statistics, saturated and extreme inputs, and no leaked tensors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";

const F = tl.nn.functional;
const f64 = (data: number[] | number[][], requiresGrad = false): tl.Tensor => tl.tensor(data, { dtype: "float64", requiresGrad });
const logits = (): tl.Tensor => f64([[0.1, 0.2, 0.3, 0.4], [1, -1, 0, 2], [0.5, 0.5, -0.5, 0]]);
const throwsWith = (fn: () => unknown, ...parts: (string | RegExp)[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof tl.TensileError, `expected a TensileError, got ${String(e)}`);
    for (const p of parts) {
      if (typeof p === "string") assert.ok(e.message.includes(p), `message "${e.message}" should include "${p}"`);
      else assert.match(e.message, p);
    }
    return true;
  });
};

test("class index out of range: the error names the loss, the value and the valid range", () => {
  throwsWith(() => F.crossEntropy(logits(), tl.tensor([0, 4, 1])), "[crossEntropy]", "index 4", "0..3", "ignoreIndex -100");
  throwsWith(() => F.nllLoss(logits(), tl.tensor(Int32Array.from([0, -1, 1]))), "[nllLoss]", "index -1", "0..3");
  throwsWith(() => F.crossEntropy(tl.tensor([[[1, 2], [3, 4]]], { dtype: "float64" }), tl.tensor([[2, 0]])), "[crossEntropy]", "index 2", "0..1");
});

test("non-whole float targets and bool targets are refused as class indices", () => {
  throwsWith(() => F.crossEntropy(logits(), tl.tensor([0, 1.5, 1])), "[crossEntropy]", "1.5", "whole number");
  throwsWith(() => F.nllLoss(logits(), tl.tensor([true, false, true])), "[nllLoss]", "bool");
});

test("ignoreIndex targets need not be valid classes, and all-ignored mean is NaN like PyTorch", () => {
  const loss = F.crossEntropy(logits(), tl.tensor([-100, 2, -100]));
  assertClose(loss, F.crossEntropy(logits().slice(0, 1, 2), tl.tensor([2])));
  assert.ok(Number.isNaN(F.crossEntropy(logits(), tl.tensor([-100, -100, -100])).item()));
  assertClose(F.crossEntropy(logits(), tl.tensor([-100, -100, -100]), { reduction: "sum" }), 0);
});

test("masked (−inf) logits stay finite when they are ignored or not the target", () => {
  const x = f64([[-Infinity, 0, 1], [0.5, -Infinity, 1]], true);
  const loss = F.crossEntropy(x, tl.tensor([-100, 2]));
  assertClose(loss, -Math.log(Math.exp(1) / (Math.exp(0.5) + Math.exp(1))), { rtol: 1e-12 });
  loss.backward();
  assert.ok([...(x.grad as tl.Tensor).dataSync()].every(Number.isFinite), `gradient must be finite, got ${x.grad}`);
});

test("shape mismatches are errors naming both shapes", () => {
  throwsWith(() => F.crossEntropy(logits(), tl.tensor([0, 1])), "[crossEntropy]", "[3,4]", "[3]", "[2]");
  throwsWith(() => F.mseLoss(f64([[1], [2]]), f64([1, 2])), "[mseLoss]", "[2,1]", "[2]");
  throwsWith(() => F.binaryCrossEntropyWithLogits(f64([0.1, 0.2]), f64([1, 0, 1])), "[binaryCrossEntropyWithLogits]", "[2]", "[3]");
  throwsWith(() => F.crossEntropy(logits(), tl.tensor([0, 1, 2]), { weight: f64([1, 2, 3]) }), "[crossEntropy]", "weight", "[4]", "[3]");
  throwsWith(() => F.binaryCrossEntropy(f64([0.1, 0.2]), f64([1, 0]), { weight: f64([1, 2, 3]) }), "[binaryCrossEntropy]", "weight");
  throwsWith(() => F.layerNorm(f64([[1, 2, 3]]), [4]), "[layerNorm]", "[1,3]", "[4]");
  throwsWith(() => F.groupNorm(tl.zeros([2, 5, 3], { dtype: "float64" }), 2), "[groupNorm]", "5 channels");
  throwsWith(() => F.batchNorm(tl.zeros([2, 3]), tl.zeros([4]), tl.ones([4])), "[batchNorm]", "runningMean", "[3]", "[4]");
});

test("bad options are errors", () => {
  throwsWith(() => F.crossEntropy(logits(), tl.tensor([0, 1, 2]), { reduction: "avg" as never }), "[crossEntropy]", "reduction", '"avg"');
  throwsWith(() => F.crossEntropy(logits(), tl.tensor([0, 1, 2]), { labelSmoothing: 1.5 }), "[crossEntropy]", "labelSmoothing");
  throwsWith(() => F.crossEntropy(logits(), f64([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]), { ignoreIndex: 0 }), "[crossEntropy]", "ignoreIndex");
  throwsWith(() => F.smoothL1Loss(f64([1]), f64([2]), { beta: -1 }), "[smoothL1Loss]", "beta");
  throwsWith(() => F.huberLoss(f64([1]), f64([2]), { delta: 0 }), "[huberLoss]", "delta");
  throwsWith(() => F.klDiv(f64([1]), f64([2]), { reduction: "batchsum" as never }), "[klDiv]", "batchmean");
  throwsWith(() => F.crossEntropy(tl.tensor(Int32Array.from([1, 2])), tl.tensor([0])), "[crossEntropy]", "floating-point");
});

test("binaryCrossEntropy refuses inputs outside [0, 1] and floors each log at -100", () => {
  throwsWith(() => F.binaryCrossEntropy(f64([0.5, 1.2]), f64([1, 0])), "[binaryCrossEntropy]", "between 0 and 1");
  throwsWith(() => F.binaryCrossEntropy(f64([0.5, NaN]), f64([1, 0])), "[binaryCrossEntropy]", "between 0 and 1");
  const p = f64([0, 1, 0.5], true);
  const loss = F.binaryCrossEntropy(p, f64([1, 0, 1]), { reduction: "none" });
  assertClose(loss, [100, 100, Math.LN2]);
  loss.sum().backward();
  assert.ok(p.grad && [...p.grad.dataSync()].every(Number.isFinite), `gradient must stay finite, got ${p.grad}`);
});

test("binaryCrossEntropyWithLogits is finite for huge logits", () => {
  const x = f64([1000, -1000, 0], true);
  const loss = F.binaryCrossEntropyWithLogits(x, f64([0, 1, 1]), { reduction: "none" });
  assertClose(loss, [1000, 1000, Math.LN2], { rtol: 1e-12 });
  loss.sum().backward();
  assertClose(x.grad as tl.Tensor, [1, -1, -0.5], { rtol: 1e-12 }); // sigmoid(x) − y
});

test("dropout: p is validated; eval and p = 0 return the input itself", () => {
  const x = tl.ones([4]);
  for (const p of [-0.1, 1.5, NaN]) throwsWith(() => F.dropout(x, p), "[dropout]", "between 0 and 1");
  assert.equal(F.dropout(x, 0.5, false), x);
  assert.equal(F.dropout(x, 0), x);
  assertClose(F.dropout(x, 1), [0, 0, 0, 0]);
});

test("dropout: inverted scaling, a kept fraction near 1 − p, a gradient of mask / (1 − p), repeatable after manualSeed", () => {
  tl.manualSeed(11);
  const x = tl.ones([20000], { dtype: "float64", requiresGrad: true });
  const y = F.dropout(x, 0.3);
  const values = [...y.dataSync()];
  assert.ok(values.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-12), "kept values are scaled by 1 / (1 − p)");
  const kept = values.filter((v) => v !== 0).length / values.length;
  assert.ok(Math.abs(kept - 0.7) < 0.02, `kept fraction ${kept} should be near 0.7`);
  y.sum().backward();
  assert.deepEqual([...(x.grad as tl.Tensor).dataSync()], values, "the gradient is the scaled mask");
  tl.manualSeed(11);
  assert.deepEqual([...F.dropout(tl.ones([20000], { dtype: "float64" }), 0.3).dataSync()], values);
});

test("batchNorm training updates running stats in place with the unbiased variance; eval leaves them alone", () => {
  const x = f64([[1, 10], [3, 20], [5, 60]], true); // per channel: mean 3 and 30, unbiased var 4 and 700
  const rm = tl.tensor([1, -1]);
  const rv = tl.tensor([2, 3]);
  const w = tl.ones([2], { requiresGrad: true });
  F.batchNorm(x, rm, rv, w, null, { training: true, momentum: 0.25 }).sum().backward();
  assertClose(rm, [0.75 * 1 + 0.25 * 3, 0.75 * -1 + 0.25 * 30]);
  assertClose(rv, [0.75 * 2 + 0.25 * 4, 0.75 * 3 + 0.25 * 700]);
  assert.equal(rm.dtype, "float32", "the buffers keep their dtype");
  assert.equal(rm.requiresGrad, false);
  const before = [...rm.dataSync(), ...rv.dataSync()];
  F.batchNorm(x, rm, rv, w, null, { training: false });
  assert.deepEqual([...rm.dataSync(), ...rv.dataSync()], before);
  throwsWith(() => F.batchNorm(f64([[1, 2, 3]]), null, null, null, null, { training: true }), "[batchNorm]", "more than 1 value per channel");
  throwsWith(() => F.batchNorm(f64([[1, 2, 3]]), null, null), "[batchNorm]", "runningMean and runningVar are required");
});

test("embedding: repeated rows accumulate gradient, paddingIdx rows get none, bad indices are named", () => {
  const w = f64([[1, 2], [3, 4], [5, 6]], true);
  const out = F.embedding(tl.tensor([[0, 2], [2, 1]]), w, { paddingIdx: -1 }); // paddingIdx -1 is row 2
  assertClose(out, [[[1, 2], [5, 6]], [[5, 6], [3, 4]]]);
  out.sum().backward();
  assertClose(w.grad as tl.Tensor, [[1, 1], [1, 1], [0, 0]]);
  throwsWith(() => F.embedding(tl.tensor([0, 3]), w), "[embedding]", "index 3", "3 rows", "0..2");
  throwsWith(() => F.embedding(tl.tensor([0, 1]), w, { paddingIdx: 5 }), "[embedding]", "paddingIdx 5");
});

test("a loss step inside tidy leaves no tensors behind", () => {
  const x = f64([[0.1, 0.2, 0.3], [1, 2, 3]], true).keep();
  const target = tl.tensor([2, 0]).keep();
  const step = (): void => tl.tidy(() => {
    F.crossEntropy(F.layerNorm(x, [3]), target, { labelSmoothing: 0.1 }).backward();
  });
  step(); // creates x.grad once
  const start = tl.memory().numTensors;
  step();
  assert.equal(tl.memory().numTensors, start);
});
