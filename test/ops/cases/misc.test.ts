/** Case rows for cast, NaN tests, softmax, the in-place ops and the random creation ops. */
import assert from "node:assert/strict";
import * as tl from "../../../src/index.js";
import { runCases, type OpCase } from "../../harness.js";

const x = [[-1.5, -0.3, 0.2], [0.7, 1.1, 2.4]];
const softmaxRows = x.map((row) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
});

/** Statistics of a sample: mean and standard deviation. */
function stats(t: tl.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

const big = [100, 100];

const cases: OpCase[] = [
  {
    // Finite differences through float32 rounding are too coarse for gradcheck: check the gradient directly.
    op: "cast", name: "cast float64 → float32 passes the gradient back as float64", inputs: [x], fn: (a) => tl.cast(a, "float32"), expected: x,
    gradInputs: [],
    check: (_out, [a]) => {
      const leaf = a.detach().requiresGrad_();
      tl.cast(leaf, "float32").mul(3).sum().backward();
      assert.equal(leaf.grad?.dtype, "float64");
      assert.deepEqual(leaf.grad?.toArray(), [[3, 3, 3], [3, 3, 3]]);
    },
  },
  {
    op: "cast", name: "cast float → int32 truncates toward zero", inputs: [x], fn: (a) => tl.cast(a, "int32"), expected: [[-1, 0, 0], [0, 1, 2]],
    gradInputs: [], check: (out) => assert.equal(out.dtype, "int32"),
  },
  {
    op: "isnan", inputs: [tl.tensor([1, NaN, Infinity, -Infinity])], fn: (a) => tl.isnan(a), expected: [0, 1, 0, 0],
    check: (out) => assert.equal(out.dtype, "bool"),
  },
  {
    op: "add", name: "add of two bools is their logical or (PyTorch)", inputs: [tl.tensor([true, true, false]), tl.tensor([true, false, false])],
    fn: (a, b) => tl.add(a, b), expected: [1, 1, 0], check: (out) => assert.equal(out.dtype, "bool"),
  },
  {
    op: "sub", name: "sub of two bools is refused", inputs: [tl.tensor([true]), tl.tensor([false])], fn: (a) => a,
    check: (_out, [a, b]) => assert.throws(() => a.sub(b), /\[sub\] subtraction of two bool operands/),
  },
  { op: "isfinite", inputs: [tl.tensor([1, NaN, Infinity, -Infinity])], fn: (a) => tl.isfinite(a), expected: [1, 0, 0, 0] },
  { op: "softmax", inputs: [x], fn: (a) => tl.softmax(a, -1), expected: softmaxRows },
  { op: "softmax", name: "softmax along dim 0 (method)", inputs: [x], fn: (a) => a.softmax(0) },
  { op: "logSoftmax", inputs: [x], fn: (a) => tl.logSoftmax(a, 1), expected: softmaxRows.map((r) => r.map(Math.log)) },
  { op: "logSoftmax", name: "logSoftmax of large logits stays finite", inputs: [[[1000, 0, -1000]]], fn: (a) => a.logSoftmax(-1), expected: [[0, -1000, -2000]] },

  // In-place ops write into their first argument and return it; they are not differentiable.
  { op: "add_", inputs: [tl.ones([2, 3]), tl.tensor([1, 2, 3])], fn: (a, b) => a.add_(b), expected: [[2, 3, 4], [2, 3, 4]] },
  { op: "sub_", inputs: [tl.ones([2, 2])], fn: (a) => a.sub_(0.5), expected: [[0.5, 0.5], [0.5, 0.5]] },
  { op: "mul_", inputs: [tl.tensor([[1, 2], [3, 4]])], fn: (a) => tl.mul_(a, tl.tensor([[2], [3]])), expected: [[2, 4], [9, 12]] },
  { op: "div_", inputs: [tl.tensor([2, 4])], fn: (a) => tl.div_(a, 2), expected: [1, 2] },
  {
    op: "copy_", name: "copy_ into a transposed view writes through", inputs: [tl.zeros([2, 3])],
    fn: (a) => { a.t().copy_(tl.tensor([[1, 4], [2, 5], [3, 6]])); return a; }, expected: [[1, 2, 3], [4, 5, 6]],
  },
  { op: "fill_", inputs: [tl.zeros([2])], fn: (a) => a.fill_(7), expected: [7, 7] },
  { op: "zero_", inputs: [tl.ones([3])], fn: (a) => a.zero_(), expected: [0, 0, 0] },
  { op: "clamp_", inputs: [tl.tensor([-2, 0.5, 3])], fn: (a) => a.clamp_({ min: -1, max: 1 }), expected: [-1, 0.5, 1] },
  {
    op: "uniform_", inputs: [tl.zeros(big)], fn: (a) => a.uniform_(-2, 2),
    check: (out) => { const s = stats(out); assert.ok(s.min >= -2 && s.max < 2 && Math.abs(s.mean) < 0.05 && Math.abs(s.std - 4 / Math.sqrt(12)) < 0.03, JSON.stringify(s)); },
  },
  {
    op: "normal_", inputs: [tl.zeros(big)], fn: (a) => a.normal_(3, 0.5),
    check: (out) => { const s = stats(out); assert.ok(Math.abs(s.mean - 3) < 0.02 && Math.abs(s.std - 0.5) < 0.02, JSON.stringify(s)); },
  },

  // Random creation: ranges and moments of 10,000 draws.
  { op: "rand", inputs: [], fn: () => tl.rand(big), check: (out) => { const s = stats(out); assert.ok(s.min >= 0 && s.max < 1 && Math.abs(s.mean - 0.5) < 0.02); } },
  { op: "randn", inputs: [], fn: () => tl.randn(big), check: (out) => { const s = stats(out); assert.ok(Math.abs(s.mean) < 0.03 && Math.abs(s.std - 1) < 0.03); } },
  { op: "uniform", inputs: [], fn: () => tl.uniform(big, 5, 6), check: (out) => { const s = stats(out); assert.ok(s.min >= 5 && s.max < 6); } },
  { op: "normal", inputs: [], fn: () => tl.normal(big, -1, 2), check: (out) => { const s = stats(out); assert.ok(Math.abs(s.mean + 1) < 0.06 && Math.abs(s.std - 2) < 0.06); } },
  {
    op: "randint", inputs: [], fn: () => tl.randint(-3, 4, big),
    check: (out) => { const v = Array.from(out.dataSync()); assert.equal(out.dtype, "int32"); assert.deepEqual([...new Set(v)].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]); },
  },
  {
    op: "randperm", inputs: [], fn: () => tl.randperm(50),
    check: (out) => assert.deepEqual(Array.from(out.dataSync()).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i)),
  },
  { op: "randLike", inputs: [tl.zeros([3, 4], { dtype: "float64" })], fn: (a) => tl.randLike(a), gradInputs: [], check: (out) => assert.equal(out.dtype, "float64") },
  { op: "randnLike", inputs: [tl.zeros([3, 4])], fn: (a) => tl.randnLike(a), check: (out) => assert.deepEqual([...out.shape], [3, 4]) },
];

runCases("misc", cases);
