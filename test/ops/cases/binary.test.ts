/**
 * Binary op cases: forward values (hand-computed with JS arithmetic over the broadcast result), float64
 * gradient checks of broadcast gradients, and PyTorch's dtype promotion rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertClose, runCases, type OpCase } from "../../harness.js";

type Grid = number | number[] | number[][];

const a23 = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]];
const b3 = [0.8, -0.4, 1.3];
const c21 = [[0.6], [-1.1]];
const r13 = [[0.9, -0.2, 1.7]];
const pos23 = [[0.5, 1.2, 2.0], [1.5, 0.3, 0.7]];
const posB3 = [0.8, 1.4, 1.3];

/** Element (i, j) of a broadcast operand: a number, a row [n], or a [1|2, 1|3] grid. */
function at(x: Grid, i: number, j: number): number {
  if (typeof x === "number") return x;
  if (!Array.isArray(x[0])) return (x as number[])[(x as number[]).length === 1 ? 0 : j];
  const g = x as number[][];
  const row = g[g.length === 1 ? 0 : i];
  return row[row.length === 1 ? 0 : j];
}

/** f applied over the [2,3] broadcast of a and b. */
function bc(f: (a: number, b: number) => number | boolean, a: Grid, b: Grid): (number | boolean)[][] {
  return [0, 1].map((i) => [0, 1, 2].map((j) => f(at(a, i, j), at(b, i, j))));
}

const modA = [[0.5, -1.3, 2.1], [1.7, 0.3, -0.7]];
const modB = [0.8, -0.45, 1.3];
const pyMod = (a: number, b: number): number => a - Math.floor(a / b) * b;

const cases: OpCase[] = [
  { op: "add", name: "add [2,3]+[3]", inputs: [a23, b3], fn: (a, b) => tl.add(a, b), expected: bc((x, y) => x + y, a23, b3) },
  { op: "add", name: "add [2,1]+[1,3]", inputs: [c21, r13], fn: (a, b) => a.add(b), expected: bc((x, y) => x + y, c21, r13) },
  { op: "add", name: "add number", inputs: [a23], fn: (a) => a.add(2.5), expected: bc((x, y) => x + y, a23, 2.5) },
  { op: "add", name: "add 0-d tensor", inputs: [a23, 1.25], fn: (a, b) => tl.add(a, b), expected: bc((x, y) => x + y, a23, 1.25) },
  { op: "sub", name: "sub [2,3]-[3]", inputs: [a23, b3], fn: (a, b) => tl.sub(a, b), expected: bc((x, y) => x - y, a23, b3) },
  { op: "sub", name: "sub [2,1]-[1,3]", inputs: [c21, r13], fn: (a, b) => a.sub(b), expected: bc((x, y) => x - y, c21, r13) },
  { op: "sub", name: "number - tensor", inputs: [a23], fn: (a) => tl.sub(3, a), expected: bc((x, y) => x - y, 3, a23) },
  { op: "mul", name: "mul [2,3]*[3]", inputs: [a23, b3], fn: (a, b) => tl.mul(a, b), expected: bc((x, y) => x * y, a23, b3) },
  { op: "mul", name: "mul [2,1]*[1,3]", inputs: [c21, r13], fn: (a, b) => a.mul(b), expected: bc((x, y) => x * y, c21, r13) },
  { op: "mul", name: "mul self (same tensor twice)", inputs: [a23], fn: (a) => a.mul(a), expected: bc((x, y) => x * y, a23, a23) },
  { op: "div", name: "div [2,3]/[3]", inputs: [a23, b3], fn: (a, b) => tl.div(a, b), expected: bc((x, y) => x / y, a23, b3) },
  { op: "div", name: "div [2,1]/[1,3]", inputs: [c21, r13], fn: (a, b) => a.div(b), expected: bc((x, y) => x / y, c21, r13) },
  { op: "div", name: "number / tensor", inputs: [a23], fn: (a) => tl.div(2, a), expected: bc((x, y) => x / y, 2, a23) },
  { op: "pow", name: "pow tensor exponent [2,3]**[3]", inputs: [pos23, b3], fn: (a, b) => tl.pow(a, b), expected: bc(Math.pow, pos23, b3) },
  { op: "pow", name: "pow [2,1]**[1,3]", inputs: [[[0.6], [1.1]], r13], fn: (a, b) => a.pow(b), expected: bc(Math.pow, [[0.6], [1.1]], r13) },
  { op: "pow", name: "pow number exponent", inputs: [a23], fn: (a) => tl.pow(a, 3), expected: bc(Math.pow, a23, 3) },
  { op: "pow", name: "pow number base", inputs: [b3], fn: (b) => tl.pow(2, b), expected: b3.map((v) => 2 ** v) },
  { op: "pow", name: "pow with a zero base", inputs: [[0, 0.5, 2], [2, 1.5, 0.5]], fn: (a, b) => tl.pow(a, b), expected: [0, 0.5 ** 1.5, 2 ** 0.5], gradInputs: [1] },
  { op: "rpowScalar", inputs: [b3], fn: (b) => tl.rpowScalar(3, b), expected: b3.map((v) => 3 ** v) },
  { op: "maximum", name: "maximum [2,3],[3]", inputs: [a23, b3], fn: (a, b) => tl.maximum(a, b), expected: bc(Math.max, a23, b3) },
  { op: "maximum", name: "maximum [2,1],[1,3]", inputs: [c21, r13], fn: (a, b) => a.maximum(b), expected: bc(Math.max, c21, r13) },
  { op: "minimum", name: "minimum [2,3],[3]", inputs: [a23, b3], fn: (a, b) => tl.minimum(a, b), expected: bc(Math.min, a23, b3) },
  { op: "minimum", name: "minimum number", inputs: [a23], fn: (a) => a.minimum(0.4), expected: bc(Math.min, a23, 0.4) },
  // At a tie the central difference is 0.5 on each side: the gradient check covers the split too.
  { op: "maximum", name: "maximum ties", inputs: [[1, 2, 3], [1, 0, 3]], fn: (a, b) => tl.maximum(a, b), expected: [1, 2, 3] },
  { op: "minimum", name: "minimum ties", inputs: [[1, 2, 3], [1, 0, 3]], fn: (a, b) => tl.minimum(a, b), expected: [1, 0, 3] },
  { op: "floorDivide", inputs: [[[7, -7, 5.5], [-5.5, 7, -7]], [[2, 2, 2], [2, -2, -2]]], fn: (a, b) => tl.floorDivide(a, b), expected: [[3, -4, 2], [-3, -4, 3]], gradInputs: [] },
  { op: "floorDivide", name: "floorDivide int32", inputs: [tl.tensor(new Int32Array([7, -7, 9]))], fn: (a) => a.floorDivide(2), expected: [3, -4, 4], check: (y) => assert.equal(y.dtype, "int32") },
  { op: "remainder", name: "remainder (sign of the divisor)", inputs: [[[5.5, -5.5, 7], [-7, 7, -7]], [[2, 2, 2], [2, -2, -2]]], fn: (a, b) => tl.remainder(a, b), expected: [[1.5, 0.5, 1], [1, -1, -1]], gradInputs: [] },
  { op: "remainder", name: "remainder int32 broadcast", inputs: [tl.tensor(new Int32Array([-7, -1, 0, 1, 7]))], fn: (a) => a.remainder(3), expected: [2, 2, 0, 1, 1], check: (y) => assert.equal(y.dtype, "int32") },
  // Away from the jumps at whole a/b the remainder is a − k·b with k fixed: gradients 1 and −k.
  { op: "remainder", name: "remainder gradient", inputs: [modA, modB], fn: (a, b) => tl.remainder(a, b), expected: bc(pyMod, modA, modB) },
  { op: "eq", inputs: [[[1, 2, 3], [3, 2, 1]], [1, 2, 1]], fn: (a, b) => tl.eq(a, b), expected: [[true, true, false], [false, true, true]], gradInputs: [], check: (y) => assert.equal(y.dtype, "bool") },
  { op: "ne", inputs: [[[1, 2, 3], [3, 2, 1]], [1, 2, 1]], fn: (a, b) => a.ne(b), expected: [[false, false, true], [true, false, false]], gradInputs: [], check: (y) => assert.equal(y.dtype, "bool") },
  { op: "lt", inputs: [a23, b3], fn: (a, b) => tl.lt(a, b), expected: bc((x, y) => x < y, a23, b3), gradInputs: [] },
  { op: "le", inputs: [[[1, 2, 3]], [[1], [3]]], fn: (a, b) => tl.le(a, b), expected: [[true, false, false], [true, true, true]], gradInputs: [] },
  { op: "gt", inputs: [a23], fn: (a) => a.gt(0.5), expected: bc((x, y) => x > y, a23, 0.5), gradInputs: [] },
  { op: "ge", inputs: [a23], fn: (a) => tl.ge(a, 0.5), expected: bc((x, y) => x >= y, a23, 0.5), gradInputs: [] },
  { op: "logicalAnd", inputs: [tl.tensor([[true, false], [true, true]]), tl.tensor([true, false])], fn: (a, b) => tl.logicalAnd(a, b), expected: [[true, false], [true, false]], check: (y) => assert.equal(y.dtype, "bool") },
  { op: "logicalOr", inputs: [tl.tensor([[true, false], [false, false]]), tl.tensor([false, true])], fn: (a, b) => a.logicalOr(b), expected: [[true, true], [false, true]] },
  { op: "logicalXor", inputs: [tl.tensor([[true, false], [true, false]]), tl.tensor([true, true])], fn: (a, b) => tl.logicalXor(a, b), expected: [[false, true], [false, true]] },
  { op: "logicalAnd", name: "logicalAnd of numbers (non-zero is true)", inputs: [tl.tensor([0, 2, -1.5, 0])], fn: (a) => a.logicalAnd(1), expected: [false, true, true, false] },
  { op: "logicalNot", inputs: [tl.tensor([0, 1, -2])], fn: (a) => tl.logicalNot(a), expected: [true, false, false], check: (y) => assert.equal(y.dtype, "bool") },
  {
    op: "where", name: "where [2,3] cond, [3] a, [2,1] b",
    inputs: [tl.tensor([[true, false, true], [false, false, true]]), b3, c21],
    fn: (c, a, b) => tl.where(c, a, b), expected: [[0.8, 0.6, 1.3], [-1.1, -1.1, 1.3]],
  },
  { op: "where", name: "where with a number branch", inputs: [tl.tensor([true, false, true]), b3], fn: (c, a) => tl.where(c, a, 0), expected: [0.8, 0, 1.3] },
  { op: "where", name: "where [3] cond over [2,3]", inputs: [tl.tensor([false, true, false]), a23], fn: (c, a) => a.where(c, -1), expected: [[-1, -1.2, -1], [-1, 0.3, -1]] },
];

runCases("binary", cases);

test("binary: pow gradients of base and tensor exponent (positive bases)", () => {
  const a = tl.tensor(pos23, { dtype: "float64", requiresGrad: true });
  const b = tl.tensor(posB3, { dtype: "float64", requiresGrad: true });
  tl.pow(a, b).sum().backward();
  // d/da a^b = b a^(b-1); d/db Σ_i a_i^b = Σ_i a_i^b ln a_i
  assertClose(a.grad as tl.Tensor, bc((x, y) => y * x ** (y - 1), pos23, posB3));
  assertClose(b.grad as tl.Tensor, [0, 1, 2].map((j) => pos23[0][j] ** posB3[j] * Math.log(pos23[0][j]) + pos23[1][j] ** posB3[j] * Math.log(pos23[1][j])));
});

test("binary: maximum/minimum split the gradient 0.5/0.5 at ties, like PyTorch", () => {
  const a = tl.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
  const b = tl.tensor([1, 0, 4], { dtype: "float64", requiresGrad: true });
  tl.maximum(a, b).sum().backward();
  assertClose(a.grad as tl.Tensor, [0.5, 1, 0]);
  assertClose(b.grad as tl.Tensor, [0.5, 0, 1]);
  const c = tl.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
  tl.minimum(c, 1).sum().backward();
  assertClose(c.grad as tl.Tensor, [0.5, 0, 0]);
});

test("binary: broadcasting errors name the op and both shapes", () => {
  assert.throws(() => tl.add(tl.zeros([2, 3]), tl.zeros([2])), /^TensileError: \[add\] shapes \[2,3\] and \[2\] cannot be broadcast/);
  assert.throws(() => tl.where(tl.tensor([true, false]), tl.zeros([3]), 0), /\[where\].*\[2\].*\[3\]/);
});

test("binary: comparisons and logical ops do not record gradients", () => {
  const a = tl.tensor([1, 2], { requiresGrad: true });
  assert.equal(a.gt(1).requiresGrad, false);
  assert.equal(tl.eq(a, a).requiresGrad, false);
});

/** [expression, expected dtype]: PyTorch's result_type for each pairing. */
const promotions: [string, () => tl.Tensor, tl.DType][] = [
  ["int32 + whole number", () => tl.tensor(new Int32Array([1, 2])).add(3), "int32"],
  ["int32 + fractional number", () => tl.tensor(new Int32Array([1, 2])).add(0.5), "float32"],
  ["int32 * number stays int32 (values)", () => tl.tensor(new Int32Array([1, 2])).mul(3), "int32"],
  ["int32 + float32 tensor", () => tl.add(tl.tensor(new Int32Array([1, 2])), tl.tensor([0.5, 0.5])), "float32"],
  ["int32 + float64 tensor", () => tl.add(tl.tensor(new Int32Array([1, 2])), tl.tensor([0.5, 0.5], { dtype: "float64" })), "float64"],
  ["bool + int32 tensor", () => tl.add(tl.tensor([true, false]), tl.tensor(new Int32Array([1, 2]))), "int32"],
  ["bool + whole number", () => tl.tensor([true, false]).add(1), "int32"],
  ["bool + fractional number", () => tl.tensor([true, false]).add(1.5), "float32"],
  ["bool + boolean", () => tl.tensor([true, false]).logicalOr(true), "bool"],
  ["float32 + 0-d float64 stays float32", () => tl.add(tl.tensor([1, 2]), tl.tensor(1.5, { dtype: "float64" })), "float32"],
  ["float32 + number stays float32", () => tl.tensor([1, 2]).mul(1e-3), "float32"],
  ["float64 + float32 tensor", () => tl.add(tl.tensor([1], { dtype: "float64" }), tl.tensor([1])), "float64"],
  ["int32 + 0-d float64 gives float64", () => tl.add(tl.tensor(new Int32Array([1, 2])), tl.tensor(1.5, { dtype: "float64" })), "float64"],
  ["int32 + 0-d int32 stays int32", () => tl.add(tl.tensor(new Int32Array([1, 2])), tl.tensor(new Int32Array([3]), { shape: [] })), "int32"],
  ["0-d float64 + 0-d float32", () => tl.add(tl.tensor(1, { dtype: "float64" }), tl.tensor(2)), "float64"],
  ["int32 / int32 gives float32", () => tl.div(tl.tensor(new Int32Array([1, 3])), tl.tensor(new Int32Array([2, 2]))), "float32"],
  ["int32 / number gives float32", () => tl.tensor(new Int32Array([1, 3])).div(2), "float32"],
  ["float64 / int32 stays float64", () => tl.div(tl.tensor([1], { dtype: "float64" }), tl.tensor(new Int32Array([2]))), "float64"],
  ["int32 ** int32", () => tl.pow(tl.tensor(new Int32Array([2, 3])), tl.tensor(new Int32Array([2, 2]))), "int32"],
  ["int32 maximum float32", () => tl.maximum(tl.tensor(new Int32Array([2, 3])), tl.tensor([2.5, 2.5])), "float32"],
  ["where(int32, float32)", () => tl.where(tl.tensor([true, false]), tl.tensor(new Int32Array([1, 2])), tl.tensor([0.5, 0.5])), "float32"],
  ["comparison of int32 and float", () => tl.lt(tl.tensor(new Int32Array([1, 2])), 1.5), "bool"],
];

for (const [name, make, dtype] of promotions) {
  test(`binary: promotion ${name} → ${dtype}`, () => assert.equal(make().dtype, dtype));
}

test("binary: promoted values are computed in the result dtype", () => {
  assert.deepEqual(tl.tensor(new Int32Array([1, 2])).add(0.5).toArray(), [1.5, 2.5]);
  assert.deepEqual(tl.div(tl.tensor(new Int32Array([1, 3])), 2).toArray(), [0.5, 1.5]);
  assert.deepEqual(tl.tensor([true, false]).add(1).toArray(), [2, 1]);
  assert.deepEqual(tl.lt(tl.tensor(new Int32Array([1, 2])), 1.5).toArray(), [true, false]);
  assert.deepEqual(tl.pow(tl.tensor(new Int32Array([2, 3])), 2).toArray(), [4, 9]);
});
