import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/** Reductions take their reduced dims as attributes. */
const overDims: NativeKernelSpec = {
  strided: true,
  attrs: (a) => {
    for (const d of a.dims as readonly number[]) pushAttr(d);
  },
};

/** native/src/kernels/reduce.cc: reductions over any dims, arg-extremes and cumsum (float32/float64). */
export const reduceKernels: NativeKernelTable = {
  sum: overDims,
  prod: overDims,
  max: overDims,
  min: overDims,
  all: overDims,
  any: overDims,
  argmax: overDims,
  argmin: overDims,
  cumsum: { strided: true, attrs: (a) => pushAttr(a.dim as number) },
};
