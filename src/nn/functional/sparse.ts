/** Lookups into a table of vectors: embedding. */
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { eq, indexSelect, reshape, unsqueeze, where } from "../../ops/index.js";
import { classIndices } from "./common.js";

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Row whose gradient is always zero (a padding token's vector stays as it is); negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * Looks up rows of `weight` ([numEmbeddings, dim]) by `indices` (any shape, int32 or whole-number
 * floats), like `F.embedding`; the result has shape [...indices.shape, dim]. Rows used several times
 * accumulate their gradients. An index out of range is an error naming it.
 * @example tl.nn.functional.embedding(tl.tensor([[1, 0, 2]]), table, { paddingIdx: 0 }) // [1, 3, dim]
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const op = "embedding";
  check(weight.ndim === 2, op, () => `weight must have shape [numEmbeddings, embeddingDim], got ${fmtShape(weight.shape)}`);
  const [rows, dim] = weight.shape;
  let paddingIdx = options.paddingIdx ?? null;
  if (paddingIdx !== null) {
    check(Number.isInteger(paddingIdx) && paddingIdx >= -rows && paddingIdx < rows, op,
      () => `paddingIdx ${paddingIdx} must be within the ${rows} rows of weight (-${rows}..${rows - 1})`);
    if (paddingIdx < 0) paddingIdx += rows;
  }
  const idx = reshape(classIndices(indices, rows, op, { arg: "indices", unit: "rows of weight" }), [-1]); // validated here so the error names embedding
  const picked = reshape(indexSelect(weight, 0, idx), [...indices.shape, dim]);
  if (paddingIdx === null) return picked;
  // Same values, but positions holding paddingIdx read a detached copy, so that row gets no gradient.
  const isPad = unsqueeze(eq(reshape(idx, indices.shape), paddingIdx), -1);
  return where(isPad, picked.detach(), picked);
}
