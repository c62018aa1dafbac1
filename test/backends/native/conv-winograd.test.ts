/**
 * conv2d's Winograd paths (native/src/kernels/conv_winograd.cc, conv_winograd_wgrad.cc), which take
 * float32 3 × 3, stride-1, undilated, ungrouped convolutions of ≥ 16 input and output channels: the
 * forward and input gradient (a convolution with the kernels turned and padding 2 − p) by
 * F(4×4, 3×3), the weight gradient by F(3×3, 4×4). Against the js kernels at every ISA level: output
 * sizes across the 4 × 4 tile edges, padding, channel counts off the vector width, the band layouts
 * (row bands of one image, several images per band, a remainder band), bias, the fused ReLU,
 * non-finite inputs (which the direct engines redo), and NaN-filled outputs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { onBackend, type Tensor } from "../../harness.js";
import { assertCloseToScale, forEachIsa, outputAndGradsAgree, requireNative, scaleTol, winogradTol, withoutWinograd } from "./helpers.js";

const F = tl.nn.functional;

/**
 * conv2d's output and gradients on native (every ISA level) against js: the output and the input's
 * and weight's gradients (conv2dInputGrad and conv2dWeightGrad take the path too) at winogradTol,
 * the bias's at scaleTol.
 */
function agree(name: string, x: number[], w: number[], options: tl.Conv2dOptions, bias = false): void {
  const shapes = bias ? [x, w, [w[0]]] : [x, w];
  const tol = (i: number): number => (i <= 2 ? winogradTol : scaleTol("float32"));
  outputAndGradsAgree(name, "float32", shapes, (a, b, c) => F.conv2d(a, b, c ?? null, options), 41, tol);
}

for (const threads of [1, 2]) {
  test(`Winograd conv2d, output sizes 1–13 (tile edges), ${threads} thread(s): forward and gradients match js`, () => {
    tl.setNumThreads(threads);
    for (const h of [1, 3, 4, 5, 8, 11, 13]) {
      for (let wd = 1; wd <= 13; wd++) agree(`${h} × ${wd}`, [2, 16, h, wd], [16, 16, 3, 3], { padding: 1 });
    }
  });
}

const geometries: { name: string; x: number[]; w: number[]; options: tl.Conv2dOptions; threads: number }[] = [
  { name: "W3's 32 → 64 on 13 × 13, no padding", x: [5, 32, 13, 13], w: [64, 32, 3, 3], options: {}, threads: 2 },
  { name: "17 → 33 channels (partial vectors both sides)", x: [3, 17, 9, 10], w: [33, 17, 3, 3], options: { padding: 1 }, threads: 2 },
  { name: "40 → 20 channels, padding 2", x: [2, 40, 7, 6], w: [20, 40, 3, 3], options: { padding: 2 }, threads: 2 },
  { name: "padding (2, 0)", x: [2, 16, 9, 12], w: [24, 16, 3, 3], options: { padding: [2, 0] }, threads: 2 },
  { name: "one 40 × 36 image (row bands split across threads)", x: [1, 16, 40, 36], w: [16, 16, 3, 3], options: { padding: 1 }, threads: 2 },
  { name: "batch 7 of 8 × 8 (two images per band, a remainder band)", x: [7, 16, 8, 8], w: [32, 16, 3, 3], options: { padding: 1 }, threads: 2 },
  { name: "batch 9 of 4 × 4, 64 → 64, one thread (bands of eight images)", x: [9, 64, 4, 4], w: [64, 64, 3, 3], options: { padding: 1 }, threads: 1 },
  { name: "one image, 1 thread, one band", x: [1, 24, 6, 7], w: [16, 24, 3, 3], options: {}, threads: 1 },
];

for (const g of geometries) {
  test(`Winograd conv2d ${g.name}: forward (with and without bias) and gradients match js`, () => {
    tl.setNumThreads(g.threads);
    agree(g.name, g.x, g.w, g.options);
    agree(`${g.name}, bias`, g.x, g.w, g.options, true);
  });
}

/** The conv kernels' attributes for a 3 × 3, stride-1 convolution with padding p on every side. */
const attrsFor = (p: number): Record<string, unknown> => ({ stride: [1, 1], padding: [p, p, p, p], dilation: [1, 1], groups: 1 });

/** Kernel `name` run on `backend` (inputs copied there) into a zeroed output of `shape`, returned on native. */
function runKernel(backend: "js" | "native", name: string, inputs: Tensor[], shape: number[], attrs: Record<string, unknown>): Tensor {
  tl.setBackend(backend);
  try {
    const kernel = tl.getBackend().kernels.get(name);
    assert.ok(kernel !== undefined, `${backend} has ${name}`);
    const out = tl.zeros(shape);
    kernel.run(inputs.map((t) => onBackend(t, backend)), [out], attrs);
    return onBackend(out, "native");
  } finally {
    tl.setBackend("native");
  }
}

/** Bits of a float32 tensor. */
const bits = (t: Tensor): Uint32Array => new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);

/** Whether two float32 tensors differ in any bit. */
function bitsDiffer(a: Tensor, b: Tensor): boolean {
  const x = bits(a), y = bits(b);
  return x.some((v, i) => v !== y[i]);
}

test("the Winograd path runs (its rounding differs from the direct engines'), and both match js", () => {
  requireNative();
  tl.setNumThreads(2);
  tl.manualSeed(5);
  const x = tl.randn([4, 32, 13, 13]), w = tl.randn([64, 32, 3, 3]).mul(0.08), b = tl.randn([64]);
  const fast = F.conv2d(x, w, b);
  const direct = withoutWinograd(() => F.conv2d(x, w, b));
  const reference = onBackend(tl.tidy(() => {
    tl.setBackend("js");
    const r = F.conv2d(onBackend(x, "js"), onBackend(w, "js"), onBackend(b, "js"));
    tl.setBackend("native");
    return r;
  }), "native");
  assert.ok(bitsDiffer(fast, direct), "Winograd and direct outputs are bit-identical: the path did not run");
  assertCloseToScale(fast, reference, winogradTol, "Winograd against js");
  assertCloseToScale(direct, reference, scaleTol("float32"), "direct against js");
  // Measured accuracy of the path on a layer of the benchmark CNN: a few times the direct sum's.
  const err = fast.sub(reference).abs().max().item() / reference.abs().max().item();
  assert.ok(err < 3e-6, `Winograd error ${err} of max |y|`);
});

test("Winograd conv2d with more channels than one pass's transformed weights hold (2 MiB) runs in passes over output channels", () => {
  tl.setNumThreads(2);
  // 36 · 128 · 112 floats fill a pass: 160 outputs run as 112 + 48, 300 as 112 + 112 + 76 (with bias:
  // each pass reads its own slice of it).
  agree("128 → 160", [2, 128, 6, 5], [160, 128, 3, 3], { padding: 1 }, true);
  agree("40 → 300", [1, 40, 4, 4], [300, 40, 3, 3], { padding: 1 }, true);
  tl.manualSeed(17);
  const x = tl.randn([1, 128, 5, 5]), w = tl.randn([160, 128, 3, 3]).mul(0.03);
  assert.ok(bitsDiffer(F.conv2d(x, w, null, { padding: 1 }), withoutWinograd(() => F.conv2d(x, w, null, { padding: 1 }))),
    "128 → 160 did not take the Winograd path");
});

test("conv2dInputGrad takes the Winograd path for padding ≤ 2 (bits differ from the direct engines'), matching js", () => {
  requireNative();
  tl.setNumThreads(2);
  tl.manualSeed(12);
  for (const p of [0, 1, 2, 3]) {
    const x = [3, 24, 10, 9], ho = x[2] + 2 * p - 2, wo = x[3] + 2 * p - 2;
    const gy = tl.randn([3, 32, ho, wo]), w = tl.randn([32, 24, 3, 3]).mul(0.1);
    const fast = runKernel("native", "conv2dInputGrad", [gy, w], x, attrsFor(p));
    const direct = withoutWinograd(() => runKernel("native", "conv2dInputGrad", [gy, w], x, attrsFor(p)));
    assertCloseToScale(fast, direct, winogradTol, `padding ${p}`);
    const differs = bitsDiffer(fast, direct);
    // Padding 3 would need a negative padding (a crop) on the transposed side: the direct engines.
    assert.equal(differs, p <= 2, `padding ${p}: the Winograd path ${p <= 2 ? "did not run" : "ran"}`);
  }
});

test("conv2dWeightGrad takes the Winograd path (bits differ from the direct engines'), matching js, in passes when its sums need them", () => {
  requireNative();
  tl.manualSeed(14);
  const cases: [number[], number, number, boolean][] = [
    [[5, 24, 10, 9], 32, 1, true], [[2, 16, 7, 12], 16, 0, true], [[3, 40, 6, 6], 20, 2, true], [[1, 16, 5, 5], 16, 3, true],
    // 36 · 256 · 256 floats of sums per slice are more than the scratch holds: passes over output channels.
    [[1, 256, 4, 4], 256, 1, true],
  ];
  for (const threads of [1, 2]) {
    tl.setNumThreads(threads);
    for (const [x, o, p, winograd] of cases) {
      const ho = x[2] + 2 * p - 2, wo = x[3] + 2 * p - 2;
      const xs = tl.randn(x), gy = tl.randn([x[0], o, ho, wo]);
      const shape = [o, x[1], 3, 3];
      const fast = runKernel("native", "conv2dWeightGrad", [xs, gy], shape, attrsFor(p));
      const direct = withoutWinograd(() => runKernel("native", "conv2dWeightGrad", [xs, gy], shape, attrsFor(p)));
      const expected = runKernel("js", "conv2dWeightGrad", [xs, gy], shape, attrsFor(p));
      const name = `${x.join("×")} → ${o}, padding ${p}, ${threads} thread(s)`;
      assertCloseToScale(fast, expected, winogradTol, name);
      assert.equal(bitsDiffer(fast, direct), winograd, `${name}: the Winograd path ${winograd ? "did not run" : "ran"}`);
    }
  }
});

test("the Winograd weight gradient repeats bit for bit (each thread sums a fixed set of tiles)", () => {
  requireNative();
  tl.setNumThreads(2);
  tl.manualSeed(16);
  const x = tl.randn([16, 32, 13, 13]), gy = tl.randn([16, 64, 11, 11]);
  const first = runKernel("native", "conv2dWeightGrad", [x, gy], [64, 32, 3, 3], attrsFor(0));
  for (let rep = 0; rep < 20; rep++) {
    const again = runKernel("native", "conv2dWeightGrad", [x, gy], [64, 32, 3, 3], attrsFor(0));
    assert.ok(!bitsDiffer(again, first), `repetition ${rep} differs`);
  }
});

test("Sequential's fused Conv2d + ReLU on the Winograd path equals the two ops bit for bit", () => {
  requireNative();
  tl.setNumThreads(2);
  tl.manualSeed(6);
  const conv = new tl.nn.Conv2d(16, 24, 3, { padding: 1 });
  const x = tl.randn([3, 16, 10, 9]);
  const fused = new tl.nn.Sequential(conv, new tl.nn.ReLU()).forward(x);
  const apart = tl.relu(conv.forward(x));
  assert.deepEqual(bits(fused), bits(apart));
  assert.ok(bitsDiffer(fused, withoutWinograd(() => tl.relu(conv.forward(x)))), "the path ran");
});

/** Asserts native equals js where js is NaN or ±inf (some outputs are, when `mixed`), and is close to it elsewhere. */
function sameNonFinite(actual: Tensor, expected: Tensor, mixed: boolean, message: string): void {
  const a = actual.dataSync() as Float32Array, e = expected.dataSync() as Float32Array;
  let finite = 0;
  for (let i = 0; i < e.length; i++) {
    if (Number.isFinite(e[i])) {
      finite++;
      continue;
    }
    assert.ok(Object.is(a[i], e[i]) || (Number.isNaN(a[i]) && Number.isNaN(e[i])), `${message}: element ${i} is ${a[i]}, js gives ${e[i]}`);
  }
  assert.ok(finite > 0 && (finite < e.length) === mixed, `${message}: ${finite} of ${e.length} outputs finite`);
  const mask = expected.isfinite();
  assertCloseToScale(actual.where(mask, 0), expected.where(mask, 0), scaleTol("float32"), `${message} (finite outputs)`);
}

test("Winograd conv2d with NaN, ±inf or transform-overflowing inputs gives js's non-finite outputs exactly", () => {
  requireNative();
  tl.setNumThreads(2);
  tl.manualSeed(8);
  const w = tl.randn([16, 16, 3, 3]).mul(0.1);
  const inputs: [string, (x: Float32Array) => void][] = [
    ["a NaN", (x) => { x[5 * 12 + 7] = Number.NaN; }],
    ["+inf and -inf", (x) => { x[3 * 144 + 20] = Infinity; x[9 * 144 + 100] = -Infinity; }],
    // Finite in every direct sum (1e38 · 0.1 in one term) but past float32's range inside Bᵀ d B: the
    // Winograd outputs near it come out non-finite, and the direct engines must redo the call.
    ["1e38", (x) => { x[2 * 144 + 50] = 1e38; }],
  ];
  for (const [name, poke] of inputs) {
    const data = tl.randn([1, 16, 12, 12]).dataSync() as Float32Array;
    poke(data);
    const x = tl.tensor(data, { shape: [1, 16, 12, 12] });
    tl.setBackend("js");
    const expected = onBackend(F.conv2d(onBackend(x, "js"), onBackend(w, "js"), null, { padding: 1 }), "native");
    const expectedRelu = onBackend(tl.relu(F.conv2d(onBackend(x, "js"), onBackend(w, "js"), null, { padding: 1 })), "native");
    tl.setBackend("native");
    forEachIsa((isa) => {
      sameNonFinite(F.conv2d(x, w, null, { padding: 1 }), expected, name !== "1e38", `${name} ${isa}`);
      // A fused ReLU turns NaN into 0: the check must happen before it.
      const relu = new tl.nn.Sequential(withWeight(w), new tl.nn.ReLU()).forward(x);
      if (name === "1e38") sameNonFinite(relu, expectedRelu, false, `${name} relu ${isa}`);
      else assertCloseToScale(relu.where(expectedRelu.isfinite(), 0), expectedRelu.where(expectedRelu.isfinite(), 0), scaleTol("float32"), `${name} relu ${isa}`);
    });
  }
});

/** A bias-free Conv2d module holding weight w (padding 1). */
function withWeight(w: Tensor): tl.nn.Conv2d {
  const conv = new tl.nn.Conv2d(w.shape[1], w.shape[0], 3, { padding: 1, bias: false });
  tl.noGrad(() => conv.weight.copy_(w));
  return conv;
}

// Each gradient kernel with one input poked twice over: a NaN where its windows reach only some of
// the outputs (js's are NaN there alone; a Winograd tile would spread it), and a huge value that
// every direct sum keeps finite but the transforms take past float32's range.
interface GradientCase {
  kernel: string;
  poked: number[];
  other: number[];
  out: number[];
  args: (poked: Tensor, other: Tensor) => Tensor[];
  nan: number;
  huge: [number, number];
}
const gradientCases: GradientCase[] = [
  // gy's element (4, 7) of channel 0: dx near it only.
  { kernel: "conv2dInputGrad", poked: [1, 16, 10, 10], other: [16, 16, 3, 3], out: [1, 16, 10, 10], args: (gy, w) => [gy, w.mul(0.1)],
    nan: 47, huge: [300, 1e38] },
  // x's corner (0, 0) of image 0, channel 0: with padding 1 only the taps ky, kx ≤ 1 read it.
  { kernel: "conv2dWeightGrad", poked: [2, 16, 8, 8], other: [2, 16, 8, 8], out: [16, 16, 3, 3], args: (x, gy) => [x, gy.mul(0.1)],
    nan: 0, huge: [300, 1e38] },
];

for (const c of gradientCases) {
  test(`Winograd ${c.kernel} with a NaN or transform-overflowing input gives js's non-finite outputs exactly`, () => {
    requireNative();
    tl.setNumThreads(2);
    tl.manualSeed(13);
    const other = tl.randn(c.other);
    for (const [name, at, value] of [["a NaN", c.nan, Number.NaN], [`${c.huge[1]}`, ...c.huge]] as const) {
      const data = tl.randn(c.poked).dataSync() as Float32Array;
      data[at] = value;
      const inputs = c.args(tl.tensor(data, { shape: c.poked }), other);
      const expected = runKernel("js", c.kernel, inputs, c.out, attrsFor(1));
      forEachIsa((isa) => {
        sameNonFinite(runKernel("native", c.kernel, inputs, c.out, attrsFor(1)), expected, name === "a NaN", `${name} ${isa}`);
      });
    }
  });
}

test("Winograd conv2d overwrites NaN-filled outputs (every element stored, nothing read)", () => {
  requireNative();
  const kernels = tl.getBackend().kernels;
  tl.manualSeed(9);
  for (const threads of [1, 2]) {
    tl.setNumThreads(threads);
    for (const [x, w, p] of [[[3, 16, 11, 11], [64, 16, 3, 3], 0], [[1, 20, 17, 9], [17, 20, 3, 3], 1], [[5, 16, 4, 5], [16, 16, 3, 3], 2]] as const) {
      const attrs = { stride: [1, 1], padding: [p, p, p, p], dilation: [1, 1], groups: 1, relu: p === 1 };
      const shape = [x[0], w[0], x[2] + 2 * p - 2, x[3] + 2 * p - 2];
      const inputs = [tl.randn([...x]), tl.randn([...w]), tl.randn([w[0]])];
      forEachIsa((isa) => {
        const kernel = kernels.get("conv2d");
        assert.ok(kernel !== undefined);
        const clean = tl.zeros(shape);
        kernel.run(inputs, [clean], attrs);
        const dirty = tl.full(shape, Number.NaN);
        kernel.run(inputs, [dirty], attrs);
        assertCloseToScale(dirty, clean, 0, `${isa} ${shape.join("×")}`);
        // The input gradient of the same convolution (also on the path).
        const grad = kernels.get("conv2dInputGrad");
        assert.ok(grad !== undefined);
        const gy = tl.randn(shape), gradInputs = [gy, inputs[1]];
        const cleanDx = tl.zeros([...x]);
        grad.run(gradInputs, [cleanDx], attrs);
        const dirtyDx = tl.full([...x], Number.NaN);
        grad.run(gradInputs, [dirtyDx], attrs);
        assertCloseToScale(dirtyDx, cleanDx, 0, `input gradient ${isa} ${x.join("×")}`);
      });
    }
  }
});
