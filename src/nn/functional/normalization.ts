/** Normalization as functions: batchNorm (with running statistics), layerNorm, groupNorm. */
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import { noGrad } from "../../engine/grad-mode.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, mean, mul, reshape, rsqrt, sub, variance } from "../../ops/index.js";
import { channelShape, checkFloat } from "./common.js";

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /** Normalize with the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch in the running averages: r ← (1 − m)·r + m·batch (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Checks an optional per-feature tensor (weight, bias, running stats) has shape `shape`. */
function checkParam(t: Tensor | null | undefined, shape: readonly number[], op: string, arg: string): Tensor | null {
  if (t === undefined || t === null) return null;
  checkFloat(t, op, arg);
  check(shapesEqual(t.shape, shape), op, () => `${arg} must have shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
  return t;
}

function checkEps(eps: number, op: string): void {
  check(typeof eps === "number" && eps >= 0, op, () => `eps must be a number ≥ 0, got ${eps}`);
}

/** y·weight + bias with the affine parameters viewed as `shape` for broadcasting. */
function affine(y: Tensor, weight: Tensor | null, bias: Tensor | null, shape: readonly number[]): Tensor {
  let out = weight === null ? y : mul(y, reshape(weight, shape));
  if (bias !== null) out = add(out, reshape(bias, shape));
  return out;
}

/**
 * Batch normalization over an input of shape [N, C], [N, C, L] or [N, C, H, W] (any [N, C, ...]), like
 * `F.batch_norm`. In training it normalizes with the batch's mean and biased variance per channel and,
 * when running buffers are given, updates them in place (not recorded by autograd) with the batch mean
 * and the unbiased variance; in evaluation it uses the running statistics.
 * @example const y = tl.nn.functional.batchNorm(x, runningMean, runningVar, gamma, beta, { training: true });
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  weight?: Tensor | null, bias?: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = "batchNorm";
  checkFloat(x, op, "input");
  check(x.ndim >= 2, op, () => `input must have shape [N, C, ...], got ${fmtShape(x.shape)}`);
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  checkEps(eps, op);
  check(typeof momentum === "number" && momentum >= 0 && momentum <= 1, op, () => `momentum must be between 0 and 1, got ${momentum}`);
  const channels = x.shape[1];
  const rm = checkParam(runningMean, [channels], op, "runningMean");
  const rv = checkParam(runningVar, [channels], op, "runningVar");
  const w = checkParam(weight, [channels], op, "weight");
  const b = checkParam(bias, [channels], op, "bias");
  const bshape = channelShape(x.ndim, channels);
  if (!training) {
    check(rm !== null && rv !== null, op, "runningMean and runningVar are required when training is false");
    const y = mul(sub(x, reshape(rm, bshape)), rsqrt(add(reshape(rv, bshape), eps)));
    return affine(y, w, b, bshape);
  }
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const n = x.size / channels;
  check(n > 1, op, () => `expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`);
  const mu = mean(x, { dim: dims, keepdim: true });
  const biasedVar = variance(x, { dim: dims, keepdim: true, unbiased: false });
  if (rm !== null || rv !== null) {
    noGrad(() => {
      if (rm !== null) rm.mul_(1 - momentum).add_(mul(reshape(mu, [channels]), momentum));
      // The running variance estimates the population's, so it takes Bessel's correction n / (n − 1).
      if (rv !== null) rv.mul_(1 - momentum).add_(mul(reshape(biasedVar, [channels]), (momentum * n) / (n - 1)));
    });
  }
  const y = mul(sub(x, mu), rsqrt(add(biasedVar, eps)));
  return affine(y, w, b, bshape);
}

/**
 * Layer normalization over the trailing dims given by `normalizedShape`, like `F.layer_norm`: each
 * sample is normalized with its own mean and biased variance, then scaled by `weight` and shifted by
 * `bias` (both of shape `normalizedShape`).
 * @example tl.nn.functional.layerNorm(x, [x.shape.at(-1)!], gamma, beta)
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null,
  bias?: Tensor | null, eps = 1e-5): Tensor {
  const op = "layerNorm";
  checkFloat(x, op, "input");
  checkEps(eps, op);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  check(shape.length >= 1 && shape.every((d) => Number.isInteger(d) && d > 0), op,
    () => `normalizedShape must be a non-empty list of sizes > 0, got ${fmtShape(shape)}`);
  const k = shape.length;
  check(x.ndim >= k && shapesEqual(x.shape.slice(x.ndim - k), shape), op,
    () => `input of shape ${fmtShape(x.shape)} does not end with normalizedShape ${fmtShape(shape)}`);
  const w = checkParam(weight, shape, op, "weight");
  const b = checkParam(bias, shape, op, "bias");
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mu = mean(x, { dim: dims, keepdim: true });
  const v = variance(x, { dim: dims, keepdim: true, unbiased: false });
  const y = mul(sub(x, mu), rsqrt(add(v, eps)));
  return affine(y, w, b, shape);
}

/**
 * Group normalization, like `F.group_norm`: the C channels of an [N, C, ...] input are split into
 * `numGroups` groups, each normalized per sample over its channels and positions; then a per-channel
 * `weight` and `bias` (shape [C]) are applied.
 * @example tl.nn.functional.groupNorm(x, 8, gamma, beta)
 */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const op = "groupNorm";
  checkFloat(x, op, "input");
  checkEps(eps, op);
  check(x.ndim >= 2, op, () => `input must have shape [N, C, ...], got ${fmtShape(x.shape)}`);
  const channels = x.shape[1];
  check(Number.isInteger(numGroups) && numGroups > 0 && channels % numGroups === 0, op,
    () => `the ${channels} channels must divide into numGroups groups, got numGroups ${numGroups}`);
  const w = checkParam(weight, [channels], op, "weight");
  const b = checkParam(bias, [channels], op, "bias");
  const perGroup = (channels / numGroups) * x.shape.slice(2).reduce((p, d) => p * d, 1);
  const grouped = reshape(x, [x.shape[0], numGroups, perGroup]); // [N, G, C/G · spatial]
  const mu = mean(grouped, { dim: 2, keepdim: true });
  const v = variance(grouped, { dim: 2, keepdim: true, unbiased: false });
  const y = reshape(mul(sub(grouped, mu), rsqrt(add(v, eps))), x.shape);
  return affine(y, w, b, channelShape(x.ndim, channels));
}
