/**
 * Indexing ops (gather, scatterAdd, indexSelect, maskedFill, oneHot, tril, triu) and the copying
 * movement ops (pad, flip, repeat): forward values against PyTorch fixtures or hand-computed values,
 * float64 gradient checks (also of the gradients themselves, through `vjp`), and argument errors.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { NestedArray } from "../../../src/core/nested.js";
import { runCases, type OpCase, type Tensor } from "../../harness.js";

interface Fixture { input: NestedArray; expected: NestedArray }
const fx = JSON.parse(readFileSync(new URL("../../fixtures/indexing/cases.json", import.meta.url), "utf8")) as
  Record<string, Fixture> & { indices: Record<string, NestedArray> };
const int = (data: NestedArray): Tensor => tl.tensor(data, { dtype: "int32" });

/**
 * The vector-Jacobian product of `f` at x as a function of the upstream gradient g (recorded with createGraph):
 * gradient-checking it with respect to g checks the gradient of f's backward op (double backward).
 */
const vjp = (f: (x: Tensor) => Tensor) => (x: Tensor, g: Tensor): Tensor => {
  const leaf = x.requiresGrad ? x : x.detach().requiresGrad_();
  const [dx] = tl.autograd.grad(f(leaf), [leaf], { gradOutputs: [g], createGraph: true });
  return dx as Tensor;
};

const x34 = [[0.5, -1.2, 2.0, 0.3], [1.1, 0.7, -0.4, 2.2], [-1.5, 0.9, 0.1, -0.6]];
const x23 = [[1.5, -2.5, 0.25], [3.0, 0.75, -1.0]];
const g23 = [[0.3, -0.2, 1.1], [0.5, 0.9, -0.7]];
const ones = (shape: number[]): NestedArray => tl.ones(shape).toArray();

const cases: OpCase[] = [
  {
    op: "gather", name: "gather dim 1 (PyTorch)", inputs: [fx.gather_dim1.input, int(fx.indices.gather_dim1)],
    fn: (x, i) => tl.gather(x, 1, i), expected: fx.gather_dim1.expected,
  },
  {
    op: "gather", name: "gather dim -2 with a float index smaller than x", inputs: [x34, tl.tensor([[2, 0], [2, 2]])],
    fn: (x, i) => x.gather(-2, i), expected: [[-1.5, -1.2], [-1.5, 0.9]],
  },
  { op: "gather", name: "gather double backward", inputs: [x34, [[0.5, -1], [2, 0.25]]], fn: vjp((x) => tl.gather(x, 1, int([[3, 3], [0, 2]]))), gradInputs: [1] },
  {
    op: "scatterAdd", name: "scatterAdd dim 0 (PyTorch)",
    inputs: [fx.scatter_add_dim0.input, int(fx.indices.scatter_add_dim0), fx.indices.scatter_add_src],
    fn: (x, i, s) => tl.scatterAdd(x, 0, i, s), expected: fx.scatter_add_dim0.expected,
  },
  {
    op: "scatterAdd", name: "scatterAdd with src larger than index (src's extra part gets zero gradient)",
    inputs: [[0, 0, 0], int([2, 2]), [1, 2, 4]], fn: (x, i, s) => x.scatterAdd(0, i, s), expected: [0, 0, 3],
    check: () => {
      const src = tl.tensor([1, 2, 4], { requiresGrad: true });
      tl.scatterAdd(tl.zeros([3]), 0, int([2, 2]), src).sum().backward();
      assert.deepEqual(src.grad?.toArray(), [1, 1, 0]);
    },
  },
  { op: "scatterAdd", name: "scatterAdd double backward", inputs: [[1, 2, 3, 4], [0.5, -2, 3]], fn: vjp((s) => tl.scatterAdd(tl.zeros([3], { dtype: "float64" }), 0, int([2, 0, 2, 1]), s)), gradInputs: [1] },
  {
    op: "indexSelect", name: "indexSelect dim 1 with repeats (PyTorch)", inputs: [fx.index_select_dim1.input, int([2, 0, 2])],
    fn: (x, i) => tl.indexSelect(x, 1, i), expected: fx.index_select_dim1.expected,
  },
  {
    op: "indexSelect", name: "indexSelect dim -1 with a float index", inputs: [x23, tl.tensor([2, 2, 0])],
    fn: (x, i) => x.indexSelect(-1, i), expected: [[0.25, 0.25, 1.5], [-1.0, -1.0, 3.0]],
  },
  { op: "indexSelect", name: "indexSelect double backward", inputs: [x23, [[1, 2], [3, 4]]], fn: vjp((x) => tl.indexSelect(x, 1, int([0, 0]))), gradInputs: [1] },
  {
    op: "maskedFill", name: "maskedFill with a broadcast mask", inputs: [x23, tl.tensor([true, false, true])],
    fn: (x, m) => tl.maskedFill(x, m, -9), expected: [[-9, -2.5, -9], [-9, 0.75, -9]],
  },
  {
    op: "maskedFill", name: "maskedFill broadcasting x up to the mask", inputs: [[1.5, 2.5], tl.tensor([[true, false], [false, false], [true, true]])],
    fn: (x, m) => x.maskedFill(m, 0), expected: [[0, 2.5], [1.5, 2.5], [0, 0]],
  },
  {
    op: "maskedFill", name: "maskedFill with a 0-d tensor value (which gets a gradient)", inputs: [x23, tl.tensor([[false, true, true], [false, false, true]]), 2.5],
    fn: (x, m, v) => tl.maskedFill(x, m, v), expected: [[1.5, 2.5, 2.5], [3.0, 0.75, 2.5]],
  },
  {
    op: "maskedFill", name: "maskedFill keeps an int dtype", inputs: [int([[1, 2], [3, 4]]), tl.tensor([true, false])],
    fn: (x, m) => x.maskedFill(m, -1), expected: [[-1, 2], [-1, 4]], check: (out) => assert.equal(out.dtype, "int32"),
  },
  {
    op: "oneHot", name: "oneHot with numClasses inferred", inputs: [int([[0, 2], [1, 0]])], fn: (i) => tl.oneHot(i),
    expected: [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]], check: (out) => assert.equal(out.dtype, "int32"),
  },
  {
    op: "oneHot", name: "oneHot of a float tensor with numClasses", inputs: [tl.tensor([3, 0])], fn: (i) => i.oneHot(5),
    expected: [[0, 0, 0, 1, 0], [1, 0, 0, 0, 0]],
  },
  { op: "tril", name: "tril diagonal -1, batched (PyTorch)", inputs: [fx.tril_m1.input], fn: (x) => tl.tril(x, -1), expected: fx.tril_m1.expected },
  { op: "tril", name: "tril of a wide matrix", inputs: [x34], fn: (x) => x.t().tril(1), expected: [[0.5, 1.1, 0], [-1.2, 0.7, 0.9], [2.0, -0.4, 0.1], [0.3, 2.2, -0.6]] },
  { op: "tril", name: "tril double backward", inputs: [x23, g23], fn: vjp((x) => tl.tril(x)), gradInputs: [1] },
  { op: "triu", name: "triu diagonal 1, batched (PyTorch)", inputs: [fx.triu_p1.input], fn: (x) => tl.triu(x, 1), expected: fx.triu_p1.expected },
  { op: "triu", name: "triu of an int matrix", inputs: [int([[1, 2, 3], [4, 5, 6]])], fn: (x) => x.triu(), expected: [[1, 2, 3], [0, 5, 6]] },
  { op: "pad", name: "pad reflect, two dims (PyTorch)", inputs: [fx.pad_reflect_2d.input], fn: (x) => tl.pad(x, [2, 1, 1, 2], { mode: "reflect" }), expected: fx.pad_reflect_2d.expected },
  { op: "pad", name: "pad replicate, three dims (PyTorch)", inputs: [fx.pad_replicate_3d.input], fn: (x) => tl.pad(x, [1, 2, 2, 0, 1, 1], { mode: "replicate" }), expected: fx.pad_replicate_3d.expected },
  { op: "pad", name: "pad constant with negative pads (PyTorch)", inputs: [fx.pad_constant_neg.input], fn: (x) => x.pad([-1, 2, 1, -2], { value: 1.5 }), expected: fx.pad_constant_neg.expected },
  { op: "pad", name: "pad constant of a transposed view", inputs: [x23], fn: (x) => tl.pad(x.t(), [1, 0]), expected: [[0, 1.5, 3.0], [0, -2.5, 0.75], [0, 0.25, -1.0]] },
  { op: "pad", name: "pad reflect double backward", inputs: [x23, ones([2, 7])], fn: vjp((x) => tl.pad(x, [2, 2], { mode: "reflect" })), gradInputs: [1] },
  {
    op: "pad", name: "pad circular, two dims (wraps the start after the end)", inputs: [x23], fn: (x) => tl.pad(x, [2, 1, 1, 0], { mode: "circular" }),
    expected: [[0.75, -1.0, 3.0, 0.75, -1.0, 3.0], [-2.5, 0.25, 1.5, -2.5, 0.25, 1.5], [0.75, -1.0, 3.0, 0.75, -1.0, 3.0]],
  },
  { op: "pad", name: "pad circular by the full size of a dim", inputs: [[1, 2, 3]], fn: (x) => x.pad([3, 1], { mode: "circular" }), expected: [1, 2, 3, 1, 2, 3, 1] },
  { op: "pad", name: "pad circular double backward", inputs: [x23, ones([4, 6])], fn: vjp((x) => tl.pad(x, [1, 2, 2, 0], { mode: "circular" })), gradInputs: [1] },
  { op: "pad", name: "pad replicate double backward", inputs: [x23, ones([4, 4])], fn: vjp((x) => tl.pad(x, [0, 1, 1, 1], { mode: "replicate" })), gradInputs: [1] },
  { op: "flip", name: "flip dims 0 and 2 (PyTorch)", inputs: [fx.flip_02.input], fn: (x) => tl.flip(x, [0, 2]), expected: fx.flip_02.expected },
  { op: "flip", name: "flip of a transposed view, negative dim", inputs: [x23], fn: (x) => x.t().flip(-1), expected: [[3.0, 1.5], [0.75, -2.5], [-1.0, 0.25]] },
  { op: "repeat", name: "repeat with a new leading dim (PyTorch)", inputs: [fx.repeat_3.input], fn: (x) => tl.repeat(x, [2, 1, 2]), expected: fx.repeat_3.expected },
  { op: "repeat", name: "repeat of a 1-D tensor", inputs: [[1, 2]], fn: (x) => x.repeat([2, 2]), expected: [[1, 2, 1, 2], [1, 2, 1, 2]] },
  { op: "repeat", name: "repeat double backward", inputs: [[1, 2], ones([3, 4])], fn: vjp((x) => tl.repeat(x, [3, 2])), gradInputs: [1] },
];

runCases("indexing", cases);

const x = (): Tensor => tl.tensor(x34);

test("indexing: out-of-range and non-whole indices are errors naming the op, the value and the range", () => {
  assert.throws(() => tl.gather(x(), 1, int([[4]])), /^TensileError: \[gather\] index 4 is out of range for dimension 1 of x with size 4 \(valid indices are 0\.\.3\)/);
  assert.throws(() => tl.gather(x(), 0, int([[-1]])), /\[gather\] index -1 is out of range.*0\.\.2/);
  assert.throws(() => tl.gather(x(), 0, tl.tensor([[0.5]])), /\[gather\] index holds 0\.5, which is not a whole number/);
  assert.throws(() => tl.gather(x(), 0, tl.tensor([[true]])), /\[gather\] index must be an int32 tensor or a float tensor.*bool/);
  assert.throws(() => tl.scatterAdd(x(), 0, int([[3]]), tl.ones([1, 1])), /\[scatterAdd\] index 3 is out of range.*0\.\.2/);
  assert.throws(() => tl.indexSelect(x(), 1, tl.tensor([0, 7])), /\[indexSelect\] index 7 is out of range for dimension 1 of x with size 4/);
  assert.throws(() => tl.indexSelect(tl.zeros([0, 2]), 0, int([0])), /\[indexSelect\] index 0 is out of range: .* 0, so no index is valid/);
  assert.throws(() => tl.oneHot(int([0, 3]), 3), /\[oneHot\] index 3 is out of range for numClasses 3 \(valid indices are 0\.\.2\)/);
  assert.throws(() => tl.oneHot(int([0, -2])), /\[oneHot\] index -2 is negative/);
});

test("indexing: bad dims and shapes are errors naming the op", () => {
  assert.throws(() => tl.gather(x(), 2, int([[0]])), /\[gather\] dim 2 is out of range for a tensor with 2 dimensions/);
  assert.throws(() => tl.gather(x(), 0, int([0])), /\[gather\] .*must have the same number of dimensions/);
  assert.throws(() => tl.gather(x(), 0, int([[0, 0, 0, 0, 0]])), /\[gather\] index has shape \[1,5\] but x has shape \[3,4\]/);
  assert.throws(() => tl.scatterAdd(x(), 0, int([[0]]), tl.ones([1, 1], { dtype: "float64" })), /\[scatterAdd\] src has dtype float64 but x has dtype float32/);
  assert.throws(() => tl.scatterAdd(x(), 0, int([[0, 0]]), tl.ones([1, 1])), /\[scatterAdd\] index has shape \[1,2\].*src \[1,1\]/);
  assert.throws(() => tl.indexSelect(x(), -3, int([0])), /\[indexSelect\] dim -3 is out of range/);
  assert.throws(() => tl.indexSelect(x(), 0, int([[0]])), /\[indexSelect\] index must be a 1-D tensor, got shape \[1,1\]/);
  assert.throws(() => tl.maskedFill(x(), tl.ones([4]), 0), /\[maskedFill\] mask must be a bool tensor, got dtype float32/);
  assert.throws(() => tl.maskedFill(x(), tl.tensor([true, false]), 0), /\[maskedFill\] shapes \[3,4\] and \[2\] cannot be broadcast/);
  assert.throws(() => tl.maskedFill(int([1, 2]), tl.tensor([true, false]), 0.5), /\[maskedFill\] value 0\.5 does not fit x's dtype int32/);
  assert.throws(() => tl.maskedFill(tl.tensor([true]), tl.tensor([true]), 2), /\[maskedFill\] value 2 does not fit x's dtype bool/);
  assert.throws(() => tl.oneHot(int([]), -1), /\[oneHot\] cannot infer numClasses from an empty tensor/);
  assert.throws(() => tl.oneHot(int([1]), 0), /\[oneHot\] numClasses must be -1 \(infer\) or a positive whole number, got 0/);
  assert.throws(() => tl.tril(tl.ones([3])), /\[tril\] expects a tensor with at least 2 dimensions, got shape \[3\]/);
  assert.throws(() => tl.triu(x(), 0.5), /\[triu\] diagonal must be a whole number/);
});

test("pad, flip, repeat: bad arguments are errors naming the op", () => {
  assert.throws(() => tl.pad(x(), [1]), /\[pad\] pad must be an even-length array/);
  assert.throws(() => tl.pad(x(), [1, 1, 1, 1, 1, 1]), /\[pad\] pad \[1,1,1,1,1,1\] pads 3 dimensions but x has shape \[3,4\]/);
  assert.throws(() => tl.pad(x(), [4, 0], { mode: "reflect" }), /\[pad\] reflect padding \(4, 0\) must be smaller than dimension 1 of shape \[3,4\]/);
  assert.throws(() => tl.pad(x(), [-1, 0], { mode: "replicate" }), /\[pad\] replicate padding must not be negative/);
  assert.throws(() => tl.pad(x(), [1, 1], { mode: "reflect", value: 2 }), /\[pad\] value is only used by mode "constant"/);
  assert.throws(() => tl.pad(x(), [1, 1], { mode: "wrap" as never }), /\[pad\] mode must be "constant", "reflect", "replicate" or "circular", got "wrap"/);
  assert.throws(() => tl.pad(x(), [0, 5], { mode: "circular" }), /\[pad\] circular padding \(0, 5\) must be at most dimension 1 of shape \[3,4\]/);
  assert.throws(() => tl.pad(x(), [-1, 0], { mode: "circular" }), /\[pad\] circular padding must not be negative/);
  assert.throws(() => tl.pad(int([1, 2]), [1, 1], { value: 0.5 }), /\[pad\] value 0\.5 does not fit x's dtype int32/);
  assert.throws(() => tl.pad(x(), [-3, -2]), /\[pad\] negative pad \(-3, -2\) crops more than dimension 1/);
  assert.throws(() => tl.flip(x(), [0, 0]), /\[flip\] dim \[0,0\] names a dimension twice/);
  assert.throws(() => tl.flip(x(), 2), /\[flip\] dim 2 is out of range/);
  assert.throws(() => tl.repeat(x(), [2]), /\[repeat\] sizes \[2\] must name at least as many dimensions as x has \(shape \[3,4\]\)/);
  assert.throws(() => tl.repeat(x(), [1, -1]), /\[repeat\] sizes must be an array of whole numbers ≥ 0/);
});

test("indexing: index tensors may be int32 or whole-valued floats and give the same result", () => {
  const a = tl.gather(x(), 1, int([[1], [0], [3]])).toArray();
  const b = tl.gather(x(), 1, tl.tensor([[1], [0], [3]], { dtype: "float64" })).toArray();
  assert.deepEqual(a, b);
  assert.deepEqual(tl.indexSelect(x(), 0, tl.tensor(2)).shape, [1, 4]);
});

test("indexing: gather's gradient accumulates over repeated indices", () => {
  const src = tl.tensor([1, 2, 3], { requiresGrad: true });
  tl.gather(src, 0, int([2, 2, 0, 2])).sum().backward();
  assert.deepEqual(src.grad?.toArray(), [1, 0, 3]);
});
