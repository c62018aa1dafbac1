/**
 * A trainable byte-pair-encoding tokenizer, character-level with an end-of-word marker as in
 * Sennrich et al. 2016 ("low" is l o w </w>). Text is normalized, split on whitespace into words,
 * and each word is split into the subwords the learned merges build. Because every word ends in
 * "</w>", decoding is exact: concatenate the subwords and turn each "</w>" back into a space.
 */
import { readFile, writeFile } from "node:fs/promises";
import { check, tensileError } from "../../core/errors.js";
import { learnMerges } from "./bpe-train.js";
import { checkNormalization, checkText, normalizeText, type NormalizationForm } from "./normalize.js";
import type { Tokenizer } from "./tokenizer.js";
import { DEFAULT_SPECIALS, Vocab, type VocabJSON } from "./vocab.js";

const WHERE = "BPETokenizer";
const CACHE_LIMIT = 100_000;

/** Options fixed when the tokenizer is made (and saved with it). */
export interface BPETokenizerOptions {
  /** Lower-case before splitting (default false). */
  lowercase?: boolean;
  /** Unicode normalization applied first (default "NFC"). */
  normalize?: NormalizationForm;
  /** The end-of-word marker appended to every word (default "</w>"); must not contain whitespace. */
  endOfWord?: string;
}

/** Options of `BPETokenizer.train`. */
export interface BPETrainOptions {
  /** The vocabulary size to reach: specials + base characters + merged symbols. */
  vocabSize: number;
  /** Merge only pairs seen at least this many times (default 2). */
  minFrequency?: number;
  /** Special tokens at ids 0..k-1 (default `["<pad>", "<unk>", "<bos>", "<eos>"]`). */
  specialTokens?: readonly string[];
}

/** Options of `BPETokenizer.encode`. */
export interface BPEEncodeOptions {
  /** Start with the "<bos>" id (default false). */
  addBos?: boolean;
  /** End with the "<eos>" id (default false). */
  addEos?: boolean;
}

/** What `toJSON` writes and `fromJSON` reads. */
export interface BPETokenizerJSON {
  type: "BPETokenizer";
  version: 1;
  lowercase: boolean;
  normalize: NormalizationForm;
  endOfWord: string;
  vocab: VocabJSON;
  merges: [string, string][];
}

/**
 * Byte-pair encoding, trained on your corpus.
 * @example
 * const bpe = new tl.data.text.BPETokenizer().train(texts, { vocabSize: 2000 });
 * const ids = bpe.encode("lowest newer", { addEos: true });
 * bpe.decode(ids); // "lowest newer" (when every character was seen in training)
 * await bpe.save("bpe.json"); const again = await tl.data.text.BPETokenizer.load("bpe.json");
 */
export class BPETokenizer implements Tokenizer {
  readonly lowercase: boolean;
  readonly normalize: NormalizationForm;
  readonly endOfWord: string;
  private vocabulary: Vocab | null = null;
  private mergeList: [string, string][] = [];
  private ranks = new Map<string, Map<string, number>>();
  private readonly cache = new Map<string, string[]>();

  constructor(options: BPETokenizerOptions = {}) {
    this.lowercase = options.lowercase ?? false;
    this.normalize = checkNormalization(options.normalize ?? "NFC", WHERE);
    this.endOfWord = options.endOfWord ?? "</w>";
    check(typeof this.endOfWord === "string" && this.endOfWord.length > 0 && !/\s/u.test(this.endOfWord), WHERE,
      () => `endOfWord must be a non-empty string without whitespace, got ${JSON.stringify(options.endOfWord)}`);
  }

  /** The vocabulary (specials, then the base characters, then merged symbols in merge order). */
  get vocab(): Vocab {
    if (this.vocabulary === null) throw tensileError(WHERE, "the tokenizer is not trained: call train(texts, { vocabSize }) or BPETokenizer.load(path)");
    return this.vocabulary;
  }

  /** The learned merges, in order: the i-th has rank i (lower ranks apply first). */
  get merges(): readonly (readonly [string, string])[] {
    return this.mergeList;
  }

  /** The words of `text`: normalized, lower-cased when asked, split on whitespace. */
  words(text: string): string[] {
    checkText(text, WHERE);
    return normalizeText(text, this.normalize, this.lowercase).split(/\s+/u).filter((w) => w.length > 0);
  }

  /**
   * Learns merges from `texts` until the vocabulary holds `vocabSize` tokens or no pair is seen
   * `minFrequency` times. Replaces any earlier training. Returns this tokenizer.
   */
  train(texts: Iterable<string>, options: BPETrainOptions): this {
    const { vocabSize, minFrequency = 2 } = options;
    const specials = [...(options.specialTokens ?? DEFAULT_SPECIALS)];
    check(Number.isInteger(minFrequency) && minFrequency >= 1, WHERE, () => `minFrequency must be a whole number ≥ 1, got ${minFrequency}`);
    check(Number.isInteger(vocabSize) && vocabSize > 0, WHERE, () => `vocabSize must be a whole number > 0, got ${vocabSize}`);
    const counts = new Map<string, number>();
    let n = 0;
    for (const text of texts) {
      for (const w of this.words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
      n++;
    }
    check(counts.size > 0, WHERE, () => `train needs text with at least one word; got ${n} texts with none`);
    const alphabetSize = new Set([this.endOfWord, ...[...counts.keys()].flatMap((w) => Array.from(w))]).size;
    const floor = specials.length + alphabetSize;
    check(vocabSize >= floor, WHERE,
      () => `vocabSize ${vocabSize} is too small: the ${specials.length} special tokens and ${alphabetSize} base characters (end-of-word marker included) already need ${floor}`);
    const { alphabet, merges } = learnMerges(counts, { maxNewSymbols: vocabSize - floor, minFrequency, endOfWord: this.endOfWord });
    const unkToken = specials.includes("<unk>") ? "<unk>" : null;
    this.setModel(new Vocab([...alphabet, ...merges.map(([a, b]) => a + b)], { specials, unkToken }), merges);
    return this;
  }

  private setModel(vocab: Vocab, merges: [string, string][]): void {
    this.vocabulary = vocab;
    this.mergeList = merges.map(([a, b]) => [a, b]);
    this.ranks = new Map();
    merges.forEach(([a, b], rank) => {
      let inner = this.ranks.get(a);
      if (inner === undefined) this.ranks.set(a, (inner = new Map()));
      if (!inner.has(b)) inner.set(b, rank);
    });
    this.cache.clear();
  }

  /** The subwords of one word: apply the lowest-ranked merge present, everywhere, until none applies. */
  private splitWord(word: string): string[] {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    let syms = [...Array.from(word), this.endOfWord];
    for (;;) {
      let best = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(syms[i])?.get(syms[i + 1]);
        if (r !== undefined && r < best) best = r;
      }
      if (best === Infinity) break;
      const [a, b] = this.mergeList[best];
      const next: string[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(syms[i]);
      }
      syms = next;
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, syms);
    return syms;
  }

  /** The subword tokens of `text` (strings; characters never seen in training stay as they are). */
  tokenize(text: string): string[] {
    // An untrained tokenizer has no merges: fail clearly instead of returning characters.
    if (this.vocabulary === null) throw tensileError(WHERE, "the tokenizer is not trained: call train(texts, { vocabSize }) or BPETokenizer.load(path)");
    return this.words(text).flatMap((w) => this.splitWord(w));
  }

  /** Text from subword tokens: concatenated, each end-of-word marker a space. */
  detokenize(tokens: readonly string[]): string {
    return tokens.join("").split(this.endOfWord).join(" ").trimEnd();
  }

  /** The ids of `text`; a token not in the vocabulary becomes "<unk>" (an error without one). */
  encode(text: string, options: BPEEncodeOptions = {}): number[] {
    const vocab = this.vocab;
    const ids = this.tokenize(text).map((t) => vocab.lookup(t));
    const special = (token: string): number => {
      const id = vocab.indexOf(token);
      if (id === undefined) throw tensileError(WHERE, `${token} was asked for but is not among the special tokens ${JSON.stringify(vocab.specials)}`);
      return id;
    };
    if (options.addBos) ids.unshift(special("<bos>"));
    if (options.addEos) ids.push(special("<eos>"));
    return ids;
  }

  /** Text from ids; special tokens are left out unless `skipSpecialTokens` is false. */
  decode(ids: Iterable<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    const vocab = this.vocab;
    const skip = options.skipSpecialTokens ?? true;
    const specials = new Set(vocab.specials);
    const tokens = vocab.decode(ids).filter((t) => !(skip && specials.has(t)));
    return this.detokenize(tokens);
  }

  /** A plain object for `JSON.stringify`; `BPETokenizer.fromJSON` reads it back. */
  toJSON(): BPETokenizerJSON {
    return {
      type: "BPETokenizer", version: 1, lowercase: this.lowercase, normalize: this.normalize, endOfWord: this.endOfWord,
      vocab: this.vocab.toJSON(), merges: this.mergeList.map(([a, b]) => [a, b]),
    };
  }

  /** Rebuilds a tokenizer from `toJSON`'s output, checking that every merge's result is in the vocabulary. */
  static fromJSON(json: BPETokenizerJSON): BPETokenizer {
    check(json !== null && typeof json === "object" && json.type === "BPETokenizer" && json.version === 1, WHERE,
      () => `fromJSON expects { type: "BPETokenizer", version: 1, ... }, got type ${JSON.stringify(json?.type)} version ${JSON.stringify(json?.version)}`);
    const tok = new BPETokenizer({ lowercase: json.lowercase, normalize: json.normalize, endOfWord: json.endOfWord });
    const vocab = Vocab.fromJSON(json.vocab);
    check(Array.isArray(json.merges), WHERE, "fromJSON: merges must be an array of [left, right] pairs");
    json.merges.forEach((m, i) => {
      check(Array.isArray(m) && m.length === 2 && typeof m[0] === "string" && typeof m[1] === "string", WHERE,
        () => `fromJSON: merge ${i} must be a [left, right] pair of strings, got ${JSON.stringify(m)}`);
      check(vocab.has(m[0] + m[1]), WHERE, () => `fromJSON: merge ${i} makes ${JSON.stringify(m[0] + m[1])}, which is not in the vocabulary`);
    });
    tok.setModel(vocab, json.merges);
    return tok;
  }

  /** Writes the tokenizer as JSON to `path`. */
  async save(path: string): Promise<void> {
    await writeFile(path, JSON.stringify(this.toJSON()));
  }

  /** Reads a tokenizer that `save` wrote. */
  static async load(path: string): Promise<BPETokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, "utf8"));
    } catch (e) {
      throw tensileError(WHERE, `cannot read a tokenizer from ${path}: ${(e as Error).message}`);
    }
    return BPETokenizer.fromJSON(json as BPETokenizerJSON);
  }
}
