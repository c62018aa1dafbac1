/**
 * Padding and truncation of id sequences into one batch tensor, with the lengths and mask a
 * recurrent layer or an attention layer needs.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { tensor } from "../../ops/creation.js";

const WHERE = "padSequences";
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Options of `padSequences`. */
export interface PadOptions {
  /** Length L of every row: longer sequences are truncated. Default: the longest sequence's length. */
  maxLength?: number;
  /** Where padding goes: "post" (after the tokens, default) or "pre" (before). */
  padding?: "post" | "pre";
  /** Which end a long sequence loses: "post" (its tail, default) or "pre" (its head). */
  truncation?: "post" | "pre";
  /** The padding id (default 0, the id of "<pad>" in a default `Vocab`). */
  value?: number;
}

/** A padded batch. */
export interface PaddedBatch {
  /** int32 [N, L]: the ids, padded with `value`. */
  ids: Tensor;
  /** int32 [N]: each row's number of real tokens after truncation. */
  lengths: Tensor;
  /** bool [N, L]: true at real tokens, false at padding. */
  mask: Tensor;
}

function checkSide(side: unknown, name: string): "post" | "pre" {
  check(side === "post" || side === "pre", WHERE, () => `${name} must be "post" or "pre", got ${JSON.stringify(side)}`);
  return side;
}

function isInt32(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

/**
 * Pads (and truncates) id sequences to one length, like Keras' `pad_sequences` with tensors out.
 * With `padding: "post"` (the default) `lengths` can go straight to an LSTM's `lengths` option,
 * which treats the first `length` steps of each row as real; with "pre" the real tokens sit at the end.
 * @example
 * const { ids, lengths, mask } = tl.data.text.padSequences([[5, 6, 7], [8]], { maxLength: 4 });
 * // ids [[5,6,7,0],[8,0,0,0]], lengths [3,1], mask [[T,T,T,F],[T,F,F,F]]
 * const [out] = lstm.call(embedding.forward(ids), null, { lengths });
 */
export function padSequences(sequences: readonly (readonly number[] | Int32Array)[], options: PadOptions = {}): PaddedBatch {
  check(Array.isArray(sequences), WHERE, () => `sequences must be an array of id arrays, got ${typeof sequences}`);
  const padding = checkSide(options.padding ?? "post", "padding");
  const truncation = checkSide(options.truncation ?? "post", "truncation");
  const value = options.value ?? 0;
  check(isInt32(value), WHERE, () => `value must be a whole number in the int32 range, got ${value}`);
  sequences.forEach((seq, i) => {
    check(Array.isArray(seq) || seq instanceof Int32Array, WHERE, () => `sequence ${i} must be an array of ids, got ${typeof seq}`);
    for (let j = 0; j < seq.length; j++) {
      check(isInt32(seq[j]), WHERE, () => `sequence ${i} has ${seq[j]} at position ${j}; ids must be whole numbers in the int32 range`);
    }
  });
  const longest = sequences.reduce((m, s) => Math.max(m, s.length), 0);
  const L = options.maxLength ?? longest;
  check(Number.isInteger(L) && L >= 0, WHERE, () => `maxLength must be a whole number ≥ 0, got ${options.maxLength}`);
  const n = sequences.length;
  const ids = new Int32Array(n * L).fill(value);
  const mask = new Uint8Array(n * L);
  const lengths = new Int32Array(n);
  sequences.forEach((seq, i) => {
    const len = Math.min(seq.length, L);
    const from = truncation === "post" ? 0 : seq.length - len; // which slice of seq survives
    const to = padding === "post" ? i * L : i * L + (L - len); // where it lands in the row
    for (let j = 0; j < len; j++) {
      ids[to + j] = seq[from + j];
      mask[to + j] = 1;
    }
    lengths[i] = len;
  });
  return {
    ids: tensor(ids, { shape: [n, L] }),
    lengths: tensor(lengths, { shape: [n] }),
    mask: tensor(mask, { shape: [n, L], dtype: "bool" }),
  };
}
