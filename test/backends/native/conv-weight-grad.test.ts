/**
 * The native conv2dWeightGrad kernel against the js kernel, called directly (no forward pass), on
 * every compiled ISA level and float32/float64. RunDot (native/src/kernels/conv_dot*.cc) has three
 * engines and picks one per geometry: outer-product tiles reading x itself (input channels per group
 * enough to fill a tile), outer-product tiles over padded planes (few input channels), and the
 * row-dot engine (output channels too few to fill a vector, or fewer images than threads). The
 * cases below reach each of them: plane widths 1–40, channel counts off every tile size, strides,
 * dilation, groups, padding wider than the kernel reaches, batch 1 and odd batches.
 */
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { getOp } from "../../../src/engine/dispatch.js";
import { onBackend, type Tensor } from "../../harness.js";
import { assertCloseToScale, forEachIsa, requireNative, scaleTol } from "./helpers.js";

const weightGrad = getOp<Record<string, unknown>>("conv2dWeightGrad");

interface Case {
  name: string;
  n: number; c: number; h: number; w: number; o: number; kh: number; kw: number;
  stride?: [number, number];
  padding?: [number, number, number, number];
  dilation?: [number, number];
  groups?: number;
}

/** Output size along one axis, as conv2d computes it. */
function out(size: number, k: number, pad: number, stride: number, dilation: number): number {
  return Math.floor((size + pad - dilation * (k - 1) - 1) / stride) + 1;
}

/** conv2dWeightGrad on js, then on native at every ISA level with `threads` threads, compared. */
function agree(k: Case, dtype: "float32" | "float64", threads: number): void {
  requireNative();
  const stride = k.stride ?? [1, 1];
  const padding = k.padding ?? [0, 0, 0, 0];
  const dilation = k.dilation ?? [1, 1];
  const groups = k.groups ?? 1;
  const ho = out(k.h, k.kh, padding[0] + padding[1], stride[0], dilation[0]);
  const wo = out(k.w, k.kw, padding[2] + padding[3], stride[1], dilation[1]);
  const attrs = { stride, padding, dilation, groups, kernelSize: [k.kh, k.kw] };
  tl.setBackend("js");
  tl.manualSeed(k.n * 1000 + k.c * 10 + k.w);
  const x = tl.randn([k.n, k.c, k.h, k.w], { dtype });
  const gy = tl.randn([k.n, k.o, ho, wo], { dtype });
  const expected = weightGrad([x, gy], attrs) as Tensor;
  tl.setBackend("native");
  const xs = onBackend(x, "native");
  const gys = onBackend(gy, "native");
  const want = onBackend(expected, "native");
  const before = tl.getNumThreads();
  tl.setNumThreads(threads);
  try {
    forEachIsa((isa) => {
      const got = weightGrad([xs, gys], attrs) as Tensor;
      assertCloseToScale(got, want, scaleTol(dtype), `${k.name} ${dtype} ${isa} ${threads} threads`);
    });
  } finally {
    tl.setNumThreads(before);
  }
}

// Every plane width 1–40 under a 3×3 "same" kernel: with 8 input channels (direct tiles) and with
// 3 (plane tiles), 16 output channels, an odd batch.
const widths: Case[] = [];
for (let w = 1; w <= 40; w++) {
  widths.push({ name: `width ${w}, 8→16`, n: 3, c: 8, h: 4, w, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1] });
  widths.push({ name: `width ${w}, 3→16`, n: 3, c: 3, h: 3, w, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1] });
}

const shapes: Case[] = [
  // Output channels off the vector width (16 float32 / 8 float64 lanes on AVX-512) and the tile
  // heights; input channels off every tile width (6, 8, 10).
  { name: "17→33", n: 5, c: 17, h: 7, w: 9, o: 33, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "13→47", n: 3, c: 13, h: 6, w: 6, o: 47, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "37→80 (five vectors: tiles of 4 and 1)", n: 2, c: 37, h: 5, w: 5, o: 80, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "64→64 on 8×8 (ResNet's last stage)", n: 5, c: 64, h: 8, w: 8, o: 64, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "11→5 (few outputs: the row engine)", n: 3, c: 11, h: 9, w: 10, o: 5, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "1→32 no padding (LeNet's first layer)", n: 3, c: 1, h: 12, w: 12, o: 32, kh: 3, kw: 3 },
  { name: "32→64 no padding, odd size", n: 3, c: 32, h: 13, w: 13, o: 64, kh: 3, kw: 3 },
  // Strides, dilation, asymmetric padding, groups.
  { name: "stride 2, 16→32", n: 3, c: 16, h: 11, w: 12, o: 32, kh: 3, kw: 3, stride: [2, 2], padding: [1, 1, 1, 1] },
  { name: "stride (2,3), 3→16", n: 3, c: 3, h: 11, w: 13, o: 16, kh: 3, kw: 3, stride: [2, 3], padding: [1, 1, 1, 1] },
  { name: "1×1 stride 2, 16→32", n: 3, c: 16, h: 10, w: 10, o: 32, kh: 1, kw: 1, stride: [2, 2] },
  { name: "1×1, 24→20", n: 3, c: 24, h: 5, w: 7, o: 20, kh: 1, kw: 1 },
  { name: "dilation 2, 12→16", n: 3, c: 12, h: 9, w: 11, o: 16, kh: 3, kw: 3, dilation: [2, 2], padding: [2, 2, 2, 2] },
  { name: "dilation (1,3), stride 2, 10→24", n: 3, c: 10, h: 12, w: 14, o: 24, kh: 3, kw: 2, stride: [2, 2], dilation: [1, 3], padding: [0, 1, 2, 0] },
  { name: "asymmetric padding, even kernel", n: 3, c: 9, h: 7, w: 8, o: 17, kh: 4, kw: 4, padding: [1, 2, 2, 1] },
  { name: "kernel wider than the image (taps wholly in padding)", n: 3, c: 8, h: 3, w: 2, o: 16, kh: 5, kw: 5, padding: [2, 2, 3, 3] },
  { name: "groups 2, 16→32", n: 3, c: 16, h: 6, w: 7, o: 32, kh: 3, kw: 3, padding: [1, 1, 1, 1], groups: 2 },
  { name: "groups 3, 24→48", n: 3, c: 24, h: 5, w: 5, o: 48, kh: 3, kw: 3, stride: [2, 1], padding: [1, 1, 1, 1], groups: 3 },
  { name: "depthwise 16", n: 3, c: 16, h: 6, w: 6, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1], groups: 16 },
  // Batches: 1 (one thread: the outer engines; two: the row engine), odd, larger than a run.
  { name: "batch 1, 16→16", n: 1, c: 16, h: 9, w: 9, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "batch 7, 16→16", n: 7, c: 16, h: 6, w: 6, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  { name: "batch 37 (chunks and runs), 8→16", n: 37, c: 8, h: 5, w: 6, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
];

for (const dtype of ["float32", "float64"] as const) {
  test(`native conv2dWeightGrad on plane widths 1–40 (${dtype}) matches js`, () => {
    for (const k of widths) agree(k, dtype, 2);
  });
  for (const k of shapes) {
    test(`native conv2dWeightGrad ${k.name} (${dtype}) matches js on 1 and 2 threads`, () => {
      agree(k, dtype, 1);
      agree(k, dtype, 2);
    });
  }
}

// Two threads split the images into fixed runs per slice and add the slices' sums in order, so a
// repeated call gives the same bits, whichever thread ran which slice and when. The shapes reach
// the outer-product engines and the row engine's split by images (o < a vector: "few outputs").
test("native conv2dWeightGrad on 2 threads gives the same bits on every call", () => {
  requireNative();
  const cases: Case[] = [
    { name: "1→32 on 28×28 (the MNIST CNN's first layer)", n: 64, c: 1, h: 28, w: 28, o: 32, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
    { name: "8→16 on 12×12", n: 48, c: 8, h: 12, w: 12, o: 16, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
    { name: "11→5 (few outputs: the row engine)", n: 48, c: 11, h: 9, w: 10, o: 5, kh: 3, kw: 3, padding: [1, 1, 1, 1] },
  ];
  const before = tl.getNumThreads();
  tl.setNumThreads(2);
  try {
    for (const k of cases) {
      const padding = k.padding ?? [0, 0, 0, 0];
      const attrs = { stride: [1, 1], padding, dilation: [1, 1], groups: 1, kernelSize: [k.kh, k.kw] };
      tl.manualSeed(3);
      const x = tl.randn([k.n, k.c, k.h, k.w]);
      const gy = tl.randn([k.n, k.o, k.h, k.w]);
      forEachIsa((isa) => {
        const first = (weightGrad([x, gy], attrs) as Tensor).dataSync();
        for (let call = 1; call < 8; call++) {
          // Busy the pool in between, so the slices land on threads in other orders.
          tl.matmul(tl.randn([64, 64]), tl.randn([64, 64])).dispose();
          const again = (weightGrad([x, gy], attrs) as Tensor).dataSync();
          for (let i = 0; i < first.length; i++) {
            if (!Object.is(again[i], first[i])) {
              throw new Error(`${k.name} (${isa}), call ${call}: element ${i} is ${again[i]}, the first call gave ${first[i]}`);
            }
          }
        }
      });
    }
  } finally {
    tl.setNumThreads(before);
  }
});
