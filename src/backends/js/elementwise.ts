import type { Kernel, TensorView } from "../../backend/backend.js";
import { dataOf } from "./storage.js";
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
    const oa = elementOffsets(a);
    const ob = elementOffsets(b);
    const n = dst.length;
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
