import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/** The softmax ops take their dim; operands arrive contiguous (like the js kernels). */
const alongDim: NativeKernelSpec = { strided: false, attrs: (a) => pushAttr(a.dim as number) };

/** The cross-entropy kernels take ignoreIndex, labelSmoothing, reduction code and weighted, in that order. */
const crossEntropy: NativeKernelSpec = {
  strided: false,
  attrs: (a) => {
    for (const key of ["ignoreIndex", "labelSmoothing", "reduction", "weighted"]) pushAttr(a[key] as number);
  },
};

/**
 * native/src/kernels/softmax.cc (softmax, logSoftmax and their backward ops) and cross_entropy.cc
 * (the fused class-index cross-entropy and its gradient): float32/float64, other dtypes run the js kernel.
 */
export const softmaxKernels: NativeKernelTable = {
  softmax: alongDim,
  logSoftmax: alongDim,
  softmaxBackward: alongDim,
  logSoftmaxBackward: alongDim,
  softmaxCrossEntropy: crossEntropy,
  softmaxCrossEntropyBackward: crossEntropy,
};
