/** Regression losses between a prediction and a target of the same shape: mse, l1, smoothL1, huber. */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { abs, lt, mul, square, sub, where } from "../../ops/index.js";
import { checkFloat, checkReduction, checkSameShape, reduce, type Reduction } from "./common.js";

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

/** Options shared by the regression losses. */
export interface RegressionLossOptions {
  /** "mean" (default), "sum", or "none" (per element, the input's shape). */
  reduction?: Reduction;
}

/**
 * The difference input − target after the checks every regression loss shares. Shapes must match
 * exactly: PyTorch broadcasts here with only a warning, and an [N, 1] vs [N] mix-up silently
 * trains on an [N, N] loss.
 */
function difference(input: Tensor, target: Tensor, op: string): Tensor {
  checkFloat(input, op, "input");
  checkSameShape(input, target, op);
  return sub(input, target);
}

/**
 * Mean squared error (input − target)², like `F.mse_loss`.
 * @example tl.nn.functional.mseLoss(pred, y)
 */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, "mseLoss");
  return reduce(square(difference(input, target, "mseLoss")), reduction);
}

/**
 * Mean absolute error |input − target|, like `F.l1_loss`.
 * @example tl.nn.functional.l1Loss(pred, y, { reduction: "sum" })
 */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, "l1Loss");
  return reduce(abs(difference(input, target, "l1Loss")), reduction);
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear (default 1; 0 gives the L1 loss). */
  beta?: number;
}

/**
 * Smooth L1 loss, like `F.smooth_l1_loss`: 0.5·d²/β where |d| < β, else |d| − 0.5·β (d = input − target).
 * @example tl.nn.functional.smoothL1Loss(boxes, targets, { beta: 1 / 9 })
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const op = "smoothL1Loss";
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, op);
  const beta = options.beta ?? 1;
  check(typeof beta === "number" && beta >= 0, op, () => `beta must be a number ≥ 0, got ${beta}`);
  const d = abs(difference(input, target, op));
  // β = 0 is exactly L1; the quadratic branch would divide by zero.
  if (beta === 0) return reduce(d, reduction);
  return reduce(where(lt(d, beta), mul(square(d), 0.5 / beta), sub(d, 0.5 * beta)), reduction);
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear (default 1, must be > 0). */
  delta?: number;
}

/**
 * Huber loss, like `F.huber_loss`: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ). Equals δ·smoothL1 with β = δ.
 * @example tl.nn.functional.huberLoss(pred, y, { delta: 2 })
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const op = "huberLoss";
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, op);
  const delta = options.delta ?? 1;
  check(typeof delta === "number" && delta > 0, op, () => `delta must be a number > 0, got ${delta}`);
  const d = abs(difference(input, target, op));
  return reduce(where(lt(d, delta), mul(square(d), 0.5), mul(sub(d, 0.5 * delta), delta)), reduction);
}
