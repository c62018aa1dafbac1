/** `Embedding`: a learned lookup table of vectors, indexed by token or category ids. */
import { check, fmtShape } from "../../core/errors.js";
import { noGrad } from "../../engine/grad-mode.js";
import { tidy } from "../../engine/scope.js";
import type { Tensor } from "../../engine/tensor.js";
import { clone } from "../../ops/movement.js";
import { zeros } from "../../ops/creation.js";
import { isTensor } from "../../ops/scalar.js";
import { embedding } from "../functional/sparse.js";
import { normal_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";

/** Options of `Embedding`. */
export interface EmbeddingLayerOptions {
  /**
   * A row that gets no gradient and starts at zero (a padding token's vector); negative counts from
   * the end. Default: none.
   */
  paddingIdx?: number | null;
  /** dtype of the table (default float32). */
  dtype?: "float32" | "float64";
}

/** Options of `Embedding.fromPretrained`. */
export interface FromPretrainedOptions {
  /** Keep the table fixed: the weight does not require grad (default true, as in PyTorch). */
  freeze?: boolean;
  /** As in the constructor; the pretrained row is kept as it is (not zeroed). */
  paddingIdx?: number | null;
}

function resolvePaddingIdx(paddingIdx: number | null | undefined, rows: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  check(Number.isInteger(paddingIdx) && paddingIdx >= -rows && paddingIdx < rows, "Embedding",
    () => `paddingIdx ${paddingIdx} must be within numEmbeddings (-${rows}..${rows - 1})`);
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

/**
 * A table `weight` [numEmbeddings, embeddingDim] looked up by integer ids of any shape, like
 * `torch.nn.Embedding`; the output has shape [...ids.shape, embeddingDim]. Initialized N(0, 1), with the
 * `paddingIdx` row zeroed (and kept out of the gradient), as in PyTorch.
 * @example new tl.nn.Embedding(10000, 128, { paddingIdx: 0 }).call(tl.tensor([[1, 5, 0]], { dtype: "int32" })).shape // [1, 3, 128]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingLayerOptions = {}) {
    super();
    for (const [name, v] of [["numEmbeddings", numEmbeddings], ["embeddingDim", embeddingDim]] as const) {
      check(Number.isInteger(v) && v >= 0, "Embedding", () => `${name} must be a whole number ≥ 0, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = resolvePaddingIdx(options.paddingIdx, numEmbeddings);
    this.weight = parameterFrom(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? "float32" }));
    this.resetParameters();
  }

  /**
   * A layer around an existing table [numEmbeddings, embeddingDim] (copied), like PyTorch's
   * `Embedding.from_pretrained`; frozen unless `freeze: false`.
   * @example const emb = tl.nn.Embedding.fromPretrained(gloveVectors, { freeze: false });
   */
  static fromPretrained(embeddings: Tensor, options: FromPretrainedOptions = {}): Embedding {
    check(isTensor(embeddings) && embeddings.ndim === 2, "Embedding.fromPretrained",
      () => `embeddings must be a 2-D tensor [numEmbeddings, embeddingDim], got ${isTensor(embeddings) ? `shape ${fmtShape(embeddings.shape)}` : typeof embeddings}`);
    check(embeddings.dtype === "float32" || embeddings.dtype === "float64", "Embedding.fromPretrained",
      () => `embeddings must be float32 or float64, got ${embeddings.dtype}`);
    const [rows, dim] = embeddings.shape;
    const layer = new Embedding(rows, dim, { paddingIdx: options.paddingIdx, dtype: embeddings.dtype });
    const drawn = layer.weight;
    layer.weight = tidy(() => parameterFrom(clone(embeddings.detach()), !(options.freeze ?? true)));
    drawn.dispose();
    return layer;
  }

  /** Draws the table from N(0, 1) and zeroes the paddingIdx row, like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    normal_(this.weight);
    const row = this.paddingIdx;
    if (row !== null) tidy(() => noGrad(() => void this.weight.select(0, row).zero_()));
  }

  forward(ids: Tensor): Tensor {
    return embedding(ids, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
