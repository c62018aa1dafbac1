/**
 * The direct engine's channel-lane tiles (native/src/kernels/conv_lanes.h: output channels in the
 * vector lanes, tiles along one output row) against the js kernels. They run for float32 on the
 * AVX-512 and AVX2 levels when the reduction is ≥ 64 deep (here ≥ 8 channels of a 3 × 3 kernel) and
 * the channel count fills most of its vectors, for conv2d and conv2dInputGrad alike; the geometries
 * below cross their edges: every row width from 1 to 40 (one segment up to 12 columns on AVX-512,
 * 6 on AVX2, then several of uneven widths), channel counts off the 16/32-lane panels, stride 2
 * (phase planes, strided gradient stores), groups, dilation, bias, single images split across
 * threads, and float64 (which keeps the position-lane tiles) for the same shapes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { Tensor } from "../../harness.js";
import { assertCloseToScale, type ConvGeometry as Geometry, forEachIsa, outputAndGradsAgree, requireNative, withoutWinograd } from "./helpers.js";

const F = tl.nn.functional;

// Two threads, so single images are split across threads and batches take the prefetching path.
tl.setNumThreads(2);

/**
 * fn's output and gradients on native, every ISA level, against js (helpers.ts), with conv2d's
 * Winograd path off: these 3 × 3 stride-1 float32 geometries would take it, and the lanes must stay
 * tested (they run when it is off, and redo a convolution whose Winograd output is not finite).
 */
function agree(name: string, dtype: "float32" | "float64", shapes: number[][], fn: (...xs: Tensor[]) => Tensor): void {
  withoutWinograd(() => outputAndGradsAgree(name, dtype, shapes, fn, 33));
}

test("native conv2d on channel-lane tiles, every row width 1–40: forward and both gradients match js", () => {
  for (let w = 1; w <= 40; w++) {
    // 8 → 24 channels: k = 72 forward, 24 · 9 = 216 for the input gradient (m = 8 there: too
    // few channels for the lanes, so the gradient also checks the fallback on the same shapes).
    agree(`width ${w}`, "float32", [[2, 8, 3, w], [24, 8, 3, 3]], (a, b) => F.conv2d(a, b, null, { padding: 1 }));
    // 16 → 16: both directions on the lanes, one 16-lane panel (AVX-512) or two 8-lane vectors (AVX2).
    agree(`width ${w}, 16 → 16`, "float32", [[1, 16, 2, w], [16, 16, 3, 3]], (a, b) => F.conv2d(a, b, null, { padding: 1 }));
  }
});

const geometries: Geometry[] = [
  { name: "13 → 13 channels (one partly filled vector)", x: [3, 13, 9, 11], w: [13, 13, 3, 3], options: { padding: 1 } },
  { name: "24 → 40 channels (panels of 32 + 8)", x: [2, 24, 7, 10], w: [40, 24, 3, 3], options: { padding: 1 } },
  { name: "40 → 33 channels", x: [2, 40, 5, 6], w: [33, 40, 3, 3], options: { padding: 1 } },
  { name: "64 → 64 on 8 × 8, batch 5", x: [5, 64, 8, 8], w: [64, 64, 3, 3], options: { padding: 1 } },
  { name: "32 → 64, 13 × 13 without padding", x: [3, 32, 13, 13], w: [64, 32, 3, 3], options: {} },
  { name: "stride 2, 16 → 32", x: [2, 16, 16, 16], w: [32, 16, 3, 3], options: { stride: 2, padding: 1 } },
  { name: "stride 2 on odd sizes, 32 → 48", x: [2, 32, 15, 13], w: [48, 32, 3, 3], options: { stride: 2, padding: 1 } },
  { name: "stride (1, 2), asymmetric padding", x: [2, 16, 9, 19], w: [24, 16, 3, 3], options: { stride: [1, 2], padding: [2, 0] } },
  { name: "dilation 2", x: [2, 16, 12, 14], w: [32, 16, 3, 3], options: { padding: 2, dilation: 2 } },
  { name: "groups 2 (8 channels per group)", x: [2, 16, 10, 12], w: [32, 8, 3, 3], options: { padding: 1, groups: 2 } },
  { name: "5 × 5 kernel, 4 channels (k = 100)", x: [2, 4, 12, 12], w: [16, 4, 5, 5], options: { padding: 2 } },
  { name: "input 1 wide, stride 2 (an empty column phase of the input gradient)", x: [2, 16, 5, 1], w: [16, 16, 3, 3], options: { stride: 2, padding: 1 } },
  { name: "input 2 × 3, stride 3 (empty row and column phases)", x: [2, 16, 2, 3], w: [24, 16, 3, 3], options: { stride: 3, padding: 1 } },
  // Input gradients of ≥ 2 · threads images run image by image, each image's stride phases in one
  // block on one thread, every phase's weights in its own packed slot (or, when the phases' weights
  // together pass the packed block, one slot repacked as the phase changes: 300 channels).
  { name: "stride 2, batch 5 (phase blocks)", x: [5, 16, 12, 12], w: [32, 16, 3, 3], options: { stride: 2, padding: 1 } },
  { name: "stride 3, batch 4 (nine-phase blocks, some phases empty)", x: [4, 16, 7, 8], w: [16, 16, 3, 3], options: { stride: 3, padding: 1 } },
  { name: "stride 2, batch 4, 300 channels (one shared A slot)", x: [4, 16, 6, 6], w: [300, 16, 3, 3], options: { stride: 2, padding: 1 } },
  { name: "one 32 × 40 image (threads split its row segments)", x: [1, 16, 32, 40], w: [32, 16, 3, 3], options: { padding: 1 } },
  { name: "batch 7 of 16 × 16 (units across threads, prefetching)", x: [7, 16, 16, 16], w: [16, 16, 3, 3], options: { padding: 1 } },
];

for (const dtype of ["float32", "float64"] as const) {
  for (const g of geometries) {
    test(`native conv2d ${g.name} (${dtype}): forward and both gradients match js`, () => {
      agree(g.name, dtype, [g.x, g.w], (a, b) => F.conv2d(a, b, null, g.options));
    });
  }
  test(`native conv2d with bias on channel-lane tiles (${dtype}): forward and all three gradients match js`, () => {
    for (const g of [geometries[0], geometries[1], geometries[6], geometries[9]]) {
      agree(`${g.name} bias`, dtype, [g.x, g.w, [g.w[0]]], (a, b, c) => F.conv2d(a, b, c, g.options));
    }
  });
}

// conv2d and conv2dInputGrad declare `overwrites` (src/backends/native/kernels/conv.ts): their
// outputs are not zeroed before the call, so every path must write every element.
test("native conv2d and conv2dInputGrad on channel-lane tiles overwrite NaN-filled outputs", () => {
  requireNative();
  tl.setBackend("native");
  const kernels = tl.getBackend().kernels;
  tl.manualSeed(9);
  const cases: [string, Tensor[], number[], Record<string, unknown>][] = [];
  for (const [x, w, s, p] of [[[2, 64, 8, 8], [64, 64, 3, 3], 1, 1], [[2, 16, 15, 13], [40, 16, 3, 3], 2, 1], [[1, 24, 9, 30], [13, 24, 3, 3], 1, 0]] as const) {
    const attrs = { stride: [s, s], padding: [p, p, p, p], dilation: [1, 1], groups: 1 };
    const ho = Math.floor((x[2] + 2 * p - 3) / s) + 1, wo = Math.floor((x[3] + 2 * p - 3) / s) + 1;
    const xt = tl.randn([...x]), wt = tl.randn([...w]), gy = tl.randn([x[0], w[0], ho, wo]);
    cases.push(["conv2d", [xt, wt], [x[0], w[0], ho, wo], attrs]);
    cases.push(["conv2d", [xt, wt, tl.randn([w[0]])], [x[0], w[0], ho, wo], attrs]);
    cases.push(["conv2dInputGrad", [gy, wt], [...x], attrs]);
  }
  withoutWinograd(() => forEachIsa((isa) => {
    for (const [name, inputs, shape, attrs] of cases) {
      const kernel = kernels.get(name);
      assert.ok(kernel?.overwrites === true, `${name} declares overwrites`);
      const clean = tl.zeros(shape);
      kernel.run(inputs, [clean], attrs);
      const dirty = tl.full(shape, Number.NaN);
      kernel.run(inputs, [dirty], attrs);
      assertCloseToScale(dirty, clean, 0, `${name} ${isa} ${shape.join("×")}`);
      assert.ok(!Array.from(clean.dataSync() as Float32Array).some(Number.isNaN), `${name} ${isa}`);
    }
  }));
});
