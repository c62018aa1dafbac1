/**
 * Softmax and log-softmax along a dimension, each one fused kernel (max, exp-sum and normalize in one
 * pass over each row), and their backward ops, also one kernel each. The composition of public ops
 * stays as the differentiable gradient path: a gradient function uses it when grad mode is on inside
 * backward (createGraph), and the fused backward kernel otherwise (STYLE lesson 2).
 */
import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { normalizeDim, shapesEqual } from "../core/shape.js";
import { defineOp } from "../engine/dispatch.js";
import { isGradEnabled } from "../engine/grad-mode.js";
import { Tensor } from "../engine/tensor.js";
import { mul, sub } from "./binary.js";
import { cast } from "./cast.js";
import { reshape } from "./movement.js";
import { sum } from "./reduce.js";
import { exp, neg } from "./unary.js";

interface DimAttrs {
  dim: number;
}

/** Integer and bool inputs compute in float32, like the unary float ops. */
function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, "float32");
}

/** Runs `fn` with 0-d tensors viewed as shape [1] (PyTorch accepts dim 0 or -1 there) and views the result back. */
function alongDim(xs: readonly Tensor[], dim: number, op: string, fn: (xs: readonly Tensor[], d: number) => Tensor): Tensor {
  const d = normalizeDim(dim, xs[0].ndim, op);
  if (xs[0].ndim > 0) return fn(xs, d);
  return reshape(fn(xs.map((x) => reshape(x, [1])), 0), []);
}

const sumAlong = (t: Tensor, dim: number): Tensor => sum(t, { dim, keepdim: true });

/** y·(gy − Σ gy·y): the softmax vector-Jacobian product written with public ops (differentiable). */
function softmaxVjp(y: Tensor, gy: Tensor, dim: number): Tensor {
  return mul(y, sub(gy, sumAlong(mul(gy, y), dim)));
}

/** gy − exp(y)·Σ gy: the log-softmax vector-Jacobian product written with public ops (differentiable). */
function logSoftmaxVjp(y: Tensor, gy: Tensor, dim: number): Tensor {
  return sub(gy, mul(exp(y), sumAlong(gy, dim)));
}

const sameAsInput = ([x]: readonly Tensor[], { dim }: DimAttrs) => ({ shape: x.shape, dtype: x.dtype, kernelAttrs: { dim } });

/** Checks a backward op's saved output `y` and upstream gradient `gy`. */
function backwardInfer(op: string) {
  return ([y, gy]: readonly Tensor[], { dim }: DimAttrs) => {
    check(isFloat(y.dtype) && gy.dtype === y.dtype, op, () => `y and gradOutput must share a float dtype, got ${y.dtype} and ${gy.dtype}`);
    check(shapesEqual(y.shape, gy.shape), op, () => `y has shape ${fmtShape(y.shape)} but gradOutput has shape ${fmtShape(gy.shape)}: they must match`);
    return { shape: y.shape, dtype: y.dtype, kernelAttrs: { dim } };
  };
}

const softmaxBackwardOp = defineOp<DimAttrs>({
  name: "softmaxBackward",
  infer: backwardInfer("softmaxBackward"),
  // gx = y·(gy − s), s = Σ gy·y. For an upstream h: ∂/∂gy = y·(h − Σ h·y); ∂/∂y = h·(gy − s) − gy·Σ h·y.
  grad: (ctx, h) => {
    const [y, gy] = ctx.inputs;
    const { dim } = ctx.attrs;
    const gY = ctx.needsInputGrad[0] ? sub(mul(h, sub(gy, sumAlong(mul(gy, y), dim))), mul(gy, sumAlong(mul(h, y), dim))) : null;
    return [gY, ctx.needsInputGrad[1] ? softmaxVjp(y, h, dim) : null];
  },
});

const logSoftmaxBackwardOp = defineOp<DimAttrs>({
  name: "logSoftmaxBackward",
  infer: backwardInfer("logSoftmaxBackward"),
  // gx = gy − exp(y)·S, S = Σ gy. For an upstream h: ∂/∂gy = h − Σ h·exp(y); ∂/∂y = −h·exp(y)·S.
  grad: (ctx, h) => {
    const [y, gy] = ctx.inputs;
    const { dim } = ctx.attrs;
    const e = exp(y);
    const gY = ctx.needsInputGrad[0] ? neg(mul(mul(h, e), sumAlong(gy, dim))) : null;
    return [gY, ctx.needsInputGrad[1] ? sub(h, sumAlong(mul(h, e), dim)) : null];
  },
});

const softmaxOp = defineOp<DimAttrs>({
  name: "softmax",
  infer: sameAsInput,
  grad: (ctx, gy) => {
    const { dim } = ctx.attrs;
    return [isGradEnabled() ? softmaxVjp(ctx.output, gy, dim) : softmaxBackwardOp([ctx.output, cast(gy, ctx.output.dtype)], { dim })];
  },
});

const logSoftmaxOp = defineOp<DimAttrs>({
  name: "logSoftmax",
  infer: sameAsInput,
  grad: (ctx, gy) => {
    const { dim } = ctx.attrs;
    return [isGradEnabled() ? logSoftmaxVjp(ctx.output, gy, dim) : logSoftmaxBackwardOp([ctx.output, cast(gy, ctx.output.dtype)], { dim })];
  },
});

/**
 * Softmax along `dim`: exp(x − max) / Σ exp(x − max), one fused kernel. Subtracting the row max keeps
 * exp from overflowing and does not change the result. Integer and bool inputs give float32.
 * @example tl.softmax(tl.tensor([[1, 2, 3]]), -1) // [[0.090, 0.245, 0.665]]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return alongDim([asFloat(x)], dim, "softmax", ([xf], d) => softmaxOp([xf], { dim: d }));
}

/**
 * log(softmax(x)) along `dim`, computed stably as x − max − log Σ exp(x − max) in one fused kernel
 * (no log of a tiny probability).
 * @example tl.logSoftmax(tl.tensor([[1000, 0, -1000]]), -1) // [[0, -1000, -2000]]
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return alongDim([asFloat(x)], dim, "logSoftmax", ([xf], d) => logSoftmaxOp([xf], { dim: d }));
}

/**
 * The gradient of softmax wrt its input, from its output `y` and the gradient `gradOutput` of its
 * output: y·(gradOutput − Σ gradOutput·y) along `dim`, one fused kernel (differentiable).
 * @example tl.softmaxBackward(y, tl.onesLike(y), -1) // zeros: softmax sums to 1
 */
export function softmaxBackward(y: Tensor, gradOutput: Tensor, dim: number): Tensor {
  return alongDim([y, gradOutput], dim, "softmaxBackward", (ts, d) => softmaxBackwardOp(ts, { dim: d }));
}

/**
 * The gradient of logSoftmax wrt its input, from its output `y` and the gradient `gradOutput` of its
 * output: gradOutput − exp(y)·Σ gradOutput along `dim`, one fused kernel (differentiable).
 * @example tl.logSoftmaxBackward(tl.logSoftmax(x, 1), g, 1)
 */
export function logSoftmaxBackward(y: Tensor, gradOutput: Tensor, dim: number): Tensor {
  return alongDim([y, gradOutput], dim, "logSoftmaxBackward", (ts, d) => logSoftmaxBackwardOp(ts, { dim: d }));
}

declare module "../engine/tensor.js" {
  interface Tensor {
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

Tensor.prototype.softmax = function (dim: number) { return softmax(this, dim); };
Tensor.prototype.logSoftmax = function (dim: number) { return logSoftmax(this, dim); };
