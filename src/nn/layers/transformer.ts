/**
 * Transformer blocks with PyTorch's structure and child names (`self_attn`, `linear1`, `norm1`, ...), so
 * their state dicts interoperate with `torch.nn.TransformerEncoderLayer` and friends.
 */
import { check } from "../../core/errors.js";
import { noGrad } from "../../engine/grad-mode.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, full, gelu, relu, triu } from "../../ops/index.js";
import { Module } from "../module.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./container.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";

/** The feed-forward activation: "relu", "gelu" (exact), or any function of a tensor. */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor);

/** Options of `TransformerEncoderLayer` and `TransformerDecoderLayer`. */
export interface TransformerLayerOptions {
  /** Width of the feed-forward network's hidden layer (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability after attention, inside and after the feed-forward network (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default "relu"). */
  activation?: TransformerActivation;
  /** eps of the LayerNorms (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs are [N, L, E] instead of the default [L, N, E]. */
  batchFirst?: boolean;
  /** Apply each LayerNorm before its block (pre-norm) instead of after the residual sum (default false). */
  normFirst?: boolean;
  /** Learn biases in the linear layers and attention projections (default true). */
  bias?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: "float32" | "float64";
}

/** Options of `TransformerEncoderLayer.forward`. */
export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask [L, L] or [N·nhead, L, L]: bool (true = not allowed) or float (added), as in `MultiheadAttention`. */
  srcMask?: Tensor | null;
  /** [N, L]: bool (true = padding, ignored) or float (added). */
  srcKeyPaddingMask?: Tensor | null;
  /** `srcMask` is the causal mask (or, without it, use the causal mask). */
  isCausal?: boolean;
}

/** Options of `TransformerDecoderLayer.forward` and `TransformerDecoder.forward`. */
export interface TransformerDecoderForwardOptions {
  /** Self-attention mask [T, T] or [N·nhead, T, T], e.g. `generateSquareSubsequentMask(T)`. */
  tgtMask?: Tensor | null;
  /** Cross-attention mask [T, S] or [N·nhead, T, S]. */
  memoryMask?: Tensor | null;
  /** [N, T]: target positions that are padding. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S]: memory positions that are padding. */
  memoryKeyPaddingMask?: Tensor | null;
  /** `tgtMask` is the causal mask (or, without it, use the causal mask). */
  tgtIsCausal?: boolean;
  /** `memoryMask` is the causal mask (or, without it, use the causal mask). */
  memoryIsCausal?: boolean;
}

/**
 * The float causal mask [size, size] of `nn.Transformer.generate_square_subsequent_mask`: 0 on and
 * below the diagonal, −∞ above it, so position i attends only to positions ≤ i.
 * @example tl.nn.generateSquareSubsequentMask(3) // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
 */
export function generateSquareSubsequentMask(size: number, options: { dtype?: "float32" | "float64" } = {}): Tensor {
  check(Number.isInteger(size) && size >= 0, "generateSquareSubsequentMask", () => `size must be a whole number ≥ 0, got ${size}`);
  return triu(full([size, size], -Infinity, { dtype: options.dtype ?? "float32" }), 1);
}

function activationFn(activation: TransformerActivation, where: string): (x: Tensor) => Tensor {
  if (typeof activation === "function") return activation;
  check(activation === "relu" || activation === "gelu", where,
    () => `activation must be "relu", "gelu" or a function, got ${JSON.stringify(activation)}`);
  return activation === "relu" ? relu : (x: Tensor) => gelu(x);
}

function checkLayerArgs(where: string, dModel: number, nhead: number, options: TransformerLayerOptions): void {
  check(Number.isInteger(dModel) && dModel > 0, where, () => `dModel must be a whole number > 0, got ${dModel}`);
  check(Number.isInteger(nhead) && nhead > 0, where, () => `nhead must be a whole number > 0, got ${nhead}`);
  const ff = options.dimFeedforward ?? 2048;
  check(Number.isInteger(ff) && ff > 0, where, () => `dimFeedforward must be a whole number > 0, got ${ff}`);
  const p = options.dropout ?? 0.1;
  check(typeof p === "number" && p >= 0 && p <= 1, where, () => `dropout must be between 0 and 1, got ${p}`);
}

/** A copy of `layer` with its own parameters holding the same values, in the same training mode. */
function copyState<T extends Module>(layer: T, copy: T): T {
  noGrad(() => copy.loadStateDict(layer.stateDict()));
  return copy.train(layer.training);
}

/**
 * Self-attention and a feed-forward network, each with a residual connection and LayerNorm, like
 * `torch.nn.TransformerEncoderLayer` (post-norm by default, pre-norm with `normFirst`).
 * @example
 * const layer = new tl.nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.call(tl.randn([2, 10, 32])).shape; // [2, 10, 32]
 */
export class TransformerEncoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(readonly dModel: number, readonly nhead: number, readonly options: TransformerLayerOptions = {}) {
    super();
    const where = "TransformerEncoderLayer";
    checkLayerArgs(where, dModel, nhead, options);
    const { dimFeedforward = 2048, dropout = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true, dtype } = options;
    this.registerModule("self_attn", new MultiheadAttention(dModel, nhead, { dropout, batchFirst, bias, dtype }));
    this.registerModule("linear1", new Linear(dModel, dimFeedforward, { bias, dtype }));
    this.registerModule("dropout", new Dropout(dropout));
    this.registerModule("linear2", new Linear(dimFeedforward, dModel, { bias, dtype }));
    this.registerModule("norm1", new LayerNorm([dModel], { eps: layerNormEps, bias, dtype }));
    this.registerModule("norm2", new LayerNorm([dModel], { eps: layerNormEps, bias, dtype }));
    this.registerModule("dropout1", new Dropout(dropout));
    this.registerModule("dropout2", new Dropout(dropout));
    this.normFirst = normFirst;
    this.batchFirst = batchFirst;
    this.activation = activationFn(activation, where);
  }

  /** An independent copy (new parameters with equal values), as `TransformerEncoder` stacks it. */
  clone(): TransformerEncoderLayer {
    return copyState(this, new TransformerEncoderLayer(this.dModel, this.nhead, this.options));
  }

  /** `src` [L, N, E] ([N, L, E] batch first, [L, E] unbatched) → same shape. */
  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const { srcMask = null, srcKeyPaddingMask = null, isCausal = false } = options;
    const sa = (x: Tensor): Tensor => this.dropout1.call(this.self_attn.call(x, x, x,
      { attnMask: srcMask, keyPaddingMask: srcKeyPaddingMask, needWeights: false, isCausal })[0]);
    const ff = (x: Tensor): Tensor => this.dropout2.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(x)))));
    let x = src;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.call(x)));
      return add(x, ff(this.norm2.call(x)));
    }
    x = this.norm1.call(add(x, sa(x)));
    return this.norm2.call(add(x, ff(x)));
  }
}

/**
 * Self-attention, cross-attention over `memory`, and a feed-forward network, each with a residual
 * connection and LayerNorm, like `torch.nn.TransformerDecoderLayer`.
 * @example
 * const layer = new tl.nn.TransformerDecoderLayer(32, 4, { dimFeedforward: 64 });
 * const out = layer.call(tl.randn([7, 2, 32]), tl.randn([10, 2, 32]),
 *   { tgtMask: tl.nn.generateSquareSubsequentMask(7) }); // [7, 2, 32]
 */
export class TransformerDecoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare multihead_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare norm3: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare dropout3: Dropout;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  private readonly activation: (x: Tensor) => Tensor;

  constructor(readonly dModel: number, readonly nhead: number, readonly options: TransformerLayerOptions = {}) {
    super();
    const where = "TransformerDecoderLayer";
    checkLayerArgs(where, dModel, nhead, options);
    const { dimFeedforward = 2048, dropout = 0.1, activation = "relu", layerNormEps = 1e-5, batchFirst = false, normFirst = false, bias = true, dtype } = options;
    this.registerModule("self_attn", new MultiheadAttention(dModel, nhead, { dropout, batchFirst, bias, dtype }));
    this.registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, { dropout, batchFirst, bias, dtype }));
    this.registerModule("linear1", new Linear(dModel, dimFeedforward, { bias, dtype }));
    this.registerModule("dropout", new Dropout(dropout));
    this.registerModule("linear2", new Linear(dimFeedforward, dModel, { bias, dtype }));
    for (const name of ["norm1", "norm2", "norm3"]) this.registerModule(name, new LayerNorm([dModel], { eps: layerNormEps, bias, dtype }));
    for (const name of ["dropout1", "dropout2", "dropout3"]) this.registerModule(name, new Dropout(dropout));
    this.normFirst = normFirst;
    this.batchFirst = batchFirst;
    this.activation = activationFn(activation, where);
  }

  /** An independent copy (new parameters with equal values), as `TransformerDecoder` stacks it. */
  clone(): TransformerDecoderLayer {
    return copyState(this, new TransformerDecoderLayer(this.dModel, this.nhead, this.options));
  }

  /** `tgt` [T, N, E] attends to itself and to `memory` [S, N, E] (batch first: [N, T, E], [N, S, E]) → tgt's shape. */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderForwardOptions = {}): Tensor {
    const { tgtMask = null, memoryMask = null, tgtKeyPaddingMask = null, memoryKeyPaddingMask = null } = options;
    const { tgtIsCausal = false, memoryIsCausal = false } = options;
    const sa = (x: Tensor): Tensor => this.dropout1.call(this.self_attn.call(x, x, x,
      { attnMask: tgtMask, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, isCausal: tgtIsCausal })[0]);
    const mha = (x: Tensor): Tensor => this.dropout2.call(this.multihead_attn.call(x, memory, memory,
      { attnMask: memoryMask, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, isCausal: memoryIsCausal })[0]);
    const ff = (x: Tensor): Tensor => this.dropout3.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.call(x)));
      x = add(x, mha(this.norm2.call(x)));
      return add(x, ff(this.norm3.call(x)));
    }
    x = this.norm1.call(add(x, sa(x)));
    x = this.norm2.call(add(x, mha(x)));
    return this.norm3.call(add(x, ff(x)));
  }
}

/** Options of `TransformerEncoder` and `TransformerDecoder`. */
export interface TransformerStackOptions {
  /** Applied to the last layer's output (usually a LayerNorm; default none). */
  norm?: Module | null;
}

function checkNumLayers(where: string, numLayers: number): void {
  check(Number.isInteger(numLayers) && numLayers >= 1, where, () => `numLayers must be a whole number ≥ 1, got ${numLayers}`);
}

/**
 * A stack of `numLayers` copies of `encoderLayer` (each with its own parameters, starting from the
 * given layer's values) and an optional final norm, like `torch.nn.TransformerEncoder`: parameters are
 * named `layers.0.self_attn.in_proj_weight`, ..., `norm.weight`. The given layer itself is not a child.
 * @example
 * const enc = new tl.nn.TransformerEncoder(new tl.nn.TransformerEncoderLayer(32, 4), 6,
 *   { norm: new tl.nn.LayerNorm([32]) });
 */
export class TransformerEncoder extends Module {
  declare layers: ModuleList;
  declare norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, options: TransformerStackOptions = {}) {
    super();
    checkNumLayers("TransformerEncoder", numLayers);
    check(encoderLayer instanceof TransformerEncoderLayer, "TransformerEncoder", "encoderLayer must be a TransformerEncoderLayer");
    this.registerModule("layers", new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone())));
    this.registerModule("norm", options.norm ?? null);
  }

  /** Runs `src` through every layer with the same masks, then the final norm. */
  forward(src: Tensor, options: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    let x = src;
    const layerOptions = { srcMask: options.mask ?? null, srcKeyPaddingMask: options.srcKeyPaddingMask ?? null, isCausal: options.isCausal ?? false };
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).call(x, layerOptions);
    return this.norm ? (this.norm.call(x) as Tensor) : x;
  }
}

/**
 * A stack of `numLayers` copies of `decoderLayer` and an optional final norm, like
 * `torch.nn.TransformerDecoder` (parameters `layers.0.multihead_attn.in_proj_weight`, ..., `norm.weight`).
 * @example
 * const dec = new tl.nn.TransformerDecoder(new tl.nn.TransformerDecoderLayer(32, 4), 6);
 * dec.call(tgt, memory, { tgtMask: tl.nn.generateSquareSubsequentMask(tgt.shape[0]) });
 */
export class TransformerDecoder extends Module {
  declare layers: ModuleList;
  declare norm: Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, readonly numLayers: number, options: TransformerStackOptions = {}) {
    super();
    checkNumLayers("TransformerDecoder", numLayers);
    check(decoderLayer instanceof TransformerDecoderLayer, "TransformerDecoder", "decoderLayer must be a TransformerDecoderLayer");
    this.registerModule("layers", new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone())));
    this.registerModule("norm", options.norm ?? null);
  }

  /** Runs `tgt` through every layer (each attending to `memory` with the same masks), then the final norm. */
  forward(tgt: Tensor, memory: Tensor, options: TransformerDecoderForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).call(x, memory, options);
    return this.norm ? (this.norm.call(x) as Tensor) : x;
  }
}
