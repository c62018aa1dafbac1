/**
 * Scaled dot-product attention, composed from public ops (matmul, softmax, dropout) so it runs and
 * differentiates on every backend. `MultiheadAttention` builds on `attend`, the shared core.
 */
import { check, fmtShape } from "../../core/errors.js";
import { broadcastShapes } from "../../core/shape.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, logicalNot, maskedFill, matmul, mul, ones, transpose, tril, zeros } from "../../ops/index.js";
import { expectTensor } from "../../ops/scalar.js";
import { dropout, softmax } from "./activation.js";
import { checkFloat } from "./common.js";

/** Options of `scaledDotProductAttention`. */
export interface ScaledDotProductAttentionOptions {
  /**
   * A mask broadcastable to [..., L, S]. Bool: true marks the pairs that take part in attention (false
   * ones are excluded), as in PyTorch's `F.scaled_dot_product_attention` (note: `MultiheadAttention`'s
   * bool masks use the opposite convention, like PyTorch's). Float: added to the scores.
   */
  attnMask?: Tensor | null;
  /** Probability of dropping an attention weight; applied whenever > 0, like PyTorch (default 0). */
  dropoutP?: number;
  /** Lets query i attend only to keys 0..i (top-left aligned lower triangle); excludes `attnMask`. */
  isCausal?: boolean;
  /** Multiplies the scores q·kᵀ (default 1/√E, E = the last dim of q). */
  scale?: number | null;
}

/** The causal mask [L, S] as bool, true where key j ≤ query i may be attended to. */
export function causalMask(l: number, s: number): Tensor {
  return tril(ones([l, s], { dtype: "bool" }));
}

/**
 * Turns a mask into an additive float bias of dtype `dtype`: a bool mask becomes −∞ where
 * `excludeWhen` holds (true entries for MultiheadAttention's convention, false ones for SDPA's) and 0
 * elsewhere; a float mask is returned as it is (it must have `dtype`).
 */
export function maskToBias(mask: Tensor, dtype: Tensor["dtype"], excludeWhen: boolean, op: string, arg: string): Tensor {
  expectTensor(mask, op, arg);
  if (mask.dtype === "bool") return maskedFill(zeros(mask.shape, { dtype }), excludeWhen ? mask : logicalNot(mask), -Infinity);
  check(mask.dtype === dtype, op,
    () => `${arg} must be a bool tensor or a float tensor of the query's dtype ${dtype}, got dtype ${mask.dtype}`);
  return mask;
}

/**
 * The shared core: softmax(q·kᵀ·scale + bias) with optional dropout, and its product with v.
 * q [..., L, E], k [..., S, E], v [..., S, Ev]; `bias` is null or broadcasts to [..., L, S].
 * Returns the output [..., L, Ev] and the (dropped-out) attention weights [..., L, S].
 */
export function attend(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, scale: number, dropoutP: number): { output: Tensor; weights: Tensor } {
  let scores = mul(matmul(q, transpose(k, -2, -1)), scale); // [..., L, S]
  if (bias !== null) scores = add(scores, bias);
  let weights = softmax(scores, -1);
  if (dropoutP > 0) weights = dropout(weights, dropoutP, true);
  return { output: matmul(weights, v), weights };
}

/**
 * Attention of queries `q` [..., L, E] over keys `k` [..., S, E] and values `v` [..., S, Ev], like
 * PyTorch 2's `F.scaled_dot_product_attention`: softmax(q·kᵀ·scale + mask)·v, shape [..., L, Ev].
 * Leading (batch, head) dims broadcast. A query whose keys are all masked out gets NaN, as in PyTorch's
 * reference formula.
 * @example
 * const q = tl.randn([2, 4, 5, 8]); // [N, heads, L, E]
 * const out = tl.nn.functional.scaledDotProductAttention(q, q, q, { isCausal: true }); // [2, 4, 5, 8]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = "scaledDotProductAttention";
  for (const [name, t] of [["query", q], ["key", k], ["value", v]] as const) {
    expectTensor(t, op, name);
    checkFloat(t, op, name);
    check(t.ndim >= 2, op, () => `${name} must have shape [..., length, features], got ${fmtShape(t.shape)}`);
  }
  check(k.dtype === q.dtype && v.dtype === q.dtype, op,
    () => `query, key and value must share a dtype, got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  const [l, e] = q.shape.slice(-2);
  const s = k.shape[k.ndim - 2];
  check(k.shape[k.ndim - 1] === e, op,
    () => `query has shape ${fmtShape(q.shape)} but key has shape ${fmtShape(k.shape)}: their last dims must match`);
  check(v.shape[v.ndim - 2] === s, op,
    () => `key has shape ${fmtShape(k.shape)} but value has shape ${fmtShape(v.shape)}: they must have the same length (dim -2)`);
  const { attnMask = null, dropoutP = 0, isCausal = false, scale = null } = options;
  check(typeof dropoutP === "number" && dropoutP >= 0 && dropoutP <= 1, op, () => `dropoutP must be between 0 and 1, got ${dropoutP}`);
  check(typeof isCausal === "boolean", op, () => `isCausal must be a boolean, got ${typeof isCausal}`);
  check(scale === null || (typeof scale === "number" && Number.isFinite(scale)), op, () => `scale must be a finite number or null, got ${scale}`);
  check(!(isCausal && attnMask !== null), op, "attnMask must not be given when isCausal is true (the causal mask replaces it)");
  let bias: Tensor | null = null;
  if (attnMask !== null) {
    bias = maskToBias(attnMask, q.dtype, false, op, "attnMask");
    const scoreShape = [...broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2)), l, s];
    const lead = scoreShape.length - bias.ndim;
    const ok = lead >= 0 && bias.shape.every((d, i) => d === 1 || d === scoreShape[lead + i]);
    check(ok, op, () => `attnMask of shape ${fmtShape(attnMask.shape)} must broadcast to the scores' shape ${fmtShape(scoreShape)}`);
  } else if (isCausal) {
    bias = maskToBias(causalMask(l, s), q.dtype, false, op, "attnMask");
  }
  return attend(q, k, v, bias, scale ?? 1 / Math.sqrt(e), dropoutP).output;
}
