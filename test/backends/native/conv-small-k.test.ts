/**
 * conv2d's short-reduction path (native/src/kernels/conv_small_k.cc) against the js kernel. It runs
 * float32 and float64 conv2d forwards with column stride 1 and cg · kh · kw ≤ 64 on the AVX-512 and
 * AVX2 levels (the portable level and everything else keep the direct engines, which the same cases
 * check there): patches of each chunk of output positions built once, several output channels per
 * patch load, the plane's last vector masked, bias and the fused ReLU applied at the store. The
 * cases cross its edges: every output width 1–40 against every height 1–5 (each vector group and
 * masked tail), 1–3 input and 1–37 output channels (partial channel blocks), bias on and off, ReLU on
 * and off, padding (also asymmetric), row stride, dilation, groups, planes big enough to be split
 * into chunks that start mid-row, batch 1 (split across threads by channel blocks) and odd batches,
 * NaN and ±inf propagating like the reference, and geometries that do not take the path (column
 * stride 2, reductions past 64) next to the ones that do.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { conv2dRelu } from "../../../src/ops/conv.js";
import type { Tensor } from "../../harness.js";
import { assertCloseToScale, forEachIsa, outputAndGradsAgree, requireNative, scaleTol } from "./helpers.js";

const F = tl.nn.functional;

// Two threads: batches of one image split their channel blocks across threads.
tl.setNumThreads(2);

interface Case {
  name: string;
  x: number[];
  w: number[];
  bias: boolean;
  relu: boolean;
  options: tl.Conv2dOptions;
}

/** conv2d or conv2dRelu of the case's inputs. */
function run(c: Case, x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return c.relu ? conv2dRelu(x, w, b, c.options) : F.conv2d(x, w, b, c.options);
}

/**
 * Asserts NaN where js has NaN (and nowhere else), the same infinities, and the finite elements
 * within `rel` of the largest finite |js| value (assertCloseToScale's rule).
 */
function assertMatches(actual: Tensor, expected: Tensor, rel: number, message: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${message}: shape`);
  const a = actual.dataSync() as ArrayLike<number>;
  const e = expected.dataSync() as ArrayLike<number>;
  let scale = 0;
  for (let i = 0; i < e.length; i++) if (Number.isFinite(e[i])) scale = Math.max(scale, Math.abs(e[i]));
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i]) || !Number.isFinite(e[i])) {
      assert.ok(Object.is(a[i], e[i]), `${message}: element ${i} is ${a[i]}, js gives ${e[i]}`);
      continue;
    }
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= rel * (scale + Math.abs(e[i])))) {
      assert.fail(`${message}: element ${i} is ${a[i]}, js gives ${e[i]} (error ${err.toExponential(2)}, scale ${scale.toExponential(2)})`);
    }
  }
}

/**
 * The case's forward on js from seeded inputs (`edit` may overwrite input values first), then on
 * native at every ISA level, compared by assertMatches at scaleTol. Returns the js result.
 */
function forwardAgrees(c: Case, dtype: "float32" | "float64" = "float32", edit?: (x: Float64Array, w: Float64Array) => void): Tensor {
  requireNative();
  tl.setBackend("js");
  tl.manualSeed(c.x.reduce((s, v) => s * 7 + v, c.w[0]));
  const xd = Float64Array.from(tl.randn(c.x, { dtype: "float64" }).dataSync() as Float64Array);
  const wd = Float64Array.from(tl.randn(c.w, { dtype: "float64" }).dataSync() as Float64Array);
  const bd = Float64Array.from(tl.randn([c.w[0]], { dtype: "float64" }).dataSync() as Float64Array);
  edit?.(xd, wd);
  const make = (): [Tensor, Tensor, Tensor | null] => [
    tl.tensor(xd, { shape: c.x, dtype }), tl.tensor(wd, { shape: c.w, dtype }), c.bias ? tl.tensor(bd, { shape: [c.w[0]], dtype }) : null,
  ];
  const expected = run(c, ...make());
  const reference = tl.tensor(expected.dataSync(), { shape: expected.shape, dtype });
  tl.setBackend("native");
  const inputs = make();
  forEachIsa((isa) => {
    const got = run(c, ...inputs);
    assert.equal(got.backend.name, "native", `${c.name}: ran on ${got.backend.name}`);
    assertMatches(got, reference, scaleTol(dtype), `${c.name} ${dtype} ${isa}`);
  });
  return reference;
}

test("native conv2d short reductions: every output width 1–40 × height 1–5, 1–3 → 1–37 channels", () => {
  for (let wo = 1; wo <= 40; wo++) {
    for (let ho = 1; ho <= 5; ho++) {
      const i = wo * 5 + ho;
      const cin = 1 + (i % 3), cout = 1 + ((i * 11) % 37), n = 1 + 2 * (i % 2);
      const c: Case = {
        name: `${n}×${cin}→${cout}, out ${ho}×${wo}`, x: [n, cin, ho + 2, wo + 2], w: [cout, cin, 3, 3],
        bias: i % 2 === 0, relu: i % 4 < 2, options: {},
      };
      forwardAgrees(c);
    }
  }
});

test("native conv2d short reductions: every output channel count 1–37, bias and ReLU on and off", () => {
  for (let cout = 1; cout <= 37; cout++) {
    for (const [bias, relu] of [[true, true], [false, false], [true, false], [false, true]] as const) {
      forwardAgrees({ name: `1→${cout} bias ${bias} relu ${relu}`, x: [2, 1, 7, 13], w: [cout, 1, 3, 3], bias, relu, options: {} });
    }
  }
});

const geometries: Case[] = [
  { name: "W3's first layer (1 → 32, 28 × 28, bias, ReLU)", x: [5, 1, 28, 28], w: [32, 1, 3, 3], bias: true, relu: true, options: {} },
  { name: "batch 1 (channel blocks split across threads)", x: [1, 1, 28, 28], w: [32, 1, 3, 3], bias: true, relu: true, options: {} },
  { name: "batch 1, 3 channels, 5 outputs", x: [1, 3, 9, 20], w: [5, 3, 3, 3], bias: false, relu: false, options: {} },
  { name: "padding 1 (ResNet stem 3 → 16)", x: [3, 3, 16, 16], w: [16, 3, 3, 3], bias: true, relu: true, options: { padding: 1 } },
  { name: "padding (2, 0)", x: [2, 2, 6, 11], w: [9, 2, 3, 3], bias: true, relu: false, options: { padding: [2, 0] } },
  { name: "padding (0, 3), wider than the kernel", x: [2, 1, 5, 4], w: [7, 1, 3, 3], bias: false, relu: true, options: { padding: [0, 3] } },
  { name: "asymmetric 'same' padding of a 2 × 2 kernel", x: [3, 2, 7, 9], w: [6, 2, 2, 2], bias: true, relu: false, options: { padding: "same" } },
  { name: "row stride 2, column stride 1", x: [2, 2, 11, 13], w: [10, 2, 3, 3], bias: true, relu: true, options: { stride: [2, 1], padding: 1 } },
  { name: "row stride 3", x: [2, 1, 14, 17], w: [4, 1, 3, 3], bias: false, relu: false, options: { stride: [3, 1] } },
  { name: "dilation 2", x: [2, 3, 12, 14], w: [12, 3, 3, 3], bias: true, relu: false, options: { padding: 2, dilation: 2 } },
  { name: "dilation (1, 3)", x: [2, 1, 9, 15], w: [8, 1, 3, 3], bias: false, relu: true, options: { dilation: [1, 3] } },
  { name: "groups 2 (1 channel per group)", x: [3, 2, 10, 12], w: [10, 1, 3, 3], bias: true, relu: true, options: { padding: 1, groups: 2 } },
  { name: "groups 3, depthwise", x: [2, 3, 8, 19], w: [3, 1, 3, 3], bias: true, relu: false, options: { groups: 3 } },
  { name: "5 × 5 kernel (LeNet 1 → 6)", x: [3, 1, 32, 32], w: [6, 1, 5, 5], bias: true, relu: true, options: {} },
  { name: "1 × 1 kernel, 3 channels", x: [2, 3, 6, 21], w: [11, 3, 1, 1], bias: true, relu: false, options: {} },
  { name: "1 × 1 kernel, 64 channels (pointwise, reduction of 64)", x: [3, 64, 5, 7], w: [20, 64, 1, 1], bias: true, relu: true, options: {} },
  { name: "1 × 7 kernel", x: [2, 2, 5, 30], w: [9, 2, 1, 7], bias: false, relu: false, options: { padding: [0, 3] } },
  { name: "reduction of 63 (7 channels, 3 × 3)", x: [2, 7, 10, 12], w: [17, 7, 3, 3], bias: true, relu: true, options: { padding: 1 } },
  { name: "reduction of 64 (1 channel, 8 × 8)", x: [2, 1, 12, 30], w: [5, 1, 8, 8], bias: true, relu: false, options: {} },
  { name: "64 × 70 plane, 3 channels (chunks of rows)", x: [2, 3, 64, 70], w: [8, 3, 3, 3], bias: true, relu: true, options: { padding: 1 } },
  { name: "one 1500-wide row (segments of a row)", x: [1, 2, 3, 1502], w: [4, 2, 3, 3], bias: true, relu: false, options: {} },
  { name: "row stride 2 on 64 × 70, 3 channels (chunks of rows)", x: [1, 3, 64, 70], w: [5, 3, 3, 3], bias: true, relu: true, options: { stride: [2, 1], padding: 1 } },
  { name: "row stride 2 on a 1500-wide image (segments of a row)", x: [2, 1, 6, 1502], w: [3, 1, 3, 3], bias: false, relu: false, options: { stride: [2, 1], padding: 1 } },
  { name: "7 channels on 40 × 40 (chunks)", x: [1, 7, 40, 40], w: [16, 7, 3, 3], bias: false, relu: true, options: { padding: 1 } },
  // Not on the path: column stride 2, reductions past 64.
  { name: "column stride 2 (direct engines)", x: [2, 1, 13, 15], w: [8, 1, 3, 3], bias: true, relu: true, options: { stride: 2, padding: 1 } },
  { name: "stride (1, 2) (direct engines)", x: [2, 2, 9, 19], w: [6, 2, 3, 3], bias: true, relu: false, options: { stride: [1, 2] } },
  { name: "reduction of 72 (direct engines)", x: [2, 8, 9, 10], w: [16, 8, 3, 3], bias: true, relu: true, options: { padding: 1 } },
  { name: "reduction of 65 (direct engines)", x: [2, 1, 9, 20], w: [6, 1, 5, 13], bias: false, relu: false, options: {} },
];

for (const dtype of ["float32", "float64"] as const) {
  test(`native conv2d short reductions (${dtype}): padding, strides, dilation, groups, chunks, batch 1`, () => {
    for (const c of geometries) forwardAgrees(c, dtype);
  });
}

test("native conv2d short reductions propagate NaN and ±inf like js (inputs, weights, taps in the padding)", () => {
  const cases: Case[] = [
    { name: "NaN inputs", x: [2, 1, 8, 21], w: [9, 1, 3, 3], bias: true, relu: false, options: {} },
    { name: "NaN inputs, ReLU (NaN → 0)", x: [2, 1, 8, 21], w: [9, 1, 3, 3], bias: true, relu: true, options: {} },
    { name: "inf weight over the padding (inf · 0 = NaN)", x: [2, 2, 6, 19], w: [5, 2, 3, 3], bias: false, relu: false, options: { padding: 1 } },
    { name: "inf weight over the padding, ReLU", x: [2, 2, 6, 19], w: [5, 2, 3, 3], bias: true, relu: true, options: { padding: 1 } },
  ];
  for (const dtype of ["float32", "float64"] as const) {
    for (const c of cases) {
      const reference = forwardAgrees(c, dtype, (x, w) => {
        x[3] = Number.NaN;
        x[x.length - 5] = Number.NaN;
        x[40] = Number.POSITIVE_INFINITY;
        w[0] = Number.POSITIVE_INFINITY;  // channel 0's top-left tap: reads the padding along the top and left edges
        w[w.length - 1] = Number.NEGATIVE_INFINITY;
        w[13] = Number.NaN;
      });
      const values = Array.from(reference.dataSync() as ArrayLike<number>);
      // The ReLU maps NaN to 0, so only the cases without it must show NaN.
      if (!c.relu) assert.ok(values.some(Number.isNaN), `${c.name}: the reference has NaN`);
      assert.ok(values.some((v) => Number.isFinite(v) && v !== 0), `${c.name}: the reference has finite values`);
    }
  }
});

test("native conv2dRelu with bias on the short-reduction path: forward and every gradient match js (W3's training step)", () => {
  const shapes = [[3, 1, 12, 14], [8, 1, 3, 3], [8]];
  outputAndGradsAgree("W3-like conv2dRelu", "float32", shapes, (a, b, c) => conv2dRelu(a, b, c), 41);
  outputAndGradsAgree("W3-like conv2dRelu", "float64", shapes, (a, b, c) => conv2dRelu(a, b, c), 41);
  outputAndGradsAgree("stem-like conv2d, padding 1", "float64", [[2, 3, 7, 9], [5, 3, 3, 3], [5]], (a, b, c) => F.conv2d(a, b, c, { padding: 1 }), 42);
});

// conv2d declares `overwrites` (src/backends/native/kernels/conv.ts): its output is not zeroed
// before the call, so the path must write every element, the masked tails included.
test("native conv2d on the short-reduction path overwrites NaN-filled outputs", () => {
  requireNative();
  tl.setBackend("native");
  const kernel = tl.getBackend().kernels.get("conv2d");
  assert.ok(kernel?.overwrites === true, "conv2d declares overwrites");
  tl.manualSeed(12);
  // x, w, padding [top, bottom, left, right], output shape.
  const calls: [number[], number[], number[], number[]][] = [
    [[3, 1, 28, 28], [32, 1, 3, 3], [0, 0, 0, 0], [3, 32, 26, 26]],
    [[1, 3, 9, 17], [37, 3, 3, 3], [2, 0, 1, 3], [1, 37, 9, 19]],
    [[2, 2, 5, 1], [3, 2, 3, 3], [1, 1, 1, 1], [2, 3, 5, 1]],
  ];
  forEachIsa((isa) => {
    for (const [xs, ws, padding, shape] of calls) {
      const inputs = [tl.randn(xs), tl.randn(ws), tl.randn([ws[0]])];
      for (const relu of [false, true]) {
        const attrs = { stride: [1, 1], padding, dilation: [1, 1], groups: 1, relu };
        const clean = tl.zeros(shape);
        kernel.run(inputs, [clean], attrs);
        const dirty = tl.full(shape, Number.NaN);
        kernel.run(inputs, [dirty], attrs);
        assertCloseToScale(dirty, clean, 0, `${isa} ${shape.join("×")} relu ${relu}`);
        assert.ok(!Array.from(clean.dataSync() as Float32Array).some(Number.isNaN), `${isa} ${shape.join("×")}`);
      }
    }
  });
});
