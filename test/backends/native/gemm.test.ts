/**
 * The native GEMM (native/src/kernels/gemm.cc) against the js matmul kernel, on shapes the op case
 * tables do not reach: sizes that cross every cache block and leave ragged register tiles,
 * transposed, sliced and broadcast operands read in place, every compiled ISA level, one thread vs
 * two.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertClose, onBackend, type Tensor } from "../../harness.js";
import { assertCloseToScale, forEachIsa, requireNative, scaleTol } from "./helpers.js";

// Two threads whatever the machine has, so the multi-threaded splits run.
tl.setNumThreads(2);

/** Runs `build` (which draws its inputs from a fixed seed) on native and on js, and compares. */
function agree(name: string, build: () => Tensor, rel: number): void {
  tl.setBackend("js");
  tl.manualSeed(11);
  const reference = build();
  tl.setBackend("native");
  const expected = onBackend(reference, "native");
  forEachIsa((isa) => {
    tl.manualSeed(11);
    const y = build();
    assert.equal(y.dtype, expected.dtype);
    assertCloseToScale(y, expected, rel, `${name} (${isa})`);
  });
}

test("native gemm: the addon is loaded and lists matmul", () => {
  const addon = requireNative();
  assert.ok(addon.listKernels().includes("matmul"));
  assert.equal(tl.getBackend().name, "native");
});

for (const dtype of ["float32", "float64"] as const) {
  const tol = scaleTol(dtype);
  const randn = (shape: number[]): Tensor => tl.randn(shape, { dtype });

  test(`native gemm: 1023×517 · 517×259 and its transposed layouts (${dtype})`, () => {
    requireNative();
    agree("nn", () => tl.matmul(randn([1023, 517]), randn([517, 259])), tol);
    agree("tn", () => tl.matmul(randn([517, 1023]).t(), randn([517, 259])), tol);
    agree("nt", () => tl.matmul(randn([1023, 517]), randn([259, 517]).t()), tol);
    agree("tt", () => tl.matmul(randn([517, 1023]).t(), randn([259, 517]).t()), tol);
  });

  test(`native gemm: ragged small shapes and vectors (${dtype})`, () => {
    requireNative();
    for (const [m, k, n] of [[1, 1, 1], [1, 300, 70], [70, 300, 1], [7, 3, 5], [9, 17, 33], [17, 1000, 31], [65, 64, 63]]) {
      agree(`${m}x${k}x${n}`, () => tl.matmul(randn([m, k]), randn([k, n])), tol);
    }
    agree("dot", () => tl.matmul(randn([257]), randn([257])), tol);
  });

  // The blockings of native/src/kernels/gemm_micro.h, every ISA level: MR = 8 / 6 / 4 rows and
  // NR = 32 / 16 / 16 columns per register tile, KC = 512 (float32 on AVX-512) / 256 depth, NC = 256
  // (float32 on AVX-512, float64) / 512 columns of B and MCL3 = 1024 / 1020 / 512 / 510 rows of A per
  // packed block.
  test(`native gemm: sizes one either side of the register tiles (${dtype})`, () => {
    requireNative();
    for (const m of [1, 3, 5, 7, 9, 13]) {
      for (const n of [15, 17, 31, 33]) agree(`${m}x37x${n}`, () => tl.matmul(randn([m, 37]), randn([37, n])), tol);
    }
  });

  test(`native gemm: sizes one either side of KC, NC and the A block (${dtype})`, () => {
    requireNative();
    agree("1025x257x513", () => tl.matmul(randn([1025, 257]), randn([257, 513])), tol);
    agree("1025x513x257", () => tl.matmul(randn([1025, 513]), randn([513, 257])), tol);
    agree("1023x511x255", () => tl.matmul(randn([1023, 511]), randn([511, 255])), tol);
    agree("67x1537x300 (several depth blocks)", () => tl.matmul(randn([67, 1537]), randn([1537, 300])), tol);
    // float32's AVX-512 blocks: KC = 1024, NC = 128, MCL3 = 512 (gemm_micro.h).
    agree("513x1025x129", () => tl.matmul(randn([513, 1025]), randn([1025, 129])), tol);
    agree("511x1023x127", () => tl.matmul(randn([511, 1023]), randn([1023, 127])), tol);
    agree("40x3073x70 (three float32 depth blocks)", () => tl.matmul(randn([40, 3073]), randn([3073, 70])), tol);
    agree("1023x255x511", () => tl.matmul(randn([1023, 255]), randn([255, 511])), tol);
    agree("1021x256x257 tn", () => tl.matmul(randn([256, 1021]).t(), randn([256, 257])), tol);
    agree("513x511x255 nt", () => tl.matmul(randn([513, 511]), randn([255, 511]).t()), tol);
    agree("2047x33x31", () => tl.matmul(randn([2047, 33]), randn([33, 31])), tol);
    agree("31x2047x3", () => tl.matmul(randn([31, 2047]), randn([2047, 3])), tol);
    agree("odd batch across the A block", () => tl.matmul(randn([3, 1030, 21]), randn([3, 21, 9])), tol);
    agree("strided A across the A block, broadcast B", () => tl.matmul(randn([2, 1030, 80]).slice(2, 0, 80, 2), randn([40, 70])), tol);
  });

  test(`native gemm: batches, broadcast batches and strided views (${dtype})`, () => {
    requireNative();
    agree("bmm", () => tl.matmul(randn([5, 37, 45]), randn([5, 45, 29])), tol);
    agree("batch · matrix", () => tl.matmul(randn([3, 37, 45]), randn([45, 29])), tol);
    agree("matrix · batch", () => tl.matmul(randn([37, 45]), randn([4, 45, 29])), tol);
    agree("broadcast [2,1] × [1,3] batches", () => tl.matmul(randn([2, 1, 9, 13]), randn([1, 3, 13, 11])), tol);
    agree("step-2 slices", () => tl.matmul(randn([40, 200]).slice(1, 0, 200, 2), randn([300, 50]).slice(0, 0, 300, 3)), tol);
    agree("expanded (stride-0) columns", () => tl.matmul(randn([33, 1]).expand([33, 40]), randn([40, 20])), tol);
    agree("permuted batch", () => tl.matmul(randn([12, 3, 10]).permute([1, 0, 2]), randn([3, 10, 7])), tol);
    // Large enough for two threads: an even batch is dealt out whole, an odd one cut item by item.
    agree("batch 6 split across threads", () => tl.matmul(randn([6, 64, 64]), randn([6, 64, 64])), tol);
    agree("batch 3 cut into slices", () => tl.matmul(randn([3, 200, 100]), randn([100, 150])), tol);
  });

  test(`native gemm: gradients through transposed views (${dtype})`, () => {
    requireNative();
    const grads = (): Tensor => {
      const a = randn([130, 70]).requiresGrad_();
      const b = randn([90, 70]).requiresGrad_();
      a.matmul(b.t()).mul(randn([130, 90])).sum().backward();
      return tl.cat([a.grad!.flatten(), b.grad!.flatten()]);
    };
    agree("d(a·bᵀ)", grads, tol);
  });
}

test("native gemm: an empty depth gives zeros, empty outputs are fine", () => {
  requireNative();
  const y = tl.matmul(tl.randn([5, 0]), tl.randn([0, 7]));
  assertClose(y, tl.zeros([5, 7]), { atol: 0, rtol: 0 });
  assert.deepEqual([...tl.matmul(tl.randn([0, 4]), tl.randn([4, 3])).shape], [0, 3]);
});

test("native gemm: int32 runs the js kernel (exact)", () => {
  requireNative();
  const a = tl.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" });
  const b = tl.tensor([[7, 8], [9, 10], [11, 12]], { dtype: "int32" });
  assert.deepEqual(tl.matmul(a, b).toArray(), [[58, 64], [139, 154]]);
});

test("native gemm: one thread and two threads give bit-identical results", () => {
  const addon = requireNative();
  const before = addon.getNumThreads();
  try {
    tl.manualSeed(3);
    // Larger than one packed A block (1024 rows), so the slices cross block edges.
    const a = tl.randn([1100, 300]);
    const b = tl.randn([300, 600]);
    tl.setNumThreads(1);
    const one = tl.matmul(a, b).dataSync();
    tl.setNumThreads(2);
    const two = tl.matmul(a, b).dataSync();
    assert.deepEqual(two, one);
  } finally {
    tl.setNumThreads(before);
  }
});

test("native gemm: small row-major products read in place are bit-identical to the packed path", () => {
  const addon = requireNative();
  const before = addon.getNumThreads();
  try {
    // Plain row-major operands, (m + n)·k within 512 KB and k within one depth block: the AVX
    // levels multiply without packing (gemm.cc, DirectRows), on one thread or split by rows. The
    // same A read through a transposed view is packed; every element must sum the same terms in
    // the same order.
    for (const threads of [1, 2]) {
      tl.setNumThreads(threads);
      forEachIsa((isa) => {
        for (const dtype of ["float32", "float64"] as const) {
          for (const [m, k, n] of [[64, 64, 64], [7, 3, 5], [33, 100, 47], [1, 256, 1], [9, 200, 130], [256, 256, 256], [64, 1000, 64], [8, 1024, 24]]) {
            tl.manualSeed(7);
            const a = tl.randn([m, k], { dtype });
            const b = tl.randn([k, n], { dtype });
            const direct = tl.matmul(a, b);
            const packed = tl.matmul(a.t().contiguous().t(), b);
            assert.deepEqual(direct.dataSync(), packed.dataSync(), `${m}x${k}x${n} ${dtype} (${isa})`);
            tl.setBackend("js");
            const reference = tl.matmul(onBackend(a, "js"), onBackend(b, "js"));
            tl.setBackend("native");
            assertCloseToScale(direct, onBackend(reference, "native"), scaleTol(dtype), `${m}x${k}x${n} ${dtype} vs js (${isa})`);
          }
        }
      });
    }
  } finally {
    tl.setNumThreads(before);
  }
});

test("native gemm: the output's old contents are overwritten, never read (beta = 0)", () => {
  requireNative();
  const kernel = tl.getBackend().kernels.get("matmul");
  assert.ok(kernel);
  for (const dtype of ["float32", "float64"] as const) {
    for (const [m, k, n] of [[64, 3, 64], [5, 0, 7], [70, 300, 33]]) {
      const a = tl.ones([1, m, k], { dtype });
      const b = tl.ones([1, k, n], { dtype });
      const out = tl.full([1, m, n], Number.NaN, { dtype });
      kernel.run([a, b], [out], {});
      assertClose(out, tl.full([1, m, n], k, { dtype }), { atol: 0, rtol: 0, message: `${m}x${k}x${n} ${dtype}` });
    }
  }
});

test("native gemm: threads that run out of slices help with the others' blocks, bit-identically", () => {
  const addon = requireNative();
  const before = addon.getNumThreads();
  try {
    tl.manualSeed(5);
    // Five items for two threads (and three): one thread finishes its slices first and takes
    // micro-rows of the block another is still on (gemm.cc, OpenBlock). Several depth blocks, so
    // helped rows add into C after the owner's earlier depth blocks.
    const a = tl.randn([5, 300, 1100]);
    const b = tl.randn([5, 1100, 280]);
    tl.setNumThreads(1);
    const single = tl.matmul(a, b);
    const one = single.dataSync();
    for (const threads of [2, 3]) {
      tl.setNumThreads(threads);
      for (let run = 0; run < 4; run++) assert.deepEqual(tl.matmul(a, b).dataSync(), one, `${threads} threads, run ${run}`);
    }
    tl.setBackend("js");
    const reference = tl.matmul(onBackend(a, "js"), onBackend(b, "js"));
    tl.setBackend("native");
    assertCloseToScale(single, onBackend(reference, "native"), scaleTol("float32"), "the product vs js");
  } finally {
    tl.setNumThreads(before);
  }
});

test("native gemm: the kernel takes 2-D operands as they are (mm), the same as their batch-of-one views", () => {
  requireNative();
  tl.manualSeed(3);
  const native = tl.getBackend().kernels.get("matmul");
  assert.ok(native);
  // Plain, transposed and sliced (row stride past the row length) 2-D operands.
  const base = tl.randn([40, 70]);
  const cases: [string, Tensor, Tensor][] = [
    ["nn", tl.randn([33, 70]), tl.randn([70, 29])],
    ["tn", tl.randn([70, 33]).t(), tl.randn([70, 29])],
    ["nt", tl.randn([33, 70]), tl.randn([29, 70]).t()],
    ["sliced", base.narrow(1, 3, 50).narrow(0, 0, 33), tl.randn([50, 29])],
  ];
  for (const [name, a, b] of cases) {
    const [m, n] = [a.shape[0], b.shape[1]];
    const flat = tl.full([m, n], Number.NaN);
    native.run([a, b], [flat], {});
    const batched = tl.full([1, m, n], Number.NaN);
    native.run([a.unsqueeze(0), b.unsqueeze(0)], [batched], {});
    assert.deepEqual(flat.dataSync(), batched.dataSync(), `${name}: 2-D vs batch of one`);
    tl.setBackend("js");
    const js = tl.getBackend().kernels.get("matmul");
    assert.ok(js);
    const reference = tl.full([m, n], Number.NaN);
    js.run([onBackend(a, "js"), onBackend(b, "js")], [reference], {});
    tl.setBackend("native");
    assertCloseToScale(flat, onBackend(reference, "native"), scaleTol("float32"), `${name}: native vs js`);
  }
  // Operands of different ranks are the caller's bug: the kernel refuses them rather than guess.
  assert.throws(() => native.run([tl.randn([1, 4, 5]), tl.randn([5, 6])], [tl.zeros([1, 4, 6])], {}), /wrong number or kind of tensors/);
  assert.throws(() => native.run([tl.randn([4, 5]), tl.randn([6, 7])], [tl.zeros([4, 7])], {}), /wrong number or kind of tensors/);
});
