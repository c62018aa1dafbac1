import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/** Elementwise: every output element is written, so outputs are not zeroed first. */
const strided: NativeKernelSpec = { strided: true, overwrites: true };

/**
 * native/src/kernels/binary.cc: broadcasting arithmetic (float32/float64, int32 add/sub),
 * comparisons and logical ops (every dtype) and where. Inputs arrive expanded to the output's shape.
 */
export const binaryKernels: NativeKernelTable = {
  add: strided,
  sub: strided,
  mul: strided,
  div: strided,
  floorDiv: strided,
  remainder: strided,
  pow: strided,
  maximum: strided,
  minimum: strided,
  eq: strided,
  ne: strided,
  lt: strided,
  le: strided,
  gt: strided,
  ge: strided,
  logicalAnd: strided,
  logicalOr: strided,
  logicalXor: strided,
  where: strided,
};
