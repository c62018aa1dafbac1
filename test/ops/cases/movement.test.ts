/**
 * Movement ops: the views of src/ops/movement.ts (reshape, view, flatten, unflatten, transpose, t, permute,
 * squeeze, unsqueeze, expand, narrow, slice, select) with contiguous and clone, and the joins
 * (cat, stack, split, chunk): forward values, float64 gradient checks, whether views share storage, and errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertClose, gradcheck, runCases, type OpCase, type Tensor } from "../../harness.js";

const x23 = [[1, 2, 3], [4, 5, 6]];
// [2, 3, 4] with values 0..23
const x234 = tl.arange(24).reshape([2, 3, 4]).toArray();
const shares = (out: Tensor, x: Tensor): void => assert.equal(out.storage, x.storage, "expected a view of the input's storage");
const copies = (out: Tensor, x: Tensor): void => assert.notEqual(out.storage, x.storage, "expected a copy");
const int = (data: number[] | number[][]): Tensor => tl.tensor(data, { dtype: "int32" });

const cases: OpCase[] = [
  { op: "reshape", name: "reshape with -1 (a view)", inputs: [x23], fn: (x) => x.reshape([3, -1]), expected: [[1, 2], [3, 4], [5, 6]], check: (o, [x]) => shares(o, x) },
  { op: "reshape", name: "reshape copies a transposed tensor", inputs: [x23], fn: (x) => tl.reshape(x.t(), [-1]), expected: [1, 4, 2, 5, 3, 6], check: (o, [x]) => copies(o, x) },
  { op: "reshape", name: "reshape to a scalar and back", inputs: [[[7]]], fn: (x) => x.reshape([]).reshape([1, 1, 1]), expected: [[[7]]] },
  { op: "view", inputs: [x234], fn: (x) => tl.view(x, [4, -1, 3]), expected: tl.arange(24).reshape([4, 2, 3]).toArray(), check: (o, [x]) => shares(o, x) },
  { op: "view", name: "view of a narrowed tensor whose strides allow it", inputs: [x234], fn: (x) => x.narrow(1, 1, 2).view([2, 2, 2, 2]), check: (o, [x]) => shares(o, x) },
  { op: "flatten", inputs: [x234], fn: (x) => tl.flatten(x), expected: tl.arange(24).toArray() },
  { op: "flatten", name: "flatten dims 1..2 of a permuted tensor", inputs: [x234], fn: (x) => x.permute([2, 0, 1]).flatten(1), expected: [0, 1, 2, 3].map((k) => [k, 4 + k, 8 + k, 12 + k, 16 + k, 20 + k]) },
  { op: "unflatten", inputs: [x234], fn: (x) => tl.unflatten(x, -1, [2, 2]), check: (o) => assert.deepEqual(o.shape, [2, 3, 2, 2]) },
  { op: "unflatten", name: "unflatten with -1", inputs: [x23], fn: (x) => x.unflatten(1, [-1, 1]), expected: [[[1], [2], [3]], [[4], [5], [6]]] },
  { op: "transpose", inputs: [x234], fn: (x) => tl.transpose(x, 0, -1), check: (o, [x]) => { assert.deepEqual(o.shape, [4, 3, 2]); shares(o, x); assert.equal(o.toArray().toString(), "0,12,4,16,8,20,1,13,5,17,9,21,2,14,6,18,10,22,3,15,7,19,11,23"); } },
  { op: "t", inputs: [x23], fn: (x) => x.t(), expected: [[1, 4], [2, 5], [3, 6]] },
  { op: "t", name: "t of a 1-D tensor is itself", inputs: [[1, 2, 3]], fn: (x) => tl.t(x), expected: [1, 2, 3] },
  { op: "permute", inputs: [x234], fn: (x) => tl.permute(x, [1, -1, 0]), check: (o, [x]) => { assert.deepEqual(o.shape, [3, 4, 2]); assert.equal(o.toArray().toString(), "0,12,1,13,2,14,3,15,4,16,5,17,6,18,7,19,8,20,9,21,10,22,11,23"); shares(o, x); } },
  { op: "squeeze", name: "squeeze all size-1 dims", inputs: [[[[1], [2]]]], fn: (x) => x.squeeze(), expected: [1, 2] },
  { op: "squeeze", name: "squeeze named dims (others kept)", inputs: [[[[1], [2]]]], fn: (x) => tl.squeeze(x, [0, 1]), check: (o) => assert.deepEqual(o.shape, [2, 1]) },
  { op: "unsqueeze", inputs: [x23], fn: (x) => x.unsqueeze(-1), check: (o) => assert.deepEqual(o.shape, [2, 3, 1]) },
  { op: "unsqueeze", name: "unsqueeze at the front", inputs: [x23], fn: (x) => tl.unsqueeze(x, 0), expected: [x23] },
  { op: "expand", name: "expand size-1 dims and new leading dims (gradient sums)", inputs: [[[1], [2]]], fn: (x) => x.expand([2, -1, 3]), expected: [[[1, 1, 1], [2, 2, 2]], [[1, 1, 1], [2, 2, 2]]], check: (o, [x]) => { shares(o, x); assert.deepEqual(o.strides, [0, 1, 0]); } },
  { op: "narrow", inputs: [x234], fn: (x) => tl.narrow(x, 2, 1, 2), check: (o, [x]) => { assert.deepEqual(o.shape, [2, 3, 2]); assert.equal(o.toArray().toString(), "1,2,5,6,9,10,13,14,17,18,21,22"); shares(o, x); } },
  { op: "narrow", name: "narrow with a negative start", inputs: [[1, 2, 3, 4]], fn: (x) => x.narrow(0, -3, 2), expected: [2, 3] },
  { op: "slice", name: "slice with a step", inputs: [[0, 1, 2, 3, 4, 5, 6]], fn: (x) => tl.slice(x, 0, 1, null, 2), expected: [1, 3, 5] },
  { op: "slice", name: "slice with negative indices", inputs: [x234], fn: (x) => x.slice(-1, -3, -1), expected: [[[1, 2], [5, 6], [9, 10]], [[13, 14], [17, 18], [21, 22]]] },
  { op: "slice", name: "slice clamps out-of-range bounds and may be empty", inputs: [[0, 1, 2]], fn: (x) => x.slice(0, -10, 10, 2), expected: [0, 2] },
  { op: "slice", name: "slice of a transposed view with a step", inputs: [x234], fn: (x) => x.transpose(0, 2).slice(0, 0, 4, 3).slice(1, -1), check: (o) => { assert.deepEqual(o.shape, [2, 1, 2]); assert.equal(o.toArray().toString(), "8,20,11,23"); } },
  { op: "select", inputs: [x234], fn: (x) => tl.select(x, 1, -1), expected: [[8, 9, 10, 11], [20, 21, 22, 23]] },
  { op: "select", name: "select the last dim", inputs: [x23], fn: (x) => x.select(-1, 0), expected: [1, 4] },
  { op: "contiguous", inputs: [x23], fn: (x) => x.t().contiguous(), expected: [[1, 4], [2, 5], [3, 6]], check: (o) => assert.ok(o.isContiguous) },
  { op: "contiguous", name: "contiguous of a contiguous tensor is the tensor", inputs: [x23], fn: (x) => tl.contiguous(x), check: (o, [x]) => assert.equal(o, x) },
  { op: "clone", inputs: [x23], fn: (x) => x.clone(), expected: x23, check: (o, [x]) => copies(o, x) },
  { op: "cat", name: "cat along dim 0", inputs: [x23, [[7, 8, 9]]], fn: (a, b) => tl.cat([a, b]), expected: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] },
  { op: "cat", name: "cat along the last dim of views", inputs: [x23, [[7], [8]]], fn: (a, b) => tl.cat([a.slice(1, 1), b, a.narrow(1, 0, 1)], -1), expected: [[2, 3, 7, 1], [5, 6, 8, 4]] },
  { op: "cat", name: "cat promotes mixed dtypes", inputs: [int([[1, 2]]), [[0.5, 1.5]]], fn: (a, b) => tl.cat([a, b], 1), expected: [[1, 2, 0.5, 1.5]], check: (o) => assert.equal(o.dtype, "float64") },
  { op: "cat", name: "cat of one tensor and of an empty one", inputs: [x23, tl.zeros([0, 3], { dtype: "float64" })], fn: (a, b) => tl.cat([a, b]), expected: x23 },
  { op: "stack", inputs: [[1, 2, 3], [4, 5, 6]], fn: (a, b) => tl.stack([a, b]), expected: x23 },
  { op: "stack", name: "stack along the last dim", inputs: [[1, 2, 3], [4, 5, 6]], fn: (a, b) => tl.stack([a, b], -1), expected: [[1, 4], [2, 5], [3, 6]] },
  { op: "split", name: "split by size (the last piece smaller)", inputs: [x234], fn: (x) => tl.cat(tl.split(x, 3, -1).map((p) => p.sum({ dim: -1, keepdim: true })), -1), check: () => assert.deepEqual(tl.split(tl.arange(5), 2).map((p) => p.toArray()), [[0, 1], [2, 3], [4]]) },
  { op: "split", name: "split by sections", inputs: [x23], fn: (x) => { const [a, b] = x.split([1, 2], 1); return tl.cat([b, a.mul(10)], 1); }, expected: [[2, 3, 10], [5, 6, 40]] },
  { op: "chunk", name: "chunk into ⌈n/chunks⌉-sized pieces", inputs: [[0, 1, 2, 3, 4, 5]], fn: (x) => tl.chunk(x, 4).map((p, i) => p.mul(i + 1)).reduce((a, b) => tl.cat([a, b])), expected: [0, 1, 4, 6, 12, 15], check: () => assert.equal(tl.chunk(tl.arange(6), 4).length, 3) },
  { op: "chunk", name: "chunk along dim 1", inputs: [x234], fn: (x) => { const [a, b] = x.chunk(2, 1); return b.sum().add(a.sum().mul(3)); }, expected: 3 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 12 + 13 + 14 + 15 + 16 + 17 + 18 + 19) + (8 + 9 + 10 + 11 + 20 + 21 + 22 + 23) },
];

runCases("movement", cases);

test("movement: split and chunk return views of the input", () => {
  const x = tl.arange(10).reshape([2, 5]);
  for (const p of [...tl.split(x, 2, 1), ...tl.chunk(x, 2, 0)]) assert.equal(p.storage, x.storage);
  assert.deepEqual(tl.split(x, [0, 5], 1).map((p) => p.shape), [[2, 0], [2, 5]]);
  assert.deepEqual(tl.chunk(tl.zeros([0]), 3).map((p) => p.shape), [[0], [0], [0]]);
});

test("movement: cat's gradient goes back through a stack of views (double backward)", () => {
  const a = tl.tensor([[1, 2], [3, 4]], { dtype: "float64" });
  const g = tl.tensor([[1, 0, 2, 0], [0, 3, 0, 4]], { dtype: "float64" });
  // vjp of cat([a, a²], 1) as a function of g: d/dg of Σ g·[1, 2a] per element.
  gradcheck((gy) => {
    const leaf = a.detach().requiresGrad_();
    const [dx] = tl.autograd.grad(tl.cat([leaf, leaf.square()], 1), [leaf], { gradOutputs: [gy], createGraph: true });
    return dx as Tensor;
  }, [g], [0], { name: "cat vjp" });
  const leaf = a.detach().requiresGrad_();
  const [dx] = tl.autograd.grad(tl.cat([leaf, leaf.square()], 1), [leaf], { gradOutputs: [g] });
  // g[:, :2] + g[:, 2:] · 2a
  assertClose(dx as Tensor, [[1 + 2 * 2 * 1, 0], [0, 3 + 4 * 2 * 4]]);
});

test("movement: view ops report bad arguments naming the op", () => {
  const x = tl.arange(24).reshape([2, 3, 4]);
  assert.throws(() => x.transpose(0, 1).view([-1]), /^TensileError: \[view\] a view of shape \[24\] is not possible for a tensor of shape \[3,2,4\] and strides \[4,12,1\]; use reshape\(\)/);
  assert.throws(() => x.reshape([5, -1]), /\[reshape\] shape \[5,-1\] is invalid for input of size 24/);
  assert.throws(() => x.reshape([-1, -1]), /\[reshape\] only one dimension can be -1/);
  assert.throws(() => x.permute([0, 0, 1]), /\[permute\] dims \[0,0,1\] repeat a dimension/);
  assert.throws(() => x.permute([0, 1]), /\[permute\] dims \[0,1\] must name each of the 3 dimensions once/);
  assert.throws(() => x.transpose(0, 3), /\[transpose\] dim 3 is out of range for a tensor with 3 dimensions \(expected -3\.\.2\)/);
  assert.throws(() => x.t(), /\[t\] expects a tensor with at most 2 dimensions, got shape \[2,3,4\]/);
  assert.throws(() => x.squeeze(5), /\[squeeze\] dim 5 is out of range/);
  assert.throws(() => x.unsqueeze(4), /\[unsqueeze\] dim 4 is out of range for a tensor with 4 dimensions/);
  assert.throws(() => x.expand([2, 6, 4]), /\[expand\] cannot expand shape \[2,3,4\] to \[2,6,4\]: dimension 1 is 3/);
  assert.throws(() => x.narrow(2, 3, 2), /\[narrow\] start \(3\) \+ length \(2\) exceeds dimension 2 of size 4/);
  assert.throws(() => x.slice(0, 0, 2, 0), /\[slice\] step must be a positive whole number, got 0/);
  assert.throws(() => x.select(1, 3), /\[select\] index 3 is out of range for dimension 1 of size 3/);
  assert.throws(() => x.flatten(2, 1), /\[flatten\] startDim \(2\) must not come after endDim \(1\)/);
  assert.throws(() => x.unflatten(1, [2, 2]), /\[unflatten\] sizes \[2,2\] do not multiply to dimension 1 of shape \[2,3,4\] \(size 3\)/);
});

test("movement: join ops report bad arguments naming the op", () => {
  const a = tl.zeros([2, 3]);
  assert.throws(() => tl.cat([a, tl.zeros([2, 4])], 0), /^TensileError: \[cat\] tensors\[1\] has shape \[2,4\] but tensors\[0\] has shape \[2,3\]: sizes must match except in dimension 0/);
  assert.throws(() => tl.cat([a, tl.zeros([2, 3, 1])], 0), /\[cat\] tensors\[1\] has shape \[2,3,1\]/);
  assert.throws(() => tl.cat([a, a], 2), /\[cat\] dim 2 is out of range for a tensor with 2 dimensions/);
  assert.throws(() => tl.cat([]), /\[cat\] expects a non-empty list of tensors/);
  assert.throws(() => tl.cat([tl.tensor(1), tl.tensor(2)]), /\[cat\] zero-dimensional tensors cannot be concatenated/);
  assert.throws(() => tl.cat([a, [1, 2] as never]), /\[cat\] tensors\[1\] must be a Tensor, got object/);
  assert.throws(() => tl.stack([a, tl.zeros([3, 2])]), /\[stack\] tensors\[1\] has shape \[3,2\] but tensors\[0\] has shape \[2,3\]: stack needs equal shapes/);
  assert.throws(() => tl.stack([a, a], 3), /\[stack\] dim 3 is out of range for a tensor with 3 dimensions/);
  assert.throws(() => tl.split(a, [1, 1], 1), /\[split\] section sizes \[1,1\] add up to 2 but dimension 1 of shape \[2,3\] has size 3/);
  assert.throws(() => tl.split(a, 0), /\[split\] split size must be a positive whole number, got 0/);
  assert.throws(() => tl.split(a, 1, -3), /\[split\] dim -3 is out of range/);
  assert.throws(() => tl.chunk(a, 0), /\[chunk\] chunks must be a positive whole number, got 0/);
});
