/** Activations that act along a dimension (softmax, logSoftmax) and dropout, composed from public ops. */
import { isFloat } from "../../core/dtype.js";
import { check } from "../../core/errors.js";
import { normalizeDim } from "../../core/shape.js";
import type { Tensor } from "../../engine/tensor.js";
import { amax, cast, div, exp, logsumexp, lt, mul, rand, reshape, sub, sum } from "../../ops/index.js";

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

/**
 * Inverted dropout: while `training`, zeroes each element with probability `p` and scales the rest by
 * 1 / (1 − p), so the expected value is unchanged and evaluation needs no rescaling. Returns `x` itself
 * when not training or when p = 0. The mask comes from `tl.rand`, so `tl.manualSeed` makes it repeatable.
 * @example const h = tl.nn.functional.dropout(x, 0.2, model.training);
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  check(typeof p === "number" && p >= 0 && p <= 1, "dropout", () => `dropout probability p has to be between 0 and 1, but got ${p}`);
  check(typeof training === "boolean", "dropout", () => `training must be a boolean, got ${typeof training}`);
  if (!training || p === 0) return x;
  const xf = asFloat(x);
  // p = 1 drops everything; multiplying by 0 keeps the result in the graph with a zero gradient, like PyTorch.
  if (p === 1) return mul(xf, 0);
  const keep = lt(rand(xf.shape, { dtype: xf.dtype }), 1 - p); // Bernoulli(1 − p)
  return mul(xf, mul(cast(keep, xf.dtype), 1 / (1 - p)));
}
