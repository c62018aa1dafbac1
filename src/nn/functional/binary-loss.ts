/** Binary classification losses: binaryCrossEntropy on probabilities and its stable form on logits. */
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, all, clamp, ge, gt, le, log, logicalAnd, mul, neg, softplus, sub, where } from "../../ops/index.js";
import { checkFloat, checkReduction, checkSameShape, reduce, type Reduction } from "./common.js";

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

/** Options of `binaryCrossEntropy`. */
export interface BinaryCrossEntropyOptions {
  /** A rescaling weight that broadcasts to the input's shape (per element, per sample or per class). */
  weight?: Tensor | null;
  /** "mean" (default), "sum", or "none" (per element, the input's shape). */
  reduction?: Reduction;
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term, broadcast against the input (usually [C]: negatives / positives per class). */
  posWeight?: Tensor | null;
}

function checkBroadcastsTo(w: Tensor | null | undefined, input: Tensor, op: string, arg: string): Tensor | null {
  if (w === undefined || w === null) return null;
  checkFloat(w, op, arg);
  const lead = input.ndim - w.ndim;
  const ok = lead >= 0 && w.shape.every((d, i) => d === 1 || d === input.shape[lead + i]);
  check(ok, op, () => `${arg} of shape ${fmtShape(w.shape)} must broadcast to the input's shape ${fmtShape(input.shape)}`);
  return w;
}

/** log(p) with PyTorch's floor of −100, written so that p = 0 gives −100 and a zero (not NaN) gradient. */
function clampedLog(p: Tensor): Tensor {
  const positive = gt(p, 0);
  return clamp(where(positive, log(where(positive, p, 1)), -100), { min: -100 });
}

/**
 * Binary cross-entropy between probabilities `input` (in [0, 1]) and `target` of the same shape, like
 * `F.binary_cross_entropy`: −w·(y·log x + (1 − y)·log(1 − x)), each log floored at −100 as PyTorch does,
 * so a confident wrong prediction gives 100, not infinity. Inputs outside [0, 1] (or NaN) are an error;
 * prefer `binaryCrossEntropyWithLogits` on raw scores, which is stable.
 * @example tl.nn.functional.binaryCrossEntropy(tl.sigmoid(logits), labels)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const op = "binaryCrossEntropy";
  checkFloat(input, op, "input");
  checkSameShape(input, target, op);
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, op);
  const weight = checkBroadcastsTo(options.weight, input, op, "weight");
  // Reading one boolean: catches logits passed by mistake, which would otherwise give a meaningless loss.
  const inRange = input.size === 0 || all(logicalAnd(ge(input.detach(), 0), le(input.detach(), 1))).item() !== 0;
  check(inRange, op, "all elements of input should be between 0 and 1 (probabilities); for raw scores use binaryCrossEntropyWithLogits");
  const loss = neg(add(mul(target, clampedLog(input)), mul(sub(1, target), clampedLog(sub(1, input)))));
  return reduce(weight === null ? loss : mul(loss, weight), reduction);
}

/**
 * Binary cross-entropy on logits, like `F.binary_cross_entropy_with_logits`: sigmoid and BCE in one
 * stable expression, (1 − y)·x + (1 + (pw − 1)·y)·softplus(−x), where softplus(−x) = −log σ(x) is
 * computed without overflow for any x. `posWeight` trades recall against precision per class.
 * @example tl.nn.functional.binaryCrossEntropyWithLogits(logits, labels, { posWeight: tl.tensor([3]) })
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkFloat(input, op, "input");
  checkSameShape(input, target, op);
  const reduction = checkReduction(options.reduction, "mean", REDUCTIONS, op);
  const weight = checkBroadcastsTo(options.weight, input, op, "weight");
  const posWeight = checkBroadcastsTo(options.posWeight, input, op, "posWeight");
  // threshold Infinity: the kernel's max(z, 0) + log1p(exp(−|z|)) is exact and never overflows.
  const negLogSigmoid = softplus(neg(input), { threshold: Infinity });
  const logWeight = posWeight === null ? null : add(mul(sub(posWeight, 1), target), 1);
  const loss = add(mul(sub(1, target), input), logWeight === null ? negLogSigmoid : mul(logWeight, negLogSigmoid));
  return reduce(weight === null ? loss : mul(loss, weight), reduction);
}
