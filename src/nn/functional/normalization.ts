/** Normalization as functions: batchNorm (with running statistics), layerNorm, groupNorm. */
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import { promoteTypes, type DType } from "../../core/dtype.js";
import { isGradEnabled, noGrad } from "../../engine/grad-mode.js";
import type { Tensor } from "../../engine/tensor.js";
import { cast, mul, normApply, normStats, reshape, select, stack, zeros } from "../../ops/index.js";
import { checkFloat } from "./common.js";

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

/** The dtype all of `ts` promote to, and each of them cast to it (the fused ops take one dtype). */
function unify<T extends (Tensor | null)[]>(ts: T): { dtype: DType; cast: T } {
  const dtype = ts.reduce<DType>((d, t) => (t === null ? d : promoteTypes(d, t.dtype)), (ts[0] as Tensor).dtype);
  return { dtype, cast: ts.map((t) => (t === null ? null : cast(t, dtype))) as T };
}

/**
 * The running statistics as normApply's stats [2, C]: stacked (differentiable) when they take a
 * gradient, else copied into one buffer without recording anything.
 */
function runningStats(rm: Tensor, rv: Tensor): Tensor {
  if (isGradEnabled() && (rm.requiresGrad || rv.requiresGrad)) return stack([rm, rv]);
  return noGrad(() => {
    const stats = zeros([2, rm.shape[0]], { dtype: rm.dtype });
    select(stats, 0, 0).copy_(rm);
    select(stats, 0, 1).copy_(rv);
    return stats;
  });
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
  if (!training) {
    check(rm !== null && rv !== null, op, "runningMean and runningVar are required when training is false");
    // Eval: one fused affine pass with the running statistics as the stats.
    const { cast: [xc, meanC, varC, wc, bc] } = unify([x, rm, rv, w, b]);
    return normApply(xc as Tensor, runningStats(meanC as Tensor, varC as Tensor), wc, bc, { eps });
  }
  const n = x.size / channels;
  check(n > 1, op, () => `expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`);
  const { cast: [xc, wc, bc] } = unify([x, w, b]);
  // The batch's statistics are a cache for normApply (which differentiates through them), so no graph here.
  const stats = noGrad(() => normStats(xc as Tensor));
  // The affine pass first, right after the statistics (the native pool's threads are still awake),
  // then the small running-statistic updates.
  const y = normApply(xc as Tensor, stats, wc, bc, { eps, batchStats: true });
  if (rm !== null || rv !== null) {
    noGrad(() => {
      if (rm !== null) rm.mul_(1 - momentum).add_(mul(select(stats, 0, 0), momentum));
      // The running variance estimates the population's, so it takes Bessel's correction n / (n − 1).
      if (rv !== null) rv.mul_(1 - momentum).add_(mul(select(stats, 0, 1), (momentum * n) / (n - 1)));
    });
  }
  return y;
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
  // [rows, features]: one group per row, and the affine parameters per feature (channel).
  const features = shape.reduce((p, d) => p * d, 1);
  const { cast: [xc, wc, bc] } = unify([x, w, b]);
  const x2 = reshape(xc as Tensor, [x.size / features, features]);
  const w2 = wc === null ? null : reshape(wc, [features]);
  const b2 = bc === null ? null : reshape(bc, [features]);
  const options = { groups: 1, perSample: true, eps };
  const stats = noGrad(() => normStats(x2, options));
  return reshape(normApply(x2, stats, w2, b2, { ...options, batchStats: true }), x.shape);
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
  const { cast: [xc, wc, bc] } = unify([x, w, b]);
  const options = { groups: numGroups, perSample: true, eps };
  const stats = noGrad(() => normStats(xc as Tensor, options));
  return normApply(xc as Tensor, stats, wc, bc, { ...options, batchStats: true });
}
