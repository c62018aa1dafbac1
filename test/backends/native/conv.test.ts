/**
 * The native convolutions (native/src/kernels/conv.cc) against the js kernels, forward and both
 * gradients, on geometries that exercise the patch packers: strides, dilation, asymmetric padding,
 * groups (depthwise included), 1×1, depths and widths that cross the GEMM's cache blocks, batches
 * large enough to be split across threads; float32 and float64 on every compiled ISA level.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { Tensor } from "../../harness.js";
import { assertCloseToScale, type ConvGeometry as Geometry, forEachIsa, outputAndGradsAgree, requireNative } from "./helpers.js";
import { conv2dRelu } from "../../../src/ops/conv.js";

const F = tl.nn.functional;

// Two threads whatever the machine has, so the multi-threaded splits run (the two large geometries
// below are big enough to be split).
tl.setNumThreads(2);

const geometries: Geometry[] = [
  { name: "3×3 pad 1", x: [2, 3, 11, 13], w: [5, 3, 3, 3], options: { padding: 1 } },
  { name: "stride (2,3), dilation (2,1), groups 2", x: [2, 4, 17, 15], w: [6, 2, 3, 5], options: { stride: [2, 3], padding: [1, 2], dilation: [2, 1], groups: 2 } },
  { name: "depthwise stride 2", x: [3, 8, 9, 9], w: [8, 1, 3, 3], options: { stride: 2, padding: 1, groups: 8 } },
  { name: "depthwise ×2 multiplier", x: [2, 4, 6, 7], w: [8, 1, 3, 3], options: { padding: 1, groups: 4 } },
  { name: "pointwise 1×1", x: [2, 16, 7, 7], w: [24, 16, 1, 1], options: {} },
  { name: "pointwise grouped", x: [2, 12, 5, 6], w: [9, 4, 1, 1], options: { groups: 3 } },
  { name: "1×1 stride 2", x: [2, 6, 8, 8], w: [4, 6, 1, 1], options: { stride: 2 } },
  { name: "same, even kernel (asymmetric padding)", x: [1, 3, 10, 9], w: [4, 3, 4, 4], options: { padding: "same" } },
  { name: "32×32 image (several column blocks)", x: [1, 3, 32, 32], w: [16, 3, 3, 3], options: { padding: 1 } },
  { name: "deep (K = 360 > one depth block)", x: [2, 40, 6, 6], w: [36, 40, 3, 3], options: { padding: 1 } },
  { name: "batch 9 (split across threads)", x: [9, 3, 10, 10], w: [4, 3, 3, 3], options: {} },
  { name: "kernel as large as the padded input", x: [2, 2, 4, 5], w: [3, 2, 6, 7], options: { padding: 1 } },
  { name: "stride larger than the kernel", x: [2, 3, 13, 11], w: [5, 3, 2, 2], options: { stride: 3, padding: [0, 1] } },
  { name: "batch 8 of 16×20×20 (threads split images)", x: [8, 16, 20, 20], w: [16, 16, 3, 3], options: { padding: 1 } },
  { name: "one 16×40×40 image (threads split each image's tiles)", x: [1, 16, 40, 40], w: [16, 16, 3, 3], options: { padding: 1 } },
  { name: "1×1 stride 2 with dilation (one phase of four read)", x: [2, 5, 9, 9], w: [3, 5, 1, 1], options: { stride: 2, dilation: 2 } },
  { name: "stride 2, 300 output channels (gradient phases deeper than one pass, 20-wide strided stores)", x: [1, 4, 12, 40], w: [300, 4, 3, 3], options: { stride: 2, padding: 1 } },
  { name: "stride 9 (past the direct engines' 8: the GEMM path)", x: [2, 3, 20, 21], w: [4, 3, 2, 3], options: { stride: 9, padding: 1 } },
];

/** fn's output and gradients on native, every ISA level, against js (helpers.ts). */
function agree(name: string, dtype: "float32" | "float64", shapes: number[][], fn: (...xs: Tensor[]) => Tensor): void {
  outputAndGradsAgree(name, dtype, shapes, fn, 21);
}

for (const dtype of ["float32", "float64"] as const) {
  for (const g of geometries) {
    test(`native conv2d ${g.name} (${dtype}): forward and both gradients match js`, () => {
      agree(g.name, dtype, [g.x, g.w], (a, b) => F.conv2d(a, b, null, g.options));
    });
  }
}

// conv2dRelu (Sequential's Conv2d + ReLU) is the conv2d kernel storing x > 0 ? x : 0: the same
// bits as relu(conv2d(...)) on native at every ISA level, for every geometry and dtype, and the
// same values as js (outputAndGradsAgree).
for (const dtype of ["float32", "float64"] as const) {
  test(`native conv2dRelu (${dtype}) equals relu(conv2d) bit for bit on every geometry and ISA level, and matches js`, () => {
    requireNative();
    for (const g of geometries) {
      tl.manualSeed(4);
      const x = tl.randn(g.x, { dtype });
      const w = tl.randn(g.w, { dtype });
      const b = tl.randn([g.w[0]], { dtype });
      forEachIsa((isa) => {
        const fused = conv2dRelu(x, w, b, g.options).dataSync();
        const separate = F.conv2d(x, w, b, g.options).relu().dataSync();
        assert.deepEqual(Array.from(fused), Array.from(separate), `${g.name} ${isa}`);
      });
      outputAndGradsAgree(`${g.name} fused ReLU`, dtype, [g.x, g.w], (a, c) => conv2dRelu(a, c, null, g.options), 31);
    }
  });
}

// conv2d with a bias takes it as a third kernel input, added as each output tile is first stored
// (direct engines) or preloaded into the output (GEMM path); the bias gradient is gy summed.
const biased: Geometry[] = [
  geometries[0], // 3×3 pad 1
  geometries[1], // strided, dilated, grouped
  geometries[4], // pointwise: the GEMM path
  geometries[9], // K past one depth block: the bias is added in the first block only
  { name: "8×8, 64 positions (a half-width last tile)", x: [3, 8, 8, 8], w: [16, 8, 3, 3], options: { padding: 1 } },
];
for (const dtype of ["float32", "float64"] as const) {
  for (const g of biased) {
    test(`native conv2d with bias, ${g.name} (${dtype}): forward and all three gradients match js`, () => {
      agree(`${g.name} bias`, dtype, [g.x, g.w, [g.w[0]]], (a, b, c) => F.conv2d(a, b, c, g.options));
    });
  }
}

test("native conv2d on images too large for the direct engines' scratch (the packing GEMM path) matches js", () => {
  // 8 × 902 × 162 float32 planes are 4.7 MB, past the 4 MB per-thread scratch of conv_direct.h, so
  // all three kernels take the GEMM path with patch packers (conv_pack.h).
  agree("large image", "float32", [[1, 8, 900, 160], [8, 8, 3, 3]], (a, b) => F.conv2d(a, b, null, { padding: 1 }));
  agree("large image, bias", "float32", [[1, 8, 900, 160], [8, 8, 3, 3], [8]], (a, b, c) => F.conv2d(a, b, c, { padding: 1 }));
});

for (const dtype of ["float32", "float64"] as const) {
  test(`native convTranspose2d, i.e. conv2dInputGrad as a forward op (${dtype}), matches js`, () => {
    agree("convTranspose2d", dtype, [[2, 6, 5, 7], [6, 2, 3, 3]], (a, b) => F.convTranspose2d(a, b, null, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }));
  });
}

test("native conv kernels overwrite their outputs, never read them (NaN-filled outputs)", () => {
  requireNative();
  const kernels = tl.getBackend().kernels;
  const attrs = { stride: [2, 2], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 };
  tl.manualSeed(5);
  const x = tl.randn([2, 3, 9, 9]);
  const w = tl.randn([4, 3, 3, 3]);
  const gy = tl.randn([2, 4, 5, 5]);
  const calls: [string, Tensor[], number[]][] = [
    ["conv2d", [x, w], [2, 4, 5, 5]],
    ["conv2d", [x, w, tl.randn([4])], [2, 4, 5, 5]],
    ["conv2dInputGrad", [gy, w], [2, 3, 9, 9]],
    ["conv2dWeightGrad", [x, gy], [4, 3, 3, 3]],
  ];
  for (const [name, inputs, shape] of calls) {
    const kernel = kernels.get(name);
    assert.ok(kernel, name);
    const clean = tl.zeros(shape);
    kernel.run(inputs, [clean], attrs);
    const dirty = tl.full(shape, Number.NaN);
    kernel.run(inputs, [dirty], attrs);
    assertCloseToScale(dirty, clean, 0, name);
    assert.ok(!Array.from(clean.dataSync() as Float32Array).some(Number.isNaN), name);
  }
});
