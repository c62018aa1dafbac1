/**
 * Reference kernels of pooling and resampling. All of them work plane by plane over the last two
 * dims of contiguous inputs. The linear ones (average pools, interpolation) are separable maps: each
 * output row reads a few input rows and each output column a few input columns, with weights, so
 * one gather loop runs them forward and the matching scatter loop runs their transpose (the backward).
 */
import type { Kernel, KernelInfo, Storage, TensorView } from "../../backend/backend.js";
import type { DType } from "../../core/dtype.js";
import { sizeOf } from "../../core/shape.js";
import { dataOf } from "./storage.js";

type Attrs = Record<string, unknown>;

/** One axis of a separable map: output o reads input idx[t] with weight w[t], t in [ptr[o], ptr[o+1]). */
interface Taps {
  ptr: Int32Array;
  idx: Int32Array;
  w: Float64Array;
}

function buildTaps(outSize: number, each: (o: number, add: (i: number, w: number) => void) => void): Taps {
  const ptr = new Int32Array(outSize + 1);
  const idx: number[] = [];
  const w: number[] = [];
  const add = (i: number, weight: number): void => {
    idx.push(i);
    w.push(weight);
  };
  for (let o = 0; o < outSize; o++) {
    each(o, add);
    ptr[o + 1] = idx.length;
  }
  return { ptr, idx: Int32Array.from(idx), w: Float64Array.from(w) };
}

/** Plane sizes of a linear map: input `inH×inW`, output `outH×outW`, taps per axis. */
interface Separable {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  rows: Taps;
  cols: Taps;
}

/** out[p, oh, ow] = Σ rows.w · cols.w · x[p, ih, iw] over the taps of (oh, ow). */
function gather(x: TensorView, out: TensorView, m: Separable): void {
  const src = dataOf(x);
  const dst = dataOf(out);
  const { rows, cols, inH, inW, outH, outW } = m;
  const planes = sizeOf(out.shape) / (outH * outW);
  for (let p = 0; p < planes; p++) {
    const sBase = p * inH * inW;
    let d = p * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let acc = 0;
        for (let r = rows.ptr[oh]; r < rows.ptr[oh + 1]; r++) {
          const rowBase = sBase + rows.idx[r] * inW;
          let rowAcc = 0;
          for (let c = cols.ptr[ow]; c < cols.ptr[ow + 1]; c++) rowAcc += cols.w[c] * src[rowBase + cols.idx[c]];
          acc += rows.w[r] * rowAcc;
        }
        dst[d++] = acc;
      }
    }
  }
}

/** The transpose of `gather`: scatter-adds g[p, oh, ow] into dx[p, ih, iw] with the same weights. */
function scatter(g: TensorView, dx: TensorView, m: Separable): void {
  const src = dataOf(g);
  const dst = dataOf(dx);
  const { rows, cols, inH, inW, outH, outW } = m;
  const planes = sizeOf(dx.shape) / (inH * inW);
  dst.fill(0);
  // Accumulate in float64 so a float32 gradient sums like PyTorch's (one rounding per element).
  const acc = new Float64Array(inH * inW);
  for (let p = 0; p < planes; p++) {
    acc.fill(0);
    let s = p * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const v = src[s++];
        for (let r = rows.ptr[oh]; r < rows.ptr[oh + 1]; r++) {
          const rowBase = rows.idx[r] * inW;
          const vr = rows.w[r] * v;
          for (let c = cols.ptr[ow]; c < cols.ptr[ow + 1]; c++) acc[rowBase + cols.idx[c]] += cols.w[c] * vr;
        }
      }
    }
    dst.set(acc, p * inH * inW);
  }
}

/** A forward kernel and its transpose from one description of the map. */
function linearPair(describe: (a: Attrs, dtype: DType) => Separable): [KernelInfo, KernelInfo] {
  const forward: Kernel = ([x], [out], a) => gather(x, out, describe(a, x.dtype));
  const backward: Kernel = ([g], [dx], a) => scatter(g, dx, describe(a, g.dtype));
  return [{ run: forward, strided: false }, { run: backward, strided: false }];
}

const num = (a: Attrs, key: string): number => a[key] as number;

// ---- average pooling ----

/** Windows of a sliding average along one axis, weighted by `norm(windowSizeWithPadding, validCount)`. */
function avgTaps(inSize: number, outSize: number, k: number, s: number, p: number, norm: (size: number, count: number) => number): Taps {
  return buildTaps(outSize, (o, add) => {
    const start = o * s - p;
    // PyTorch clips the window at the end of the right padding before counting its size.
    const end = Math.min(start + k, inSize + p);
    const lo = Math.max(start, 0);
    const hi = Math.min(end, inSize);
    const weight = norm(end - start, hi - lo);
    for (let i = lo; i < hi; i++) add(i, weight);
  });
}

const [avgPool2d, avgPool2dBackward] = linearPair((a) => {
  const divisor = num(a, "divisor");
  const includePad = a.countIncludePad as boolean;
  // The divisor of a 2-D window is a product of per-axis factors, so it splits across the two axes.
  const rowNorm = (size: number, count: number): number => (divisor !== 0 ? 1 / divisor : 1 / (includePad ? size : count));
  const colNorm = (size: number, count: number): number => (divisor !== 0 ? 1 : 1 / (includePad ? size : count));
  return {
    inH: num(a, "inH"), inW: num(a, "inW"), outH: num(a, "outH"), outW: num(a, "outW"),
    rows: avgTaps(num(a, "inH"), num(a, "outH"), num(a, "kH"), num(a, "sH"), num(a, "pH"), rowNorm),
    cols: avgTaps(num(a, "inW"), num(a, "outW"), num(a, "kW"), num(a, "sW"), num(a, "pW"), colNorm),
  };
});

/** PyTorch's adaptive window of output `o`: [floor(o·in/out), ceil((o+1)·in/out)). */
function adaptiveWindow(o: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((o * inSize) / outSize), Math.ceil(((o + 1) * inSize) / outSize)];
}

function adaptiveTaps(inSize: number, outSize: number): Taps {
  return buildTaps(outSize, (o, add) => {
    const [lo, hi] = adaptiveWindow(o, inSize, outSize);
    for (let i = lo; i < hi; i++) add(i, 1 / (hi - lo));
  });
}

const [adaptiveAvgPool2d, adaptiveAvgPool2dBackward] = linearPair((a) => ({
  inH: num(a, "inH"), inW: num(a, "inW"), outH: num(a, "outH"), outW: num(a, "outW"),
  rows: adaptiveTaps(num(a, "inH"), num(a, "outH")),
  cols: adaptiveTaps(num(a, "inW"), num(a, "outW")),
}));

// ---- interpolation ----

/**
 * PyTorch's nearest source index, min(floorf(dst · scale), in − 1) with scale = 1/scaleFactor or
 * in/out, as its NCHW kernel computes it: in the input's precision, then rounded to float32 before
 * the floor (so float32 and float64 inputs can differ where dst · scale is within rounding of a whole number).
 */
function nearestTaps(inSize: number, outSize: number, scaleFactor: number | null, single: boolean): Taps {
  const exact = scaleFactor !== null && scaleFactor > 0 ? 1 / scaleFactor : inSize / outSize;
  const scale = single ? Math.fround(exact) : exact;
  return buildTaps(outSize, (o, add) => add(Math.min(Math.floor(Math.fround(o * scale)), inSize - 1), 1));
}

const [upsampleNearest2d, upsampleNearest2dBackward] = linearPair((a, dtype) => ({
  inH: num(a, "inH"), inW: num(a, "inW"), outH: num(a, "outH"), outW: num(a, "outW"),
  rows: nearestTaps(num(a, "inH"), num(a, "outH"), a.scaleH as number | null, dtype !== "float64"),
  cols: nearestTaps(num(a, "inW"), num(a, "outW"), a.scaleW as number | null, dtype !== "float64"),
}));

/** PyTorch's linear source position and the two neighbours' weights along one axis. */
function linearTaps(inSize: number, outSize: number, alignCorners: boolean, scaleFactor: number | null): Taps {
  let scale: number;
  if (alignCorners) scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  else scale = scaleFactor !== null && scaleFactor > 0 ? 1 / scaleFactor : inSize / outSize;
  return buildTaps(outSize, (o, add) => {
    if (outSize === inSize) {
      add(o, 1);
      return;
    }
    // Half-pixel centres without alignCorners; positions left of the first centre clamp to 0.
    const real = alignCorners ? scale * o : Math.max(scale * (o + 0.5) - 0.5, 0);
    const i0 = Math.floor(real);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const lambda = Math.min(Math.max(real - i0, 0), 1);
    add(i0, 1 - lambda);
    add(i1, lambda);
  });
}

const [upsampleBilinear2d, upsampleBilinear2dBackward] = linearPair((a) => ({
  inH: num(a, "inH"), inW: num(a, "inW"), outH: num(a, "outH"), outW: num(a, "outW"),
  rows: linearTaps(num(a, "inH"), num(a, "outH"), a.alignCorners as boolean, a.scaleH as number | null),
  cols: linearTaps(num(a, "inW"), num(a, "outW"), a.alignCorners as boolean, a.scaleW as number | null),
}));

// ---- max pooling ----

/** Input positions of each output's window along one axis: first, then `count` taps `step` apart. */
interface Windows {
  first: Int32Array;
  count: Int32Array;
  step: number;
}

function slidingWindows(inSize: number, outSize: number, k: number, s: number, p: number, d: number): Windows {
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * s - p;
    const end = Math.min(start + (k - 1) * d + 1, inSize);
    let f = start;
    while (f < 0) f += d;
    first[o] = f;
    count[o] = Math.max(0, Math.ceil((end - f) / d));
  }
  return { first, count, step: d };
}

function adaptiveWindows(inSize: number, outSize: number): Windows {
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const [lo, hi] = adaptiveWindow(o, inSize, outSize);
    first[o] = lo;
    count[o] = hi - lo;
  }
  return { first, count, step: 1 };
}

/**
 * Flat index (into the H·W plane) of each window's maximum, like PyTorch's CPU kernel: row-major
 * scan, the first strict maximum wins, NaN beats everything, and an all -∞ window gives its first position.
 */
function argmaxWindows(x: TensorView, out: TensorView, inH: number, inW: number, rows: Windows, cols: Windows): void {
  const src = dataOf(x);
  const dst = dataOf(out);
  const outH = rows.first.length;
  const outW = cols.first.length;
  const planes = sizeOf(out.shape) / (outH * outW);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let best = -Infinity;
        let bestIndex = rows.first[oh] * inW + cols.first[ow];
        for (let r = 0; r < rows.count[oh]; r++) {
          const ih = rows.first[oh] + r * rows.step;
          for (let c = 0; c < cols.count[ow]; c++) {
            const index = ih * inW + cols.first[ow] + c * cols.step;
            const v = src[base + index];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIndex = index;
            }
          }
        }
        dst[o++] = bestIndex;
      }
    }
  }
}

function maxWindows(a: Attrs): [Windows, Windows] {
  return [
    slidingWindows(num(a, "inH"), num(a, "outH"), num(a, "kH"), num(a, "sH"), num(a, "pH"), num(a, "dH")),
    slidingWindows(num(a, "inW"), num(a, "outW"), num(a, "kW"), num(a, "sW"), num(a, "pW"), num(a, "dW")),
  ];
}

const maxPool2dIndices: Kernel = ([x], [out], a) => {
  const [rows, cols] = maxWindows(a);
  argmaxWindows(x, out, num(a, "inH"), num(a, "inW"), rows, cols);
};

const adaptiveMaxPool2dIndices: Kernel = ([x], [out], a) => {
  const rows = adaptiveWindows(num(a, "inH"), num(a, "outH"));
  const cols = adaptiveWindows(num(a, "inW"), num(a, "outW"));
  argmaxWindows(x, out, num(a, "inH"), num(a, "inW"), rows, cols);
};

const planeSize = (v: TensorView): number => v.shape[v.shape.length - 2] * v.shape[v.shape.length - 1];

/** out[p, j] = x[p, idx[p, j]]: each plane's values at flat plane indices. */
const maxPoolPick: Kernel = ([x, idx], [out]) => {
  const src = dataOf(x);
  const ind = dataOf(idx);
  const dst = dataOf(out);
  const inPlane = planeSize(x);
  const outPlane = planeSize(idx);
  for (let j = 0; j < dst.length; j++) dst[j] = src[Math.floor(j / outPlane) * inPlane + ind[j]];
};

/** dx[p, idx[p, j]] += g[p, j]: the transpose of the pick. */
const maxPoolBackward: Kernel = ([g, idx], [dx]) => {
  const src = dataOf(g);
  const ind = dataOf(idx);
  const dst = dataOf(dx);
  const inPlane = planeSize(dx);
  const outPlane = planeSize(idx);
  dst.fill(0);
  for (let j = 0; j < src.length; j++) dst[Math.floor(j / outPlane) * inPlane + ind[j]] += src[j];
};

/** A temporary int32 view of the argmax indices a max pool's output `like` would have. */
function indicesLike(like: TensorView): TensorView {
  const size = sizeOf(like.shape);
  return { ...like, dtype: "int32", offset: 0, storage: { ...like.storage, dtype: "int32", size, data: new Int32Array(size) } as Storage };
}

/** Max pool values without kept indices: the argmax scan, then the pick. */
const maxPool2dValues: Kernel = ([x], [out], a) => {
  const idx = indicesLike(out);
  maxPool2dIndices([x], [idx], a);
  maxPoolPick([x, idx], [out], a);
};

/** Max pool backward from the input (gy, x): the argmax scan again, then the scatter. */
const maxPool2dBackward: Kernel = ([gy, x], [dx], a) => {
  const idx = indicesLike(gy);
  maxPool2dIndices([x], [idx], a);
  maxPoolBackward([gy, idx], [dx], a);
};

const contiguousOnly = (run: Kernel): KernelInfo => ({ run, strided: false });

/** The reference kernels of the pool and resample ops, by op name. */
export const poolKernels: Record<string, KernelInfo> = {
  maxPool2dIndices: contiguousOnly(maxPool2dIndices),
  maxPool2dValues: contiguousOnly(maxPool2dValues),
  maxPool2dBackward: contiguousOnly(maxPool2dBackward),
  adaptiveMaxPool2dIndices: contiguousOnly(adaptiveMaxPool2dIndices),
  maxPoolPick: contiguousOnly(maxPoolPick),
  maxPoolBackward: contiguousOnly(maxPoolBackward),
  avgPool2d,
  avgPool2dBackward,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  upsampleNearest2d,
  upsampleNearest2dBackward,
  upsampleBilinear2d,
  upsampleBilinear2dBackward,
};
