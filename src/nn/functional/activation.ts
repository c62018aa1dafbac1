/** Dropout, and the softmax family (defined with the ops so tensors have `x.softmax(dim)`). */
import { isFloat } from "../../core/dtype.js";
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { cast, lt, mul, rand } from "../../ops/index.js";

export { softmax, logSoftmax } from "../../ops/softmax.js";

/** Integer and bool inputs compute in float32, like the unary float ops. */
function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, "float32");
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
