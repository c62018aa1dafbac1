import type { KernelInfo } from "../../backend/backend.js";

/** The reference kernels of the conv ops, by op name. */
export const convKernels: Record<string, KernelInfo> = {};
