/** Softmax and log-softmax along a dimension, composed from public ops (STYLE lesson 2). */
import { isFloat } from "../core/dtype.js";
import { normalizeDim } from "../core/shape.js";
import { Tensor } from "../engine/tensor.js";
import { div, sub } from "./binary.js";
import { cast } from "./cast.js";
import { reshape } from "./movement.js";
import { amax, logsumexp, sum } from "./reduce.js";
import { exp } from "./unary.js";

/** Integer and bool inputs compute in float32, like the unary float ops. */
function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, "float32");
}

/** Runs `fn` on a 0-d tensor viewed as shape [1] (PyTorch accepts dim 0 or -1 there) and views the result back. */
function alongDim(x: Tensor, dim: number, op: string, fn: (x: Tensor, d: number) => Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, op);
  if (x.ndim > 0) return fn(x, d);
  return reshape(fn(reshape(x, [1]), 0), []);
}

/**
 * Softmax along `dim`: exp(x − max) / Σ exp(x − max). Subtracting the (detached) max keeps exp from
 * overflowing and does not change the result or its gradient.
 * @example tl.nn.functional.softmax(tl.tensor([[1, 2, 3]]), -1) // [[0.090, 0.245, 0.665]]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return alongDim(asFloat(x), dim, "softmax", (xf, d) => {
    const e = exp(sub(xf, amax(xf, { dim: d, keepdim: true }).detach()));
    return div(e, sum(e, { dim: d, keepdim: true }));
  });
}

/**
 * log(softmax(x)) along `dim`, computed stably as x − logsumexp(x) (no log of a tiny probability).
 * @example tl.nn.functional.logSoftmax(logits, 1)
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return alongDim(asFloat(x), dim, "logSoftmax", (xf, d) => sub(xf, logsumexp(xf, { dim: d, keepdim: true })));
}


declare module "../engine/tensor.js" {
  interface Tensor {
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

Tensor.prototype.softmax = function (dim: number) { return softmax(this, dim); };
Tensor.prototype.logSoftmax = function (dim: number) { return logSoftmax(this, dim); };
