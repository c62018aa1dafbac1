import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/** Elementwise: every output element is written, so outputs are not zeroed first. */
const plain: NativeKernelSpec = { strided: true, overwrites: true };
const withAttr = (name: string): NativeKernelSpec => ({ strided: true, overwrites: true, attrs: (a) => pushAttr(a[name] as number) });

/** native/src/kernels/unary.cc: elementwise unary ops (float32/float64; other dtypes run the js kernel). */
export const unaryKernels: NativeKernelTable = {
  neg: plain,
  abs: plain,
  sign: plain,
  exp: plain,
  log: plain,
  log1p: plain,
  sqrt: plain,
  rsqrt: plain,
  square: plain,
  sin: plain,
  cos: plain,
  tanh: plain,
  sigmoid: plain,
  relu: plain,
  erf: plain,
  silu: plain,
  floor: plain,
  ceil: plain,
  round: plain,
  reciprocal: plain,
  logicalNot: plain,
  isnan: plain,
  isfinite: plain,
  leakyRelu: withAttr("negativeSlope"),
  elu: withAttr("alpha"),
  gelu: { strided: true, overwrites: true, attrs: (a) => pushAttr(a.approximate === "tanh" ? 1 : 0) },
  softplus: {
    strided: true,
    overwrites: true,
    attrs: (a) => {
      pushAttr(a.beta as number);
      pushAttr(a.threshold as number);
    },
  },
  clamp: {
    strided: true,
    overwrites: true,
    attrs: (a) => {
      pushAttr((a.min as number | null) ?? -Infinity);
      pushAttr((a.max as number | null) ?? Infinity);
    },
  },
  powScalar: withAttr("exponent"),
  rpowScalar: withAttr("base"),
};
