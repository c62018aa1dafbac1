import type { KernelInfo } from "../../backend/backend.js";
import { binaryKernel, where } from "./elementwise.js";

const strided = (run: KernelInfo["run"]): KernelInfo => ({ run, strided: true });
const bool = (b: boolean): number => (b ? 1 : 0);

/** The reference kernels of the broadcasting binary ops (inputs arrive already broadcast). */
export const binaryKernels: Record<string, KernelInfo> = {
  add: strided(binaryKernel((a, b) => a + b)),
  sub: strided(binaryKernel((a, b) => a - b)),
  mul: strided(binaryKernel((a, b) => a * b)),
  div: strided(binaryKernel((a, b) => a / b)),
  /** Integer division that rounds toward negative infinity (floor_divide). */
  floorDiv: strided(binaryKernel((a, b) => Math.floor(a / b))),
  remainder: strided(binaryKernel((a, b) => a - Math.floor(a / b) * b)),
  pow: strided(binaryKernel(Math.pow)),
  maximum: strided(binaryKernel((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b))),
  minimum: strided(binaryKernel((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b))),
  eq: strided(binaryKernel((a, b) => bool(a === b))),
  ne: strided(binaryKernel((a, b) => bool(a !== b))),
  lt: strided(binaryKernel((a, b) => bool(a < b))),
  le: strided(binaryKernel((a, b) => bool(a <= b))),
  gt: strided(binaryKernel((a, b) => bool(a > b))),
  ge: strided(binaryKernel((a, b) => bool(a >= b))),
  logicalAnd: strided(binaryKernel((a, b) => bool(a !== 0 && b !== 0))),
  logicalOr: strided(binaryKernel((a, b) => bool(a !== 0 || b !== 0))),
  logicalXor: strided(binaryKernel((a, b) => bool((a !== 0) !== (b !== 0)))),
  where: strided(where),
};
