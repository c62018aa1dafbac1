/**
 * The native indexing kernels (native/src/kernels/index.cc, mask.cc) against the js reference: gather,
 * scatterAdd, indexSelect, takeAlongDim, maskedFill, oneHot, tril/triu over every dim (negative
 * dims too), contiguous / transposed / sliced inputs and indices, float32/float64/int32/bool,
 * empty tensors, repeated indices, sizes that split across threads, and every ISA level. All of
 * them move or add values in the js kernels' order, so every comparison is bit-exact.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { indexKernels } from "../../../src/backends/native/kernels/index.js";
import { EXACT, agreeWithJs, type Tensor } from "./compare.js";
import { requireNative } from "./helpers.js";
import { DTYPES, LAYOUTS, kernel, nativeStatus, values } from "./layouts.js";

requireNative();

const DIMS3 = [0, 1, 2, -1, -2, -3];
const norm = (d: number, n: number): number => (d < 0 ? d + n : d);

/** Seeded int32 indices in [0, high) of `shape`, laid out contiguously or with reversed strides. */
function indices(shape: number[], high: number, layout: "contiguous" | "transposed" = "contiguous"): Tensor {
  if (layout === "contiguous") return tl.randint(0, high, shape);
  const rev = shape.map((_, i) => shape.length - 1 - i);
  return tl.randint(0, high, [...shape].reverse()).permute(rev);
}

const INDEX_LAYOUTS = ["contiguous", "transposed"] as const;

test("native index kernels: every kernel is native for every dtype; float indices run the js kernel", () => {
  const addon = requireNative();
  const names = addon.listKernels();
  for (const name of Object.keys(indexKernels)) assert.ok(names.includes(name), `the addon lists ${name}`);
  for (const dtype of DTYPES) {
    const x = values([4, 5], dtype);
    const idx = tl.randint(0, 4, [3, 5]);
    const out = tl.zeros([3, 5], { dtype });
    assert.equal(nativeStatus("gather", [x, idx], [out], indexKernels.gather, { dim: 0 }), 0, `gather ${dtype}`);
    const sum = tl.zeros([4, 5], { dtype });
    assert.equal(nativeStatus("scatterAdd", [x, idx, values([3, 5], dtype)], [sum], indexKernels.scatterAdd, { dim: 0 }), 0, `scatterAdd ${dtype}`);
    assert.equal(nativeStatus("indexSelect", [x, tl.tensor([1, 0, 3], { dtype: "int32" })], [out], indexKernels.indexSelect, { dim: 0 }), 0);
    assert.equal(nativeStatus("maskedFill", [x, tl.gt(tl.randn([4, 5]), 0)], [sum], indexKernels.maskedFill, { value: 1 }), 0);
    assert.equal(nativeStatus("tril", [x], [sum], indexKernels.tril, { diagonal: 0 }), 0, `tril ${dtype}`);
    assert.equal(nativeStatus("takeAlongDim", [x, tl.randint(0, 5, [4])], [tl.zeros([4], { dtype })], indexKernels.takeAlongDim, { dim: 1 }), 0);
  }
  assert.equal(nativeStatus("oneHot", [tl.tensor([1, 0], { dtype: "int32" })], [tl.zeros([2, 3], { dtype: "int32" })], indexKernels.oneHot, { numClasses: 3 }), 0);
  // The ops cast indices to int32; a float index reaching the kernel is the js kernel's to handle.
  const fidx = tl.tensor([[1, 0, 2, 3, 1]]);
  assert.equal(nativeStatus("gather", [values([4, 5]), fidx], [tl.zeros([1, 5])], indexKernels.gather, { dim: 0 }), 7);
  agreeWithJs("gather kernel with a float32 index (js fallback)", () => kernel("gather", [values([4, 5]), tl.tensor([[1, 0, 2, 3, 1]])], [1, 5], "float32", { dim: 0 }), EXACT);
  // Out-of-range indices are refused, not read.
  assert.equal(nativeStatus("gather", [values([4, 5]), tl.tensor([[4, 0, 0, 0, 0]], { dtype: "int32" })], [tl.zeros([1, 5])], indexKernels.gather, { dim: 0 }), 4);
  assert.equal(nativeStatus("indexSelect", [values([4, 5]), tl.tensor([-1], { dtype: "int32" })], [tl.zeros([1, 5])], indexKernels.indexSelect, { dim: 0 }), 4);
});

test("native gather: every dim, layouts of x and index, every dtype, float indices, empty and large", () => {
  const shape = [5, 6, 7];
  for (const dim of DIMS3) {
    const d = norm(dim, 3);
    const ishape = shape.map((n, k) => (k === d ? 4 : n - 1));
    for (const [label, make] of LAYOUTS) {
      for (const il of INDEX_LAYOUTS) {
        for (const dtype of DTYPES) {
          agreeWithJs(`gather dim ${dim} x ${label} index ${il} ${dtype}`, () => tl.gather(make(shape, dtype), dim, indices(ishape, shape[d], il)), EXACT);
        }
      }
    }
  }
  agreeWithJs("gather with a float index", () => tl.gather(values([3, 4]), 1, tl.tensor([[3, 0], [1, 1], [2, 0]])), EXACT);
  agreeWithJs("gather with an empty index", () => tl.gather(values([3, 4]), 1, tl.zeros([3, 0], { dtype: "int32" })), EXACT);
  agreeWithJs("gather of a 1-D x", () => tl.gather(values([9]), 0, tl.randint(0, 9, [20])), EXACT);
  agreeWithJs("gather large (two threads) dim 1", () => tl.gather(values([300, 500]), 1, indices([300, 400], 500)), EXACT);
  agreeWithJs("gather large dim 0, index rows constant (row copies)", () => tl.gather(values([2000, 64]), 0, tl.randint(0, 2000, [3000, 1]).expand([3000, 64])), EXACT);
});

test("native scatterAdd: every dim, repeated indices, src larger than index, layouts, every dtype", () => {
  const shape = [5, 6, 7];
  for (const dim of DIMS3) {
    const d = norm(dim, 3);
    // Index longer than x along dim with few distinct values: many repeats.
    const ishape = shape.map((n, k) => (k === d ? 9 : n - 1));
    const sshape = ishape.map((n) => n + 1);
    for (const [label, make] of LAYOUTS) {
      for (const il of INDEX_LAYOUTS) {
        for (const dtype of DTYPES) {
          agreeWithJs(`scatterAdd dim ${dim} ${label} index ${il} ${dtype}`,
            () => tl.scatterAdd(make(shape, dtype), dim, indices(ishape, Math.min(3, shape[d]), il), make(sshape, dtype)), EXACT);
        }
      }
    }
  }
  agreeWithJs("scatterAdd with an empty index", () => tl.scatterAdd(values([3, 4]), 0, tl.zeros([0, 4], { dtype: "int32" }), values([2, 4])), EXACT);
  agreeWithJs("scatterAdd into a 1-D x, all to one place", () => tl.scatterAdd(values([4]), 0, tl.zeros([50], { dtype: "int32" }).add(2), values([50])), EXACT);
  agreeWithJs("scatterAdd float index", () => tl.scatterAdd(values([3, 4]), 1, tl.tensor([[0, 0], [3, 1], [2, 2]]), values([3, 2])), EXACT);
  // The embedding gradient: whole rows of src added into rows of x (index expanded along the row).
  agreeWithJs("scatterAdd embedding rows (two threads)", () => {
    const rows = tl.randint(0, 500, [3000, 1]).expand([3000, 64]);
    return tl.scatterAdd(tl.zeros([500, 64]), 0, rows, values([3000, 64]));
  }, EXACT);
  agreeWithJs("scatterAdd large dim 1", () => tl.scatterAdd(values([400, 300]), 1, indices([400, 300], 300, "transposed"), values([400, 300])), EXACT);
  agreeWithJs("scatterAdd large float64 dim 0", () => tl.scatterAdd(values([50, 300], "float64"), 0, indices([400, 300], 50), values([400, 300], "float64")), EXACT);
});

test("native indexSelect: every dim, repeats, sliced and 0-d index, layouts, dtypes, embedding-sized", () => {
  const shape = [5, 6, 7];
  for (const dim of DIMS3) {
    const d = norm(dim, 3);
    for (const [label, make] of LAYOUTS) {
      for (const dtype of DTYPES) {
        agreeWithJs(`indexSelect dim ${dim} ${label} ${dtype}`, () => tl.indexSelect(make(shape, dtype), dim, tl.randint(0, shape[d], [8])), EXACT);
      }
      agreeWithJs(`indexSelect dim ${dim} ${label} sliced index`, () => tl.indexSelect(make(shape), dim, tl.randint(0, shape[d], [9]).slice(0, 1, null, 2)), EXACT);
    }
  }
  agreeWithJs("indexSelect with a 0-d index", () => tl.indexSelect(values([4, 5]), 1, tl.tensor(3, { dtype: "int32" })), EXACT);
  agreeWithJs("indexSelect with an empty index", () => tl.indexSelect(values([4, 5]), 0, tl.zeros([0], { dtype: "int32" })), EXACT);
  agreeWithJs("indexSelect float index", () => tl.indexSelect(values([4, 5]), 0, tl.tensor([3, 3, 0])), EXACT);
  agreeWithJs("indexSelect 4096 rows of a [10000, 128] table", () => tl.indexSelect(values([10000, 128]), 0, tl.randint(0, 10000, [4096])), EXACT);
  agreeWithJs("indexSelect large dim 1", () => tl.indexSelect(values([300, 400]), -1, tl.randint(0, 400, [500])), EXACT);
});

test("native takeAlongDim: max/min values over every dim and layout, keepdim, direct calls of every dtype", () => {
  const shape = [5, 6, 7];
  for (const dim of DIMS3) {
    for (const [label, make] of LAYOUTS) {
      for (const keepdim of [false, true]) {
        agreeWithJs(`max dim ${dim} ${label} keepdim ${keepdim}`, () => {
          const r = tl.max(make(shape), { dim, keepdim });
          return [r.values, r.indices];
        }, EXACT);
        agreeWithJs(`min int32 dim ${dim} ${label} keepdim ${keepdim}`, () => tl.min(make(shape, "int32"), { dim, keepdim }).values, EXACT);
      }
      for (const dtype of DTYPES) {
        const d = norm(dim, 3);
        const reduced = shape.filter((_, k) => k !== d);
        const kept = shape.map((n, k) => (k === d ? 1 : n));
        agreeWithJs(`takeAlongDim kernel dim ${d} ${label} ${dtype}`, () => kernel("takeAlongDim", [make(shape, dtype), indices(reduced, shape[d], "transposed")], reduced, dtype, { dim: d }), EXACT);
        agreeWithJs(`takeAlongDim kernel keepdim dim ${d} ${label} ${dtype}`, () => kernel("takeAlongDim", [make(shape, dtype), indices(kept, shape[d])], kept, dtype, { dim: d }), EXACT);
      }
    }
  }
  agreeWithJs("max over a large dim 1", () => tl.max(values([300, 500]), { dim: 1 }).values, EXACT);
});

test("native maskedFill: broadcast masks, layouts, special values, every dtype, large", () => {
  const shape = [4, 5, 6];
  const FILL: Record<tl.DType, number[]> = { float32: [-Infinity, NaN, 2.5, -0], float64: [1e-310, -7.25], int32: [7, -2147483648], bool: [1, 0] };
  for (const [label, make] of LAYOUTS) {
    for (const dtype of DTYPES) {
      for (const value of FILL[dtype]) {
        for (const mshape of [shape, [5, 1], [1, 6], [4, 1, 6]]) {
          agreeWithJs(`maskedFill ${label} ${dtype} ${value} mask [${mshape}]`, () => tl.maskedFill(make(shape, dtype), tl.gt(tl.randn(mshape), 0), value), EXACT);
        }
      }
    }
  }
  agreeWithJs("maskedFill with a transposed mask", () => tl.maskedFill(values([30, 40]), tl.gt(tl.randn([40, 30]), 0).t(), -1), EXACT);
  agreeWithJs("maskedFill large (two threads)", () => tl.maskedFill(values([300, 400]), tl.gt(tl.randn([300, 400]), 0), -1e9), EXACT);
  agreeWithJs("maskedFill empty", () => tl.maskedFill(values([0, 4]), tl.gt(tl.randn([0, 4]), 0), 1), EXACT);
});

test("native oneHot: shapes, strided indices, large", () => {
  agreeWithJs("oneHot [7] of 10", () => tl.oneHot(tl.randint(0, 10, [7]), 10), EXACT);
  agreeWithJs("oneHot [3, 4] inferred classes", () => tl.oneHot(tl.randint(0, 6, [3, 4])), EXACT);
  agreeWithJs("oneHot transposed [5, 6]", () => tl.oneHot(indices([5, 6], 4, "transposed"), 4), EXACT);
  agreeWithJs("oneHot 0-d", () => tl.oneHot(tl.tensor(2, { dtype: "int32" }), 3), EXACT);
  agreeWithJs("oneHot float indices", () => tl.oneHot(tl.tensor([2, 0, 1]), 3), EXACT);
  agreeWithJs("oneHot 4096 of 1000", () => tl.oneHot(tl.randint(0, 1000, [4096]), 1000), EXACT);
});

test("native tril/triu: diagonals, batches, layouts, every dtype, large", () => {
  for (const shape of [[6, 8], [8, 6], [3, 7, 5], [2, 1, 4, 4]]) {
    for (const [label, make] of LAYOUTS) {
      for (const dtype of DTYPES) {
        for (const diagonal of [-10, -2, -1, 0, 1, 3, 10, 1e9, -1e9]) {
          agreeWithJs(`tril [${shape}] ${label} ${dtype} diagonal ${diagonal}`, () => tl.tril(make(shape, dtype), diagonal), EXACT);
          agreeWithJs(`triu [${shape}] ${label} ${dtype} diagonal ${diagonal}`, () => tl.triu(make(shape, dtype), diagonal), EXACT);
        }
      }
    }
  }
  agreeWithJs("tril empty", () => tl.tril(values([0, 3])), EXACT);
  agreeWithJs("tril large (two threads)", () => tl.tril(values([40, 100, 100]), 1), EXACT);
  agreeWithJs("triu large transposed", () => tl.triu(values([100, 100, 40]).permute([2, 0, 1]), -3), EXACT);
});
