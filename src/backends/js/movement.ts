import { contiguousStrides } from "../../core/shape.js";
import type { Kernel, KernelInfo } from "../../backend/backend.js";
import { dataOf } from "./storage.js";
import { at, elementOffsets, stridedOffsets } from "./strided.js";

/** Gradient of a slice: the slice's values written into zeros of the input's shape. */
const sliceBackward: Kernel = ([gy], [out], attrs) => {
  const { shape, dim, start, step } = attrs as { shape: number[]; dim: number; start: number; step: number };
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const targetStrides = [...strides];
  targetStrides[dim] = strides[dim] * step;
  const targets = stridedOffsets(gy.shape, targetStrides, start * strides[dim]);
  const src = dataOf(gy);
  const dst = dataOf(out);
  const offs = elementOffsets(gy);
  for (let i = 0; i < targets.length; i++) dst[targets[i]] = src[offs === null ? gy.offset + i : offs[i]];
};


const copyAny: Kernel = ([x], [out]) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  const offs = elementOffsets(x);
  for (let i = 0; i < dst.length; i++) dst[i] = src[offs === null ? x.offset + i : offs[i]];
};

/** Product of `shape[from..to)`. */
function span(shape: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/** Copies each input's block into its place along `dim` of the output. */
const cat: Kernel = (xs, [out], attrs) => {
  const dim = attrs.dim as number;
  const dst = dataOf(out);
  const outer = span(out.shape, 0, dim);
  const inner = span(out.shape, dim + 1, out.shape.length);
  const outRow = out.shape[dim] * inner;
  let start = 0;
  for (const x of xs) {
    const src = dataOf(x);
    const offs = elementOffsets(x);
    const block = x.shape[dim] * inner;
    for (let o = 0, i = 0; o < outer; o++) {
      const base = o * outRow + start * inner;
      for (let j = 0; j < block; j++, i++) dst[base + j] = src[at(offs, x, i)];
    }
    start += x.shape[dim];
  }
};

interface PadKernelAttrs {
  pads: readonly (readonly [number, number])[];
  mode: "constant" | "reflect" | "replicate" | "circular";
  value: number;
}

/** For each dim of an unpadded shape `sizes`, the input index each padded position reads (-1 = constant fill). */
function padSources(sizes: readonly number[], a: PadKernelAttrs): Int32Array[] {
  return sizes.map((n, d) => {
    const [before, after] = a.pads[d];
    const map = new Int32Array(n + before + after);
    for (let i = 0; i < map.length; i++) {
      let j = i - before;
      if (j < 0 || j >= n) {
        if (a.mode === "constant") j = -1;
        else if (a.mode === "replicate") j = j < 0 ? 0 : n - 1;
        else if (a.mode === "circular") j = j < 0 ? j + n : j - n; // pads are at most n: one wrap
        else j = j < 0 ? -j : 2 * (n - 1) - j; // reflect about the edge, not repeating it
      }
      map[i] = j;
    }
    return map;
  });
}

/** Visits every element of `shape` in row-major order with its multi-index (the callback must not keep it). */
function forEachIndex(shape: readonly number[], visit: (flat: number, index: readonly number[]) => void): void {
  let size = 1;
  for (const d of shape) size *= d;
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    visit(flat, index);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/** Storage offset of the input element a padded position reads, or -1 for the fill value. */
function sourceOffset(maps: Int32Array[], strides: readonly number[], offset: number, index: readonly number[]): number {
  let off = offset;
  for (let d = 0; d < maps.length; d++) {
    const j = maps[d][index[d]];
    if (j < 0) return -1;
    off += j * strides[d];
  }
  return off;
}

const pad: Kernel = ([x], [out], attrs) => {
  const a = attrs as unknown as PadKernelAttrs;
  const src = dataOf(x);
  const dst = dataOf(out);
  const maps = padSources(x.shape, a);
  forEachIndex(out.shape, (i, index) => {
    const off = sourceOffset(maps, x.strides, x.offset, index);
    dst[i] = off < 0 ? a.value : src[off];
  });
};

/** Gradient of pad: every padded position's gradient adds into the input element it read. */
const padBackward: Kernel = ([gy], [out], attrs) => {
  const a = attrs as unknown as PadKernelAttrs;
  const src = dataOf(gy);
  const dst = dataOf(out);
  const offs = elementOffsets(gy);
  const maps = padSources(out.shape, a);
  const strides = contiguousStrides(out.shape);
  forEachIndex(gy.shape, (i, index) => {
    const off = sourceOffset(maps, strides, 0, index);
    if (off >= 0) dst[off] += src[at(offs, gy, i)];
  });
};

/** Reads the input with negated strides on the flipped dims, starting from their last element. */
const flip: Kernel = ([x], [out], attrs) => {
  const dims = attrs.dims as number[];
  const strides = [...x.strides];
  let offset = x.offset;
  for (const d of dims) {
    offset += (x.shape[d] - 1) * x.strides[d];
    strides[d] = -strides[d];
  }
  const offs = stridedOffsets(x.shape, strides, offset);
  const src = dataOf(x);
  const dst = dataOf(out);
  for (let i = 0; i < dst.length; i++) dst[i] = src[offs[i]];
};

/** The output [r0·s0, r1·s1, ...] read as [r0, s0, r1, s1, ...] walks x with stride 0 over each r. */
const repeat: Kernel = ([x], [out], attrs) => {
  const sizes = attrs.sizes as number[];
  const lead = sizes.length - x.shape.length;
  const shape: number[] = [];
  const strides: number[] = [];
  sizes.forEach((r, i) => {
    shape.push(r, i < lead ? 1 : x.shape[i - lead]);
    strides.push(0, i < lead ? 0 : x.strides[i - lead]);
  });
  const offs = stridedOffsets(shape, strides, x.offset);
  const src = dataOf(x);
  const dst = dataOf(out);
  for (let i = 0; i < dst.length; i++) dst[i] = src[offs[i]];
};

/** The reference kernels of the movement ops, by op name. */
export const movementKernels: Record<string, KernelInfo> = {
  sliceBackward: { run: sliceBackward, strided: true },
  contiguous: { run: copyAny, strided: true },
  cat: { run: cat, strided: true },
  pad: { run: pad, strided: true },
  padBackward: { run: padBackward, strided: true },
  flip: { run: flip, strided: true },
  repeat: { run: repeat, strided: true },
};
