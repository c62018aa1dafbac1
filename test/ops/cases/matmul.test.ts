import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { NestedArray } from "../../../src/core/nested.js";
import { assertClose, gradcheck, runCases, type OpCase } from "../../harness.js";

/** Deterministic values in about [-1, 1], as nested arrays of `shape`. */
function vals(shape: number[], seed: number): NestedArray {
  const n = shape.reduce((p, d) => p * d, 1);
  const flat = Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed * 7.3 + i * 1.7) * 1000) / 1000);
  return tl.tensor(flat, { shape, dtype: "float64" }).toArray();
}

const flatOf = (x: NestedArray): number[] => (Array.isArray(x) ? (x as NestedArray[]).flatMap(flatOf) : [Number(x)]);
const shapeOf = (x: NestedArray): number[] => (Array.isArray(x) ? [x.length, ...(x.length > 0 ? shapeOf(x[0] as NestedArray) : [])] : []);

/**
 * torch.matmul by its definition, written independently of the library: promote 1-D operands,
 * broadcast the batch dims element by element, and drop the promoted dims from the result.
 */
function refMatmul(a: NestedArray, b: NestedArray): NestedArray {
  let as = shapeOf(a);
  let bs = shapeOf(b);
  const av = flatOf(a);
  const bv = flatOf(b);
  const aVec = as.length === 1;
  const bVec = bs.length === 1;
  if (aVec) as = [1, as[0]];
  if (bVec) bs = [bs[0], 1];
  const [m, k] = as.slice(-2);
  const n = bs[bs.length - 1];
  const nb = Math.max(as.length, bs.length) - 2;
  const pad = (s: number[]) => [...new Array<number>(nb - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const ab = pad(as);
  const bb = pad(bs);
  const batch = ab.map((d, i) => Math.max(d, bb[i]));
  const total = batch.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let t = 0; t < total; t++) {
    // Multi-index of batch t, then each operand's own batch offset (size-1 dims repeat).
    let rest = t;
    const idx = batch.map(() => 0);
    for (let d = nb - 1; d >= 0; d--) { idx[d] = rest % batch[d]; rest = Math.floor(rest / batch[d]); }
    let ao = 0;
    let bo = 0;
    for (let d = 0; d < nb; d++) { ao = ao * ab[d] + (ab[d] === 1 ? 0 : idx[d]); bo = bo * bb[d] + (bb[d] === 1 ? 0 : idx[d]); }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += av[ao * m * k + i * k + q] * bv[bo * k * n + q * n + j];
        out.push(s);
      }
    }
  }
  const shape = [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
  return tl.tensor(out, { shape, dtype: "float64" }).toArray();
}

const transposeRef = (x: NestedArray): NestedArray => {
  const rows = x as number[][];
  return rows[0].map((_, j) => rows.map((r) => r[j]));
};

function matmulCase(name: string, as: number[], bs: number[], seed: number): OpCase {
  const a = vals(as, seed);
  const b = vals(bs, seed + 1);
  return { op: "matmul", name, inputs: [a, b], fn: (x, y) => tl.matmul(x, y), expected: refMatmul(a, b) };
}

const w54 = vals([5, 4], 40);
const x34 = vals([3, 4], 41);
const bias5 = vals([5], 42);

const cases: OpCase[] = [
  { op: "matmul", name: "2-D literal", inputs: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], fn: (a, b) => a.matmul(b), expected: [[19, 22], [43, 50]] },
  { ...matmulCase("1-D · 1-D is a 0-d dot", [4], [4], 1), check: (y) => assert.deepEqual([...y.shape], []) },
  matmulCase("1-D · 2-D", [3], [3, 5], 2),
  matmulCase("2-D · 1-D", [5, 3], [3], 3),
  matmulCase("odd sizes 5x7 · 7x6 (block remainders)", [5, 7], [7, 6], 4),
  matmulCase("batch · matrix (batch folded into rows)", [2, 3, 4], [4, 2], 5),
  matmulCase("matrix · batch (stride-0 left operand)", [3, 4], [2, 4, 2], 6),
  matmulCase("broadcast batch dims [2,1,3,4]·[3,4,2]", [2, 1, 3, 4], [3, 4, 2], 7),
  matmulCase("1-D · 3-D", [4], [2, 4, 3], 8),
  matmulCase("3-D · 1-D", [2, 3, 4], [4], 9),
  matmulCase("4-D · 4-D", [2, 2, 2, 3], [2, 2, 3, 2], 10),
  {
    op: "matmul", name: "transposed left operand (packed)", inputs: [vals([2, 4, 3], 11), vals([2, 4, 2], 12)],
    fn: (a, b) => a.transpose(-1, -2).matmul(b),
    expected: refMatmul((vals([2, 4, 3], 11) as NestedArray[]).map(transposeRef), vals([2, 4, 2], 12)),
  },
  {
    op: "matmul", name: "transposed batch · matrix (not foldable: b repeats with stride 0)", inputs: [vals([2, 4, 3], 19), vals([4, 2], 20)],
    fn: (a, b) => a.transpose(-1, -2).matmul(b),
    expected: refMatmul((vals([2, 4, 3], 19) as NestedArray[]).map(transposeRef), vals([4, 2], 20)),
  },
  {
    op: "matmul", name: "transposed right operand x·wᵀ (no copy)", inputs: [x34, w54],
    fn: (x, w) => x.matmul(w.t()), expected: refMatmul(x34, transposeRef(w54)),
  },
  {
    op: "matmul", name: "strided rows (every other row)", inputs: [vals([6, 3], 13), vals([3, 5], 14)],
    fn: (a, b) => a.slice(0, 0, null, 2).matmul(b),
    expected: refMatmul((vals([6, 3], 13) as NestedArray[]).filter((_, i) => i % 2 === 0), vals([3, 5], 14)),
  },
  {
    op: "matmul", name: "empty inner dimension gives zeros", inputs: [tl.zeros([2, 0], { dtype: "float64" }), tl.zeros([0, 3], { dtype: "float64" })],
    fn: (a, b) => tl.matmul(a, b), expected: [[0, 0, 0], [0, 0, 0]], gradInputs: [],
  },
  {
    op: "matmul", name: "int32", inputs: [tl.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }), tl.tensor([[1], [0], [-1]], { dtype: "int32" })],
    fn: (a, b) => tl.matmul(a, b), expected: [[-2], [-2]], check: (y) => assert.equal(y.dtype, "int32"),
  },
  {
    op: "matmul", name: "float32 keeps its dtype", inputs: [tl.tensor([[1.5, 2]]), tl.tensor([[2], [0.25]])],
    fn: (a, b) => tl.matmul(a, b), expected: [[3.5]], check: (y) => assert.equal(y.dtype, "float32"),
  },
  { op: "mm", inputs: [vals([3, 2], 15), vals([2, 4], 16)], fn: (a, b) => a.mm(b), expected: refMatmul(vals([3, 2], 15), vals([2, 4], 16)) },
  { op: "bmm", inputs: [vals([3, 2, 4], 17), vals([3, 4, 2], 18)], fn: (a, b) => a.bmm(b), expected: refMatmul(vals([3, 2, 4], 17), vals([3, 4, 2], 18)) },
  { op: "dot", inputs: [[1, 2, 3], [4, -5, 6]], fn: (a, b) => a.dot(b), expected: 12 },
  { op: "outer", inputs: [[1, 2], [3, -1, 0.5]], fn: (a, b) => a.outer(b), expected: [[3, -1, 0.5], [6, -2, 1]] },
  {
    op: "linear", name: "linear with bias", inputs: [x34, w54, bias5], fn: (x, w, b) => tl.nn.functional.linear(x, w, b),
    expected: (refMatmul(x34, transposeRef(w54)) as number[][]).map((r) => r.map((v, j) => v + (bias5 as number[])[j])),
  },
  {
    op: "linear", name: "linear without bias, 3-D input", inputs: [vals([2, 3, 4], 43), w54],
    fn: (x, w) => tl.nn.functional.linear(x, w), expected: refMatmul(vals([2, 3, 4], 43), transposeRef(w54)),
  },
  {
    op: "linear", name: "linear of a 1-D input", inputs: [[1, 0, -1, 2], w54, bias5], fn: (x, w, b) => tl.nn.functional.linear(x, w, b),
    expected: (refMatmul([1, 0, -1, 2], transposeRef(w54)) as number[]).map((v, j) => v + (bias5 as number[])[j]),
  },
];

runCases("matmul", cases);

test("matmul: odd larger sizes match the reference (17x33 · 33x9, float32)", () => {
  const a = vals([17, 33], 50);
  const b = vals([33, 9], 51);
  const y = tl.matmul(tl.tensor(a), tl.tensor(b));
  assertClose(y, refMatmul(a, b), { atol: 1e-5, rtol: 1e-5 });
});

test("matmul: x.matmul(w.t()) allocates only its output", () => {
  const x = tl.randn([8, 16]);
  const w = tl.randn([4, 16]);
  const backend = tl.getBackend();
  const alloc = backend.alloc;
  let count = 0;
  backend.alloc = (dtype, size) => { count++; return alloc.call(backend, dtype, size); };
  try {
    const y = x.matmul(w.t());
    assert.deepEqual([...y.shape], [8, 4]);
  } finally {
    backend.alloc = alloc;
  }
  assert.equal(count, 1);
});

test("matmul: second derivative (gradient of a gradient) matches finite differences", () => {
  // f(a, b) = ∂/∂a Σ (a·b)²  = 2 (a·b) bᵀ, which depends on both a and b.
  const fn = (a: tl.Tensor, b: tl.Tensor): tl.Tensor => {
    const al = a.requiresGrad ? a : a.detach().requiresGrad_();
    const [ga] = tl.autograd.grad(tl.matmul(al, b).square().sum(), [al], { createGraph: true });
    return ga as tl.Tensor;
  };
  const inputs = [tl.tensor(vals([2, 3], 60), { dtype: "float64" }), tl.tensor(vals([3, 4], 61), { dtype: "float64" })];
  gradcheck(fn, inputs, [0, 1], { name: "matmul double backward" });
});

test("matmul: shape and dtype errors name the op, the arguments and the shapes", () => {
  const z = (...s: number[]) => tl.zeros(s);
  const throws = (fn: () => unknown, message: string) => assert.throws(fn, (e: Error) => {
    assert.equal(e.message, message);
    return true;
  });
  throws(() => tl.matmul(z(2, 3), z(4, 5)), "[matmul] a has shape [2,3] but b has shape [4,5]: a.shape[-1] (3) must equal b.shape[-2] (4)");
  throws(() => tl.matmul(z(2, 3), z(4)), "[matmul] a has shape [2,3] but b has shape [4]: a.shape[-1] (3) must equal b.shape[0] (4)");
  throws(() => tl.matmul(z(2, 3, 4), z(3, 4, 5)),
    "[matmul] a has shape [2,3,4] but b has shape [3,4,5]: the batch dimensions [2] and [3] cannot be broadcast (sizes must match or be 1)");
  assert.throws(() => tl.matmul(tl.zeros([]), z(2)), /^TensileError: \[matmul\] both arguments need at least 1 dimension/);
  assert.throws(() => tl.matmul(z(2, 2), tl.zeros([2, 2], { dtype: "float64" })), /\[matmul\] a has dtype float32 but b has dtype float64/);
  assert.throws(() => tl.matmul(tl.zeros([2, 2], { dtype: "bool" }), tl.zeros([2, 2], { dtype: "bool" })), /\[matmul\] bool tensors are not supported/);
  throws(() => tl.mm(z(2, 3, 1), z(3, 1)), "[mm] expects two matrices, got shapes [2,3,1] and [3,1]");
  throws(() => tl.mm(z(2, 3), z(2, 3)), "[mm] a has shape [2,3] but b has shape [2,3]: a.shape[1] must equal b.shape[0]");
  throws(() => tl.bmm(z(2, 2, 3), z(3, 3, 2)), "[bmm] a has shape [2,2,3] but b has shape [3,3,2]: batch sizes must be equal");
  throws(() => tl.dot(z(3), z(4)), "[dot] a has shape [3] but b has shape [4]: lengths must be equal");
  throws(() => tl.outer(z(3, 1), z(4)), "[outer] expects two 1-D tensors, got shapes [3,1] and [4]");
  throws(() => tl.nn.functional.linear(z(2, 3), z(4, 5)),
    "[linear] input has shape [2,3] but weight has shape [4,5]: input.shape[-1] must equal weight.shape[1] (in features)");
  throws(() => tl.nn.functional.linear(z(2, 5), z(4, 5), z(5)),
    "[linear] bias has shape [5] but weight has shape [4,5]: bias must be [4] (out features)");
});
