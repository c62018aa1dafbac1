/**
 * Creation ops: `tensor` from every kind of data with dtype inference, the filled and ranged
 * constructors, and the seeded random ops (ranges, statistics over 10k samples, reproducibility).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { runCases, type OpCase } from "../../harness.js";

const dtypeIs = (dtype: tl.DType) => (y: tl.Tensor): void => assert.equal(y.dtype, dtype);
const shapeIs = (shape: number[]) => (y: tl.Tensor): void => assert.deepEqual([...y.shape], shape);

/** Mean and (biased) standard deviation of a tensor's elements, computed in JS. */
function stats(t: tl.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((s, e) => s + e, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, e) => s + (e - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

const cases: OpCase[] = [
  { op: "tensor", name: "tensor from nested numbers is float32", inputs: [], fn: () => tl.tensor([[1, 2, 3], [4, 5, 6]]), expected: [[1, 2, 3], [4, 5, 6]], check: dtypeIs("float32") },
  { op: "tensor", name: "tensor from booleans is bool", inputs: [], fn: () => tl.tensor([[true], [false]]), expected: [[true], [false]], check: dtypeIs("bool") },
  { op: "tensor", name: "tensor from flat data and shape", inputs: [], fn: () => tl.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }), expected: [[1, 2], [3, 4], [5, 6]] },
  { op: "tensor", name: "tensor from Int32Array is int32", inputs: [], fn: () => tl.tensor(new Int32Array([1, -2, 3])), expected: [1, -2, 3], check: dtypeIs("int32") },
  { op: "tensor", name: "tensor from Float64Array is float64", inputs: [], fn: () => tl.tensor(new Float64Array([0.1, 0.2])), expected: [0.1, 0.2], atol: 0, rtol: 0, check: dtypeIs("float64") },
  { op: "tensor", name: "tensor from Float32Array with shape", inputs: [], fn: () => tl.tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] }), expected: [[1, 2], [3, 4]], check: dtypeIs("float32") },
  { op: "tensor", name: "tensor from Uint8Array is bool", inputs: [], fn: () => tl.tensor(new Uint8Array([1, 0])), expected: [true, false], check: dtypeIs("bool") },
  { op: "tensor", name: "tensor from a number is 0-d float32", inputs: [], fn: () => tl.tensor(2.5), expected: 2.5, check: (y) => { shapeIs([])(y); dtypeIs("float32")(y); } },
  { op: "tensor", name: "tensor with dtype int32 truncates", inputs: [], fn: () => tl.tensor([1.7, -1.7], { dtype: "int32" }), expected: [1, -1], check: dtypeIs("int32") },
  { op: "tensor", name: "empty tensor", inputs: [], fn: () => tl.tensor([]), check: (y) => { shapeIs([0])(y); dtypeIs("float32")(y); } },
  { op: "zeros", inputs: [], fn: () => tl.zeros([2, 3]), expected: [[0, 0, 0], [0, 0, 0]], check: dtypeIs("float32") },
  { op: "ones", inputs: [], fn: () => tl.ones([2, 1], { dtype: "int32" }), expected: [[1], [1]], check: dtypeIs("int32") },
  { op: "full", inputs: [], fn: () => tl.full([3], 2.5), expected: [2.5, 2.5, 2.5], check: dtypeIs("float32") },
  { op: "full", name: "full with a boolean is bool", inputs: [], fn: () => tl.full([2], true), expected: [true, true], check: dtypeIs("bool") },
  { op: "full", name: "full of a 0-d shape", inputs: [], fn: () => tl.full([], 7, { dtype: "float64" }), expected: 7, check: (y) => { shapeIs([])(y); dtypeIs("float64")(y); } },
  { op: "arange", name: "arange(n) is int32", inputs: [], fn: () => tl.arange(5), expected: [0, 1, 2, 3, 4], check: dtypeIs("int32") },
  { op: "arange", name: "arange(start, end, step)", inputs: [], fn: () => tl.arange(2, 11, 3), expected: [2, 5, 8], check: dtypeIs("int32") },
  { op: "arange", name: "arange with a float step", inputs: [], fn: () => tl.arange(0, 1, 0.25), expected: [0, 0.25, 0.5, 0.75], check: dtypeIs("float32") },
  { op: "arange", name: "arange(0, 1, 0.1) has 10 elements", inputs: [], fn: () => tl.arange(0, 1, 0.1), expected: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], atol: 1e-6 },
  { op: "arange", name: "arange with a negative step", inputs: [], fn: () => tl.arange(5, 0, -2), expected: [5, 3, 1], check: dtypeIs("int32") },
  { op: "arange", name: "arange with a negative float step", inputs: [], fn: () => tl.arange(1, -0.5, -0.5), expected: [1, 0.5, 0], check: dtypeIs("float32") },
  { op: "arange", name: "empty arange", inputs: [], fn: () => tl.arange(3, 3), check: shapeIs([0]) },
  { op: "arange", name: "arange with dtype float64", inputs: [], fn: () => tl.arange(3, undefined, 1, { dtype: "float64" }), expected: [0, 1, 2], check: dtypeIs("float64") },
  { op: "linspace", inputs: [], fn: () => tl.linspace(0, 1, 5), expected: [0, 0.25, 0.5, 0.75, 1], check: dtypeIs("float32") },
  { op: "linspace", name: "linspace decreasing", inputs: [], fn: () => tl.linspace(2, -1, 4), expected: [2, 1, 0, -1] },
  { op: "linspace", name: "linspace of one step is the start", inputs: [], fn: () => tl.linspace(3, 9, 1), expected: [3] },
  { op: "eye", inputs: [], fn: () => tl.eye(3), expected: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] },
  { op: "eye", name: "eye(2, 3)", inputs: [], fn: () => tl.eye(2, 3), expected: [[1, 0, 0], [0, 1, 0]] },
  { op: "eye", name: "eye(3, 2)", inputs: [], fn: () => tl.eye(3, 2), expected: [[1, 0], [0, 1], [0, 0]] },
  { op: "zerosLike", inputs: [tl.tensor(new Int32Array([5, 6]))], fn: (a) => tl.zerosLike(a), expected: [0, 0], check: dtypeIs("int32") },
  { op: "onesLike", inputs: [[[1, 2]]], fn: (a) => tl.onesLike(a), expected: [[1, 1]], gradInputs: [], check: dtypeIs("float64") },
  { op: "onesLike", name: "onesLike with a dtype", inputs: [tl.tensor([1, 2])], fn: (a) => tl.onesLike(a, { dtype: "bool" }), expected: [true, true], check: dtypeIs("bool") },
  { op: "fullLike", inputs: [tl.tensor([[1], [2]])], fn: (a) => tl.fullLike(a, -3), expected: [[-3], [-3]], check: dtypeIs("float32") },
];

runCases("creation", cases);

test("creation: ragged or malformed nested arrays are clear errors", () => {
  assert.throws(() => tl.tensor([[1, 2], [3]]), /^TensileError: \[tensor\] nested array is ragged: element \[1\] has length 1 but length 2 was expected/);
  assert.throws(() => tl.tensor([[1, 2], 3] as never), /\[tensor\] nested array is ragged: element \[1\]/);
  assert.throws(() => tl.tensor([1, 2, 3], { shape: [2, 2] }), /\[tensor\] shape \[2,2\] holds 4 elements but the data has 3/);
  assert.throws(() => tl.tensor(["a"] as never), /\[tensor\] element \[0\] is string but a number or boolean was expected/);
  assert.throws(() => tl.zeros([2, -1]), /\[full\] shape \[2,-1\] must hold whole numbers/);
});

test("creation: bad ranges are clear errors", () => {
  assert.throws(() => tl.arange(0, 5, 0), /\[arange\] step must not be zero/);
  assert.throws(() => tl.arange(0, 5, -1), /\[arange\] the range from 0 to 5 never arrives with step -1/);
  assert.throws(() => tl.linspace(0, 1, 2.5), /\[linspace\] steps must be a whole number/);
  assert.throws(() => tl.randint(5, 5, [2]), /\[randint\] need whole numbers low < high/);
  assert.throws(() => tl.rand([2], { dtype: "int32" }), /\[rand\] dtype must be float32 or float64/);
  assert.throws(() => tl.normal([2], 0, -1), /\[normal\] std must be ≥ 0/);
});

test("creation: requiresGrad option makes a leaf that requires grad", () => {
  const t = tl.zeros([2], { requiresGrad: true });
  assert.equal(t.requiresGrad, true);
  assert.equal(t.isLeaf, true);
  assert.throws(() => tl.arange(3, undefined, 1, { requiresGrad: true }), /\[requiresGrad_\] only floating-point tensors can require gradients/);
});

const N = 10000;

test("creation: rand and uniform stay in [low, high) with the right mean and std", () => {
  tl.manualSeed(1);
  const r = stats(tl.rand([100, 100]));
  assert.ok(r.min >= 0 && r.max < 1, `rand range [${r.min}, ${r.max}]`);
  assert.ok(Math.abs(r.mean - 0.5) < 0.01, `rand mean ${r.mean}`);
  assert.ok(Math.abs(r.std - Math.sqrt(1 / 12)) < 0.01, `rand std ${r.std}`);
  const u = stats(tl.uniform([N], -2, 4, { dtype: "float64" }));
  assert.ok(u.min >= -2 && u.max < 4, `uniform range [${u.min}, ${u.max}]`);
  assert.ok(Math.abs(u.mean - 1) < 0.06, `uniform mean ${u.mean}`);
  assert.ok(Math.abs(u.std - 6 / Math.sqrt(12)) < 0.05, `uniform std ${u.std}`);
});

test("creation: randn and normal have the requested mean and std", () => {
  tl.manualSeed(2);
  const z = tl.randn([N]);
  assert.equal(z.dtype, "float32");
  const s = stats(z);
  assert.ok(Math.abs(s.mean) < 0.03, `randn mean ${s.mean}`);
  assert.ok(Math.abs(s.std - 1) < 0.03, `randn std ${s.std}`);
  // About 68% of a normal's mass lies within one std of the mean.
  const within = Array.from(z.dataSync()).filter((v) => Math.abs(v) < 1).length / N;
  assert.ok(Math.abs(within - 0.6827) < 0.015, `fraction within 1 std ${within}`);
  const n = stats(tl.normal([N], 3, 0.5, { dtype: "float64" }));
  assert.ok(Math.abs(n.mean - 3) < 0.015, `normal mean ${n.mean}`);
  assert.ok(Math.abs(n.std - 0.5) < 0.015, `normal std ${n.std}`);
});

test("creation: randint covers [low, high) evenly; randperm is a permutation", () => {
  tl.manualSeed(3);
  const r = tl.randint(-2, 3, [N]);
  assert.equal(r.dtype, "int32");
  const counts = new Map<number, number>();
  for (const v of r.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2]);
  for (const [v, c] of counts) assert.ok(Math.abs(c / N - 0.2) < 0.02, `randint frequency of ${v}: ${c / N}`);
  const p = tl.randperm(50);
  assert.equal(p.dtype, "int32");
  const values = Array.from(p.dataSync());
  assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(values, Array.from({ length: 50 }, (_, i) => i), "randperm(50) returned the identity");
  assert.deepEqual(tl.randperm(0).shape, [0]);
});

/** Draws one of each random op, in a fixed order. */
function drawAll(): number[][] {
  return [tl.rand([5]), tl.randn([5]), tl.randint(0, 100, [5]), tl.randperm(8), tl.uniform([5], -1, 1), tl.normal([5], 2, 3), tl.randn([3], { dtype: "float64" })]
    .map((t) => Array.from(t.dataSync()));
}

test("creation: manualSeed makes every random op reproducible; other seeds differ", () => {
  tl.manualSeed(42);
  const first = drawAll();
  tl.manualSeed(42);
  assert.deepEqual(drawAll(), first);
  tl.manualSeed(43);
  const other = drawAll();
  first.forEach((values, i) => assert.notDeepEqual(other[i], values, `op ${i} gave the same values for seeds 42 and 43`));
  // Successive calls without reseeding continue the stream instead of repeating it.
  tl.manualSeed(42);
  const a = Array.from(tl.rand([5]).dataSync());
  const b = Array.from(tl.rand([5]).dataSync());
  assert.notDeepEqual(a, b);
  assert.deepEqual(a, first[0]);
});

test("creation: in-place random fills follow the seed too", () => {
  tl.manualSeed(7);
  const a = tl.zeros([4]).uniform_(2, 3);
  tl.manualSeed(7);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(tl.uniform([4], 2, 3).dataSync()));
  const s = stats(a);
  assert.ok(s.min >= 2 && s.max < 3);
});
