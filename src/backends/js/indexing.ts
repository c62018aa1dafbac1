import type { KernelInfo } from "../../backend/backend.js";

/** The reference kernels of the indexing ops, by op name. */
export const indexingKernels: Record<string, KernelInfo> = {};
