/** `MultiheadAttention`, with PyTorch's parameter names so state dicts interoperate. */
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, cat, expand, linear, mean, narrow, pad, permute, reshape, squeeze, transpose, unsqueeze, zeros } from "../../ops/index.js";
import { attend, causalMask, maskToBias } from "../functional/attention.js";
import { constant_, xavierNormal_, xavierUniform_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";
import { Linear } from "./linear.js";

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights while training (default 0). */
  dropout?: number;
  /** Learn biases for the input and output projections (default true). */
  bias?: boolean;
  /** Learn a bias key and value (`bias_k`, `bias_v`, [1, 1, E]) appended to the keys and values (default false). */
  addBiasKv?: boolean;
  /** Append a zero key and value after projection, so every query can attend to something (default false). */
  addZeroAttn?: boolean;
  /** Features of `key` (default embedDim). */
  kdim?: number;
  /** Features of `value` (default embedDim). */
  vdim?: number;
  /** Inputs and output are [N, L, E] instead of the default [L, N, E]. */
  batchFirst?: boolean;
  /** dtype of the parameters (default float32; float64 for gradient checks). */
  dtype?: "float32" | "float64";
}

/** Options of `MultiheadAttention.forward`. */
export interface MultiheadAttentionForwardOptions {
  /** [N, S] ([S] unbatched): bool, true marks keys to ignore (padding); or float, added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights as the second element (default true); otherwise it is null. */
  needWeights?: boolean;
  /**
   * [L, S] or [N·numHeads, L, S] ([numHeads, L, S] unbatched): bool, true marks pairs that may NOT
   * attend (PyTorch's MultiheadAttention convention, the opposite of `scaledDotProductAttention`'s);
   * or float, added to the scores (e.g. `generateSquareSubsequentMask`).
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads ([N, L, S]) instead of per head ([N, numHeads, L, S]); default true. */
  averageAttnWeights?: boolean;
  /**
   * A hint that `attnMask` is the causal mask (it is then used as given, as PyTorch does). Unlike
   * PyTorch, which requires the mask, isCausal without `attnMask` builds the causal mask itself.
   */
  isCausal?: boolean;
}

/**
 * Multi-head attention, like `torch.nn.MultiheadAttention`: the query, key and value are projected,
 * split into `numHeads` heads of embedDim / numHeads features, attended with scaled dot products, joined
 * and projected out. Parameters keep PyTorch's names: `in_proj_weight` [3E, E] and `in_proj_bias` [3E]
 * (or `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when kdim or vdim differ from embedDim),
 * `out_proj.weight`, `out_proj.bias`; initialized as PyTorch does (Xavier-uniform projections, zero biases).
 * `forward` returns `[output, weights]`, with weights null when `needWeights` is false.
 * @example
 * const mha = new tl.nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = tl.randn([2, 5, 16]);
 * const [out, weights] = mha.call(x, x, x); // [2, 5, 16], [2, 5, 5]
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: Linear;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const op = "MultiheadAttention";
    check(Number.isInteger(embedDim) && embedDim > 0, op, () => `embedDim must be a whole number > 0, got ${embedDim}`);
    check(Number.isInteger(numHeads) && numHeads > 0, op, () => `numHeads must be a whole number > 0, got ${numHeads}`);
    check(embedDim % numHeads === 0, op, () => `embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    const { dropout = 0, bias = true, addBiasKv = false, addZeroAttn = false, batchFirst = false, dtype = "float32" } = options;
    const kdim = options.kdim ?? embedDim;
    const vdim = options.vdim ?? embedDim;
    check(Number.isInteger(kdim) && kdim > 0 && Number.isInteger(vdim) && vdim > 0, op, () => `kdim and vdim must be whole numbers > 0, got ${kdim} and ${vdim}`);
    check(typeof dropout === "number" && dropout >= 0 && dropout <= 1, op, () => `dropout must be between 0 and 1, got ${dropout}`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = kdim;
    this.vdim = vdim;
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.addZeroAttn = addZeroAttn;
    const param = (shape: number[]): Parameter => parameterFrom(zeros(shape, { dtype }));
    // Registration order matches PyTorch's, so stateDict() lists keys in the same order.
    if (kdim === embedDim && vdim === embedDim) {
      this.registerParameter("in_proj_weight", param([3 * embedDim, embedDim]));
      for (const name of ["q_proj_weight", "k_proj_weight", "v_proj_weight"]) this.registerParameter(name, null);
    } else {
      this.registerParameter("q_proj_weight", param([embedDim, embedDim]));
      this.registerParameter("k_proj_weight", param([embedDim, kdim]));
      this.registerParameter("v_proj_weight", param([embedDim, vdim]));
      this.registerParameter("in_proj_weight", null);
    }
    this.registerParameter("in_proj_bias", bias ? param([3 * embedDim]) : null);
    this.registerModule("out_proj", new Linear(embedDim, embedDim, { bias, dtype }));
    this.registerParameter("bias_k", addBiasKv ? param([1, 1, embedDim]) : null);
    this.registerParameter("bias_v", addBiasKv ? param([1, 1, embedDim]) : null);
    this.resetParameters();
  }

  /** Draws fresh initial values like PyTorch's `_reset_parameters` (out_proj.weight keeps Linear's init). */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /**
   * Attends `query` [L, N, E] over `key` [S, N, kdim] and `value` [S, N, vdim] (batch first: [N, L, E],
   * [N, S, kdim], [N, S, vdim]; unbatched: [L, E], [S, kdim], [S, vdim]). Returns the output, shaped like
   * the query, and the weights [N, L, S] (averaged) or [N, numHeads, L, S] when `needWeights`.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const op = "MultiheadAttention";
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true, isCausal = false } = options;
    check(query.ndim === 2 || query.ndim === 3, op, () => `query must be 3-D (batched) or 2-D (unbatched), got shape ${fmtShape(query.shape)}`);
    const batched = query.ndim === 3;
    check(key.ndim === query.ndim && value.ndim === query.ndim, op,
      () => `query, key and value must all be ${query.ndim}-D, got shapes ${fmtShape(query.shape)}, ${fmtShape(key.shape)} and ${fmtShape(value.shape)}`);
    const layout = !batched ? "[L, E]" : this.batchFirst ? "[N, L, E]" : "[L, N, E]";
    // Internally everything is batch first: [N, L, E].
    const toNLE = (t: Tensor): Tensor => (!batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
    const [q0, k0, v0] = [toNLE(query), toNLE(key), toNLE(value)];
    const [n, l] = q0.shape;
    const s = k0.shape[1];
    const dims = `query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)} (layout ${layout})`;
    check(q0.shape[2] === this.embedDim && k0.shape[2] === this.kdim && v0.shape[2] === this.vdim, op,
      () => `got ${dims}: the feature dims must be embedDim ${this.embedDim}, kdim ${this.kdim} and vdim ${this.vdim}`);
    check(k0.shape[0] === n && v0.shape[0] === n, op, () => `got ${dims}: the batch sizes must match`);
    check(v0.shape[1] === s, op, () => `got ${dims}: key and value must have the same length`);
    check(q0.dtype === k0.dtype && q0.dtype === v0.dtype, op, () => `query, key and value must share a dtype, got ${q0.dtype}, ${k0.dtype} and ${v0.dtype}`);

    let [q, k, v] = this.project(q0, k0, v0, query === key && key === value); // [N, L|S, E]
    let bias = this.maskBias(attnMask, keyPaddingMask, isCausal, batched, n, l, s, q.dtype);
    let extra = 0; // keys appended after projection (bias_k, zero attention), which no mask excludes
    if (this.bias_k && this.bias_v) {
      k = cat([k, expand(this.bias_k, [n, 1, this.embedDim])], 1);
      v = cat([v, expand(this.bias_v, [n, 1, this.embedDim])], 1);
      extra++;
    }
    const heads = (t: Tensor): Tensor => permute(reshape(t, [n, t.shape[1], this.numHeads, this.headDim]), [0, 2, 1, 3]);
    [q, k, v] = [heads(q), heads(k), heads(v)]; // [N, H, L|S, D]
    if (this.addZeroAttn) {
      const zero = zeros([n, this.numHeads, 1, this.headDim], { dtype: q.dtype });
      k = cat([k, zero], 2);
      v = cat([v, zero], 2);
      extra++;
    }
    if (bias !== null && extra > 0) bias = pad(bias, [0, extra]);
    const p = this.training ? this.dropout : 0;
    const { output, weights } = attend(q, k, v, bias, 1 / Math.sqrt(this.headDim), p); // [N, H, L, D], [N, H, L, S]
    const joined = reshape(permute(output, [0, 2, 1, 3]), [n, l, this.embedDim]);
    const projected = linear(joined, this.out_proj.weight, this.out_proj.bias); // [N, L, E]
    const out = !batched ? squeeze(projected, 0) : this.batchFirst ? projected : transpose(projected, 0, 1);
    if (!needWeights) return [out, null];
    const w = averageAttnWeights ? mean(weights, { dim: 1 }) : weights;
    return [out, batched ? w : squeeze(w, 0)];
  }

  /** The in-projections of q, k and v ([N, ·, E] each); self-attention uses one product for all three. */
  private project(q: Tensor, k: Tensor, v: Tensor, same: boolean): [Tensor, Tensor, Tensor] {
    const e = this.embedDim;
    const b = this.in_proj_bias;
    const part = (t: Tensor | null, i: number): Tensor | null => (t === null ? null : narrow(t, 0, i * e, e));
    const w = this.in_proj_weight;
    if (w !== null && same) {
      const qkv = linear(q, w, b); // [N, L, 3E]
      return [narrow(qkv, 2, 0, e), narrow(qkv, 2, e, e), narrow(qkv, 2, 2 * e, e)];
    }
    const [wq, wk, wv] = w !== null ? [part(w, 0), part(w, 1), part(w, 2)] : [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight];
    return [linear(q, wq as Tensor, part(b, 0)), linear(k, wk as Tensor, part(b, 1)), linear(v, wv as Tensor, part(b, 2))];
  }

  /** The additive bias from attnMask and keyPaddingMask, broadcastable to [N, H, L, S], or null. */
  private maskBias(attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean, batched: boolean,
    n: number, l: number, s: number, dtype: Tensor["dtype"]): Tensor | null {
    const op = "MultiheadAttention";
    const h = this.numHeads;
    let bias: Tensor | null = null;
    if (attnMask !== null) {
      const three = batched ? [n * h, l, s] : [h, l, s];
      const ok = (attnMask.ndim === 2 && attnMask.shape[0] === l && attnMask.shape[1] === s) ||
        (attnMask.ndim === 3 && fmtShape(attnMask.shape) === fmtShape(three));
      check(ok, op, () => `attnMask must have shape ${fmtShape([l, s])} or ${fmtShape(three)}, got ${fmtShape(attnMask.shape)}`);
      bias = maskToBias(attnMask, dtype, true, op, "attnMask");
      if (bias.ndim === 3) bias = reshape(bias, [n, h, l, s]);
    } else if (isCausal) {
      bias = maskToBias(causalMask(l, s), dtype, false, op, "attnMask");
    }
    if (keyPaddingMask !== null) {
      const expected = batched ? [n, s] : [s];
      check(fmtShape(keyPaddingMask.shape) === fmtShape(expected), op,
        () => `keyPaddingMask must have shape ${fmtShape(expected)}, got ${fmtShape(keyPaddingMask.shape)}`);
      const kpm = reshape(maskToBias(keyPaddingMask, dtype, true, op, "keyPaddingMask"), [n, 1, 1, s]);
      bias = bias === null ? kpm : add(bias, kpm);
    }
    return bias;
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}`;
  }
}
