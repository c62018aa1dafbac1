/**
 * The fused softmax family: softmax, logSoftmax, softmaxBackward, logSoftmaxBackward,
 * softmaxCrossEntropy and softmaxCrossEntropyBackward. Forward values and input gradients against
 * PyTorch fixtures (tools/fixtures/softmax.py), float64 central differences (of the forward ops and
 * of the backward ops' own gradients), double backward through createGraph, the fused backward
 * kernels against the composed gradient path, and float32 rows long enough to use full vectors and
 * tails in the native kernels (the harness compares every row with the js backend).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertClose, gradcheck, runCases, type OpCase, type Tensor } from "../../harness.js";

interface Flat { data: number[]; shape: number[] }
interface SoftmaxFixture { fn: "softmax" | "logSoftmax"; dim: number; x: Flat; y: Flat; g: Flat; gx: Flat }
interface CeFixture {
  x: Flat; target: Flat; weight: Flat | null; loss: Flat; g: Flat; gx: Flat;
  options: { reduction: "mean" | "sum" | "none"; labelSmoothing: number; ignoreIndex?: number };
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/softmax/cases.json", import.meta.url), "utf8")) as
  { softmax: SoftmaxFixture[]; crossEntropy: CeFixture[] };

const t64 = (f: Flat): Tensor => tl.tensor(f.data, { shape: f.shape, dtype: "float64" });
const int = (f: Flat): Tensor => tl.tensor(f.data, { shape: f.shape, dtype: "int32" });
const nested = (t: Tensor) => t.toArray();
const describeCe = (c: CeFixture): string =>
  `${JSON.stringify(c.x.shape)} ${c.options.reduction}${c.weight ? " weight" : ""}${c.options.ignoreIndex !== undefined ? " ignore" : ""}` +
  `${c.options.labelSmoothing > 0 ? ` smoothing ${c.options.labelSmoothing}` : ""}`;

/** Probabilities (a softmax along dim 1) and log-probabilities of float32 logits: realistic saved outputs. */
const probs = (shape: number[], seed: number): Tensor => tl.softmax(f32(shape, seed), 1);
const logProbs = (shape: number[], seed: number): Tensor => tl.logSoftmax(f32(shape, seed), 1);

/** A float32 tensor of `shape` with values in about [−4, 4] from a fixed seed. */
function f32(shape: number[], seed: number): Tensor {
  tl.manualSeed(seed);
  return tl.randn(shape).mul(2);
}

const fixtureCases: OpCase[] = fx.softmax.flatMap((c): OpCase[] => {
  const fn = c.fn === "softmax" ? tl.softmax : tl.logSoftmax;
  const backward = c.fn === "softmax" ? tl.softmaxBackward : tl.logSoftmaxBackward;
  const shape = `${JSON.stringify(c.x.shape)} dim ${c.dim}`;
  return [
    { op: c.fn, name: `${c.fn} ${shape} (PyTorch)`, inputs: [t64(c.x)], fn: (x) => fn(x, c.dim), expected: nested(t64(c.y)) },
    {
      op: `${c.fn}Backward`, name: `${c.fn}Backward ${shape} (PyTorch input gradient)`, inputs: [t64(c.y), t64(c.g)],
      fn: (y, g) => backward(y, g, c.dim), expected: nested(t64(c.gx)),
    },
  ];
});

const ceCases: OpCase[] = fx.crossEntropy.flatMap((c): OpCase[] => {
  // Without a weight the row passes ones and drops them, so every row has the same inputs.
  const weight = c.weight ? t64(c.weight) : tl.ones([c.x.shape[1]], { dtype: "float64" });
  const ceOptions = (w: Tensor): tl.SoftmaxCrossEntropyOptions => ({ ...c.options, weight: c.weight ? w : null });
  return [
    {
      op: "softmaxCrossEntropy", name: `softmaxCrossEntropy ${describeCe(c)} (PyTorch)`, inputs: [t64(c.x), int(c.target), weight],
      fn: (x, t, w) => tl.softmaxCrossEntropy(x, t, ceOptions(w)), expected: nested(t64(c.loss)), gradInputs: [0],
    },
    {
      op: "softmaxCrossEntropyBackward", name: `softmaxCrossEntropyBackward ${describeCe(c)} (PyTorch)`,
      inputs: [t64(c.x), int(c.target), t64(c.g), weight], gradInputs: [],
      fn: (x, t, g, w) => tl.softmaxCrossEntropyBackward(x, t, g, ceOptions(w)), expected: nested(t64(c.gx)),
    },
  ];
});

const rowSums = (out: Tensor, dim: number): void => assertClose(out.sum({ dim }), tl.onesLike(out.sum({ dim })), { atol: 1e-6 });

const cases: OpCase[] = [
  ...fixtureCases,
  ...ceCases,
  { op: "softmax", name: "softmax of masked (−inf) logits gives exact zeros", inputs: [[[0, -Infinity, 1], [-Infinity, 2, -Infinity]]],
    fn: (x) => tl.softmax(x, 1), expected: [[1 / (1 + Math.E), 0, Math.E / (1 + Math.E)], [0, 1, 0]], gradInputs: [] },
  { op: "softmax", name: "softmax of a transposed (strided) input", inputs: [[[0.5, -1, 2], [1.5, 0.25, -0.75]]],
    fn: (x) => tl.softmax(x.t(), 1), check: (out, [x]) => assertClose(out, tl.softmax(x.t().contiguous(), 1), { atol: 1e-15 }) },
  { op: "logSoftmax", name: "logSoftmax of a sliced input along dim 0", inputs: [tl.randn([6, 5], { dtype: "float64" })],
    fn: (x) => tl.logSoftmax(x.slice(1, 1, 4), 0) },
  { op: "softmax", name: "softmax of an int32 tensor is float32", inputs: [tl.tensor([[1, 2, 3]], { dtype: "int32" })], fn: (x) => x.softmax(-1),
    expected: [[0.09003057, 0.24472847, 0.66524096]], check: (out) => assert.equal(out.dtype, "float32") },
  { op: "softmax", name: "softmax of a 0-d tensor is 1", inputs: [tl.tensor(3.5, { dtype: "float64" })], fn: (x) => tl.softmax(x, 0), expected: 1 },
  { op: "logSoftmax", name: "logSoftmax of a 0-d tensor is 0", inputs: [tl.tensor(-2, { dtype: "float64" })], fn: (x) => tl.logSoftmax(x, -1), expected: 0 },
  { op: "logSoftmax", name: "logSoftmax float64 rows longer than the vectors (full + tail)", inputs: [tl.randn([3, 37], { dtype: "float64" })],
    fn: (x) => tl.logSoftmax(x, 1), check: (out) => rowSums(out.exp(), 1) },
  // float32: the native vector paths (rows of 1000 and of a tail length; columns of 19 lanes), checked against js by the harness.
  { op: "softmax", name: "softmax float32 [64, 1000] rows", inputs: [f32([64, 1000], 1)], fn: (x) => tl.softmax(x, -1), check: (out) => rowSums(out, 1) },
  { op: "softmax", name: "softmax float32 [2, 37, 19] dim 1 (columns)", inputs: [f32([2, 37, 19], 2)], fn: (x) => tl.softmax(x, 1), check: (out) => rowSums(out, 1) },
  { op: "logSoftmax", name: "logSoftmax float32 [5, 131] rows", inputs: [f32([5, 131], 3)], fn: (x) => tl.logSoftmax(x, 1), check: (out) => rowSums(out.exp(), 1) },
  { op: "logSoftmax", name: "logSoftmax float32 [3, 10, 21] dim 1 (columns)", inputs: [f32([3, 10, 21], 4)], fn: (x) => tl.logSoftmax(x, 1) },
  { op: "softmaxBackward", name: "softmaxBackward float32 [7, 45] and [4, 9, 18] dim 1", inputs: [probs([7, 45], 5), f32([7, 45], 6), probs([4, 9, 18], 7), f32([4, 9, 18], 8)],
    fn: (y, g, y3, g3) => tl.cat([tl.softmaxBackward(y, g, 1).flatten(), tl.softmaxBackward(y3, g3, 1).flatten()], 0) },
  { op: "logSoftmaxBackward", name: "logSoftmaxBackward float32 [7, 45] and [4, 9, 18] dim 1", inputs: [logProbs([7, 45], 9), f32([7, 45], 10), logProbs([4, 9, 18], 11), f32([4, 9, 18], 12)],
    fn: (y, g, y3, g3) => tl.cat([tl.logSoftmaxBackward(y, g, 1).flatten(), tl.logSoftmaxBackward(y3, g3, 1).flatten()], 0) },
  { op: "softmaxBackward", name: "softmaxBackward of the ones gradient is zero", inputs: [[[0.2, 0.3, 0.5]], [[1, 1, 1]]],
    fn: (y, g) => tl.softmaxBackward(y, g, -1), expected: [[0, 0, 0]] },
  { op: "softmaxCrossEntropy", name: "softmaxCrossEntropy float32 [128, 10] with smoothing and weight", inputs: [f32([128, 10], 13), tl.randint(0, 10, [128]), tl.linspace(0.5, 1.5, 10)],
    fn: (x, t, w) => tl.softmaxCrossEntropy(x, t, { labelSmoothing: 0.1, weight: w }) },
  { op: "softmaxCrossEntropyBackward", name: "softmaxCrossEntropyBackward float32 [40, 37] and [4, 5, 19] (none)",
    inputs: [f32([40, 37], 14), tl.randint(0, 37, [40]), f32([4, 5, 19], 15), tl.randint(0, 5, [4, 19]), f32([4, 19], 16), tl.tensor(0.5), tl.linspace(0.5, 1.5, 5)],
    gradInputs: [],
    fn: (x, t, x3, t3, g3, g, w) => tl.cat([
      tl.softmaxCrossEntropyBackward(x, t, g, { labelSmoothing: 0.2, ignoreIndex: 3 }).flatten(),
      tl.softmaxCrossEntropyBackward(x3, t3, g3, { reduction: "none", weight: w }).flatten(),
    ], 0) },
  { op: "softmaxCrossEntropy", name: "softmaxCrossEntropy with every target ignored: mean is NaN, sum 0",
    inputs: [[[1, 2], [3, 4]], tl.tensor([-100, -100], { dtype: "int32" })], gradInputs: [],
    fn: (x, t) => tl.stack([tl.softmaxCrossEntropy(x, t), tl.softmaxCrossEntropy(x, t, { reduction: "sum" })]), expected: [NaN, 0] },
];

runCases("softmax", cases);

/**
 * The vector-Jacobian product of `f` at x as a function of (x, g), recorded with createGraph:
 * gradient-checking it checks the gradient's own gradient (double backward, composed path).
 */
const vjp = (f: (x: Tensor) => Tensor) => (x: Tensor, g: Tensor): Tensor => {
  const leaf = x.requiresGrad ? x : x.detach().requiresGrad_();
  const [dx] = tl.autograd.grad(f(leaf), [leaf], { gradOutputs: [g], createGraph: true });
  return dx as Tensor;
};

const x34 = tl.tensor([[0.5, -1.2, 2.0, 0.3], [1.1, 0.7, -0.4, 2.2], [-1.5, 0.9, 0.1, -0.6]], { dtype: "float64" });
const g34 = tl.tensor([[0.3, -0.2, 1.1, 0.4], [0.5, 0.9, -0.7, 0.2], [-0.1, 0.6, 0.8, -0.9]], { dtype: "float64" });
const target3 = tl.tensor([2, 0, 3], { dtype: "int32" });
const ceVariants: [string, tl.SoftmaxCrossEntropyOptions, Tensor][] = [
  ["mean", {}, tl.tensor(1.3, { dtype: "float64" })],
  ["sum with weight and smoothing", { reduction: "sum", weight: tl.tensor([0.5, 1.5, 1, 2], { dtype: "float64" }), labelSmoothing: 0.2 }, tl.tensor(0.7, { dtype: "float64" })],
  ["none with ignoreIndex and smoothing", { reduction: "none", ignoreIndex: 0, labelSmoothing: 0.1 }, tl.tensor([0.4, -1.1, 0.9], { dtype: "float64" })],
  ["mean with weight and ignoreIndex", { weight: tl.tensor([0.5, 1.5, 1, 2], { dtype: "float64" }), ignoreIndex: 3 }, tl.tensor(-0.6, { dtype: "float64" })],
];

test("softmax / logSoftmax double backward (createGraph) passes a gradient check in x and in the upstream gradient", () => {
  for (const dim of [0, 1]) {
    gradcheck(vjp((x) => tl.softmax(x, dim)), [x34, g34], [0, 1], { name: `softmax vjp dim ${dim}` });
    gradcheck(vjp((x) => tl.logSoftmax(x, dim)), [x34, g34], [0, 1], { name: `logSoftmax vjp dim ${dim}` });
  }
});

test("softmaxCrossEntropy double backward (createGraph) passes a gradient check in the logits and the upstream gradient", () => {
  for (const [name, options, g] of ceVariants) {
    gradcheck(vjp((x) => tl.softmaxCrossEntropy(x, target3, options)), [x34, g], [0, 1], { name: `softmaxCrossEntropy vjp ${name}` });
  }
});

test("the fused backward kernels give the composed (createGraph) gradients", () => {
  const fns: [string, (x: Tensor) => Tensor][] = [
    ["softmax", (x) => tl.softmax(x, 1)], ["logSoftmax dim 0", (x) => tl.logSoftmax(x, 0)],
    ...ceVariants.map(([name, options]): [string, (x: Tensor) => Tensor] => [`crossEntropy ${name}`, (x) => tl.softmaxCrossEntropy(x, target3, options)]),
  ];
  for (const [name, f] of fns) {
    const leaf = x34.detach().requiresGrad_();
    const y = f(leaf);
    const g = y.ndim === 0 ? tl.tensor(0.8, { dtype: "float64" }) : y.ndim === 1 ? g34.select(1, 0) : g34;
    const [fused] = tl.autograd.grad(f(leaf), [leaf], { gradOutputs: [g] });
    const [composed] = tl.autograd.grad(y, [leaf], { gradOutputs: [g], createGraph: true });
    assert.ok(composed?.requiresGrad, `${name}: the createGraph gradient is recorded`);
    assertClose(fused as Tensor, composed as Tensor, { atol: 1e-12, rtol: 1e-10, message: name });
  }
});

test("softmaxCrossEntropy rejects bad targets, weights and options with clear errors", () => {
  const x = tl.randn([2, 3]);
  assert.throws(() => tl.softmaxCrossEntropy(x, tl.tensor([0, 3])), /\[softmaxCrossEntropy\] target holds 3 at flat position 1/);
  assert.throws(() => tl.softmaxCrossEntropy(x, tl.tensor([0, 1.5])), /\[softmaxCrossEntropy\] target holds 1.5/);
  assert.throws(() => tl.softmaxCrossEntropy(x, tl.tensor([0, 1, 2])), /\[softmaxCrossEntropy\] logits have shape \[2,3\], so target must be int32 class indices of shape \[2\]/);
  assert.throws(() => tl.softmaxCrossEntropy(x, tl.tensor([0, 1]), { weight: tl.ones([2]) }), /\[softmaxCrossEntropy\] weight must have shape \[3\]/);
  assert.throws(() => tl.softmaxCrossEntropy(x, tl.tensor([0, 1]), { labelSmoothing: 2 }), /labelSmoothing must be between 0 and 1/);
  assert.throws(() => tl.softmaxCrossEntropy(x, tl.tensor([0, 1]), { weight: tl.ones([3]).requiresGrad_() }), /weight requires grad/);
  const leaf = x.detach().requiresGrad_();
  assert.throws(() => tl.softmaxCrossEntropyBackward(leaf, tl.tensor([0, 1]), tl.tensor(1)), /\[softmaxCrossEntropyBackward\] is not differentiable/);
});

test("softmax / logSoftmax gradients agree with the composed formulas on float32 [64, 1000]", () => {
  const x = f32([64, 1000], 21).requiresGrad_();
  const g = f32([64, 1000], 22);
  const y = tl.softmax(x, 1);
  const [gx] = tl.autograd.grad(y, [x], { gradOutputs: [g] });
  const yd = y.detach();
  assertClose(gx as Tensor, yd.mul(g.sub(g.mul(yd).sum({ dim: 1, keepdim: true }))), { atol: 1e-6, rtol: 1e-4 });
  const ly = tl.logSoftmax(x, 1);
  const [lgx] = tl.autograd.grad(ly, [x], { gradOutputs: [g] });
  assertClose(lgx as Tensor, g.sub(ly.detach().exp().mul(g.sum({ dim: 1, keepdim: true }))), { atol: 1e-5, rtol: 1e-4 });
});
