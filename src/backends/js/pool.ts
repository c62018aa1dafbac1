import type { KernelInfo } from "../../backend/backend.js";

/** The reference kernels of the pool ops, by op name. */
export const poolKernels: Record<string, KernelInfo> = {};
