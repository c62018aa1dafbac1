/**
 * The fused ops behind nn.Linear + ReLU training: `linear` (one op: x·wᵀ + bias, gradients as linear
 * ops and a column sum) and `reluBackward` (relu's gradient as one kernel). Forward values against
 * hand-written references, float64 central-difference gradients, native vs js, second derivatives.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { NestedArray } from "../../../src/core/nested.js";
import { compareWithJs, gradcheck, runCases, type OpCase } from "../../harness.js";

/** Deterministic values in about [-1, 1] (never exactly 0 for these seeds' small shapes). */
function flat(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed * 7.3 + i * 1.7) * 1000) / 1000);
}
function vals(shape: number[], seed: number): NestedArray {
  return tl.tensor(flat(shape.reduce((p, d) => p * d, 1), seed), { shape, dtype: "float64" }).toArray();
}

/** y[i][j] = Σ_k x[i][k]·w[j][k] + b[j], written out. */
function refLinear(x: number[][], w: number[][], b?: number[]): number[][] {
  return x.map((row) => w.map((wr, j) => row.reduce((s, v, k) => s + v * wr[k], b ? b[j] : 0)));
}

const x35 = vals([3, 5], 1) as number[][];
const w45 = vals([4, 5], 2) as number[][];
const b4 = vals([4], 3) as number[];
const x53 = vals([5, 3], 4) as number[][];
const t = (m: number[][]): number[][] => m[0].map((_, j) => m.map((r) => r[j]));
const b8 = vals([8], 5) as number[];

const gy = [[0.5, -1.25, 2], [3, 0.75, -0.5]];
const xr = [[-1, 0, 0.25], [2, -0.5, 1e-3]];

const cases: OpCase[] = [
  {
    op: "linear", name: "fused linear with bias", inputs: [x35, w45, b4], fn: (x, w, b) => tl.nn.functional.linear(x, w, b),
    expected: refLinear(x35, w45, b4),
  },
  {
    op: "linear", name: "fused linear, transposed input and weight views", inputs: [x53, t(w45), b4],
    fn: (x, w, b) => tl.nn.functional.linear(x.t(), w.t(), b), expected: refLinear(t(x53), w45, b4),
  },
  {
    op: "linear", name: "fused linear, strided bias (every other element)", inputs: [x35, w45, b8],
    fn: (x, w, b) => tl.nn.functional.linear(x, w, b.slice(0, 0, null, 2)), expected: refLinear(x35, w45, b8.filter((_, i) => i % 2 === 0)),
  },
  {
    op: "linear", name: "fused linear, 4-D input folds its batch dims", inputs: [vals([2, 1, 3, 5], 6), w45, b4],
    fn: (x, w, b) => tl.nn.functional.linear(x, w, b),
    expected: [[refLinear(vals([3, 5], 6) as number[][], w45, b4)], [refLinear((vals([6, 5], 6) as number[][]).slice(3), w45, b4)]],
  },
  {
    op: "linear", name: "fused linear, empty batch", inputs: [tl.zeros([0, 5], { dtype: "float64" }), w45, b4],
    fn: (x, w, b) => tl.nn.functional.linear(x, w, b), check: (y) => assert.deepEqual([...y.shape], [0, 4]), gradInputs: [],
  },
  {
    op: "linear", name: "fused linear, no in features gives the bias", inputs: [tl.zeros([2, 0], { dtype: "float64" }), tl.zeros([4, 0], { dtype: "float64" }), b4],
    fn: (x, w, b) => tl.nn.functional.linear(x, w, b), expected: [b4, b4], gradInputs: [2],
  },
  {
    op: "linear", name: "fused linear, float32 keeps its dtype", inputs: [tl.tensor([[1.5, 2]]), tl.tensor([[2, 0.25], [1, -1]]), tl.tensor([0.5, 0])],
    fn: (x, w, b) => tl.nn.functional.linear(x, w, b), expected: [[4, -0.5]], check: (y) => assert.equal(y.dtype, "float32"),
  },
  {
    op: "reluBackward", inputs: [gy, xr], fn: (g, x) => tl.reluBackward(g, x), expected: [[0, 0, 2], [3, 0, -0.5]], gradInputs: [0],
  },
  {
    op: "reluBackward", name: "reluBackward of non-contiguous views", inputs: [gy, xr], fn: (g, x) => tl.reluBackward(g.t(), x.t()),
    expected: [[0, 3], [0, 0], [2, -0.5]], gradInputs: [0],
  },
  {
    op: "reluBackward", name: "reluBackward float32, NaN input gives 0", inputs: [tl.tensor([1, 2, 3, 4]), tl.tensor([NaN, -0, 5, -Infinity])],
    fn: (g, x) => tl.reluBackward(g, x), expected: [0, 0, 3, 0], check: (y) => assert.equal(y.dtype, "float32"),
  },
  { op: "relu", name: "relu gradient through reluBackward", inputs: [xr.map((r) => r.map((v) => v + 0.1))], fn: (x) => tl.relu(x).square() },
];

runCases("linear", cases);

test("linear: layer-sized float64 product, its gradients and the bias gradient agree with js", () => {
  // Sizes off the GEMM's register-block multiples, so edge tiles run on the native backend.
  const x = tl.tensor(flat(37 * 70, 7), { shape: [37, 70], dtype: "float64" });
  const w = tl.tensor(flat(33 * 70, 8), { shape: [33, 70], dtype: "float64" });
  const b = tl.tensor(flat(33, 9), { shape: [33], dtype: "float64" });
  const fn = (xi: tl.Tensor, wi: tl.Tensor, bi: tl.Tensor): tl.Tensor => tl.relu(tl.nn.functional.linear(xi, wi, bi));
  compareWithJs(fn, [x, w, b], [0, 1, 2], "linear 37x70 · 33x70");
  const y = fn(x, w, b).dataSync();
  const ref = refLinear(x.toArray() as number[][], w.toArray() as number[][], b.toArray() as number[]).flat().map((v) => Math.max(v, 0));
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(y[i] - ref[i]) < 1e-12, `element ${i}: ${y[i]} vs ${ref[i]}`);
});

test("linear: second derivatives (gradients of gradients) match finite differences", () => {
  const inputs = [tl.tensor(x35, { dtype: "float64" }), tl.tensor(w45, { dtype: "float64" }), tl.tensor(b4, { dtype: "float64" })];
  // ∂/∂x Σ linear(x, w, b)² = 2 (x·wᵀ + b)·w and ∂/∂w = 2 (x·wᵀ + b)ᵀ·x depend on x, w and b.
  for (const k of [0, 1]) {
    const fn = (...xs: tl.Tensor[]): tl.Tensor => {
      const leaves = xs.map((v) => (v.requiresGrad ? v : v.detach().requiresGrad_()));
      const [g] = tl.autograd.grad(tl.nn.functional.linear(leaves[0], leaves[1], leaves[2]).square().sum(), [leaves[k]], { createGraph: true });
      return g as tl.Tensor;
    };
    gradcheck(fn, inputs, [0, 1, 2], { name: `linear double backward through input ${k}` });
  }
});

test("relu: second derivative through reluBackward matches finite differences", () => {
  // ∂/∂x Σ relu(x)·r = r·(x > 0): linear in r, locally constant in x.
  const fn = (x: tl.Tensor, r: tl.Tensor): tl.Tensor => {
    const xl = x.requiresGrad ? x : x.detach().requiresGrad_();
    const [g] = tl.autograd.grad(tl.relu(xl).mul(r).sum(), [xl], { createGraph: true });
    return g as tl.Tensor;
  };
  // x away from the kink at 0, where the finite difference would straddle it.
  const x = xr.map((r) => r.map((v) => v + 0.1));
  gradcheck(fn, [tl.tensor(x, { dtype: "float64" }), tl.tensor(gy, { dtype: "float64" })], [0, 1], { name: "relu double backward" });
});

test("reluBackward: mismatched shapes or dtypes are rejected with the shapes named", () => {
  assert.throws(() => tl.reluBackward(tl.zeros([2, 3]), tl.zeros([3, 2])),
    (e: Error) => e.message === "[reluBackward] gradOutput has shape [2,3] but input has shape [3,2]: they must be equal");
  assert.throws(() => tl.reluBackward(tl.zeros([2]), tl.zeros([2], { dtype: "float64" })), /\[reluBackward\] gradOutput has dtype float32 and input has dtype float64/);
});
