import type { NativeKernelTable } from "./define.js";

/**
 * native/src/kernels/linear.cc: `linear` (x [M, K] · w [N, K]ᵀ + bias [N] as one GEMM onto bias-filled
 * rows; x and w with any strides) and `reluBackward` (contiguous operands). float32/float64; other
 * dtypes and strided biases run the js kernels. No attributes.
 */
export const linearKernels: NativeKernelTable = {
  linear: { strided: true, overwrites: true },
  reluBackward: { strided: false, overwrites: true },
};
