/**
 * The native convolutions (native/src/kernels/conv.cc) against the js kernels, forward and both
 * gradients, on geometries that exercise the patch packers: strides, dilation, asymmetric padding,
 * groups (depthwise included), 1×1, depths and widths that cross the GEMM's cache blocks, batches
 * large enough to be split across threads; float32 and float64 on every compiled ISA level.
 */
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { onBackend, type Tensor } from "../../harness.js";
import { assertCloseToScale, forEachIsa, outputAndGrads, requireNative, scaleTol } from "./helpers.js";

const F = tl.nn.functional;

interface Geometry {
  name: string;
  x: number[];
  w: number[];
  options: NonNullable<Parameters<typeof F.conv2d>[3]>;
}

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
];

/** Runs fn on inputs drawn from `shapes` on js, then on native at every ISA level, and compares output and gradients. */
function agree(name: string, dtype: "float32" | "float64", shapes: number[][], fn: (...xs: Tensor[]) => Tensor): void {
  requireNative();
  tl.setBackend("js");
  tl.manualSeed(21);
  const inputs = shapes.map((s) => tl.randn(s, { dtype }));
  const reference = outputAndGrads(fn, inputs);
  tl.setBackend("native");
  const expected = reference.map((t) => onBackend(t, "native"));
  const nativeInputs = inputs.map((t) => onBackend(t, "native"));
  forEachIsa((isa) => {
    const got = outputAndGrads(fn, nativeInputs);
    got.forEach((t, i) => assertCloseToScale(t, expected[i], scaleTol(dtype), `${name} ${dtype} ${isa} ${i === 0 ? "output" : `gradient of input ${i - 1}`}`));
  });
}

for (const dtype of ["float32", "float64"] as const) {
  for (const g of geometries) {
    test(`native conv2d ${g.name} (${dtype}): forward and both gradients match js`, () => {
      agree(g.name, dtype, [g.x, g.w], (a, b) => F.conv2d(a, b, null, g.options));
    });
  }
}

for (const dtype of ["float32", "float64"] as const) {
  test(`native convTranspose2d, i.e. conv2dInputGrad as a forward op (${dtype}), matches js`, () => {
    agree("convTranspose2d", dtype, [[2, 6, 5, 7], [6, 2, 3, 3]], (a, b) => F.convTranspose2d(a, b, null, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }));
  });
}
