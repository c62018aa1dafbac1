/**
 * The byte-pair-encoding merge loop (Sennrich, Haddow & Birch 2016, Algorithm 1) over a table of
 * word counts: start from characters plus an end-of-word symbol, and repeatedly merge the most
 * frequent adjacent pair into a new symbol. Pair counts are updated incrementally (only the words
 * holding the merged pair are touched) and the best pair comes from a heap, so training on a
 * real corpus takes seconds, not the hours of recounting every pair after every merge.
 */
import { check } from "../../core/errors.js";

/** What training produced: the base alphabet (sorted) and the merges in the order they were learned. */
export interface BpeMerges {
  alphabet: string[];
  merges: [string, string][];
}

/** Limits for `learnMerges`. */
export interface LearnMergesOptions {
  /** Stop once this many new symbols have been created. */
  maxNewSymbols: number;
  /** Stop when the best pair occurs fewer times than this. */
  minFrequency: number;
  /** The symbol appended to every word. */
  endOfWord: string;
}

// A pair of symbol ids packed into one number: ids stay below 2^26, so the key stays below 2^52.
const SHIFT = 2 ** 26;

interface Entry {
  count: number;
  key: number;
}

/** A binary max-heap of pair entries ordered by `before`. */
class PairHeap {
  private readonly items: Entry[] = [];

  constructor(private readonly before: (a: Entry, b: Entry) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l], items[best])) best = l;
        if (r < items.length && this.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Learns merges from `wordCounts`. The most frequent pair wins; ties go to the pair whose left
 * symbol, then right symbol, sorts first by UTF-16 code units, so the result does not depend on
 * the order of the corpus. A merge whose result already exists (from another pair) is recorded
 * but creates no new symbol.
 */
export function learnMerges(wordCounts: ReadonlyMap<string, number>, options: LearnMergesOptions): BpeMerges {
  const { maxNewSymbols, minFrequency, endOfWord } = options;
  const symbols: string[] = [];
  const idOf = new Map<string, number>();
  const intern = (s: string): number => {
    let id = idOf.get(s);
    if (id === undefined) {
      id = symbols.length;
      check(id < SHIFT, "BPETokenizer", () => `training would need more than ${SHIFT} symbols`);
      symbols.push(s);
      idOf.set(s, id);
    }
    return id;
  };

  // The alphabet is interned in sorted order so symbol ids (and the vocabulary) are reproducible.
  const chars = new Set<string>([endOfWord]);
  for (const word of wordCounts.keys()) for (const c of word) chars.add(c);
  const alphabet = [...chars].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const c of alphabet) intern(c);

  const words: { syms: number[]; count: number }[] = [];
  for (const [word, count] of wordCounts) words.push({ syms: [...Array.from(word, intern), idOf.get(endOfWord) as number], count });

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const changed = new Set<number>();
  const bump = (key: number, delta: number, word: number): void => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + delta);
    changed.add(key);
    if (delta > 0) {
      let set = pairWords.get(key);
      if (set === undefined) pairWords.set(key, (set = new Set()));
      set.add(word);
    }
  };
  const countPairs = (w: number, sign: number): void => {
    const { syms, count } = words[w];
    for (let i = 0; i + 1 < syms.length; i++) bump(syms[i] * SHIFT + syms[i + 1], sign * count, w);
  };
  words.forEach((_, w) => countPairs(w, 1));

  const before = (x: Entry, y: Entry): boolean => {
    if (x.count !== y.count) return x.count > y.count;
    const xl = symbols[Math.floor(x.key / SHIFT)], yl = symbols[Math.floor(y.key / SHIFT)];
    if (xl !== yl) return xl < yl;
    return symbols[x.key % SHIFT] < symbols[y.key % SHIFT];
  };
  const heap = new PairHeap(before);
  const flush = (): void => {
    for (const key of changed) {
      const count = pairCount.get(key) ?? 0;
      if (count > 0) heap.push({ count, key });
      else pairCount.delete(key);
    }
    changed.clear();
  };
  flush();

  const merges: [string, string][] = [];
  let created = 0;
  while (created < maxNewSymbols && heap.size > 0) {
    const top = heap.pop() as Entry;
    if (pairCount.get(top.key) !== top.count) continue; // stale: the count changed after this entry was pushed
    if (top.count < minFrequency) break;
    const a = Math.floor(top.key / SHIFT), b = top.key % SHIFT;
    const merged = symbols[a] + symbols[b];
    if (!idOf.has(merged)) created++;
    const c = intern(merged);
    merges.push([symbols[a], symbols[b]]);
    for (const w of pairWords.get(top.key) ?? []) {
      const { syms } = words[w];
      if (!syms.some((s, i) => s === a && syms[i + 1] === b)) continue; // merged away by an earlier merge
      countPairs(w, -1);
      const next: number[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          next.push(c);
          i++;
        } else next.push(syms[i]);
      }
      words[w].syms = next;
      countPairs(w, 1);
    }
    pairWords.delete(top.key);
    flush();
  }
  return { alphabet, merges };
}
