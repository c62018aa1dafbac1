/**
 * tl.nn.functional: forward values against plain-JS references written from the formulas, and float64
 * gradient checks of every differentiable function. Errors and dropout are in functional-behaviour.test.ts.
 */
import assert from "node:assert/strict";
import * as tl from "../../src/index.js";
import { runCases, type OpCase } from "../harness.js";

const F = tl.nn.functional;
type Rows = number[][];

const x23: Rows = [[0.2, -1.3, 0.7], [1.5, 0.1, -0.4]];
const logits: Rows = [[0.3, -0.8, 1.2, 0.05], [-0.4, 0.9, 0.1, -1.1], [1.7, -0.2, 0.4, 0.6]];
const preds: Rows = [[0.3, -1.2, 2.5], [0.05, 0.9, -0.4]];
const targets: Rows = [[0.1, 0.4, 0.2], [0.8, -0.3, -0.35]];

const softmaxRow = (r: number[]): number[] => {
  const m = Math.max(...r);
  const e = r.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const logSoftmaxRow = (r: number[]): number[] => softmaxRow(r).map(Math.log);
const transpose = (m: Rows): Rows => m[0].map((_, j) => m.map((r) => r[j]));
const mapRows = (f: (v: number, i: number, j: number) => number, a: Rows): Rows => a.map((r, i) => r.map((v, j) => f(v, i, j)));
const meanOf = (a: Rows): number => a.flat().reduce((s, v) => s + v, 0) / a.flat().length;

/** PyTorch's cross-entropy for index targets, written per sample from the documented formula. */
function crossEntropyRef(x: Rows, y: number[], o: { weight?: number[]; ignoreIndex?: number; eps?: number; reduction?: string }): number | number[] {
  const C = x[0].length;
  const w = o.weight ?? new Array<number>(C).fill(1);
  const eps = o.eps ?? 0;
  const losses: number[] = [];
  let denom = 0;
  x.forEach((row, n) => {
    if (y[n] === (o.ignoreIndex ?? -100)) return void losses.push(0);
    const lp = logSoftmaxRow(row);
    const smooth = -lp.reduce((s, v, c) => s + w[c] * v, 0);
    losses.push((1 - eps) * -w[y[n]] * lp[y[n]] + (eps / C) * smooth);
    denom += w[y[n]];
  });
  const total = losses.reduce((a, b) => a + b, 0);
  return o.reduction === "none" ? losses : o.reduction === "sum" ? total : total / denom;
}

const int = (data: number[]): tl.Tensor => tl.tensor(Int32Array.from(data));
const f64 = (data: number[] | Rows): tl.Tensor => tl.tensor(data, { dtype: "float64" });

const activation: OpCase[] = [
  { op: "softmax", name: "softmax dim -1", inputs: [x23], fn: (x) => F.softmax(x, -1), expected: x23.map(softmaxRow) },
  { op: "softmax", name: "softmax dim 0", inputs: [x23], fn: (x) => F.softmax(x, 0), expected: transpose(transpose(x23).map(softmaxRow)) },
  {
    op: "softmax", name: "softmax of a 0-d tensor is 1", inputs: [f64([2]).reshape([])], fn: (x) => F.softmax(x, 0), expected: 1,
    check: (out) => assert.deepEqual(out.shape, []),
  },
  { op: "logSoftmax", name: "logSoftmax dim 1", inputs: [logits], fn: (x) => F.logSoftmax(x, 1), expected: logits.map(logSoftmaxRow) },
  {
    op: "logSoftmax", name: "logSoftmax is stable for huge logits", inputs: [[[1000, 1001, 1002], [-1000, -1001, -1002]]],
    fn: (x) => F.logSoftmax(x, -1), expected: [[1000, 1001, 1002].map((v) => v - 1002 - Math.log(1 + Math.exp(-1) + Math.exp(-2))),
      [-1000, -1001, -1002].map((v) => v + 1000 - Math.log(1 + Math.exp(-1) + Math.exp(-2)))],
  },
  {
    op: "softmax", name: "softmax of a 3-D input along dim 1", inputs: [[[[1, 2], [3, 5]], [[-1, 0], [0.5, 0.25]]]],
    fn: (x) => F.softmax(x, 1),
    expected: [[[1 / (1 + Math.exp(2)), 1 / (1 + Math.exp(3))], [1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(-3))]],
      [[1 / (1 + Math.exp(1.5)), 1 / (1 + Math.exp(0.25))], [1 / (1 + Math.exp(-1.5)), 1 / (1 + Math.exp(-0.25))]]],
  },
];

const y3 = [2, 0, 3];
const w4 = [0.5, 2, 1, 1.5];
const classification: OpCase[] = [
  { op: "crossEntropy", name: "crossEntropy mean, int32 target", inputs: [logits, int(y3)], fn: (x, y) => F.crossEntropy(x, y), expected: crossEntropyRef(logits, y3, {}) },
  ...(["mean", "sum", "none"] as const).map((reduction): OpCase => ({
    op: "crossEntropy", name: `crossEntropy weight + ignoreIndex + labelSmoothing, ${reduction}, float target`,
    inputs: [logits, tl.tensor([2, -100, 1]), f64(w4)], gradInputs: [0],
    fn: (x, y, w) => F.crossEntropy(x, y, { weight: w, labelSmoothing: 0.15, reduction }),
    expected: crossEntropyRef(logits, [2, -100, 1], { weight: w4, eps: 0.15, reduction }),
  })),
  {
    op: "crossEntropy", name: "crossEntropy with an ignoreIndex inside the class range", inputs: [logits, int([1, 0, 1]), f64(w4)], gradInputs: [0],
    fn: (x, y, w) => F.crossEntropy(x, y, { weight: w, ignoreIndex: 1 }), expected: crossEntropyRef(logits, [1, 0, 1], { weight: w4, ignoreIndex: 1 }),
  },
  {
    op: "crossEntropy", name: "crossEntropy with probability targets", inputs: [logits, f64([[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]])],
    fn: (x, t) => F.crossEntropy(x, t),
    expected: -logits.map(logSoftmaxRow).reduce((s, lp, n) => s + lp.reduce((a, v, c) => a + v * [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]][n][c], 0), 0) / 3,
  },
  {
    op: "crossEntropy", name: "crossEntropy K-dim input [N, C, d] equals the flattened 2-D loss",
    inputs: [[[[0.1, 1.2], [0.5, -0.3], [2, 0]], [[-1, 0.4], [0.3, 0.3], [0.7, 1.1]]], int([0, 2, 1, -100])],
    fn: (x, y) => F.crossEntropy(x, y.reshape([2, 2]), { reduction: "none" }),
    expected: [[crossEntropyRef([[0.1, 0.5, 2]], [0], {}) as number, crossEntropyRef([[1.2, -0.3, 0]], [2], {}) as number],
      [crossEntropyRef([[-1, 0.3, 0.7]], [1], {}) as number, 0]],
  },
  {
    op: "nllLoss", name: "nllLoss weighted mean", inputs: [logits.map(logSoftmaxRow), int(y3), f64(w4)], gradInputs: [0],
    fn: (lp, y, w) => F.nllLoss(lp, y, { weight: w }),
    expected: -logits.map(logSoftmaxRow).reduce((s, lp, n) => s + w4[y3[n]] * lp[y3[n]], 0) / (w4[2] + w4[0] + w4[3]),
  },
  {
    op: "klDiv", name: "klDiv batchmean with a zero target entry", inputs: [logits.map(logSoftmaxRow), f64([[0.5, 0, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]])],
    gradInputs: [0], fn: (q, t) => F.klDiv(q, t, { reduction: "batchmean" }),
    expected: [[0.5, 0, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1]]
      .reduce((s, t, n) => s + t.reduce((a, p, c) => a + (p === 0 ? 0 : p * (Math.log(p) - logSoftmaxRow(logits[n])[c])), 0), 0) / 3,
  },
  {
    op: "klDiv", name: "klDiv logTarget, none", inputs: [[[-0.2, -1.8]], [[-0.5, -0.9]]], fn: (q, t) => F.klDiv(q, t, { logTarget: true, reduction: "none" }),
    expected: [[Math.exp(-0.5) * (-0.5 + 0.2), Math.exp(-0.9) * (-0.9 + 1.8)]],
  },
];

const sig = (v: number): number => 1 / (1 + Math.exp(-v));
const probs: Rows = [[0.2, 0.9, 0.55], [0.35, 0.05, 0.7]];
const labels: Rows = [[0, 1, 0.3], [1, 0, 1]];
const regression: OpCase[] = [
  { op: "mseLoss", inputs: [preds, targets], fn: (a, b) => F.mseLoss(a, b), expected: meanOf(mapRows((v, i, j) => (v - targets[i][j]) ** 2, preds)) },
  { op: "l1Loss", inputs: [preds, targets], fn: (a, b) => F.l1Loss(a, b, { reduction: "none" }), expected: mapRows((v, i, j) => Math.abs(v - targets[i][j]), preds) },
  {
    op: "smoothL1Loss", inputs: [preds, targets], fn: (a, b) => F.smoothL1Loss(a, b, { beta: 0.5, reduction: "none" }),
    expected: mapRows((v, i, j) => { const d = Math.abs(v - targets[i][j]); return d < 0.5 ? (0.5 * d * d) / 0.5 : d - 0.25; }, preds),
  },
  {
    op: "huberLoss", inputs: [preds, targets], fn: (a, b) => F.huberLoss(a, b, { delta: 0.6, reduction: "none" }),
    expected: mapRows((v, i, j) => { const d = Math.abs(v - targets[i][j]); return d < 0.6 ? 0.5 * d * d : 0.6 * (d - 0.3); }, preds),
  },
  {
    op: "binaryCrossEntropy", name: "binaryCrossEntropy with a per-class weight", inputs: [probs, labels, f64([1, 2, 0.5])], gradInputs: [0, 1],
    fn: (p, y, w) => F.binaryCrossEntropy(p, y, { weight: w }),
    expected: meanOf(mapRows((p, i, j) => -[1, 2, 0.5][j] * (labels[i][j] * Math.log(p) + (1 - labels[i][j]) * Math.log(1 - p)), probs)),
  },
  {
    op: "binaryCrossEntropyWithLogits", name: "binaryCrossEntropyWithLogits with posWeight", inputs: [preds, labels, f64([3, 0.5, 1])], gradInputs: [0, 1],
    fn: (x, y, pw) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: pw, reduction: "none" }),
    expected: mapRows((x, i, j) => -([3, 0.5, 1][j] * labels[i][j] * Math.log(sig(x)) + (1 - labels[i][j]) * Math.log(1 - sig(x))), preds),
  },
];

/** Normalizes each group of `values` (mean 0, biased variance 1). */
const standardize = (values: number[], eps: number): number[] => {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
  return values.map((x) => (x - m) / Math.sqrt(v + eps));
};
const bnInput: Rows = [[0.5, -1, 2], [1.5, 0.3, -0.7], [-0.2, 0.8, 1.1], [0.9, -0.4, 0.2]]; // [N=4, C=3]
const gamma = [1.5, -0.5, 2];
const beta = [0.1, 0.2, -0.3];
const normalization: OpCase[] = [
  {
    op: "batchNorm", name: "batchNorm training [N, C] with affine", inputs: [bnInput, tl.zeros([3]), tl.ones([3]), f64(gamma), f64(beta)], gradInputs: [0, 3, 4],
    fn: (x, rm, rv, w, b) => F.batchNorm(x, rm, rv, w, b, { training: true }),
    expected: transpose(transpose(bnInput).map((col, c) => standardize(col, 1e-5).map((v) => v * gamma[c] + beta[c]))),
  },
  {
    op: "batchNorm", name: "batchNorm eval uses the running statistics", inputs: [bnInput, f64([0.5, -0.5, 1]), f64([4, 1, 0.25]), f64(gamma), f64(beta)],
    gradInputs: [0, 3, 4], fn: (x, rm, rv, w, b) => F.batchNorm(x, rm, rv, w, b, { eps: 0 }),
    expected: mapRows((v, _i, c) => ((v - [0.5, -0.5, 1][c]) / Math.sqrt([4, 1, 0.25][c])) * gamma[c] + beta[c], bnInput),
  },
  {
    op: "batchNorm", name: "batchNorm training [N, C, L] without affine", inputs: [[[[1, 2], [0, -1]], [[3, 5], [0.5, 0.25]]], tl.zeros([2]), tl.ones([2])],
    gradInputs: [0], fn: (x, rm, rv) => F.batchNorm(x, rm, rv, null, null, { training: true }),
    expected: (() => {
      const c0 = standardize([1, 2, 3, 5], 1e-5);
      const c1 = standardize([0, -1, 0.5, 0.25], 1e-5);
      return [[[c0[0], c0[1]], [c1[0], c1[1]]], [[c0[2], c0[3]], [c1[2], c1[3]]]];
    })(),
  },
  {
    op: "layerNorm", name: "layerNorm over the last dim", inputs: [bnInput, f64(gamma), f64(beta)],
    fn: (x, w, b) => F.layerNorm(x, [3], w, b), expected: bnInput.map((r) => standardize(r, 1e-5).map((v, c) => v * gamma[c] + beta[c])),
  },
  {
    op: "layerNorm", name: "layerNorm over two dims, no affine", inputs: [[bnInput]],
    fn: (x) => F.layerNorm(x, [4, 3], null, null, 1e-3),
    expected: [(() => { const s = standardize(bnInput.flat(), 1e-3); return bnInput.map((_, i) => s.slice(3 * i, 3 * i + 3)); })()],
  },
  {
    op: "groupNorm", name: "groupNorm 2 groups of 2 channels", inputs: [[[[1, 2], [3, -1], [0.5, 0.7], [2, -2]]], f64([1, 2, 3, 4]), f64([0, 0.1, 0.2, 0.3])],
    fn: (x, w, b) => F.groupNorm(x, 2, w, b),
    expected: (() => {
      const g0 = standardize([1, 2, 3, -1], 1e-5);
      const g1 = standardize([0.5, 0.7, 2, -2], 1e-5);
      const rows = [g0.slice(0, 2), g0.slice(2), g1.slice(0, 2), g1.slice(2)];
      return [rows.map((r, c) => r.map((v) => v * (c + 1) + 0.1 * c))];
    })(),
  },
  {
    op: "embedding", name: "embedding looks up rows (gradient to weight)", inputs: [int([2, 0, 2]), [[1, 2], [3, 4], [5, 6]]],
    gradInputs: [1], fn: (i, w) => F.embedding(i.reshape([1, 3]), w), expected: [[[5, 6], [1, 2], [5, 6]]],
  },
];

runCases("nn.functional activation", activation);
runCases("nn.functional classification loss", classification);
runCases("nn.functional regression loss", regression);
runCases("nn.functional normalization", normalization);
