import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/**
 * The attributes every normalization kernel reads, in the order native/src/kernels/norm.cc
 * documents: groups, perSample, eps, hasWeight, hasBias (flags as 0/1).
 */
const normSpec: NativeKernelSpec = {
  strided: false,
  // Each kernel stores every element of its outputs (statistics, normalized values, gradients).
  overwrites: true,
  attrs: (a) => {
    pushAttr(a.groups as number);
    pushAttr(a.perSample ? 1 : 0);
    pushAttr(a.eps as number);
    pushAttr(a.hasWeight ? 1 : 0);
    pushAttr(a.hasBias ? 1 : 0);
  },
};

/** native/src/kernels/norm.cc: fused normalization statistics, affine pass and gradients (float32/float64). */
export const normKernels: NativeKernelTable = {
  normStats: normSpec,
  normApply: normSpec,
  normAffineGrad: normSpec,
  normGroupGrad: normSpec,
  normInputGrad: normSpec,
};
