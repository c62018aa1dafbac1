/**
 * Character tokenization: one token per Unicode code point (what Python's `list(text)` gives),
 * or per user-perceived character (grapheme cluster) so an emoji with modifiers or a letter with
 * combining accents stays one token.
 */
import { check } from "../../core/errors.js";
import { checkNormalization, checkText, normalizeText, type NormalizationForm } from "./normalize.js";
import type { Tokenizer } from "./tokenizer.js";

const WHERE = "CharTokenizer";

/** Options of `CharTokenizer`. */
export interface CharTokenizerOptions {
  /** Lower-case before splitting (default false: case is information a character model can use). */
  lowercase?: boolean;
  /** Unicode normalization applied first (default "NFC", which composes "e" + U+0301 into "é"). */
  normalize?: NormalizationForm;
  /** "codePoint" (default) splits into code points; "grapheme" into grapheme clusters (`Intl.Segmenter`). */
  unit?: "codePoint" | "grapheme";
}

/**
 * Splits text into characters. Unlike `text.split("")` it never cuts a surrogate pair in half.
 * @example
 * new tl.data.text.CharTokenizer().tokenize("héllo 👋"); // ["h", "é", "l", "l", "o", " ", "👋"]
 */
export class CharTokenizer implements Tokenizer {
  readonly lowercase: boolean;
  readonly normalize: NormalizationForm;
  readonly unit: "codePoint" | "grapheme";
  private readonly segmenter: Intl.Segmenter | null;

  constructor(options: CharTokenizerOptions = {}) {
    this.lowercase = options.lowercase ?? false;
    this.normalize = checkNormalization(options.normalize ?? "NFC", WHERE);
    this.unit = options.unit ?? "codePoint";
    check(this.unit === "codePoint" || this.unit === "grapheme", WHERE,
      () => `unit must be "codePoint" or "grapheme", got ${JSON.stringify(options.unit)}`);
    this.segmenter = this.unit === "grapheme" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  }

  /** The characters of `text` after normalization (and lower-casing when asked). */
  tokenize(text: string): string[] {
    checkText(text, WHERE);
    const clean = normalizeText(text, this.normalize, this.lowercase);
    if (this.segmenter === null) return Array.from(clean);
    return Array.from(this.segmenter.segment(clean), (s) => s.segment);
  }

  /** Joins characters back into text. */
  detokenize(tokens: readonly string[]): string {
    return tokens.join("");
  }
}
