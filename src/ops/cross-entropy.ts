/**
 * Fused cross-entropy from logits and class-index targets: the loss in one kernel (log-sum-exp,
 * weighting, label smoothing, ignored targets and the reduction in one pass over the logits) and its
 * gradient wrt the logits in one backward kernel. `nn.functional.crossEntropy` uses it for index
 * targets; probability targets and a weight that needs its own gradient keep the composed path.
 */
import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { defineOp } from "../engine/dispatch.js";
import { isGradEnabled } from "../engine/grad-mode.js";
import type { Tensor } from "../engine/tensor.js";
import { add, div, eq, mul, ne, sub, where } from "./binary.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import { indexSelect } from "./indexing.js";
import { reshape, unsqueeze } from "./movement.js";
import { sum } from "./reduce.js";
import { expectTensor } from "./scalar.js";
import { softmax } from "./softmax.js";

/** Options of `softmaxCrossEntropy`, as in `F.cross_entropy`. */
export interface SoftmaxCrossEntropyOptions {
  /** A rescaling weight per class, shape [C], float like the logits; it receives no gradient here. */
  weight?: Tensor | null;
  /** Targets equal to this add nothing to the loss or to the mean's denominator (default -100). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution: (1 − ε)·onehot + ε/C (default 0). */
  labelSmoothing?: number;
  /** "mean" (default: divided by the summed weight of the non-ignored targets), "sum" or "none" (shape of target). */
  reduction?: "mean" | "sum" | "none";
}

interface CeAttrs {
  ignoreIndex: number;
  labelSmoothing: number;
  reduction: "mean" | "sum" | "none";
  weighted: boolean;
}

const REDUCTION_CODE = { none: 0, sum: 1, mean: 2 } as const;

const kernelAttrsOf = (a: CeAttrs) => ({
  ignoreIndex: a.ignoreIndex, labelSmoothing: a.labelSmoothing, reduction: REDUCTION_CODE[a.reduction], weighted: a.weighted ? 1 : 0,
});

/** Shape checks shared by the forward and backward ops (values were checked by the public functions). */
function checkShapes(op: string, x: Tensor, target: Tensor, weight: Tensor | null): void {
  check(isFloat(x.dtype), op, () => `logits must be float32 or float64, got dtype ${x.dtype}`);
  check(x.ndim >= 2, op, () => `logits must have shape [N, C] or [N, C, d1, ...], got ${fmtShape(x.shape)}`);
  const expected = [x.shape[0], ...x.shape.slice(2)];
  check(target.dtype === "int32" && shapesEqual(target.shape, expected), op,
    () => `logits have shape ${fmtShape(x.shape)}, so target must be int32 class indices of shape ${fmtShape(expected)}, got ${target.dtype} ${fmtShape(target.shape)}`);
  check(weight === null || (weight.dtype === x.dtype && shapesEqual(weight.shape, [x.shape[1]])), op,
    () => `weight must have shape [${x.shape[1]}] and the logits' dtype ${x.dtype}, got ${weight?.dtype} ${fmtShape(weight?.shape ?? [])}`);
}

/** Inputs [x, target, weight?]: the weight is optional. */
const parts = (inputs: readonly Tensor[], a: CeAttrs) => ({ x: inputs[0], target: inputs[1], weight: a.weighted ? inputs[2] : null });

/**
 * The logits' gradient written with public ops, so it can be differentiated again (createGraph):
 * ĝ·((1 − ε)·w_t·(p − onehot) + ε/C·(Σw·p − w)), ĝ the upstream gradient (÷ the weight sum for mean), 0 where ignored.
 */
function composedGrad(x: Tensor, target: Tensor, weight: Tensor | null, g: Tensor, a: CeAttrs): Tensor {
  const classes = x.shape[1];
  const eps = a.labelSmoothing;
  const channel = x.shape.map((d, i) => (i === 1 ? d : 1)); // [1, C, 1, ...]
  const isValid = ne(target, a.ignoreIndex);
  const safe = where(isValid, target, 0);
  const onehot = cast(eq(unsqueeze(safe, 1), reshape(arange(classes), channel)), x.dtype);
  const p = softmax(x, 1);
  let term: Tensor;
  let validWeight: Tensor; // w[t] where valid, 0 where ignored: the mean's denominator sums it
  if (weight === null) {
    validWeight = cast(isValid, x.dtype);
    term = sub(p, add(mul(onehot, 1 - eps), eps / classes)); // Σw = C, so p's coefficient is 1
  } else {
    const wt = reshape(indexSelect(weight, 0, reshape(safe, [-1])), target.shape); // w[t]
    validWeight = where(isValid, wt, 0);
    const pCoef = unsqueeze(add(mul(wt, 1 - eps), mul(sum(weight), eps / classes)), 1);
    term = sub(mul(p, pCoef), add(mul(onehot, unsqueeze(mul(wt, 1 - eps), 1)), mul(reshape(weight, channel), eps / classes)));
  }
  const denominator = a.reduction === "mean" ? sum(validWeight) : 1;
  const gHat = where(isValid, div(g, denominator), 0); // [N, d...]
  return mul(term, unsqueeze(gHat, 1));
}

const crossEntropyBackwardOp = defineOp<CeAttrs>({
  name: "softmaxCrossEntropyBackward",
  infer: (inputs, a) => {
    const op = "softmaxCrossEntropyBackward";
    const { x, target, weight } = parts(inputs, a);
    checkShapes(op, x, target, weight);
    const g = inputs[inputs.length - 1];
    const gShape = a.reduction === "none" ? target.shape : [];
    check(g.dtype === x.dtype && shapesEqual(g.shape, gShape), op,
      () => `gradOutput must have shape ${fmtShape(gShape)} and dtype ${x.dtype}, got ${g.dtype} ${fmtShape(g.shape)}`);
    // No gradient of its own: the forward op's gradient uses the composed path when a graph is recorded.
    check(!isGradEnabled() || !inputs.some((t) => t.requiresGrad), op,
      "is not differentiable; record the gradient of softmaxCrossEntropy with createGraph instead");
    return { shape: x.shape, dtype: x.dtype, kernelAttrs: kernelAttrsOf(a) };
  },
});

const crossEntropyOp = defineOp<CeAttrs>({
  name: "softmaxCrossEntropy",
  infer: (inputs, a) => {
    const { x, target, weight } = parts(inputs, a);
    checkShapes("softmaxCrossEntropy", x, target, weight);
    return { shape: a.reduction === "none" ? target.shape : [], dtype: x.dtype, kernelAttrs: kernelAttrsOf(a) };
  },
  grad: (ctx, g) => {
    const { x, target, weight } = parts(ctx.inputs, ctx.attrs);
    if (!ctx.needsInputGrad[0]) return [null, null, null];
    const gx = isGradEnabled()
      ? composedGrad(x, target, weight, g, ctx.attrs)
      : crossEntropyBackwardOp(weight === null ? [x, target, g] : [x, target, weight, g], ctx.attrs);
    return [gx, null, null];
  },
});

/** Checks the options and the target's values; returns the attrs, the int32 target and the weight. */
function prepare(op: string, logits: Tensor, target: Tensor, options: SoftmaxCrossEntropyOptions) {
  expectTensor(logits, op, "logits");
  expectTensor(target, op, "target");
  const ignoreIndex = options.ignoreIndex ?? -100;
  check(Number.isInteger(ignoreIndex), op, () => `ignoreIndex must be a whole number, got ${ignoreIndex}`);
  const eps = options.labelSmoothing ?? 0;
  check(typeof eps === "number" && eps >= 0 && eps <= 1, op, () => `labelSmoothing must be between 0 and 1, got ${eps}`);
  const reduction = options.reduction ?? "mean";
  check(reduction in REDUCTION_CODE, op, () => `reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  const weight = options.weight ?? null;
  check(weight === null || !(weight.requiresGrad && isGradEnabled()), op,
    "weight requires grad, which the fused op does not compute; use nn.functional.crossEntropy");
  check(target.dtype === "int32" || isFloat(target.dtype), op,
    () => `target must hold class indices (int32, or float with whole numbers), got dtype ${target.dtype}`);
  const classes = logits.ndim >= 2 ? logits.shape[1] : 0;
  const values = target.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) continue;
    check(Number.isInteger(v) && v >= 0 && v < classes, op,
      () => `target holds ${v} at flat position ${i}: class indices must be whole numbers in 0..${classes - 1} (or ignoreIndex ${ignoreIndex})`);
  }
  const attrs: CeAttrs = { ignoreIndex, labelSmoothing: eps, reduction, weighted: weight !== null };
  return { attrs, target: cast(target, "int32"), weight: weight === null ? null : cast(weight, logits.dtype) };
}

/**
 * Cross-entropy of logits [N, C, d1, ...] against class indices [N, d1, ...] (int32 or whole-number
 * floats), like `F.cross_entropy` with index targets, as one fused kernel forward and one backward.
 * @example tl.softmaxCrossEntropy(logits, tl.tensor([0, 2, 1]), { labelSmoothing: 0.1 })
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const p = prepare("softmaxCrossEntropy", logits, target, options);
  return crossEntropyOp(p.weight === null ? [logits, p.target] : [logits, p.target, p.weight], p.attrs);
}

/**
 * The gradient of `softmaxCrossEntropy` wrt the logits for the loss's upstream gradient `gradOutput`
 * (shape [] for mean/sum, the target's shape for "none"), one fused kernel. Not differentiable itself.
 * @example tl.softmaxCrossEntropyBackward(logits, labels, tl.tensor(1)) // softmax(logits) − onehot, ÷ N
 */
export function softmaxCrossEntropyBackward(logits: Tensor, target: Tensor, gradOutput: Tensor, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const p = prepare("softmaxCrossEntropyBackward", logits, target, options);
  const g = cast(expectTensor(gradOutput, "softmaxCrossEntropyBackward", "gradOutput"), logits.dtype);
  return crossEntropyBackwardOp(p.weight === null ? [logits, p.target, g] : [logits, p.target, p.weight, g], p.attrs);
}
