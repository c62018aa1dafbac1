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

/**
 * Predicted classes and how many classes the output can express: argmax over dim 1 for [N, C]
 * scores, or a 0.5 threshold for [N] / [N, 1] probabilities (two classes).
 */
function predictedClasses(output: Tensor, where: string): { pred: Int32Array; numClasses: number } {
  if (output.ndim === 2 && output.shape[1] > 1) {
    return { pred: Int32Array.from(output.argmax({ dim: 1 }).dataSync()), numClasses: output.shape[1] };
  }
  check(output.ndim === 1 || (output.ndim === 2 && output.shape[1] === 1), where,
    () => `expected scores of shape [N, C] or probabilities of shape [N] or [N, 1], got ${fmtShape(output.shape)}`);
  return { pred: Int32Array.from(output.dataSync(), (p) => (p >= 0.5 ? 1 : 0)), numClasses: 2 };
}

/** Target class indices (int32 or whole-number floats), checked to lie in [0, numClasses). */
function targetClasses(target: Tensor, n: number, numClasses: number | undefined, where: string): Int32Array {
  check(target.size === n, where, () => `target has shape ${fmtShape(target.shape)} (${target.size} elements) but the output has ${n} rows`);
  const values = target.dataSync();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    check(Number.isInteger(v) && v >= 0 && (numClasses === undefined || v < numClasses), where,
      () => `target ${i} is ${v}, not a class index in [0, ${numClasses ?? "∞"})`);
    out[i] = v;
  }
  return out;
}

/** Fraction of rows whose predicted class (argmax, or probability ≥ 0.5 for one output) equals the target. */
export class Accuracy implements Metric {
  readonly name = "accuracy";
  private correct = 0;
  private total = 0;

  update(output: Tensor, target: Tensor): void {
    const { pred, numClasses } = predictedClasses(output, "accuracy");
    const truth = targetClasses(target, pred.length, numClasses, "accuracy");
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

/** Fraction of rows whose target is among the k highest scores (ties count in the target's favour). */
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
    const truth = targetClasses(target, n, c, this.name);
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

/**
 * A confusion matrix accumulated over batches: `m[t][p]` counts rows of true class t predicted as p.
 * Its size is `numClasses` when given, else the largest of the output's column count and the classes seen.
 */
export class ConfusionMatrix {
  private counts: number[][] = [];
  private size = 0;
  private readonly present = new Set<number>();

  constructor(readonly numClasses?: number) {
    check(numClasses === undefined || (Number.isInteger(numClasses) && numClasses >= 1), "confusionMatrix",
      `numClasses must be a whole number ≥ 1, got ${numClasses}`);
  }

  update(output: Tensor, target: Tensor): void {
    const { pred, numClasses } = predictedClasses(output, "confusionMatrix");
    check(this.numClasses === undefined || numClasses <= this.numClasses, "confusionMatrix",
      () => `the output has ${numClasses} classes but the matrix was made for ${this.numClasses}`);
    const truth = targetClasses(target, pred.length, this.numClasses ?? numClasses, "confusionMatrix");
    this.grow(this.numClasses ?? numClasses);
    for (let i = 0; i < pred.length; i++) {
      this.counts[truth[i]][pred[i]]++;
      this.present.add(truth[i]).add(pred[i]);
    }
  }

  private grow(n: number): void {
    if (n <= this.size) return;
    for (const row of this.counts) while (row.length < n) row.push(0);
    while (this.counts.length < n) this.counts.push(new Array<number>(n).fill(0));
    this.size = n;
  }

  /** The matrix as rows of counts (a copy). */
  compute(): number[][] {
    return this.counts.map((row) => [...row]);
  }

  /** The classes to average over: all `numClasses` when given, else those in the targets or predictions (scikit-learn's default labels). */
  labels(): number[] {
    if (this.numClasses !== undefined) return Array.from({ length: this.numClasses }, (_, i) => i);
    return [...this.present].sort((a, b) => a - b);
  }

  reset(): void {
    this.counts = [];
    this.size = 0;
    this.present.clear();
  }
}

/**
 * Macro-averaged precision, recall or F1, like scikit-learn's `average="macro"` with `zero_division=0`:
 * the unweighted mean over the classes in the targets or predictions (or all `numClasses` when given).
 */
export class MacroScore implements Metric {
  private readonly matrix: ConfusionMatrix;

  constructor(readonly name: "precision" | "recall" | "f1", numClasses?: number) {
    check(name === "precision" || name === "recall" || name === "f1", "MacroScore", `name must be "precision", "recall" or "f1", got ${String(name)}`);
    this.matrix = new ConfusionMatrix(numClasses);
  }

  update(output: Tensor, target: Tensor): void {
    this.matrix.update(output, target);
  }

  compute(): number {
    const m = this.matrix.compute();
    const labels = this.matrix.labels();
    if (labels.length === 0) return 0;
    let total = 0;
    for (const c of labels) {
      const tp = m[c]?.[c] ?? 0;
      let predicted = 0;
      let actual = 0;
      for (let k = 0; k < m.length; k++) {
        predicted += m[k][c] ?? 0;
        actual += m[c]?.[k] ?? 0;
      }
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = actual === 0 ? 0 : tp / actual;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      total += this.name === "precision" ? precision : this.name === "recall" ? recall : f1;
    }
    return total / labels.length;
  }

  reset(): void {
    this.matrix.reset();
  }
}

/** Mean absolute error or root mean squared error over all elements. */
export class RegressionError implements Metric {
  private sum = 0;
  private count = 0;

  constructor(readonly name: "mae" | "rmse") {
    check(name === "mae" || name === "rmse", "RegressionError", `name must be "mae" or "rmse", got ${String(name)}`);
  }

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

/** The confusion matrix of one batch: rows are true classes, columns predicted ones. */
export function confusionMatrix(output: Tensor, target: Tensor, numClasses?: number): number[][] {
  const m = new ConfusionMatrix(numClasses);
  m.update(output, target);
  return m.compute();
}

/** Computes a metric on one batch: `accuracy(output, target)` and friends for quick checks. */
export function evaluateMetric(metric: MetricName | Metric, output: Tensor, target: Tensor): number {
  const m = resolveMetric(metric);
  m.reset();
  m.update(output, target);
  return m.compute();
}
