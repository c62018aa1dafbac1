import { pushAttr } from "../frame.js";
import type { NativeKernelTable } from "./define.js";

const dim = (a: Record<string, unknown>): void => pushAttr(a.dim as number);

/**
 * native/src/kernels/index.cc (gather, scatterAdd, indexSelect, takeAlongDim) and mask.cc
 * (maskedFill, oneHot, tril/triu). Every dtype; indices must be int32 (the ops cast them), other
 * index dtypes run the js kernel.
 */
export const indexKernels: NativeKernelTable = {
  gather: { strided: true, attrs: dim },
  scatterAdd: { strided: true, attrs: dim },
  indexSelect: { strided: true, attrs: dim },
  takeAlongDim: { strided: true, attrs: dim },
  maskedFill: { strided: true, attrs: (a) => pushAttr(Number(a.value)) },
  oneHot: { strided: true, attrs: (a) => pushAttr(a.numClasses as number) },
  tril: { strided: true, attrs: (a) => pushAttr(a.diagonal as number) },
  triu: { strided: true, attrs: (a) => pushAttr(a.diagonal as number) },
};
