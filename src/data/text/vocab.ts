/**
 * A vocabulary: a one-to-one map between tokens and ids, with special tokens at fixed indices
 * and an unknown-token fallback, like torchtext's `Vocab`.
 */
import { check, tensileError } from "../../core/errors.js";

const WHERE = "Vocab";

/** The special tokens a `Vocab` starts with unless told otherwise: ids 0, 1, 2, 3. */
export const DEFAULT_SPECIALS: readonly string[] = ["<pad>", "<unk>", "<bos>", "<eos>"];

/** Options for building a `Vocab`. */
export interface VocabOptions {
  /** Tokens placed first, at ids 0..k-1 in this order (default `["<pad>", "<unk>", "<bos>", "<eos>"]`). */
  specials?: readonly string[];
  /**
   * The token unknown tokens map to, or null to make an unknown token an error. Default "<unk>"
   * when it is among the specials, else null.
   */
  unkToken?: string | null;
}

/** Options for building a `Vocab` from counts. */
export interface VocabBuildOptions extends VocabOptions {
  /** Keep only tokens seen at least this many times (default 1). */
  minFreq?: number;
  /** At most this many entries in all, specials included (default: no limit). */
  maxSize?: number;
}

/** What `Vocab.toJSON` writes and `Vocab.fromJSON` reads. */
export interface VocabJSON {
  tokens: string[];
  specials: string[];
  unkToken: string | null;
}

/**
 * Maps tokens to ids and back. Specials come first at fixed ids; the rest follow in the order given
 * (`fromTokens`) or by falling count, ties in code-unit order (`fromCounts`, `build`), so the same
 * corpus always gives the same ids.
 * @example
 * const vocab = tl.data.text.Vocab.build([["a", "b", "a"], ["c"]], { minFreq: 1 });
 * vocab.encode(["a", "zzz"]); // [4, 1]: "a" after the 4 specials, "zzz" is <unk>
 */
export class Vocab {
  /** The special tokens, at ids 0..specials.length-1. */
  readonly specials: readonly string[];
  /** The token unknown tokens map to, or null. */
  readonly unkToken: string | null;
  private readonly itos: string[];
  private readonly stoi = new Map<string, number>();

  /** Builds a vocabulary of `specials` followed by `tokens` (duplicates after the first are ignored). */
  constructor(tokens: Iterable<string>, options: VocabOptions = {}) {
    const specials = [...(options.specials ?? DEFAULT_SPECIALS)];
    check(new Set(specials).size === specials.length, WHERE, () => `specials contain a duplicate: ${JSON.stringify(specials)}`);
    this.itos = [];
    for (const t of specials) this.add(t);
    for (const t of tokens) if (!this.stoi.has(t)) this.add(t);
    this.specials = specials;
    const unk = options.unkToken === undefined ? (specials.includes("<unk>") ? "<unk>" : null) : options.unkToken;
    check(unk === null || this.stoi.has(unk), WHERE, () => `unkToken ${JSON.stringify(unk)} is not in the vocabulary; add it to specials`);
    this.unkToken = unk;
  }

  private add(token: string): void {
    check(typeof token === "string", WHERE, () => `tokens must be strings, got ${typeof token}`);
    this.stoi.set(token, this.itos.length);
    this.itos.push(token);
  }

  /** A vocabulary of `specials` then `tokens` in the given order. */
  static fromTokens(tokens: Iterable<string>, options: VocabOptions = {}): Vocab {
    return new Vocab(tokens, options);
  }

  /** A vocabulary from token counts, most frequent first, filtered by `minFreq` and cut at `maxSize`. */
  static fromCounts(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>, options: VocabBuildOptions = {}): Vocab {
    const { minFreq = 1, maxSize = Infinity } = options;
    check(Number.isFinite(minFreq) && minFreq >= 0, WHERE, () => `minFreq must be a number ≥ 0, got ${minFreq}`);
    const specials = options.specials ?? DEFAULT_SPECIALS;
    check(maxSize === Infinity || (Number.isInteger(maxSize) && maxSize >= specials.length), WHERE,
      () => `maxSize must be a whole number ≥ the ${specials.length} specials, got ${maxSize}`);
    const entries = counts instanceof Map ? [...counts.entries()] : Object.entries(counts);
    for (const [token, n] of entries) {
      check(typeof n === "number" && Number.isFinite(n) && n >= 0, WHERE, () => `the count of ${JSON.stringify(token)} must be a number ≥ 0, got ${n}`);
    }
    const special = new Set(specials);
    const kept = entries.filter(([t, n]) => n >= minFreq && !special.has(t))
      .sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, maxSize - specials.length);
    return new Vocab(kept.map(([t]) => t), options);
  }

  /** Counts the tokens of `sequences` (e.g. tokenized sentences) and builds with `fromCounts`. */
  static build(sequences: Iterable<Iterable<string>>, options: VocabBuildOptions = {}): Vocab {
    const counts = new Map<string, number>();
    for (const seq of sequences) for (const t of seq) counts.set(t, (counts.get(t) ?? 0) + 1);
    return Vocab.fromCounts(counts, options);
  }

  /** Reads what `toJSON` wrote. */
  static fromJSON(json: VocabJSON): Vocab {
    check(json !== null && typeof json === "object" && Array.isArray(json.tokens) && Array.isArray(json.specials), WHERE,
      "fromJSON expects { tokens: string[], specials: string[], unkToken }");
    check(json.specials.every((s, i) => json.tokens[i] === s), WHERE,
      () => `fromJSON: the specials ${JSON.stringify(json.specials)} must be the first tokens, in order`);
    const vocab = new Vocab(json.tokens.slice(json.specials.length), { specials: json.specials, unkToken: json.unkToken });
    check(vocab.size === json.tokens.length, WHERE, "fromJSON: tokens contain a duplicate");
    return vocab;
  }

  /** Number of entries, specials included. */
  get size(): number {
    return this.itos.length;
  }

  /** Same as `size`. */
  get length(): number {
    return this.itos.length;
  }

  /** The id of the unknown token, or undefined without one. */
  get unkIndex(): number | undefined {
    return this.unkToken === null ? undefined : this.stoi.get(this.unkToken);
  }

  /** The id of "<pad>", or undefined when it is not in the vocabulary. */
  get padIndex(): number | undefined {
    return this.stoi.get("<pad>");
  }

  /** The id of "<bos>", or undefined. */
  get bosIndex(): number | undefined {
    return this.stoi.get("<bos>");
  }

  /** The id of "<eos>", or undefined. */
  get eosIndex(): number | undefined {
    return this.stoi.get("<eos>");
  }

  /** Whether `token` has its own id. */
  has(token: string): boolean {
    return this.stoi.has(token);
  }

  /** The id of `token` without fallback: undefined when it is not in the vocabulary. */
  indexOf(token: string): number | undefined {
    return this.stoi.get(token);
  }

  /** The id of `token`, or the unknown token's id; an error when there is no unknown token. */
  lookup(token: string): number {
    const id = this.stoi.get(token);
    if (id !== undefined) return id;
    const unk = this.unkIndex;
    if (unk === undefined) throw tensileError(WHERE, `the token ${JSON.stringify(token)} is not in the vocabulary and it has no unkToken`);
    return unk;
  }

  /** The token at `id`. */
  token(id: number): string {
    check(Number.isInteger(id) && id >= 0 && id < this.itos.length, WHERE,
      () => `id ${id} is out of range for a vocabulary of ${this.itos.length} tokens (expected a whole number in [0, ${this.itos.length}))`);
    return this.itos[id];
  }

  /** The ids of `tokens` (unknown tokens as the unknown id). */
  encode(tokens: Iterable<string>): number[] {
    return Array.from(tokens, (t) => this.lookup(t));
  }

  /** The tokens of `ids`. */
  decode(ids: Iterable<number>): string[] {
    return Array.from(ids, (i) => this.token(i));
  }

  /** Every token, in id order. */
  tokens(): string[] {
    return [...this.itos];
  }

  /** A plain object for `JSON.stringify`; `Vocab.fromJSON` reads it back. */
  toJSON(): VocabJSON {
    return { tokens: [...this.itos], specials: [...this.specials], unkToken: this.unkToken };
  }
}
