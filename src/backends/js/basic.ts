import { normalAt, uniform24 } from "../../core/rng.js";
import type { Kernel, TensorView } from "../../backend/backend.js";
import { dataOf } from "./storage.js";
import { elementOffsets } from "./strided.js";

/** Copies any strided view into a contiguous output (also converts dtype: bool/int/float). */
export const copy: Kernel = ([x], [out]) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  const offs = elementOffsets(x);
  const n = sizeOfView(out);
  const o = out.offset;
  const toBool = out.dtype === "bool";
  const toInt = out.dtype === "int32";
  if (offs === null && !toBool && !toInt) {
    for (let i = 0; i < n; i++) dst[o + i] = src[x.offset + i];
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = src[offs === null ? x.offset + i : offs[i]];
    dst[o + i] = toBool ? (v !== 0 ? 1 : 0) : toInt ? Math.trunc(v) : v;
  }
};

function sizeOfView(v: TensorView): number {
  let n = 1;
  for (const d of v.shape) n *= d;
  return n;
}

export const fill: Kernel = (_inputs, [out], attrs) => {
  dataOf(out).fill(attrs.value as number);
};

/** `start + i * step` for i in 0..n-1 (arange and linspace). */
export const arange: Kernel = (_inputs, [out], attrs) => {
  const data = dataOf(out);
  const start = attrs.start as number;
  const step = attrs.step as number;
  for (let i = 0; i < data.length; i++) data[i] = start + i * step;
};

export const eye: Kernel = (_inputs, [out], attrs) => {
  const data = dataOf(out);
  const cols = attrs.cols as number;
  const rows = data.length / cols;
  for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
};

/** Uniform in [low, high) from the counter-based stream (key, offset). */
export const uniform: Kernel = (_inputs, [out], attrs) => {
  const data = dataOf(out);
  const { key, offset, low, high } = attrs as { key: number; offset: number; low: number; high: number };
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * uniform24(key, offset + i);
};

export const normal: Kernel = (_inputs, [out], attrs) => {
  const data = dataOf(out);
  const { key, offset, mean, std } = attrs as { key: number; offset: number; mean: number; std: number };
  for (let i = 0; i < data.length; i++) data[i] = mean + std * normalAt(key, offset + i);
};

/** Integers uniform in [low, high). */
export const randint: Kernel = (_inputs, [out], attrs) => {
  const data = dataOf(out);
  const { key, offset, low, high } = attrs as { key: number; offset: number; low: number; high: number };
  for (let i = 0; i < data.length; i++) data[i] = low + Math.floor(uniform24(key, offset + i) * (high - low));
};

/** A random permutation of 0..n-1 (Fisher–Yates driven by the stream). */
export const randperm: Kernel = (_inputs, [out], attrs) => {
  const data = dataOf(out);
  const { key, offset } = attrs as { key: number; offset: number };
  for (let i = 0; i < data.length; i++) data[i] = i;
  for (let i = data.length - 1; i > 0; i--) {
    const j = Math.floor(uniform24(key, offset + i) * (i + 1));
    const t = data[i];
    data[i] = data[j];
    data[j] = t;
  }
};

/**
 * Writes the input (already broadcast to the destination's shape) into the output, which here may be
 * any strided view of an existing tensor: the one kernel behind in-place ops.
 */
export const assign: Kernel = ([src], [dst]) => {
  const to = dataOf(dst);
  const from = dataOf(src);
  const dOffs = elementOffsets(dst);
  const sOffs = elementOffsets(src);
  const n = sizeOfView(dst);
  for (let i = 0; i < n; i++) {
    to[dOffs === null ? dst.offset + i : dOffs[i]] = from[sOffs === null ? src.offset + i : sOffs[i]];
  }
};
