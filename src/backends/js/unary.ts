import type { KernelInfo } from "../../backend/backend.js";
import { unaryKernel, unaryKernelWithAttrs } from "./elementwise.js";
import { erf, geluErf, geluTanh, roundHalfEven, sigmoid, softplus } from "./math.js";

const strided = (run: KernelInfo["run"]): KernelInfo => ({ run, strided: true });

/** The reference kernels of the elementwise unary ops, by op name. */
export const unaryKernels: Record<string, KernelInfo> = {
  neg: strided(unaryKernel((x) => -x)),
  abs: strided(unaryKernel(Math.abs)),
  sign: strided(unaryKernel((x) => (x > 0 ? 1 : x < 0 ? -1 : 0))),
  exp: strided(unaryKernel(Math.exp)),
  log: strided(unaryKernel(Math.log)),
  log1p: strided(unaryKernel(Math.log1p)),
  sqrt: strided(unaryKernel(Math.sqrt)),
  rsqrt: strided(unaryKernel((x) => 1 / Math.sqrt(x))),
  square: strided(unaryKernel((x) => x * x)),
  sin: strided(unaryKernel(Math.sin)),
  cos: strided(unaryKernel(Math.cos)),
  tanh: strided(unaryKernel(Math.tanh)),
  sigmoid: strided(unaryKernel(sigmoid)),
  relu: strided(unaryKernel((x) => (x > 0 ? x : 0))),
  erf: strided(unaryKernel(erf)),
  silu: strided(unaryKernel((x) => x * sigmoid(x))),
  floor: strided(unaryKernel(Math.floor)),
  ceil: strided(unaryKernel(Math.ceil)),
  round: strided(unaryKernel(roundHalfEven)),
  reciprocal: strided(unaryKernel((x) => 1 / x)),
  logicalNot: strided(unaryKernel((x) => (x === 0 ? 1 : 0))),
  isnan: strided(unaryKernel((x) => (Number.isNaN(x) ? 1 : 0))),
  isfinite: strided(unaryKernel((x) => (Number.isFinite(x) ? 1 : 0))),
  leakyRelu: strided(unaryKernelWithAttrs((a) => {
    const slope = a.negativeSlope as number;
    return (x) => (x > 0 ? x : x * slope);
  })),
  elu: strided(unaryKernelWithAttrs((a) => {
    const alpha = a.alpha as number;
    return (x) => (x > 0 ? x : alpha * Math.expm1(x));
  })),
  gelu: strided(unaryKernelWithAttrs((a) => (a.approximate === "tanh" ? geluTanh : geluErf))),
  softplus: strided(unaryKernelWithAttrs((a) => {
    const beta = a.beta as number;
    const threshold = a.threshold as number;
    return (x) => softplus(x, beta, threshold);
  })),
  clamp: strided(unaryKernelWithAttrs((a) => {
    const lo = (a.min as number | null) ?? -Infinity;
    const hi = (a.max as number | null) ?? Infinity;
    return (x) => (Number.isNaN(x) ? x : x < lo ? lo : x > hi ? hi : x);
  })),
  powScalar: strided(unaryKernelWithAttrs((a) => {
    const p = a.exponent as number;
    return p === 2 ? (x) => x * x : (x) => Math.pow(x, p);
  })),
  /** scalar ** x, for `pow(number, tensor)`. */
  rpowScalar: strided(unaryKernelWithAttrs((a) => {
    const base = a.base as number;
    return (x) => Math.pow(base, x);
  })),
};
