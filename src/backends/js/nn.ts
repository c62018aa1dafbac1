import type { KernelInfo } from "../../backend/backend.js";

/** The reference kernels of the nn ops, by op name. */
export const nnKernels: Record<string, KernelInfo> = {};
