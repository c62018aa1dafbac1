/**
 * The native reductions (native/src/kernels/reduce.cc) against the js reference: every reduction
 * over last, leading, middle, several and all dims, on contiguous, transposed and sliced inputs,
 * sizes that take each of the kernel's paths (row, column, strided, one output split across
 * threads), NaN propagation, empty dims, and every ISA level.
 */
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { EXACT, agreeWithJs, mixed, tolFor, type Tensor, type Tolerance } from "./compare.js";
import { requireNative } from "./helpers.js";

requireNative();

/** Sums in another order: float64 results differ in the last bits, relative to the terms' size. */
const reduceTol = (t: Tensor): Tolerance => (t.dtype === "float64" ? { rel: 1e-12, abs: 1e-10 } : t.dtype === "float32" ? { rel: 2e-6, abs: 1e-5 } : EXACT);

const REDUCTIONS: [string, (x: Tensor, dim?: number | number[]) => Tensor][] = [
  ["sum", (x, dim) => tl.sum(x, { dim })],
  ["mean", (x, dim) => tl.mean(x, { dim })],
  ["prod", (x, dim) => tl.prod(x.mul(0.25).add(1), { dim })],
  ["amax", (x, dim) => tl.amax(x, { dim })],
  ["amin", (x, dim) => tl.amin(x, { dim })],
  ["all", (x, dim) => tl.all(tl.gt(x, -2.5), { dim })],
  ["any", (x, dim) => tl.any(tl.gt(x, 2.5), { dim })],
];

type Gen = (shape: number[], dtype?: tl.DType, scale?: number) => Tensor;
/** Seeded finite values (the reductions' numerics, without NaN swallowing everything). */
const finite: Gen = (shape, dtype = "float32", scale = 3) => tl.randn(shape, { dtype }).mul(scale);

const SHAPES: [string, (g: Gen) => Tensor, (number | number[] | undefined)[]][] = [
  ["[7, 33]", (g) => g([7, 33]), [1, 0, undefined, [0, 1]]],
  ["[4, 5, 66]", (g) => g([4, 5, 66]), [2, 1, 0, [0, 2], [1, 2], [0, 1]]],
  ["[6, 7, 8] transposed", (g) => g([8, 7, 6]).permute([2, 1, 0]), [0, 1, 2, [0, 2]]],
  ["[30, 40] sliced", (g) => g([30, 80]).slice(1, 1, null, 2), [0, 1, undefined]],
  ["[300, 500] large", (g) => g([300, 500], "float32", 1), [0, 1, undefined]],
  ["[3, 200000] wide rows", (g) => g([3, 200000], "float32", 1), [1, undefined]],
  ["[200000] one long row", (g) => g([200000], "float32", 1), [0, undefined]],
  ["[9, 3, 70000] one output of many rows", (g) => g([9, 3, 70000], "float32", 1), [undefined]],
];

for (const [name, fn] of REDUCTIONS) {
  test(`native reduce ${name}: every dims pattern and layout, float32 and float64`, () => {
    for (const [label, make, dimsList] of SHAPES) {
      for (const dim of dimsList) {
        const what = `${name} ${label} dim ${JSON.stringify(dim)}`;
        agreeWithJs(`${what} float32`, () => fn(make(finite), dim), reduceTol);
        agreeWithJs(`${what} float64`, () => fn(make(finite).to("float64"), dim), reduceTol);
        agreeWithJs(`${what} special values`, () => fn(make(mixed), dim), reduceTol);
      }
    }
  });
}

test("native reduce: NaN propagates through max/min/sum wherever it sits; keepdim", () => {
  const withNaN = () => {
    const x = tl.randn([5, 40]);
    const d = Float32Array.from(x.dataSync() as Float32Array);
    d[3 * 40 + 17] = NaN;
    return tl.tensor(d, { shape: [5, 40] });
  };
  for (const dim of [0, 1, undefined]) {
    agreeWithJs(`amax NaN dim ${dim}`, () => tl.amax(withNaN(), { dim }), reduceTol);
    agreeWithJs(`amin NaN dim ${dim}`, () => tl.amin(withNaN(), { dim }), reduceTol);
    agreeWithJs(`sum NaN dim ${dim}`, () => tl.sum(withNaN(), { dim, keepdim: true }), reduceTol);
  }
});

test("native reduce: empty dims give the identity; 0-d inputs; integer inputs run js", () => {
  agreeWithJs("sum over an empty dim", () => tl.sum(tl.zeros([3, 0, 4]), { dim: 1 }), EXACT);
  agreeWithJs("prod over an empty dim", () => tl.prod(tl.zeros([3, 0]), { dim: 1 }), EXACT);
  agreeWithJs("all/any over an empty dim", () => [tl.all(tl.zeros([2, 0]), { dim: 1 }), tl.any(tl.zeros([2, 0]), { dim: 1 })], EXACT);
  agreeWithJs("sum of a 0-d tensor", () => tl.sum(tl.tensor(2.5)), EXACT);
  agreeWithJs("sum of int32", () => tl.sum(tl.arange(10), { dim: 0 }), EXACT);
  agreeWithJs("sum of bool", () => tl.sum(tl.gt(mixed([4, 9]), 0), { dim: 1 }), EXACT);
  agreeWithJs("amax of int32", () => tl.amax(tl.arange(12).reshape([3, 4]), { dim: 1 }), EXACT);
});

test("native argmax/argmin and max/min with indices: first occurrence, first NaN wins", () => {
  const ties = () => tl.tensor([[1, 3, 3, 0], [2, 2, 2, 2], [-1, NaN, 5, NaN], [0, -0, 0, -1]]);
  for (const op of ["argmax", "argmin"] as const) {
    agreeWithJs(`${op} ties and NaN dim 1`, () => tl[op](ties(), { dim: 1 }), EXACT);
    agreeWithJs(`${op} ties and NaN dim 0`, () => tl[op](ties(), { dim: 0 }), EXACT);
    agreeWithJs(`${op} flattened`, () => tl[op](mixed([30, 41])), EXACT);
    agreeWithJs(`${op} transposed, keepdim`, () => tl[op](mixed([30, 41]).t(), { dim: 0, keepdim: true }), EXACT);
    agreeWithJs(`${op} float64 large`, () => tl[op](mixed([200, 3000], "float64"), { dim: 1 }), EXACT);
  }
  agreeWithJs("max with indices", () => {
    const r = tl.max(mixed([6, 50]), { dim: 1 });
    return [r.values, r.indices];
  }, EXACT);
});

test("native cumsum: along every dim, strided input, float32 and float64", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const dim of [0, 1, 2]) {
      agreeWithJs(`cumsum dim ${dim} ${dtype}`, () => tl.cumsum(mixed([5, 6, 70], dtype, 1), dim), (t) => tolFor(t.dtype));
      agreeWithJs(`cumsum dim ${dim} ${dtype} transposed`, () => tl.cumsum(mixed([70, 6, 5], dtype, 1).permute([2, 1, 0]), dim), (t) => tolFor(t.dtype));
    }
  }
});
