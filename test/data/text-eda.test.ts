import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";

const { EDA, synonymReplacement, randomInsertion, randomSwap, randomDeletion } = tl.data.text;

const SENTENCE = "the quick brown fox jumps over the lazy dog".split(" ");
// A fixed synonym table keeps the invariant tests independent of WordNet.
const TABLE: Record<string, string[]> = { quick: ["fast", "speedy"], lazy: ["idle"], dog: ["hound", "domestic dog"], fox: [] };
const table = (w: string): string[] => TABLE[w] ?? [];
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe("synonymReplacement", () => {
  test("replaces n distinct non-stop words by their synonyms, every occurrence alike", () => {
    const words = ["dog", "and", "the", "dog", "quick"];
    const picked = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const out = synonymReplacement(words, { n: 1, seed, synonyms: table });
      const changed = out.map((w, i) => w !== words[i]);
      // n = 1: either "quick" alone, or both "dog"s with the same synonym
      if (changed[4]) assert.deepEqual(changed, [false, false, false, false, true]);
      else {
        assert.deepEqual(changed, [true, false, false, true, false]);
        assert.equal(out[0], out[3]);
      }
      picked.add(changed[4] ? "quick" : "dog");
    }
    assert.equal(picked.size, 2);
    const all = synonymReplacement(SENTENCE, { n: 10, seed: 1, synonyms: table });
    assert.ok(TABLE.quick.includes(all[1]) && TABLE.lazy.includes(all[7]) && TABLE.dog.includes(all[8]));
    assert.deepEqual([all[0], all[2], all[3], all[4], all[5], all[6]], ["the", "brown", "fox", "jumps", "over", "the"]);
  });

  test("stop words are never replaced, even when they have synonyms", () => {
    const out = synonymReplacement(["the", "a", "dog"], { n: 3, seed: 0, synonyms: (w) => [`${w}-syn`] });
    assert.deepEqual(out, ["the", "a", "dog-syn"]);
    const custom = synonymReplacement(["the", "dog"], { n: 3, seed: 0, synonyms: (w) => [`${w}-syn`], stopWords: new Set(["dog"]) });
    assert.deepEqual(custom, ["the-syn", "dog"]);
  });

  test("uses WordNet by default: multi-word synonyms have spaces", () => {
    const out = synonymReplacement(["i", "am", "happy"], { n: 1, seed: 4 });
    assert.deepEqual(out.slice(0, 2), ["i", "am"]);
    assert.ok(["felicitous", "glad", "well-chosen"].includes(out[2]), out[2]);
  });
});

describe("randomInsertion", () => {
  test("adds exactly n entries, each a synonym of a word of the sentence, keeping the original order", () => {
    for (const n of [0, 1, 3, 7]) {
      const out = randomInsertion(SENTENCE, { n, seed: n, synonyms: table });
      assert.equal(out.length, SENTENCE.length + n);
      const inserted = [...out];
      for (const w of SENTENCE) inserted.splice(inserted.indexOf(w), 1); // remove originals in order
      assert.equal(inserted.length, n);
      for (const w of inserted) assert.ok(Object.values(TABLE).flat().includes(w), w);
    }
  });

  test("returns the words unchanged when no word has a synonym; never changes its input", () => {
    const words = ["the", "xyzzy"];
    assert.deepEqual(randomInsertion(words, { n: 3, seed: 0, synonyms: table }), words);
    const before = [...SENTENCE];
    randomInsertion(SENTENCE, { n: 3, seed: 0, synonyms: table });
    assert.deepEqual(SENTENCE, before);
  });

  test("with WordNet", () => {
    const out = randomInsertion(["happy", "dog"], { n: 2, seed: 3 });
    assert.equal(out.length, 4);
  });
});

describe("randomSwap", () => {
  test("preserves the multiset of words and changes the order", () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = randomSwap(SENTENCE, { n: 3, seed });
      assert.deepEqual(sorted(out), sorted(SENTENCE));
    }
    const distinct = ["a", "b", "c", "d"];
    const once = randomSwap(distinct, { n: 1, seed: 9 });
    assert.equal(once.filter((w, i) => w !== distinct[i]).length, 2); // one swap moves exactly two words
  });

  test("short sentences come back as they are", () => {
    assert.deepEqual(randomSwap(["solo"], { n: 5, seed: 0 }), ["solo"]);
    assert.deepEqual(randomSwap([], { n: 5, seed: 0 }), []);
  });
});

describe("randomDeletion", () => {
  test("keeps at least one word, and only words of the input in order", () => {
    for (let seed = 0; seed < 30; seed++) {
      const out = randomDeletion(SENTENCE, { p: 0.9, seed });
      assert.ok(out.length >= 1);
      let j = 0;
      for (const w of out) {
        while (j < SENTENCE.length && SENTENCE[j] !== w) j++;
        assert.ok(j < SENTENCE.length, `${out.join(" ")} is not a subsequence`);
        j++;
      }
    }
    const all = randomDeletion(SENTENCE, { p: 1, seed: 2 });
    assert.equal(all.length, 1);
    assert.ok(SENTENCE.includes(all[0]));
  });

  test("p = 0 keeps everything; a one-word sentence is kept", () => {
    assert.deepEqual(randomDeletion(SENTENCE, { p: 0, seed: 0 }), SENTENCE);
    assert.deepEqual(randomDeletion(["solo"], { p: 1, seed: 0 }), ["solo"]);
    assert.deepEqual(randomDeletion([], { p: 0.5, seed: 0 }), []);
  });

  test("deletes about a fraction p", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const kept = randomDeletion(words, { p: 0.3, seed: 1 }).length;
    assert.ok(Math.abs(kept / 2000 - 0.7) < 0.04, `${kept}`);
  });
});

describe("seeding", () => {
  test("the same seed gives the same result; different seeds differ", () => {
    const run = (seed: number) => [
      synonymReplacement(SENTENCE, { n: 2, seed, synonyms: table }), randomInsertion(SENTENCE, { n: 2, seed, synonyms: table }),
      randomSwap(SENTENCE, { n: 2, seed }), randomDeletion(SENTENCE, { p: 0.3, seed }),
    ];
    assert.deepEqual(run(42), run(42));
    const many = new Set(Array.from({ length: 10 }, (_, s) => JSON.stringify(run(s))));
    assert.ok(many.size > 5);
  });

  test("without a seed, tl.manualSeed makes results reproducible", () => {
    tl.manualSeed(7);
    const a = [randomSwap(SENTENCE, { n: 3 }), randomDeletion(SENTENCE, { p: 0.5 })];
    tl.manualSeed(7);
    const b = [randomSwap(SENTENCE, { n: 3 }), randomDeletion(SENTENCE, { p: 0.5 })];
    assert.deepEqual(a, b);
  });

  test("bad arguments are clear errors", () => {
    assert.throws(() => randomDeletion(SENTENCE, { p: 1.5 }), /\[randomDeletion\] p must be a probability in \[0, 1\], got 1.5/);
    assert.throws(() => randomSwap(SENTENCE, { n: -1 }), /\[randomSwap\] n must be a whole number ≥ 0/);
    assert.throws(() => synonymReplacement("a sentence" as never), /\[synonymReplacement\] words must be an array of strings/);
  });
});

describe("EDA", () => {
  test("makes numAug sentences plus the original, reproducibly with a seed", () => {
    const make = () => new EDA({ numAug: 8, seed: 3, synonyms: table });
    const out = make().augment(SENTENCE.join(" "));
    assert.equal(out.length, 9);
    assert.equal(out[8], SENTENCE.join(" "));
    assert.deepEqual(make().augment(SENTENCE), out);
    assert.deepEqual(make().forward(SENTENCE), out);
    const eda = make();
    assert.notDeepEqual(eda.augment(SENTENCE), eda.augment(SENTENCE)); // the generator advances between calls
  });

  test("each operation alone gives its kind of change", () => {
    const only = (o: object) => new EDA({ alphaSr: 0, alphaRi: 0, alphaRs: 0, pRd: 0, numAug: 4, includeOriginal: false, seed: 1, synonyms: table, ...o })
      .augment(SENTENCE).map((s) => s.split(" "));
    for (const s of only({ alphaRs: 0.2 })) assert.deepEqual(sorted(s), sorted(SENTENCE));
    for (const s of only({ pRd: 0.5 })) assert.ok(s.length >= 1 && s.length <= SENTENCE.length);
    for (const s of only({ alphaRi: 0.25 })) assert.ok(s.length >= SENTENCE.length + 2); // ⌊0.25·9⌋ = 2 insertions
    for (const s of only({ alphaSr: 0.1 })) assert.equal(s.filter((w, i) => w !== SENTENCE[i]).length >= 1, true);
    assert.equal(only({ alphaSr: 0.1 }).length, 2); // one operation on: ⌊numAug/4⌋ + 1 = 2 sentences, as the reference code
  });

  test("a fractional numAug keeps each sentence with that probability; an empty sentence is returned alone", () => {
    const counts = Array.from({ length: 200 }, (_, s) => new EDA({ numAug: 0.5, seed: s, synonyms: table, includeOriginal: false }).augment(SENTENCE).length);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    assert.ok(Math.abs(mean - 0.5) < 0.2, `${mean}`);
    assert.deepEqual(new EDA({ seed: 0 }).augment("   "), [""]);
  });

  test("with WordNet, the default", () => {
    const out = new EDA({ numAug: 4, seed: 0 }).augment("i am so happy with this excellent movie");
    assert.equal(out.length, 5);
    assert.ok(out.slice(0, 4).some((s) => s !== out[4]));
  });

  test("bad options are clear errors", () => {
    assert.throws(() => new EDA({ alphaSr: 2 }), /\[EDA\] alphaSr must be in \[0, 1\], got 2/);
    assert.throws(() => new EDA({ numAug: 2.5 }), /numAug must be a whole number ≥ 1 or a fraction in \[0, 1\)/);
  });
});
