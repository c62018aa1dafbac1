import { check, fmtShape } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";

/**
 * A metric accumulated over batches: `update(output, target)` per batch, `compute()` at the end of
 * an epoch, `reset()` before the next. Values are read out of tensors once per batch.
 */
export interface Metric {
  readonly name: string;
  update(output: Tensor, target: Tensor): void;
  compute(): number;
  reset(): void;
}

/** Predicted classes: argmax over dim 1 for [N, C] scores, or a 0.5 threshold for [N] / [N, 1] probabilities. */
function predictedClasses(output: Tensor, where: string): Int32Array {
  if (output.ndim === 2 && output.shape[1] > 1) {
    return Int32Array.from(output.argmax({ dim: 1 }).dataSync());
  }
  check(output.ndim === 1 || (output.ndim === 2 && output.shape[1] === 1), where,
    () => `expected scores of shape [N, C] or probabilities of shape [N], got ${fmtShape(output.shape)}`);
  return Int32Array.from(output.dataSync(), (p) => (p >= 0.5 ? 1 : 0));
}

function targetClasses(target: Tensor, n: number, where: string): Int32Array {
  check(target.size === n, where, () => `target has ${target.size} elements but the output has ${n} rows`);
  const values = target.dataSync();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    check(Number.isInteger(v), where, () => `target ${i} is ${v}, not a class index`);
    out[i] = v;
  }
  return out;
}

/** Fraction of rows whose predicted class equals the target. */
export class Accuracy implements Metric {
  readonly name = "accuracy";
  private correct = 0;
  private total = 0;

  update(output: Tensor, target: Tensor): void {
    const pred = predictedClasses(output, "accuracy");
    const truth = targetClasses(target, pred.length, "accuracy");
    for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) this.correct++;
    this.total += pred.length;
  }

  compute(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/** Fraction of rows whose target is among the k highest scores. */
export class TopKAccuracy implements Metric {
  readonly name: string;
  private correct = 0;
  private total = 0;

  constructor(readonly k: number) {
    check(Number.isInteger(k) && k >= 1, "topKAccuracy", `k must be a whole number ≥ 1, got ${k}`);
    this.name = `top${k}Accuracy`;
  }

  update(output: Tensor, target: Tensor): void {
    check(output.ndim === 2, this.name, () => `expected scores of shape [N, C], got ${fmtShape(output.shape)}`);
    const [n, c] = output.shape;
    const scores = output.dataSync();
    const truth = targetClasses(target, n, this.name);
    for (let i = 0; i < n; i++) {
      const own = scores[i * c + truth[i]];
      let higher = 0;
      for (let j = 0; j < c; j++) if (scores[i * c + j] > own) higher++;
      if (higher < this.k) this.correct++;
    }
    this.total += n;
  }

  compute(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/** A confusion matrix accumulated over batches: rows are true classes, columns predictions. */
export class ConfusionMatrix {
  private counts = new Map<string, number>();
  private classes = 0;

  constructor(private readonly numClasses?: number) {}

  update(output: Tensor, target: Tensor): void {
    const pred = predictedClasses(output, "confusionMatrix");
    const truth = targetClasses(target, pred.length, "confusionMatrix");
    for (let i = 0; i < pred.length; i++) {
      if (this.numClasses !== undefined) {
        check(truth[i] >= 0 && truth[i] < this.numClasses, "confusionMatrix",
          () => `target ${truth[i]} is outside the ${this.numClasses} classes`);
      }
      const key = `${truth[i]},${pred[i]}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.classes = Math.max(this.classes, truth[i] + 1, pred[i] + 1);
    }
  }

  /** The matrix as rows of counts. */
  compute(): number[][] {
    const n = this.numClasses ?? this.classes;
    const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const [key, count] of this.counts) {
      const [t, p] = key.split(",").map(Number);
      if (t < n && p < n) m[t][p] = count;
    }
    return m;
  }

  reset(): void {
    this.counts.clear();
    this.classes = 0;
  }
}

/** Macro-averaged precision, recall or F1 over the classes seen, like scikit-learn's `average="macro"`. */
export class MacroScore implements Metric {
  private readonly matrix: ConfusionMatrix;

  constructor(readonly name: "precision" | "recall" | "f1", numClasses?: number) {
    this.matrix = new ConfusionMatrix(numClasses);
  }

  update(output: Tensor, target: Tensor): void {
    this.matrix.update(output, target);
  }

  compute(): number {
    const m = this.matrix.compute();
    const n = m.length;
    if (n === 0) return 0;
    let total = 0;
    for (let c = 0; c < n; c++) {
      const tp = m[c][c];
      let predicted = 0;
      let actual = 0;
      for (let k = 0; k < n; k++) {
        predicted += m[k][c];
        actual += m[c][k];
      }
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = actual === 0 ? 0 : tp / actual;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      total += this.name === "precision" ? precision : this.name === "recall" ? recall : f1;
    }
    return total / n;
  }

  reset(): void {
    this.matrix.reset();
  }
}

/** Mean absolute error or root mean squared error over all elements. */
export class RegressionError implements Metric {
  private sum = 0;
  private count = 0;

  constructor(readonly name: "mae" | "rmse") {}

  update(output: Tensor, target: Tensor): void {
    check(output.size === target.size, this.name, () => `output ${fmtShape(output.shape)} and target ${fmtShape(target.shape)} differ in size`);
    const o = output.dataSync();
    const t = target.dataSync();
    for (let i = 0; i < o.length; i++) {
      const d = o[i] - t[i];
      this.sum += this.name === "mae" ? Math.abs(d) : d * d;
    }
    this.count += o.length;
  }

  compute(): number {
    if (this.count === 0) return 0;
    const m = this.sum / this.count;
    return this.name === "rmse" ? Math.sqrt(m) : m;
  }

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

export type MetricName = "accuracy" | "precision" | "recall" | "f1" | "mae" | "rmse" | `top${number}Accuracy`;

/** A metric from its name (`"accuracy"`, `"f1"`, `"top5Accuracy"`, ...) or the metric itself. */
export function resolveMetric(metric: MetricName | Metric): Metric {
  if (typeof metric !== "string") return metric;
  switch (metric) {
    case "accuracy": return new Accuracy();
    case "precision": case "recall": case "f1": return new MacroScore(metric);
    case "mae": case "rmse": return new RegressionError(metric);
  }
  const topK = /^top(\d+)Accuracy$/.exec(metric);
  check(topK !== null, "Trainer", `unknown metric "${metric}"; use accuracy, topKAccuracy (e.g. top5Accuracy), precision, recall, f1, mae, rmse or a Metric object`);
  return new TopKAccuracy(Number(topK[1]));
}

/** Computes a metric on one batch: `accuracy(output, target)` and friends for quick checks. */
export function evaluateMetric(metric: MetricName | Metric, output: Tensor, target: Tensor): number {
  const m = resolveMetric(metric);
  m.reset();
  m.update(output, target);
  return m.compute();
}
