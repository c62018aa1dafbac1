/**
 * Word tokenization with Unicode normalization: words (letters, marks and digits, joined by
 * word-internal apostrophes and hyphens) and punctuation marks as separate tokens, or a
 * user-given separator pattern.
 */
import { check } from "../../core/errors.js";
import { checkNormalization, checkText, normalizeText, type NormalizationForm } from "./normalize.js";
import type { Tokenizer } from "./tokenizer.js";

const WHERE = "WordTokenizer";

/**
 * A word is a run of letters, combining marks and digits in any script, possibly joined by an
 * apostrophe or hyphen ("don't", "state-of-the-art"); any other non-space character is a token alone.
 */
const TOKEN = /[\p{L}\p{M}\p{N}]+(?:['’\-‐][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;
const EDGE_PUNCTUATION = /^\p{P}+|\p{P}+$/gu;

/** Options of `WordTokenizer`. */
export interface WordTokenizerOptions {
  /** Lower-case the text (default true). */
  lowercase?: boolean;
  /**
   * Drop punctuation: punctuation tokens, and punctuation at the start or end of a token
   * (word-internal apostrophes and hyphens stay). Symbols such as "$", "+" and emoji are kept. Default false.
   */
  stripPunctuation?: boolean;
  /** Unicode normalization applied first (default "NFKC": full-width letters and ligatures become plain ones). */
  normalize?: NormalizationForm;
  /**
   * Split on this separator instead (`text.split(splitPattern)`, empty pieces dropped), e.g. `/\s+/`
   * to keep punctuation attached to words. Default: the built-in word/punctuation pattern.
   */
  splitPattern?: RegExp | string;
}

/**
 * Splits text into words and punctuation.
 * @example
 * const tok = new tl.data.text.WordTokenizer({ stripPunctuation: true });
 * tok.tokenize("Don't panic, it's ＯＫ!"); // ["don't", "panic", "it's", "ok"]
 */
export class WordTokenizer implements Tokenizer {
  readonly lowercase: boolean;
  readonly stripPunctuation: boolean;
  readonly normalize: NormalizationForm;
  readonly splitPattern: RegExp | string | undefined;

  constructor(options: WordTokenizerOptions = {}) {
    this.lowercase = options.lowercase ?? true;
    this.stripPunctuation = options.stripPunctuation ?? false;
    this.normalize = checkNormalization(options.normalize ?? "NFKC", WHERE);
    const pattern = options.splitPattern;
    check(pattern === undefined || typeof pattern === "string" || pattern instanceof RegExp, WHERE,
      () => `splitPattern must be a RegExp or a string, got ${typeof pattern}`);
    check(pattern !== "", WHERE, "splitPattern must not be empty (use CharTokenizer to split into characters)");
    this.splitPattern = pattern;
  }

  /** The tokens of `text`. */
  tokenize(text: string): string[] {
    checkText(text, WHERE);
    const clean = normalizeText(text, this.normalize, this.lowercase);
    // split() also returns capture groups (possibly undefined); keep only real, non-empty pieces.
    const pieces = this.splitPattern === undefined
      ? clean.match(TOKEN) ?? []
      : clean.split(this.splitPattern).filter((p): p is string => typeof p === "string" && p.length > 0);
    if (!this.stripPunctuation) return pieces;
    return pieces.map((p) => p.replace(EDGE_PUNCTUATION, "")).filter((p) => p.length > 0);
  }

  /** Joins tokens with single spaces. */
  detokenize(tokens: readonly string[]): string {
    return tokens.join(" ");
  }
}
