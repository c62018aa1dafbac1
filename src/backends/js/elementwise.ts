import type { Kernel, TensorView } from "../../backend/backend.js";
import { dataOf } from "./storage.js";
import { isContiguous } from "../../core/layout.js";
import { elementOffsets } from "./strided.js";

/** A unary kernel from a scalar function; inputs may have any strides. */
export function unaryKernel(f: (x: number) => number): Kernel {
  return ([x], [out], attrs) => {
    const src = dataOf(x);
    const dst = dataOf(out);
    const offs = elementOffsets(x);
    const n = dst.length;
    void attrs;
    if (offs === null) {
      const o = x.offset;
      for (let i = 0; i < n; i++) dst[i] = f(src[o + i]);
    } else {
      for (let i = 0; i < n; i++) dst[i] = f(src[offs[i]]);
    }
  };
}

/** A unary kernel whose function takes the op's attributes (e.g. leakyRelu's slope). */
export function unaryKernelWithAttrs(make: (attrs: Record<string, unknown>) => (x: number) => number): Kernel {
  return (inputs, outputs, attrs) => unaryKernel(make(attrs))(inputs, outputs, attrs);
}

/** A binary kernel; inputs were broadcast to the output's shape (stride-0 views), any strides. */
export function binaryKernel(f: (a: number, b: number) => number): Kernel {
  return ([a, b], [out]) => {
    const da = dataOf(a);
    const db = dataOf(b);
    const dst = dataOf(out);
    const n = dst.length;
    // A number operand arrives as a stride-0 broadcast: read it once instead of walking offsets.
    if (isBroadcastScalar(b) && isContiguous(a)) {
      const vb = db[b.offset];
      const sa = a.offset;
      for (let i = 0; i < n; i++) dst[i] = f(da[sa + i], vb);
      return;
    }
    if (isBroadcastScalar(a) && isContiguous(b)) {
      const va = da[a.offset];
      const sb = b.offset;
      for (let i = 0; i < n; i++) dst[i] = f(va, db[sb + i]);
      return;
    }
    const oa = elementOffsets(a);
    const ob = elementOffsets(b);
    if (oa === null && ob === null) {
      const sa = a.offset;
      const sb = b.offset;
      for (let i = 0; i < n; i++) dst[i] = f(da[sa + i], db[sb + i]);
    } else {
      for (let i = 0; i < n; i++) {
        dst[i] = f(da[oa === null ? a.offset + i : oa[i]], db[ob === null ? b.offset + i : ob[i]]);
      }
    }
  };
}

/** True when every element of the view is the same storage element (a broadcast number). */
function isBroadcastScalar(v: TensorView): boolean {
  for (const st of v.strides) if (st !== 0) return false;
  return true;
}

/** `where(cond, a, b)`: all three broadcast to the output's shape. */
export const where: Kernel = ([c, a, b], [out]) => {
  const dc = dataOf(c);
  const da = dataOf(a);
  const db = dataOf(b);
  const dst = dataOf(out);
  const oc = elementOffsets(c);
  const oa = elementOffsets(a);
  const ob = elementOffsets(b);
  const idx = (offs: Int32Array | null, v: TensorView, i: number): number => (offs === null ? v.offset + i : offs[i]);
  for (let i = 0; i < dst.length; i++) dst[i] = dc[idx(oc, c, i)] ? da[idx(oa, a, i)] : db[idx(ob, b, i)];
};
