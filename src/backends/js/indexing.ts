import { isContiguous } from "../../core/layout.js";
import type { Kernel, KernelInfo, TensorView } from "../../backend/backend.js";
import { contiguousStrides } from "../../core/shape.js";
import { dataOf } from "./storage.js";
import { at, elementOffsets, stridedOffsets } from "./strided.js";

/**
 * Offsets into `target` (strides, offset) for every position of `shape`, with `dim`'s stride left out:
 * the caller adds `index * strides[dim]`. This is how gather/scatter address "x at index along dim".
 */
function offsetsWithoutDim(shape: readonly number[], strides: readonly number[], offset: number, dim: number): Int32Array {
  const s = [...strides];
  s[dim] = 0;
  return stridedOffsets(shape, s, offset);
}

/** Offsets of every element of a view in row-major order (contiguous views too). */
function allOffsets(v: TensorView): Int32Array {
  return stridedOffsets(v.shape, v.strides, v.offset);
}

/** out[p] = x[p with p[dim] replaced by index[p]], over index's shape. */
const gather: Kernel = ([x, index], [out], attrs) => {
  const dim = attrs.dim as number;
  const src = dataOf(x);
  const idx = dataOf(index);
  const dst = dataOf(out);
  const base = offsetsWithoutDim(index.shape, x.strides, x.offset, dim);
  const io = elementOffsets(index);
  const step = x.strides[dim];
  for (let i = 0; i < dst.length; i++) dst[i] = src[base[i] + idx[at(io, index, i)] * step];
};

/** out = x, then out[p with p[dim] replaced by index[p]] += src[p], over index's shape. */
const scatterAdd: Kernel = ([x, index, src], [out], attrs) => {
  const dim = attrs.dim as number;
  const dst = dataOf(out);
  const xd = dataOf(x);
  const xo = elementOffsets(x);
  for (let i = 0; i < dst.length; i++) dst[i] = xd[at(xo, x, i)];
  const idx = dataOf(index);
  const io = elementOffsets(index);
  const sd = dataOf(src);
  const so = stridedOffsets(index.shape, src.strides, src.offset);
  const outStrides = contiguousStrides(out.shape);
  const base = offsetsWithoutDim(index.shape, outStrides, 0, dim);
  const step = outStrides[dim];
  for (let i = 0; i < base.length; i++) dst[base[i] + idx[at(io, index, i)] * step] += sd[so[i]];
};

/** out[..., j, ...] = x[..., index[j], ...] along dim. */
const indexSelect: Kernel = ([x, index], [out], attrs) => {
  const dim = attrs.dim as number;
  const src = dataOf(x);
  const idx = dataOf(index);
  const dst = dataOf(out);
  const io = elementOffsets(index);
  if (dim === 0 && isContiguous(x)) {
    // Whole rows (the DataLoader's batching): one block copy per selected row.
    const row = x.shape.length > 0 ? dst.length / Math.max(out.shape[0], 1) : 1;
    for (let j = 0; j < out.shape[0]; j++) {
      const start = x.offset + idx[at(io, index, j)] * row;
      dst.set(src.subarray(start, start + row), j * row);
    }
    return;
  }
  const base = offsetsWithoutDim(out.shape, x.strides, x.offset, dim);
  let inner = 1;
  for (let k = dim + 1; k < out.shape.length; k++) inner *= out.shape[k];
  const k = out.shape[dim];
  const step = x.strides[dim];
  for (let i = 0; i < dst.length; i++) {
    const j = Math.floor(i / inner) % k;
    dst[i] = src[base[i] + idx[at(io, index, j)] * step];
  }
};

/** value where mask, else x; both inputs already broadcast to the output's shape. */
const maskedFill: Kernel = ([x, mask], [out], attrs) => {
  const value = attrs.value as number;
  const src = dataOf(x);
  const m = dataOf(mask);
  const dst = dataOf(out);
  const xo = allOffsets(x);
  const mo = allOffsets(mask);
  for (let i = 0; i < dst.length; i++) dst[i] = m[mo[i]] ? value : src[xo[i]];
};

/** A 1 at column index[i] of row i of the (zeroed) output. */
const oneHot: Kernel = ([index], [out], attrs) => {
  const classes = attrs.numClasses as number;
  const idx = dataOf(index);
  const io = elementOffsets(index);
  const dst = dataOf(out);
  const n = dst.length / classes;
  for (let i = 0; i < n; i++) dst[i * classes + idx[at(io, index, i)]] = 1;
};

/** Keeps elements of the last two dims where `keep(col − row)`, zeros the rest. */
function triangle(keep: (offset: number, diagonal: number) => boolean): Kernel {
  return ([x], [out], attrs) => {
    const diagonal = attrs.diagonal as number;
    const src = dataOf(x);
    const dst = dataOf(out);
    const xo = elementOffsets(x);
    const rows = out.shape[out.shape.length - 2];
    const cols = out.shape[out.shape.length - 1];
    for (let i = 0; i < dst.length; i++) {
      const col = i % cols;
      const row = Math.floor(i / cols) % rows;
      dst[i] = keep(col - row, diagonal) ? src[at(xo, x, i)] : 0;
    }
  };
}

/** The reference kernels of the indexing ops, by op name. */
export const indexingKernels: Record<string, KernelInfo> = {
  gather: { run: gather, strided: true },
  scatterAdd: { run: scatterAdd, strided: true },
  indexSelect: { run: indexSelect, strided: true },
  maskedFill: { run: maskedFill, strided: true },
  oneHot: { run: oneHot, strided: true },
  tril: { run: triangle((d, k) => d <= k), strided: true },
  triu: { run: triangle((d, k) => d >= k), strided: true },
};
