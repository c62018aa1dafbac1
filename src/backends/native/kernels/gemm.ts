import type { NativeKernelTable } from "./define.js";

/**
 * native/src/kernels/gemm.cc: the packed, cache-blocked GEMM behind matmul (float32/float64; int32
 * runs the js kernel). Same contract as the js kernel: a [B, M, K] · b [B, K, N], or all three
 * 2-D, with any strides (transposed operands and stride-0 broadcast batches are read in place), no
 * attributes; C is written, never read (beta 0), so the output is not zeroed first.
 */
export const gemmKernels: NativeKernelTable = {
  matmul: { strided: true, overwrites: true },
};
