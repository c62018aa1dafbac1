/**
 * The native pooling and resampling kernels (native/src/kernels/pool.cc, resample.cc) against the js
 * reference, forward and backward, on every ISA level: max pooling bit-exact (values, indices and
 * gradients, with ties, NaN, ±inf and -0 in the windows), the linear maps (average pools,
 * interpolation) to float rounding. Geometries cover padding, stride, dilation, ceilMode,
 * countIncludePad, divisorOverride, the 2×2 stride-2 vector path with its partial vectors, odd
 * sizes, 1-D pools, float64, int32 max pools, empty and size-1 planes, planes too wide for the
 * native tap tables (the js fallback), and batches large enough to be split across 2 threads.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { EXACT, agreeWithJs, type Tensor, type Tolerance } from "./compare.js";
import { forEachIsa, requireNative } from "./helpers.js";

requireNative();
tl.setNumThreads(2);

type Float = "float32" | "float64";

/** Ties and the specials max pooling must order. */
const SPECIAL_LEVELS = [-1, 0, 0.5, 2, -0, Infinity, -Infinity, NaN];

/** Seeded values with many ties (a few distinct levels) and the specials max pooling must order. */
function tied(shape: number[], dtype: tl.DType, levels: readonly number[] = SPECIAL_LEVELS): Tensor {
  const pick = tl.randint(0, 40, shape).dataSync() as Int32Array;
  const noise = tl.randn(shape, { dtype: "float64" }).dataSync() as Float64Array;
  // Mostly random values, a quarter drawn from the tie/special levels.
  const data = Float64Array.from(noise, (v, i) => (pick[i] < levels.length ? levels[pick[i]] : pick[i] < 10 ? 1 : v));
  if (dtype === "int32") return tl.tensor(data.map((v) => (Number.isFinite(v) ? Math.round(v * 3) : 7)), { shape, dtype });
  return tl.tensor(data, { shape, dtype });
}

/** fn's output and the gradient of Σ fn(x)·r (r seeded), for x made by `make`. */
function withGrad(make: () => Tensor, fn: (x: Tensor) => Tensor): Tensor[] {
  const x = make().requiresGrad_();
  const y = fn(x);
  y.mul(tl.randn(y.shape, { dtype: y.dtype })).sum().backward();
  return [y.detach(), x.grad ?? tl.zerosLike(x)];
}

/** Linear maps sum in another order on the vector paths: float rounding, relative to the terms. */
const linearTol = (t: Tensor): Tolerance => (t.dtype === "float64" ? { rel: 1e-13, abs: 1e-14 } : { rel: 2e-6, abs: 1e-6 });

interface Geometry {
  name: string;
  shape: number[];
  options: Omit<tl.MaxPoolOptions, "returnIndices">;
}

const MAX_GEOMETRIES: Geometry[] = [
  { name: "2×2 (vector path, one partial vector)", shape: [2, 3, 26, 26], options: { kernelSize: 2 } },
  { name: "2×2 wide rows (full vectors + a partial one)", shape: [2, 2, 6, 70], options: { kernelSize: 2 } },
  { name: "2×2 odd sizes (unpooled last row and column)", shape: [2, 3, 11, 13], options: { kernelSize: 2 } },
  { name: "2×2 ceilMode on odd sizes (partial windows)", shape: [2, 3, 11, 13], options: { kernelSize: 2, ceilMode: true } },
  { name: "2×2 ceilMode on even sizes (whole blocks)", shape: [2, 3, 10, 12], options: { kernelSize: 2, ceilMode: true } },
  { name: "2×2 stride 1 (overlapping windows)", shape: [2, 3, 9, 10], options: { kernelSize: 2, stride: 1 } },
  { name: "3×3 stride 2 padding 1", shape: [2, 3, 13, 12], options: { kernelSize: 3, stride: 2, padding: 1 } },
  { name: "3×3 stride 2 padding 1 ceilMode", shape: [2, 2, 10, 11], options: { kernelSize: 3, stride: 2, padding: 1, ceilMode: true } },
  { name: "dilation 2", shape: [2, 3, 12, 11], options: { kernelSize: 3, stride: 1, dilation: 2, padding: 1 } },
  { name: "[2, 3] kernel, [1, 2] stride, [1, 1] padding, [2, 1] dilation", shape: [2, 3, 9, 10], options: { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1], dilation: [2, 1] } },
  { name: "kernel as large as the plane", shape: [3, 2, 5, 6], options: { kernelSize: [5, 6] } },
  { name: "size-1 plane, kernel 1", shape: [2, 2, 1, 1], options: { kernelSize: 1 } },
  { name: "2×2 plane to one output", shape: [1, 1, 2, 2], options: { kernelSize: 2 } },
  { name: "unbatched [C, H, W]", shape: [3, 8, 8], options: { kernelSize: 2 } },
  { name: "batch 16 × 32 planes (2 threads)", shape: [16, 32, 26, 26], options: { kernelSize: 2 } },
  { name: "batch 16 × 32 planes, 3×3 stride 2 (2 threads)", shape: [16, 32, 15, 15], options: { kernelSize: 3, stride: 2 } },
];

for (const dtype of ["float32", "float64"] as const) {
  for (const g of MAX_GEOMETRIES) {
    test(`native maxPool2d ${g.name} (${dtype}): values and gradient bit-exact`, () => {
      agreeWithJs(`maxPool2d ${g.name}`, () => withGrad(() => tied(g.shape, dtype), (x) => tl.maxPool2d(x, g.options)), EXACT);
    });
    test(`native maxPool2d ${g.name} with indices (${dtype}): values, indices and gradient bit-exact`, () => {
      agreeWithJs(`maxPool2d indices ${g.name}`, () => {
        const x = tied(g.shape, dtype).requiresGrad_();
        const { values, indices } = tl.maxPool2d(x, { ...g.options, returnIndices: true });
        values.mul(tl.randn(values.shape, { dtype })).sum().backward();
        return [values.detach(), indices, x.grad as Tensor];
      }, EXACT);
    });
  }
}

// ---- maxPool2dValues on whole 2×2 blocks at stride 2 (the values-only vector path) ----
// Planes narrower than half a vector pack two output rows per vector (an odd last row alone);
// wider ones take whole vectors plus a partial one; a vector with a NaN takes the NaN-aware scan.

/** Input widths 2..41 (1..20 windows: both sides of 4, 8 and 16 lanes), odd heights, batch 1, 3 planes. */
const WIDTHS = Array.from({ length: 40 }, (_, i) => i + 2);

for (const dtype of ["float32", "float64"] as const) {
  test(`native maxPool2d 2×2 values (${dtype}): widths 2..41, heights 2..7, with and without NaN, bit-exact`, () => {
    for (const w of WIDTHS) {
      const shape = [1, 3, 2 + (w % 6), w];
      agreeWithJs(`maxPool2d 2×2 width ${w}`, () => tl.maxPool2d(tied(shape, dtype), { kernelSize: 2 }), EXACT);
      // Without NaN every vector takes the plain maxima: ties and ±0 must still keep the first.
      const noNan = SPECIAL_LEVELS.filter((v) => !Number.isNaN(v));
      agreeWithJs(`maxPool2d 2×2 width ${w} no NaN`, () => tl.maxPool2d(tied(shape, dtype, noNan), { kernelSize: 2 }), EXACT);
    }
  });

  test(`native maxPool2d 2×2 values (${dtype}): the CNN's planes split across 2 threads mid-plane, bit-exact`, () => {
    // 9·64·5 = 2880 output rows of 11×11 planes; 7·50 = 350 rows of 101-wide ones; 4·32·13 of 26×26.
    for (const shape of [[9, 64, 11, 11], [1, 7, 101, 101], [4, 32, 26, 26], [3, 5, 67, 67]]) {
      agreeWithJs(`maxPool2d 2×2 ${shape}`, () => tl.maxPool2d(tied(shape, dtype), { kernelSize: 2 }), EXACT);
    }
  });
}

/** A seeded tensor whose NaNs (one in 8 elements) each carry their own payload, and with ±0 ties. */
function nanPayloads(shape: number[], dtype: Float): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = tl.zeros(shape, { dtype });
  const base = Float64Array.from(tl.randint(-3, 4, [n]).dataSync() as Int32Array, (v) => (v === 0 ? -0 : v === 1 ? 0 : v));
  if (dtype === "float32") {
    const data = Float32Array.from(base);
    const bits = new Uint32Array(data.buffer);
    for (let i = 0; i < n; i += 1 + (i % 13)) bits[i] = (i % 3 === 0 ? 0xffc00000 : 0x7fc00000) | (i & 0x3fffff);
    x.backend.write(x.storage, data);
  } else {
    const data = Float64Array.from(base);
    const bits = new BigUint64Array(data.buffer);
    for (let i = 0; i < n; i += 1 + (i % 13)) bits[i] = 0x7ff8000000000000n | BigInt(i);
    x.backend.write(x.storage, data);
  }
  return x;
}

/** The raw bits of a float tensor's elements. */
const bitsOf = (t: Tensor): bigint[] | number[] =>
  t.dtype === "float64" ? Array.from(new BigUint64Array((t.dataSync() as Float64Array).slice().buffer)) : Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

test("native maxPool2d 2×2 values keep the NaN the scan picks, payload included (same bits as the indices' pick)", () => {
  requireNative();
  for (const dtype of ["float32", "float64"] as const) {
    for (const shape of [[1, 3, 7, 11], [2, 3, 5, 26], [1, 1, 4, 40], [9, 64, 11, 11]]) {
      forEachIsa((isa) => {
        tl.manualSeed(11);
        const x = nanPayloads(shape, dtype);
        const { values } = tl.maxPool2d(x, { kernelSize: 2, returnIndices: true });
        assert.deepEqual(bitsOf(tl.maxPool2d(x, { kernelSize: 2 })), bitsOf(values), `${dtype} ${shape} [${isa}]`);
      });
    }
  }
});

test("native maxPool2dValues on whole 2×2 blocks writes every output element and nothing past them, on every ISA", () => {
  const kernel = requireNative() && tl.getBackend().kernels.get("maxPool2dValues");
  assert.ok(kernel);
  for (const [n, c, h, w] of [[1, 3, 7, 11], [3, 5, 6, 9], [2, 3, 5, 26], [1, 2, 3, 41], [9, 64, 11, 11], [1, 7, 101, 101]]) {
    const attrs = { kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1, inH: h, inW: w, outH: h >> 1, outW: w >> 1 };
    const x = tl.randn([n, c, h, w]);
    const name = `[${n}, ${c}, ${h}, ${w}]`;
    forEachIsa((isa) => {
      const clean = tl.zeros([n, c, h >> 1, w >> 1]);
      kernel.run([x], [clean], attrs);
      assert.ok(!Array.from(clean.dataSync() as Float32Array).some(Number.isNaN), `${name} ${isa}`);
      // The output as the middle of a NaN-filled buffer: the planes before and after stay NaN.
      const buffer = tl.full([n + 2, c, h >> 1, w >> 1], Number.NaN);
      kernel.run([x], [buffer.narrow(0, 1, n)], attrs);
      assert.deepEqual(bitsOf(buffer.narrow(0, 1, n).contiguous()), bitsOf(clean), `${name} ${isa}`);
      for (const edge of [0, n + 1]) assert.ok((buffer.select(0, edge).dataSync() as Float32Array).every(Number.isNaN), `${name} ${isa}: wrote past its output`);
    });
  }
});

test("native maxPool2d double backward (the pick at the recomputed winners) is bit-exact", () => {
  for (const options of [{ kernelSize: 2 }, { kernelSize: 3, stride: 1, padding: 1 }] as Geometry["options"][]) {
    agreeWithJs("maxPool2d double backward", () => {
      const x = tied([2, 3, 10, 9], "float64");
      const g = tl.randn([2, 3, ...tl.maxPool2d(x, options).shape.slice(2)], { dtype: "float64" }).requiresGrad_();
      const leaf = x.requiresGrad_();
      const [dx] = tl.autograd.grad(tl.maxPool2d(leaf, options), [leaf], { gradOutputs: [g], createGraph: true });
      (dx as Tensor).mul(tl.randn(x.shape, { dtype: "float64" })).sum().backward();
      return [dx as Tensor, g.grad as Tensor];
    }, EXACT);
  }
});

test("native maxPool2d and adaptiveMaxPool2d on int32 inputs match js", () => {
  agreeWithJs("maxPool2d int32", () => tl.maxPool2d(tied([2, 3, 9, 8], "int32"), { kernelSize: 2, ceilMode: true }), EXACT);
  agreeWithJs("maxPool2d int32 indices", () => tl.maxPool2d(tied([2, 3, 9, 8], "int32"), { kernelSize: 3, stride: 2, returnIndices: true }).indices, EXACT);
  agreeWithJs("adaptiveMaxPool2d int32", () => tl.adaptiveMaxPool2d(tied([2, 3, 9, 8], "int32"), [4, 3]), EXACT);
});

for (const dtype of ["float32", "float64"] as const) {
  test(`native maxPool1d and adaptiveMaxPool2d (${dtype}) are bit-exact`, () => {
    agreeWithJs("maxPool1d", () => withGrad(() => tied([3, 4, 37], dtype), (x) => tl.maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1 })), EXACT);
    agreeWithJs("maxPool1d k2", () => withGrad(() => tied([3, 4, 40], dtype), (x) => tl.maxPool1d(x, { kernelSize: 2 })), EXACT);
    for (const size of [[3, 4], [1, 1], [7, 9], [10, 4]] as [number, number][]) {
      agreeWithJs(`adaptiveMaxPool2d ${size}`, () => {
        const x = tied([2, 5, 7, 9], dtype).requiresGrad_();
        const { values, indices } = tl.adaptiveMaxPool2d(x, size, { returnIndices: true });
        values.mul(tl.randn(values.shape, { dtype })).sum().backward();
        return [values.detach(), indices, x.grad as Tensor];
      }, EXACT);
    }
  });
}

test("native max pooling of an empty batch gives empty results", () => {
  agreeWithJs("maxPool2d empty", () => withGrad(() => tl.randn([0, 3, 4, 4]), (x) => tl.maxPool2d(x, { kernelSize: 2 })), EXACT);
});

// ---- the linear maps ----

interface LinearCase {
  name: string;
  shape: number[];
  fn: (x: Tensor) => Tensor;
}

const LINEAR: LinearCase[] = [
  { name: "avgPool2d 2×2", shape: [2, 3, 12, 10], fn: (x) => tl.avgPool2d(x, { kernelSize: 2 }) },
  { name: "avgPool2d 3×3 s2 p1", shape: [2, 3, 11, 12], fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }) },
  { name: "avgPool2d countIncludePad false", shape: [2, 3, 11, 12], fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }) },
  { name: "avgPool2d ceilMode", shape: [2, 3, 10, 11], fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, ceilMode: true }) },
  { name: "avgPool2d ceilMode padding, no pad count", shape: [2, 2, 10, 11], fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }) },
  { name: "avgPool2d divisorOverride", shape: [2, 3, 9, 9], fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, divisorOverride: 5 }) },
  { name: "avgPool2d [2, 3] kernel, [1, 2] stride, [1, 1] padding", shape: [2, 3, 7, 9], fn: (x) => tl.avgPool2d(x, { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1] }) },
  { name: "avgPool2d 20-wide window (the vector tap sum)", shape: [2, 2, 6, 45], fn: (x) => tl.avgPool2d(x, { kernelSize: [2, 20], stride: [2, 5] }) },
  { name: "avgPool1d", shape: [3, 4, 29], fn: (x) => tl.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }) },
  { name: "adaptiveAvgPool2d 1 (global, 8×8)", shape: [4, 16, 8, 8], fn: (x) => tl.adaptiveAvgPool2d(x, 1) },
  { name: "adaptiveAvgPool2d 1 (global, 7×9)", shape: [2, 3, 7, 9], fn: (x) => tl.adaptiveAvgPool2d(x, 1) },
  { name: "adaptiveAvgPool2d [3, 2] (overlapping windows)", shape: [2, 3, 7, 5], fn: (x) => tl.adaptiveAvgPool2d(x, [3, 2]) },
  { name: "adaptiveAvgPool2d larger than the input", shape: [2, 3, 4, 5], fn: (x) => tl.adaptiveAvgPool2d(x, [7, 9]) },
  { name: "adaptiveAvgPool1d", shape: [2, 3, 40], fn: (x) => tl.adaptiveAvgPool1d(x, 6) },
  { name: "nearest ×2", shape: [2, 3, 5, 6], fn: (x) => tl.interpolate(x, { scaleFactor: 2 }) },
  { name: "nearest to [7, 11]", shape: [2, 3, 4, 5], fn: (x) => tl.interpolate(x, { size: [7, 11] }) },
  { name: "nearest ×0.5 (downsampling)", shape: [2, 3, 9, 10], fn: (x) => tl.interpolate(x, { scaleFactor: 0.5 }) },
  { name: "nearest ×1.7 (the user's scale sets the source index)", shape: [2, 3, 6, 7], fn: (x) => tl.interpolate(x, { scaleFactor: [1.7, 2.3] }) },
  { name: "nearest 1-D", shape: [2, 3, 9], fn: (x) => tl.interpolate(x, { size: 20 }) },
  { name: "bilinear ×2", shape: [2, 3, 5, 6], fn: (x) => tl.interpolate(x, { scaleFactor: 2, mode: "bilinear" }) },
  { name: "bilinear ×2 alignCorners", shape: [2, 3, 5, 6], fn: (x) => tl.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true }) },
  { name: "bilinear to [3, 13] (down and up)", shape: [2, 3, 8, 6], fn: (x) => tl.interpolate(x, { size: [3, 13], mode: "bilinear" }) },
  { name: "bilinear ×1.5 alignCorners to one row", shape: [2, 3, 4, 6], fn: (x) => tl.interpolate(x, { size: [1, 9], mode: "bilinear", alignCorners: true }) },
  { name: "bilinear height kept", shape: [2, 3, 5, 6], fn: (x) => tl.interpolate(x, { size: [5, 10], mode: "bilinear" }) },
  { name: "batch 16 × 32 avgPool2d 2×2 (2 threads)", shape: [16, 32, 26, 26], fn: (x) => tl.avgPool2d(x, { kernelSize: 2 }) },
  { name: "batch 64 × 64 global average pool (2 threads)", shape: [64, 64, 8, 8], fn: (x) => tl.adaptiveAvgPool2d(x, 1) },
  { name: "batch 8 × 16 bilinear ×2 (2 threads)", shape: [8, 16, 20, 20], fn: (x) => tl.interpolate(x, { scaleFactor: 2, mode: "bilinear" }) },
  { name: "size-1 plane", shape: [2, 2, 1, 1], fn: (x) => tl.interpolate(tl.avgPool2d(x, { kernelSize: 1 }), { size: [3, 2], mode: "bilinear" }) },
];

for (const dtype of ["float32", "float64"] as const satisfies readonly Float[]) {
  for (const c of LINEAR) {
    test(`native ${c.name} (${dtype}): output and gradient match js`, () => {
      agreeWithJs(c.name, () => withGrad(() => tl.randn(c.shape, { dtype }).mul(3), c.fn), linearTol);
    });
  }
}

test("native linear maps on non-contiguous inputs (made contiguous by the dispatcher) match js", () => {
  const transposed = (): Tensor => tl.randn([2, 3, 9, 8]).transpose(2, 3);
  agreeWithJs("avgPool2d transposed", () => withGrad(transposed, (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 })), linearTol);
  agreeWithJs("bilinear transposed", () => withGrad(transposed, (x) => tl.interpolate(x, { scaleFactor: 1.5, mode: "bilinear" })), linearTol);
  agreeWithJs("maxPool2d transposed", () => withGrad(transposed, (x) => tl.maxPool2d(x, { kernelSize: 2 })), EXACT);
});

test("native kernels hand planes wider than their tap tables to js (same results)", () => {
  agreeWithJs("nearest 1-D to 5000", () => withGrad(() => tl.randn([1, 2, 7]), (x) => tl.interpolate(x, { size: 5000 })), linearTol);
  agreeWithJs("avgPool1d over 9000", () => withGrad(() => tl.randn([1, 2, 9000]), (x) => tl.avgPool1d(x, { kernelSize: 2 })), linearTol);
  agreeWithJs("maxPool1d over 9000", () => withGrad(() => tl.randn([1, 2, 9000]), (x) => tl.maxPool1d(x, { kernelSize: 2 })), EXACT);
});

test("native pool kernels overwrite their outputs, never read them (NaN-filled outputs)", () => {
  requireNative();
  const kernels = tl.getBackend().kernels;
  tl.manualSeed(3);
  const x = tl.randn([2, 3, 9, 9]);
  const gy = tl.randn([2, 3, 4, 4]);
  const idx = tl.maxPool2d(x, { kernelSize: 2, returnIndices: true }).indices;
  const max = { kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1, inH: 9, inW: 9, outH: 4, outW: 4 };
  const avg = { kH: 3, kW: 3, sH: 2, sW: 2, pH: 1, pW: 1, countIncludePad: true, divisor: 0, inH: 9, inW: 9, outH: 5, outW: 5 };
  const calls: [string, Tensor[], number[], Record<string, unknown>][] = [
    ["maxPool2dValues", [x], [2, 3, 4, 4], max],
    ["maxPool2dBackward", [gy, x], [2, 3, 9, 9], max],
    ["maxPoolBackward", [gy, idx], [2, 3, 9, 9], {}],
    ["maxPoolPick", [x, idx], [2, 3, 4, 4], {}],
    ["avgPool2d", [x], [2, 3, 5, 5], avg],
    ["avgPool2dBackward", [tl.randn([2, 3, 5, 5])], [2, 3, 9, 9], avg],
    ["upsampleBilinear2dBackward", [tl.randn([2, 3, 18, 18])], [2, 3, 9, 9], { alignCorners: false, scaleH: 2, scaleW: 2, inH: 9, inW: 9, outH: 18, outW: 18 }],
  ];
  for (const [name, inputs, shape, attrs] of calls) {
    const kernel = kernels.get(name);
    assert.ok(kernel, name);
    const clean = tl.zeros(shape);
    kernel.run(inputs, [clean], attrs);
    const dirty = tl.full(shape, Number.NaN);
    kernel.run(inputs, [dirty], attrs);
    assert.deepEqual(Array.from(dirty.dataSync() as Float32Array), Array.from(clean.dataSync() as Float32Array), name);
    assert.ok(!Array.from(clean.dataSync() as Float32Array).some(Number.isNaN), name);
  }
});

// ---- gridSample (native/src/kernels/sample.cc) ----

/** A seeded grid [N, Ho, Wo, 2]: random points past the edges, exact ties (multiples of 1/8), NaN and huge values. */
function sampleGrid(shape: number[], dtype: Float): Tensor {
  const data = Float64Array.from(tl.rand(shape, { dtype: "float64" }).dataSync() as Float64Array, (v) => v * 3.2 - 1.6);
  const specials = [NaN, 1e30, -1e30, Infinity, -Infinity, -0, 1, -1];
  for (let i = 0; i < data.length; i++) {
    if (i % 5 === 1) data[i] = Math.round(data[i] * 8) / 8;
    if (i % 97 === 3) data[i] = specials[(i / 97) % specials.length | 0];
  }
  return tl.tensor(data, { shape, dtype });
}

for (const dtype of ["float32", "float64"] as const) {
  for (const mode of ["bilinear", "nearest"] as const) {
    for (const paddingMode of ["zeros", "border"] as const) {
      for (const alignCorners of [false, true]) {
        const options = { mode, paddingMode, alignCorners };
        test(`native gridSample ${mode} ${paddingMode}${alignCorners ? " alignCorners" : ""} (${dtype}) is bit-exact`, () => {
          agreeWithJs("gridSample", () => tl.gridSample(tl.randn([2, 3, 8, 7], { dtype }), sampleGrid([2, 9, 31, 2], dtype), options), EXACT);
        });
      }
    }
  }
  test(`native gridSample (${dtype}): a batch split across threads, and the gradients`, () => {
    agreeWithJs("gridSample batch", () => tl.gridSample(tl.randn([8, 16, 20, 20], { dtype }), sampleGrid([8, 24, 24, 2], dtype)), EXACT);
    agreeWithJs("gridSample gradients", () => {
      const x = tl.randn([2, 3, 6, 5], { dtype }).requiresGrad_();
      const grid = tl.rand([2, 4, 7, 2], { dtype }).mul(2.4).sub(1.2).requiresGrad_();
      const y = tl.gridSample(x, grid);
      y.mul(tl.randn(y.shape, { dtype })).sum().backward();
      return [y.detach(), x.grad as Tensor, grid.grad as Tensor];
    }, linearTol);
  });
}
