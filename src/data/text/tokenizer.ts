/** The shape every text tokenizer shares, so a `Vocab` or a pipeline can take any of them. */

/**
 * Splits text into string tokens and joins tokens back into text. Ids are a `Vocab`'s job
 * (`vocab.encode(tokenizer.tokenize(text))`); `BPETokenizer` carries its own vocabulary as well.
 */
export interface Tokenizer {
  /** The tokens of `text`, in order. */
  tokenize(text: string): string[];
  /** Text from tokens: the inverse of `tokenize` up to what normalization removed. */
  detokenize(tokens: readonly string[]): string;
}
