import { isContiguous } from "../../core/layout.js";
import type { TensorView } from "../../backend/backend.js";

/**
 * Storage offsets of a view's elements in row-major order, or null when the view is contiguous
 * (then element i is at `view.offset + i`). The reference kernels use it to read any strides.
 */
export function elementOffsets(view: TensorView): Int32Array | null {
  if (isContiguous(view)) return null;
  return stridedOffsets(view.shape, view.strides, view.offset);
}

export function stridedOffsets(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  let size = 1;
  for (const d of shape) size *= d;
  const out = new Int32Array(size);
  const ndim = shape.length;
  if (size === 0) return out;
  if (ndim === 0) {
    out[0] = offset;
    return out;
  }
  // Fill the last dimension in a tight loop, then advance an odometer over the outer dims.
  const last = ndim - 1;
  const n = shape[last];
  const s = strides[last];
  const index = new Array<number>(ndim).fill(0);
  let base = offset;
  for (let o = 0; o < size; o += n) {
    for (let j = 0; j < n; j++) out[o + j] = base + j * s;
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      base += strides[d];
      if (index[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Reads element i of a view given its offsets (null = contiguous). */
export function at(offsets: Int32Array | null, view: TensorView, i: number): number {
  return offsets === null ? view.offset + i : offsets[i];
}
