/**
 * EDA (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting Performance on Text
 * Classification Tasks"): several augmented copies of a sentence, each made by one of the four
 * operations with strengths set by the paper's alphas, as the authors' `eda()` function does.
 */
import { check } from "../../core/errors.js";
import { Random } from "../../core/rng.js";
import {
  checkWords, randomDeletion, randomInsertion, randomSwap, synonymReplacement, type SynonymSource,
} from "./eda-ops.js";

const WHERE = "EDA";

/** Options of `EDA`; the defaults are the paper's (0.1 each, 9 augmentations). */
export interface EDAOptions {
  /** Synonym replacement changes max(1, ⌊alphaSr · words⌋) words; 0 turns it off (default 0.1). */
  alphaSr?: number;
  /** Random insertion adds max(1, ⌊alphaRi · words⌋) synonyms; 0 turns it off (default 0.1). */
  alphaRi?: number;
  /** Random swap makes max(1, ⌊alphaRs · words⌋) swaps; 0 turns it off (default 0.1). */
  alphaRs?: number;
  /** Random deletion deletes each word with this probability; 0 turns it off (default 0.1). */
  pRd?: number;
  /**
   * Augmented sentences per input (default 9). A fraction below 1 keeps each generated sentence
   * with that probability (divided by the number generated), as the reference code does.
   */
  numAug?: number;
  /** Append the original sentence to the result, as the reference code does (default true). */
  includeOriginal?: boolean;
  /**
   * Seed for a generator kept across calls; without it each call draws from the global generator,
   * which a `DataLoader` seeds per sample (leave it out there, so workers reproduce the same data).
   */
  seed?: number;
  /** Where synonyms come from (default: WordNet). */
  synonyms?: SynonymSource;
  /** Words the synonym operations leave alone (default: EDA's English stop words). */
  stopWords?: ReadonlySet<string>;
}

function checkRate(value: number, name: string): number {
  check(typeof value === "number" && value >= 0 && value <= 1, WHERE, () => `${name} must be in [0, 1], got ${value}`);
  return value;
}

/**
 * Easy Data Augmentation for text classification.
 * @example
 * const eda = new tl.data.text.EDA({ numAug: 4, seed: 1 });
 * eda.augment("the quick brown fox jumps over the lazy dog"); // 4 variants, then the original
 */
export class EDA {
  readonly alphaSr: number;
  readonly alphaRi: number;
  readonly alphaRs: number;
  readonly pRd: number;
  readonly numAug: number;
  readonly includeOriginal: boolean;
  private readonly rng: Random | null;
  private readonly synonyms: SynonymSource | undefined;
  private readonly stopWords: ReadonlySet<string> | undefined;

  constructor(options: EDAOptions = {}) {
    this.alphaSr = checkRate(options.alphaSr ?? 0.1, "alphaSr");
    this.alphaRi = checkRate(options.alphaRi ?? 0.1, "alphaRi");
    this.alphaRs = checkRate(options.alphaRs ?? 0.1, "alphaRs");
    this.pRd = checkRate(options.pRd ?? 0.1, "pRd");
    this.numAug = options.numAug ?? 9;
    check(typeof this.numAug === "number" && this.numAug >= 0 && (this.numAug < 1 || Number.isInteger(this.numAug)), WHERE,
      () => `numAug must be a whole number ≥ 1 or a fraction in [0, 1), got ${options.numAug}`);
    this.includeOriginal = options.includeOriginal ?? true;
    check(options.seed === undefined || Number.isFinite(options.seed), WHERE, () => `seed must be a finite number, got ${options.seed}`);
    this.rng = options.seed === undefined ? null : new Random(options.seed);
    this.synonyms = options.synonyms;
    this.stopWords = options.stopWords;
  }

  /**
   * Augmented versions of `sentence` (a string, split on whitespace, or its words), as strings
   * with words joined by single spaces; the original comes last when `includeOriginal`.
   */
  augment(sentence: string | readonly string[]): string[] {
    const words = typeof sentence === "string" ? sentence.split(/\s+/u).filter((w) => w.length > 0) : sentence;
    checkWords(words, WHERE);
    const original = words.join(" ");
    if (words.length === 0) return this.includeOriginal ? [original] : [];
    const rng = this.rng ?? new Random();
    const perOp = Math.floor(this.numAug / 4) + 1;
    const count = (alpha: number): number => Math.max(1, Math.floor(alpha * words.length));
    const syn = { rng, synonyms: this.synonyms, stopWords: this.stopWords };
    const made: string[][] = [];
    const repeat = (make: () => string[]): void => {
      for (let k = 0; k < perOp; k++) made.push(make());
    };
    if (this.alphaSr > 0) repeat(() => synonymReplacement(words, { ...syn, n: count(this.alphaSr) }));
    if (this.alphaRi > 0) repeat(() => randomInsertion(words, { ...syn, n: count(this.alphaRi) }));
    if (this.alphaRs > 0) repeat(() => randomSwap(words, { rng, n: count(this.alphaRs) }));
    if (this.pRd > 0) repeat(() => randomDeletion(words, { rng, p: this.pRd }));
    let out = rng.permutation(made.length).map((i) => made[i].join(" "));
    if (this.numAug >= 1) out = out.slice(0, this.numAug);
    else {
      const keep = this.numAug / Math.max(1, out.length);
      out = out.filter(() => rng.next() < keep);
    }
    if (this.includeOriginal) out.push(original);
    return out;
  }

  /** Same as `augment`, so an `EDA` can be a dataset transform (`{ forward }`). */
  forward(sentence: string | readonly string[]): string[] {
    return this.augment(sentence);
  }
}
