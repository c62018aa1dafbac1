/**
 * Reduction cases: forward values (hand-computed), float64 gradient checks, zeros in prod, ties in
 * max/min, `{ values, indices }` with dim, variance/std, a stable logsumexp, all/any and cumsum.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertClose, gradcheck, runCases, type OpCase } from "../../harness.js";

const x = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]];
const x3 = [[[0.5, -1.2], [2.0, 1.1]], [[1.5, 0.3], [-0.7, 0.9]]];
const withZero = [[1.5, 0, 2.0], [0.5, -1.2, 3.0]];
const twoZeros = [[0, 2.5, 0], [0.5, -1.2, 3.0]];

const add = (a: number, b: number): number => a + b;
const rowSums = (m: number[][]): number[] => m.map((r) => r.reduce(add, 0));
const colSums = (m: number[][]): number[] => m[0].map((_, j) => m.reduce((s, r) => s + r[j], 0));
const meanOf = (v: number[]): number => v.reduce(add, 0) / v.length;
const varOf = (v: number[], unbiased: boolean): number => {
  const m = meanOf(v);
  return v.reduce((s, e) => s + (e - m) ** 2, 0) / (v.length - (unbiased ? 1 : 0));
};
const lse = (v: number[]): number => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, e) => s + Math.exp(e - m), 0));
};
const flat = x.flat();
const flat3 = x3.flat(2);

const cases: OpCase[] = [
  { op: "sum", name: "sum all", inputs: [x], fn: (a) => tl.sum(a), expected: flat.reduce(add, 0) },
  { op: "sum", name: "sum dim 1", inputs: [x], fn: (a) => a.sum({ dim: 1 }), expected: rowSums(x) },
  { op: "sum", name: "sum dim -2 keepdim", inputs: [x], fn: (a) => a.sum({ dim: -2, keepdim: true }), expected: [colSums(x)] },
  { op: "sum", name: "sum dims [0,2] of [2,2,2]", inputs: [x3], fn: (a) => a.sum({ dim: [0, 2] }), expected: [0.5 - 1.2 + 1.5 + 0.3, 2.0 + 1.1 - 0.7 + 0.9] },
  { op: "sum", name: "sum of bool counts (int32)", inputs: [tl.tensor([true, false, true])], fn: (a) => a.sum(), expected: 2, check: (y) => assert.equal(y.dtype, "int32") },
  { op: "mean", name: "mean all", inputs: [x], fn: (a) => tl.mean(a), expected: meanOf(flat) },
  { op: "mean", name: "mean dim -1 keepdim", inputs: [x], fn: (a) => a.mean({ dim: -1, keepdim: true }), expected: x.map((r) => [meanOf(r)]) },
  { op: "mean", name: "mean dims [0,1] of [2,2,2]", inputs: [x3], fn: (a) => a.mean({ dim: [0, 1] }), expected: [meanOf([0.5, 2.0, 1.5, -0.7]), meanOf([-1.2, 1.1, 0.3, 0.9])] },
  { op: "mean", name: "mean of int32 is float32", inputs: [tl.tensor(new Int32Array([1, 2, 4]))], fn: (a) => a.mean(), expected: 7 / 3, atol: 1e-6, check: (y) => assert.equal(y.dtype, "float32") },
  { op: "prod", name: "prod all", inputs: [x], fn: (a) => tl.prod(a), expected: flat.reduce((p, v) => p * v, 1) },
  { op: "prod", name: "prod dim 1", inputs: [x], fn: (a) => a.prod({ dim: 1 }), expected: x.map((r) => r.reduce((p, v) => p * v, 1)) },
  // prod is multilinear, so central differences are exact even at a zero.
  { op: "prod", name: "prod with one zero", inputs: [withZero], fn: (a) => a.prod({ dim: 1 }), expected: [0, 0.5 * -1.2 * 3.0] },
  { op: "prod", name: "prod all with one zero", inputs: [withZero], fn: (a) => a.prod(), expected: 0 },
  { op: "prod", name: "prod with two zeros", inputs: [twoZeros], fn: (a) => a.prod({ dim: -1, keepdim: true }), expected: [[0], [0.5 * -1.2 * 3.0]] },
  { op: "prod", name: "prod dim 0 with zeros", inputs: [twoZeros], fn: (a) => a.prod({ dim: 0 }), expected: [0, -3, 0] },
  { op: "max", name: "max all", inputs: [x], fn: (a) => tl.max(a), expected: 2.0 },
  { op: "min", name: "min all", inputs: [x], fn: (a) => a.min(), expected: -1.2 },
  { op: "max", name: "max dim 1 values", inputs: [x], fn: (a) => a.max({ dim: 1 }).values, expected: [2.0, 1.5] },
  { op: "max", name: "max dim -2 keepdim values", inputs: [x], fn: (a) => tl.max(a, { dim: -2, keepdim: true }).values, expected: [[1.5, 0.3, 2.0]] },
  { op: "min", name: "min dim 0 values", inputs: [x], fn: (a) => a.min({ dim: 0 }).values, expected: [0.5, -1.2, -0.7] },
  { op: "min", name: "min dim -1 keepdim of [2,2,2]", inputs: [x3], fn: (a) => tl.min(a, { dim: -1, keepdim: true }).values, expected: [[[-1.2], [1.1]], [[0.3], [-0.7]]] },
  { op: "amax", name: "amax dims [0,2]", inputs: [x3], fn: (a) => tl.amax(a, { dim: [0, 2] }), expected: [1.5, 2.0] },
  { op: "amax", name: "amax dims [-1,-2] keepdim", inputs: [x3], fn: (a) => a.amax({ dim: [-1, -2], keepdim: true }), expected: [[[2.0]], [[1.5]]] },
  { op: "amin", name: "amin dims [0,1]", inputs: [x3], fn: (a) => tl.amin(a, { dim: [0, 1] }), expected: [-0.7, -1.2] },
  // A two-way tie: the central difference is 0.5 for each tied element, the split amax uses.
  { op: "amax", name: "amax two-way tie", inputs: [[[1, 3, 3], [2, 0, 1]]], fn: (a) => tl.amax(a, { dim: 1 }), expected: [3, 2] },
  { op: "variance", name: "variance all (unbiased)", inputs: [x], fn: (a) => tl.variance(a), expected: varOf(flat, true) },
  { op: "variance", name: "var dim 1 biased", inputs: [x], fn: (a) => a.var({ dim: 1, unbiased: false }), expected: x.map((r) => varOf(r, false)) },
  { op: "variance", name: "var dims [0,2] keepdim", inputs: [x3], fn: (a) => a.var({ dim: [0, 2], keepdim: true }), expected: [[[varOf([0.5, -1.2, 1.5, 0.3], true)], [varOf([2.0, 1.1, -0.7, 0.9], true)]]] },
  { op: "std", name: "std all", inputs: [x], fn: (a) => tl.std(a), expected: Math.sqrt(varOf(flat, true)) },
  { op: "std", name: "std dim 0 biased", inputs: [x], fn: (a) => a.std({ dim: 0, unbiased: false }), expected: [0, 1, 2].map((j) => Math.sqrt(varOf([x[0][j], x[1][j]], false))) },
  { op: "std", name: "std dims [1,2]", inputs: [x3], fn: (a) => a.std({ dim: [1, 2] }), expected: [Math.sqrt(varOf(flat3.slice(0, 4), true)), Math.sqrt(varOf(flat3.slice(4), true))] },
  { op: "logsumexp", name: "logsumexp all", inputs: [x], fn: (a) => tl.logsumexp(a), expected: lse(flat) },
  { op: "logsumexp", name: "logsumexp dim 1", inputs: [x], fn: (a) => a.logsumexp({ dim: 1 }), expected: x.map(lse) },
  { op: "logsumexp", name: "logsumexp dims [0,2] keepdim", inputs: [x3], fn: (a) => a.logsumexp({ dim: [0, 2], keepdim: true }), expected: [[[lse([0.5, -1.2, 1.5, 0.3])], [lse([2.0, 1.1, -0.7, 0.9])]]] },
  { op: "logsumexp", name: "logsumexp of large values", inputs: [[[1000, 1000], [1000, 0], [-1000, -1000]]], fn: (a) => a.logsumexp({ dim: 1 }), expected: [1000 + Math.LN2, 1000, -1000 + Math.LN2] },
  { op: "logsumexp", name: "logsumexp of large values (float32)", inputs: [tl.tensor([[1000, 1000], [1000, 0]])], fn: (a) => a.logsumexp({ dim: 1 }), expected: [1000 + Math.LN2, 1000], atol: 1e-4 },
  { op: "logsumexp", name: "logsumexp of a row of -inf", inputs: [tl.tensor([[-Infinity, -Infinity], [0, -Infinity], [Infinity, 1]])], fn: (a) => a.logsumexp({ dim: -1 }), expected: [-Infinity, 0, Infinity] },
  { op: "cumsum", name: "cumsum dim 1", inputs: [x], fn: (a) => tl.cumsum(a, 1), expected: x.map((r) => r.map((_, j) => r.slice(0, j + 1).reduce(add, 0))) },
  { op: "cumsum", name: "cumsum dim 0", inputs: [x], fn: (a) => a.cumsum(0), expected: [x[0], x[0].map((v, j) => v + x[1][j])] },
  { op: "cumsum", name: "cumsum dim -2 of [2,2,2]", inputs: [x3], fn: (a) => a.cumsum(-2), expected: [[[0.5, -1.2], [2.5, -0.1]], [[1.5, 0.3], [0.8, 1.2]]] },
  { op: "cumsum", name: "cumsum of a transposed view", inputs: [x], fn: (a) => a.t().cumsum(1), expected: [[0.5, 2.0], [-1.2, -0.9], [2.0, 1.3]] },
  { op: "all", name: "all", inputs: [tl.tensor([[1, 2, 0], [3, 4, 5]])], fn: (a) => tl.all(a), expected: false, check: (y) => assert.equal(y.dtype, "bool") },
  { op: "all", name: "all dim 1", inputs: [tl.tensor([[1, 2, 0], [3, 4, 5]])], fn: (a) => a.all({ dim: 1 }), expected: [false, true] },
  { op: "all", name: "all of bool dim 0 keepdim", inputs: [tl.tensor([[true, false], [true, true]])], fn: (a) => a.all({ dim: 0, keepdim: true }), expected: [[true, false]] },
  { op: "any", name: "any", inputs: [tl.tensor([[0, 0, 0], [0, -1, 0]])], fn: (a) => tl.any(a), expected: true, check: (y) => assert.equal(y.dtype, "bool") },
  { op: "any", name: "any dim -1", inputs: [tl.tensor([[0, 0, 0], [0, -1, 0]])], fn: (a) => a.any({ dim: -1 }), expected: [false, true] },
  { op: "any", name: "any of an empty tensor is false", inputs: [tl.zeros([0])], fn: (a) => a.any(), expected: false },
  { op: "argmax", name: "argmax flattened, first occurrence", inputs: [tl.tensor([[1, 3, 3], [2, 3, 1]])], fn: (a) => tl.argmax(a), expected: 1, check: (y) => assert.equal(y.dtype, "int32") },
  { op: "argmax", name: "argmax dim 1", inputs: [tl.tensor([[1, 3, 3], [2, 2, 1]])], fn: (a) => a.argmax({ dim: 1 }), expected: [1, 0] },
  { op: "argmax", name: "argmax dim -2 keepdim", inputs: [tl.tensor([[1, 3, 3], [2, 3, 1]])], fn: (a) => a.argmax({ dim: -2, keepdim: true }), expected: [[1, 0, 0]] },
  { op: "argmin", name: "argmin flattened, first occurrence", inputs: [tl.tensor([[4, 1, 2], [1, 3, 1]])], fn: (a) => tl.argmin(a), expected: 1 },
  { op: "argmin", name: "argmin dim 0", inputs: [tl.tensor([[4, 1, 2], [1, 1, 1]])], fn: (a) => a.argmin({ dim: 0 }), expected: [1, 0, 1] },
  // A 0-d tensor accepts dim 0 and -1 like PyTorch; there is nothing to reduce.
  { op: "sum", name: "sum dim 0 of a 0-d tensor", inputs: [2.5], fn: (a) => a.sum({ dim: 0 }), expected: 2.5 },
  { op: "mean", name: "mean dim -1 keepdim of a 0-d tensor", inputs: [2.5], fn: (a) => a.mean({ dim: -1, keepdim: true }), expected: 2.5 },
  { op: "max", name: "max dim 0 of a 0-d tensor", inputs: [2.5], fn: (a) => a.max({ dim: 0 }).values, expected: 2.5 },
  { op: "cumsum", name: "cumsum of a 0-d tensor", inputs: [2.5], fn: (a) => a.cumsum(0), expected: 2.5 },
  { op: "argmin", name: "argmin dim 0 of a 0-d tensor", inputs: [tl.tensor(4)], fn: (a) => a.argmin({ dim: 0 }), expected: 0 },
];

runCases("reduce", cases);

test("reduce: max/min with dim return { values, indices }", () => {
  const t = tl.tensor([[1, 5, 5], [7, 0, 7]]);
  const { values, indices } = t.max({ dim: 1 });
  assert.deepEqual(values.toArray(), [5, 7]);
  assert.deepEqual(indices.toArray(), [1, 0]);
  assert.equal(indices.dtype, "int32");
  const low = tl.min(t, { dim: -1, keepdim: true });
  assert.deepEqual(low.values.toArray(), [[1], [0]]);
  assert.deepEqual(low.indices.toArray(), [[0], [1]]);
  assert.deepEqual(low.values.shape, [2, 1]);
});

test("reduce: max with dim sends the gradient to the chosen index only", () => {
  const t = tl.tensor([[1, 5, 5], [7, 0, 7]], { dtype: "float64", requiresGrad: true });
  t.max({ dim: 1 }).values.sum().backward();
  assert.deepEqual((t.grad as tl.Tensor).toArray(), [[0, 1, 0], [1, 0, 0]]);
  gradcheck((a) => a.max({ dim: 0 }).values, [tl.tensor(x, { dtype: "float64" })], [0], { name: "max dim 0" });
  gradcheck((a) => a.min({ dim: -1, keepdim: true }).values, [tl.tensor(x3, { dtype: "float64" })], [0], { name: "min dim -1 keepdim" });
});

test("reduce: max/min without dim and amax split the gradient evenly among ties", () => {
  const t = tl.tensor([[1, 3, 3], [3, 0, 2]], { dtype: "float64", requiresGrad: true });
  t.max().backward();
  assertClose(t.grad as tl.Tensor, [[0, 1 / 3, 1 / 3], [1 / 3, 0, 0]]);
  const u = tl.tensor([[1, 0, 0], [2, 2, 5]], { dtype: "float64", requiresGrad: true });
  tl.amin(u, { dim: -1 }).sum().backward();
  assertClose(u.grad as tl.Tensor, [[0, 0.5, 0.5], [0.5, 0.5, 0]]);
});

test("reduce: prod gradient with zeros (one zero: product of the others; two zeros: all zero)", () => {
  const a = tl.tensor([2, 0, 3, 4], { dtype: "float64", requiresGrad: true });
  a.prod().backward();
  assert.deepEqual((a.grad as tl.Tensor).toArray(), [0, 24, 0, 0]);
  const b = tl.tensor([2, 0, 3, 0], { dtype: "float64", requiresGrad: true });
  b.prod().backward();
  assert.deepEqual((b.grad as tl.Tensor).toArray(), [0, 0, 0, 0]);
});

test("reduce: cumsum gradient is the reversed running sum", () => {
  const a = tl.tensor([1, 2, 3, 4], { dtype: "float64", requiresGrad: true });
  a.cumsum(0).sum().backward();
  assert.deepEqual((a.grad as tl.Tensor).toArray(), [4, 3, 2, 1]);
});

test("reduce: bad dims are clear errors", () => {
  const t = tl.zeros([2, 3]);
  assert.throws(() => t.sum({ dim: 2 }), /\[sum\] dim 2 is out of range for a tensor with 2 dimensions/);
  assert.throws(() => t.sum({ dim: [0, -2] }), /\[sum\] dim .* names a dimension twice/);
  assert.throws(() => tl.max(t, { dim: [0, 1] } as never), /\[max\] with indices, dim must be a single number/);
  assert.throws(() => tl.max(tl.zeros([0, 3])), /\[max\] cannot reduce an empty dimension of shape \[0,3\]/);
});
