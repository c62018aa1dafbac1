import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/** Every kernel reads one attribute: reverse (1 to run from the last step to the first). */
const lstmSpec: NativeKernelSpec = {
  strided: false,
  attrs: (a) => pushAttr(a.reverse as number),
};

/**
 * native/src/kernels/recurrent.cc: the fused LSTM recurrence and its backward through time
 * (float32/float64), each step one batched GEMM with W_hh plus the cell update, split over threads by
 * hidden unit.
 */
export const recurrentKernels: NativeKernelTable = {
  lstmSequence: lstmSpec,
  lstmLayer: lstmSpec,
  lstmSequenceBackward: lstmSpec,
};
