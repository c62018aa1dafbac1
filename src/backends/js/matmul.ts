import type { KernelInfo } from "../../backend/backend.js";

/** The reference kernels of the matmul ops, by op name. */
export const matmulKernels: Record<string, KernelInfo> = {};
