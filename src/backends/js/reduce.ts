import type { Kernel, KernelInfo, TensorView } from "../../backend/backend.js";
import { dataOf } from "./storage.js";
import { stridedOffsets } from "./strided.js";

/**
 * Offsets of the input with the reduced dims moved last: element (o, r) of the result is at
 * offsets[o * inner + r], for o over the kept dims and r over the reduced ones.
 */
function reductionOffsets(x: TensorView, dims: readonly number[]): { offsets: Int32Array; inner: number } {
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const offsets = stridedOffsets(order.map((i) => x.shape[i]), order.map((i) => x.strides[i]), x.offset);
  let inner = 1;
  for (const d of dims) inner *= x.shape[d];
  return { offsets, inner };
}

function reduceKernel(init: number, step: (acc: number, v: number) => number, finish?: (acc: number, n: number) => number): Kernel {
  return ([x], [out], attrs) => {
    const src = dataOf(x);
    const dst = dataOf(out);
    const { offsets, inner } = reductionOffsets(x, attrs.dims as number[]);
    for (let o = 0; o < dst.length; o++) {
      let acc = init;
      const base = o * inner;
      for (let r = 0; r < inner; r++) acc = step(acc, src[offsets[base + r]]);
      dst[o] = finish ? finish(acc, inner) : acc;
    }
  };
}

/** Sum with Kahan-style pairwise accuracy is not needed for the reference: float64 accumulation is. */
const sum: Kernel = ([x], [out], attrs) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  const { offsets, inner } = reductionOffsets(x, attrs.dims as number[]);
  for (let o = 0; o < dst.length; o++) {
    let acc = 0;
    const base = o * inner;
    for (let r = 0; r < inner; r++) acc += src[offsets[base + r]];
    dst[o] = acc;
  }
};

/** Index (along the single reduced dim) of the max or min; first occurrence wins; NaN counts as largest. */
function argKernel(better: (a: number, b: number) => boolean): Kernel {
  return ([x], [out], attrs) => {
    const src = dataOf(x);
    const dst = dataOf(out);
    const { offsets, inner } = reductionOffsets(x, attrs.dims as number[]);
    for (let o = 0; o < dst.length; o++) {
      const base = o * inner;
      let best = src[offsets[base]];
      let bestIndex = 0;
      for (let r = 1; r < inner; r++) {
        const v = src[offsets[base + r]];
        if (Number.isNaN(best)) break;
        if (Number.isNaN(v) || better(v, best)) {
          best = v;
          bestIndex = r;
        }
      }
      dst[o] = bestIndex;
    }
  };
}

const nanAware = (pick: (a: number, b: number) => number) => (acc: number, v: number): number =>
  Number.isNaN(acc) || Number.isNaN(v) ? NaN : pick(acc, v);

/** Inclusive cumulative sum along `dim`. */
const cumsum: Kernel = ([x], [out], attrs) => {
  const dim = attrs.dim as number;
  const src = dataOf(x);
  const dst = dataOf(out);
  const { offsets, inner } = reductionOffsets(x, [dim]);
  // Output is contiguous in the original order: position of (outer o, step r) in it.
  const shape = x.shape;
  let after = 1;
  for (let i = dim + 1; i < shape.length; i++) after *= shape[i];
  for (let o = 0; o < dst.length / inner; o++) {
    const before = Math.floor(o / after);
    const rest = o % after;
    let acc = 0;
    for (let r = 0; r < inner; r++) {
      acc += src[offsets[o * inner + r]];
      dst[(before * inner + r) * after + rest] = acc;
    }
  }
};

/** x at idx along `dim` (idx has x's shape with `dim` reduced, kept or not). */
const takeAlongDim: Kernel = ([x, idx], [out], attrs) => {
  const dim = attrs.dim as number;
  const src = dataOf(x);
  const ind = dataOf(idx);
  const dst = dataOf(out);
  const { offsets, inner } = reductionOffsets(x, [dim]);
  const iOffs = stridedOffsets(idx.shape, idx.strides, idx.offset);
  for (let o = 0; o < dst.length; o++) dst[o] = src[offsets[o * inner + ind[iOffs[o]]]];
};

const info = (run: Kernel): KernelInfo => ({ run, strided: true });

export const reduceKernels: Record<string, KernelInfo> = {
  sum: info(sum),
  prod: info(reduceKernel(1, (a, v) => a * v)),
  max: info(reduceKernel(-Infinity, nanAware(Math.max))),
  min: info(reduceKernel(Infinity, nanAware(Math.min))),
  all: info(reduceKernel(1, (a, v) => (a && v !== 0 ? 1 : 0))),
  any: info(reduceKernel(0, (a, v) => (a || v !== 0 ? 1 : 0))),
  argmax: info(argKernel((v, best) => v > best)),
  argmin: info(argKernel((v, best) => v < best)),
  cumsum: info(cumsum),
  takeAlongDim: info(takeAlongDim),
};
