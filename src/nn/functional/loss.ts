/**
 * Classification losses over a class dimension: crossEntropy, nllLoss, klDiv. Each is a composition of
 * public ops following PyTorch's formulas exactly (weighted means, label smoothing, ignored targets).
 */
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import { isGradEnabled } from "../../engine/grad-mode.js";
import type { Tensor } from "../../engine/tensor.js";
import {
  add, cast, div, eq, exp, gather, indexSelect, log, mul, ne, neg, reshape, softmaxCrossEntropy, squeeze, sub, sum, unsqueeze, where,
} from "../../ops/index.js";
import { logSoftmax } from "./activation.js";
import { channelShape, checkFloat, checkReduction, checkSameShape, classIndices, reduce, type Reduction } from "./common.js";

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

/** Options of `nllLoss`. */
export interface NllLossOptions {
  /** A manual rescaling weight for each class, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this index add nothing to the loss or to the mean's denominator (default -100). */
  ignoreIndex?: number;
  /** "mean" (default: weighted mean over non-ignored targets), "sum", or "none" (per element, shape of target). */
  reduction?: Reduction;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Batched views of an unbatched [C] input and its target, and how to undo it for reduction "none". */
function batched(input: Tensor, target: Tensor, probs: boolean): { input: Tensor; target: Tensor; unbatch: (t: Tensor) => Tensor } {
  if (input.ndim !== 1) return { input, target, unbatch: (t) => t };
  return {
    input: unsqueeze(input, 0),
    target: probs ? unsqueeze(target, 0) : reshape(target, [1]),
    unbatch: (t) => (t.ndim === 0 ? t : reshape(t, [])),
  };
}

function checkInput(input: Tensor, op: string): number {
  checkFloat(input, op, "input");
  check(input.ndim >= 1, op, () => `input must have shape [C], [N, C] or [N, C, d1, ...], got a 0-d tensor`);
  return input.shape[input.ndim === 1 ? 0 : 1];
}

function checkWeight(weight: Tensor | null | undefined, classes: number, op: string): Tensor | null {
  if (weight === undefined || weight === null) return null;
  checkFloat(weight, op, "weight");
  check(weight.ndim === 1 && weight.shape[0] === classes, op,
    () => `weight must have shape [${classes}] (one value per class), got ${fmtShape(weight.shape)}`);
  return weight;
}

/** A class-index target has shape [N, d1, ...] for an [N, C, d1, ...] input, and shape [] for a [C] input. */
function checkIndexTarget(input: Tensor, target: Tensor, op: string): void {
  const expected = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  check(shapesEqual(target.shape, expected), op,
    () => `input has shape ${fmtShape(input.shape)}, so a class-index target must have shape ${fmtShape(expected)}` +
      ` (or class probabilities with the input's shape), got ${fmtShape(target.shape)}`);
}

/**
 * The negative log-likelihood core shared by nllLoss and crossEntropy. `logp` is [N, C, d1, ...],
 * `target` int32 [N, d1, ...]. `gather` picks logp at each target; ignored targets read class 0 and
 * are then masked out with `where` (not multiplied by 0, which would turn a −inf log-probability into NaN).
 */
function nllParts(logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number) {
  const isValid = ne(target, ignoreIndex); // [N, d1, ...]
  const valid = cast(isValid, logp.dtype);
  const safe = where(isValid, target, 0);
  const picked = where(isValid, squeeze(gather(logp, 1, unsqueeze(safe, 1)), 1), 0); // logp[n, y_n]
  // w[y] (1 unweighted), 0 where ignored
  const weightOfTarget = weight === null ? valid : mul(reshape(indexSelect(weight, 0, reshape(safe, [-1])), target.shape), valid);
  return { loss: neg(mul(picked, weightOfTarget)), weightOfTarget, isValid, valid };
}

function nllReduce(loss: Tensor, weightOfTarget: Tensor, reduction: Reduction): Tensor {
  // PyTorch's mean divides by the summed weight of the non-ignored targets (NaN when every target is ignored).
  return reduction === "mean" ? div(sum(loss), sum(weightOfTarget)) : reduce(loss, reduction);
}

/**
 * Negative log-likelihood loss on log-probabilities `input` ([C], [N, C] or [N, C, d1, ...]) and
 * class indices `target` ([], [N] or [N, d1, ...], int32 or whole-number floats), like `F.nll_loss`.
 * @example tl.nn.functional.nllLoss(tl.nn.functional.logSoftmax(logits, 1), labels)
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const classes = checkInput(input, op);
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, op);
  const weight = checkWeight(options.weight, classes, op);
  const ignoreIndex = options.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex), op, () => `ignoreIndex must be a whole number, got ${ignoreIndex}`);
  checkIndexTarget(input, target, op);
  const b = batched(input, target, false);
  const { loss, weightOfTarget } = nllParts(b.input, classIndices(b.target, classes, op, { ignoreIndex }), weight, ignoreIndex);
  return b.unbatch(nllReduce(loss, weightOfTarget, reduction));
}

/**
 * Cross-entropy between logits `input` ([C], [N, C] or [N, C, d1, ...]) and `target`, like
 * `F.cross_entropy`: class indices of shape [N, d1, ...] (int32 or whole-number floats), or class
 * probabilities with the input's shape. Supports per-class `weight`, `ignoreIndex` (index targets),
 * `labelSmoothing` and the three reductions, with PyTorch's formulas: the weighted mean divides by the
 * sum of the weights of the non-ignored targets; probability targets' mean divides by N·d1·….
 * @example const loss = tl.nn.functional.crossEntropy(logits, tl.tensor([0, 2, 1]), { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const classes = checkInput(input, op);
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, op);
  const weight = checkWeight(options.weight, classes, op);
  const ignoreIndex = options.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex), op, () => `ignoreIndex must be a whole number, got ${ignoreIndex}`);
  const eps = options.labelSmoothing ?? 0;
  check(typeof eps === "number" && eps >= 0 && eps <= 1, op, () => `labelSmoothing must be between 0 and 1, got ${eps}`);
  const probs = shapesEqual(input.shape, target.shape);
  if (probs) {
    checkFloat(target, op, "a class-probability target (same shape as input)");
    check(ignoreIndex < 0, op, () => `ignoreIndex (${ignoreIndex}) is not supported for class-probability targets`);
  } else checkIndexTarget(input, target, op);
  const b = batched(input, target, probs);
  const idx = probs ? null : classIndices(b.target, classes, op, { ignoreIndex }); // validated before any math
  // Index targets take the fused kernels, unless the weight needs a gradient (only the composition gives one).
  if (idx !== null && !(weight?.requiresGrad && isGradEnabled())) {
    return b.unbatch(softmaxCrossEntropy(b.input, idx, { weight, ignoreIndex, labelSmoothing: eps, reduction }));
  }
  const logp = logSoftmax(b.input, 1); // [N, C, d1, ...]
  const weightB = weight === null ? null : reshape(weight, channelShape(logp.ndim, classes));
  if (idx === null) {
    const t = eps > 0 ? add(mul(b.target, 1 - eps), eps / classes) : b.target;
    const terms = weightB === null ? mul(logp, t) : mul(mul(logp, t), weightB);
    if (reduction === "none") return b.unbatch(neg(sum(terms, { dim: 1 })));
    const total = neg(sum(terms));
    // PyTorch's mean for probabilities divides by the number of samples N·d1·…, not by the weights.
    return reduction === "sum" ? total : div(total, logp.size / classes);
  }
  const { loss, weightOfTarget, isValid, valid } = nllParts(logp, idx, weight, ignoreIndex);
  const nll = nllReduce(loss, weightOfTarget, reduction);
  if (eps === 0) return b.unbatch(nll);
  // Smoothing term: −Σ_c w_c·logp_c per element, zero where ignored, reduced like the nll part.
  const smooth = where(isValid, neg(sum(weightB === null ? logp : mul(logp, weightB), { dim: 1 })), 0);
  let smoothReduced: Tensor;
  if (reduction === "mean") smoothReduced = div(sum(smooth), sum(weight === null ? valid : weightOfTarget));
  else smoothReduced = reduce(smooth, reduction);
  return b.unbatch(add(mul(nll, 1 - eps), mul(smoothReduced, eps / classes)));
}

/** Options of `klDiv`. */
export interface KlDivOptions {
  /** "mean" (default, over all elements, like PyTorch), "batchmean" (sum / batch size: the true KL), "sum" or "none". */
  reduction?: Reduction | "batchmean";
  /** Whether `target` holds log-probabilities too (default false: probabilities). */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence with `input` as log-probabilities, like `F.kl_div`: pointwise
 * target·(log target − input), with 0·log 0 = 0; or exp(target)·(target − input) when `logTarget`.
 * Use `reduction: "batchmean"` for the mathematical KL divergence per sample.
 * @example tl.nn.functional.klDiv(logSoftmax(student, 1), softmax(teacher, 1), { reduction: "batchmean" })
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  const op = "klDiv";
  checkFloat(input, op, "input");
  checkSameShape(input, target, op);
  const reduction = checkReduction(options.reduction, "mean", [...REDUCTIONS, "batchmean"], op);
  let pointwise: Tensor;
  if (options.logTarget ?? false) pointwise = mul(exp(target), sub(target, input));
  else {
    // xlogy(t, t) − t·input: where t = 0 the term is 0, and log sees 1 there so no −inf enters the graph.
    const zero = eq(target, 0);
    const tLogT = where(zero, 0, mul(target, log(where(zero, 1, target))));
    pointwise = sub(tLogT, mul(target, input));
  }
  if (reduction !== "batchmean") return reduce(pointwise, reduction);
  check(input.ndim >= 1, op, `reduction "batchmean" needs a batch dimension, got a 0-d input`);
  return div(sum(pointwise), input.shape[0]);
}
