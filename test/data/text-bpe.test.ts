import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { Random } from "../../src/core/rng.js";

const { BPETokenizer, learnMerges } = tl.data.text;

const dir = mkdtempSync(join(tmpdir(), "tensile-bpe-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Sennrich et al. 2016's example: low ×5, lower ×2, newest ×6, widest ×3.
const CORPUS = [..."low ".repeat(5).split(" "), ..."lower ".repeat(2).split(" "), ..."newest ".repeat(6).split(" "), ..."widest ".repeat(3).split(" ")]
  .filter((w) => w.length > 0);
const TEXTS = [CORPUS.join(" ")];

// Worked by hand: the most frequent pair wins, ties to the smaller left symbol, then right symbol.
const EXPECTED_MERGES = [
  ["e", "s"], ["es", "t"], ["est", "</w>"], // 9, 9, 9 (newest + widest)
  ["l", "o"], ["lo", "w"], // 7, 7 (low + lower)
  ["e", "w"], ["ew", "est</w>"], ["n", "ewest</w>"], // 6 each: "e" < "n" < "w" breaks the first tie
  ["low", "</w>"], // 5
  ["d", "est</w>"], ["i", "dest</w>"], ["w", "idest</w>"], // 3 each
  ["e", "r"], ["er", "</w>"], ["low", "er</w>"], // 2 each
];

/** The textbook loop: recount every pair after every merge. The oracle for the incremental one. */
function naiveMerges(counts: Map<string, number>, maxMerges: number, minFrequency: number): [string, string][] {
  let words = [...counts].map(([w, c]) => ({ syms: [...Array.from(w), "</w>"], c }));
  const merges: [string, string][] = [];
  while (merges.length < maxMerges) {
    const pairs = new Map<string, { a: string; b: string; n: number }>();
    for (const { syms, c } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = `${syms[i]}\u0000${syms[i + 1]}`;
        const e = pairs.get(k) ?? { a: syms[i], b: syms[i + 1], n: 0 };
        e.n += c;
        pairs.set(k, e);
      }
    }
    let best: { a: string; b: string; n: number } | undefined;
    for (const e of pairs.values()) {
      if (!best || e.n > best.n || (e.n === best.n && (e.a < best.a || (e.a === best.a && e.b < best.b)))) best = e;
    }
    if (!best || best.n < minFrequency) break;
    const { a, b } = best;
    merges.push([a, b]);
    words = words.map(({ syms, c }) => {
      const next: string[] = [];
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(syms[i]);
      }
      return { syms: next, c };
    });
  }
  return merges;
}

describe("BPETokenizer training", () => {
  test("learns the hand-checked merges of the Sennrich et al. example", () => {
    const bpe = new BPETokenizer().train(TEXTS, { vocabSize: 1000 });
    assert.deepEqual(bpe.merges, EXPECTED_MERGES);
    // specials, then the sorted alphabet ("</w>" sorts before letters), then one symbol per merge
    assert.deepEqual(bpe.vocab.tokens().slice(0, 15),
      ["<pad>", "<unk>", "<bos>", "<eos>", "</w>", "d", "e", "i", "l", "n", "o", "r", "s", "t", "w"]);
    assert.deepEqual(bpe.vocab.tokens().slice(15), EXPECTED_MERGES.map(([a, b]) => a + b));
    assert.equal(bpe.vocab.size, 30);
  });

  test("vocabSize stops the merges; minFrequency stops them too", () => {
    const small = new BPETokenizer().train(TEXTS, { vocabSize: 18 });
    assert.deepEqual(small.merges, EXPECTED_MERGES.slice(0, 3));
    assert.equal(small.vocab.size, 18);
    const frequent = new BPETokenizer().train(TEXTS, { vocabSize: 1000, minFrequency: 5 });
    assert.deepEqual(frequent.merges, EXPECTED_MERGES.slice(0, 9)); // the next pair is seen only 3 times
  });

  test("the result does not depend on the order of the corpus", () => {
    const shuffled = new Random(3).permutation(CORPUS.length).map((i) => CORPUS[i]);
    const a = new BPETokenizer().train([shuffled.join(" ")], { vocabSize: 1000 });
    assert.deepEqual(a.merges, EXPECTED_MERGES);
  });

  test("incremental training equals recounting every pair after every merge", () => {
    const rng = new Random(11);
    const syllables = ["ka", "ro", "me", "ti", "sun", "la", "a", "e", "ing", "ed", "ka"];
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const word = Array.from({ length: rng.int(1, 5) }, () => syllables[rng.int(0, syllables.length)]).join("");
      counts.set(word, (counts.get(word) ?? 0) + rng.int(1, 6));
    }
    for (const minFrequency of [1, 3]) {
      // Unlimited: both run until no pair is frequent enough.
      const all = learnMerges(counts, { maxNewSymbols: 1e6, minFrequency, endOfWord: "</w>" }).merges;
      assert.ok(all.length > 100);
      assert.deepEqual(all, naiveMerges(counts, Infinity, minFrequency));
      // Capped: the first merges, the same prefix.
      const { merges } = learnMerges(counts, { maxNewSymbols: 60, minFrequency, endOfWord: "</w>" });
      assert.equal(merges.length, 60);
      assert.deepEqual(merges, all.slice(0, 60));
    }
  });

  test("bad training arguments are clear errors", () => {
    assert.throws(() => new BPETokenizer().train(TEXTS, { vocabSize: 10 }),
      /\[BPETokenizer\] vocabSize 10 is too small: the 4 special tokens and 11 base characters .* need 15/);
    assert.throws(() => new BPETokenizer().train(["   "], { vocabSize: 100 }), /at least one word/);
    assert.throws(() => new BPETokenizer().train(TEXTS, { vocabSize: 100, minFrequency: 0 }), /minFrequency must be/);
    assert.throws(() => new BPETokenizer({ endOfWord: "end word" }), /endOfWord must be a non-empty string without whitespace/);
    assert.throws(() => new BPETokenizer().encode("low"), /not trained/);
  });
});

describe("BPETokenizer encoding", () => {
  const bpe = new BPETokenizer().train(TEXTS, { vocabSize: 1000 });

  test("applies merges by rank to unseen words", () => {
    assert.deepEqual(bpe.tokenize("lowest"), ["low", "est</w>"]);
    assert.deepEqual(bpe.tokenize("newer"), ["n", "ew", "er</w>"]);
    assert.deepEqual(bpe.tokenize("low widest"), ["low</w>", "widest</w>"]);
  });

  test("encode/decode round trip, with bos/eos and whitespace collapsed", () => {
    const text = "lowest  newer\twidest low";
    const ids = bpe.encode(text, { addBos: true, addEos: true });
    assert.equal(ids[0], 2);
    assert.equal(ids[ids.length - 1], 3);
    assert.deepEqual(bpe.vocab.decode(ids.slice(1, 3)), ["low", "est</w>"]);
    assert.equal(bpe.decode(ids), "lowest newer widest low");
    assert.equal(bpe.decode(ids, { skipSpecialTokens: false }), "<bos>lowest newer widest low <eos>");
  });

  test("unseen characters become <unk>; without an unk token they are an error", () => {
    const ids = bpe.encode("lowz");
    assert.deepEqual(bpe.vocab.decode(ids), ["low", "<unk>", "</w>"]);
    const strict = new BPETokenizer().train(TEXTS, { vocabSize: 1000, specialTokens: ["<pad>"] });
    assert.throws(() => strict.encode("lowz"), /\[Vocab\] the token "z" is not in the vocabulary and it has no unkToken/);
    assert.throws(() => strict.encode("low", { addEos: true }), /<eos> was asked for but is not among the special tokens/);
  });

  test("unicode text round-trips", () => {
    const texts = ["naïve café résumé", "café au lait", "日本語 の テキスト 日本語", "emoji 👋👋 👋"];
    const uni = new BPETokenizer().train(texts, { vocabSize: 200, minFrequency: 1 });
    for (const t of texts) assert.equal(uni.decode(uni.encode(t)), t);
    assert.deepEqual(uni.tokenize("café"), ["café</w>"]);
  });

  test("round-trips every sentence of a larger random corpus", () => {
    const rng = new Random(5);
    const letters = "abcdefghij";
    const sentences = Array.from({ length: 200 }, () =>
      Array.from({ length: rng.int(1, 8) }, () => Array.from({ length: rng.int(1, 7) }, () => letters[rng.int(0, 10)]).join("")).join(" "));
    const big = new BPETokenizer().train(sentences, { vocabSize: 120 });
    assert.equal(big.vocab.size, 120);
    for (const s of sentences) assert.equal(big.decode(big.encode(s)), s);
  });

  test("lowercase and normalization are applied before splitting", () => {
    const tok = new BPETokenizer({ lowercase: true, normalize: "NFKC" }).train(["LOW low ＬＯＷ"], { vocabSize: 100 });
    assert.deepEqual(tok.tokenize("Low"), ["low</w>"]);
  });
});

describe("BPETokenizer save and load", () => {
  test("save/load round trip gives the same model", async () => {
    const bpe = new BPETokenizer({ lowercase: true }).train(TEXTS, { vocabSize: 25 });
    const path = join(dir, "bpe.json");
    await bpe.save(path);
    const again = await BPETokenizer.load(path);
    assert.deepEqual(again.merges, bpe.merges);
    assert.deepEqual(again.vocab.tokens(), bpe.vocab.tokens());
    assert.equal(again.lowercase, true);
    for (const t of ["lowest newer", "WIDEST low"]) assert.deepEqual(again.encode(t), bpe.encode(t));
    assert.deepEqual(JSON.parse(JSON.stringify(again)), bpe.toJSON());
  });

  test("corrupt files are clear errors", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    await assert.rejects(BPETokenizer.load(bad), /\[BPETokenizer\] cannot read a tokenizer from .*bad\.json/);
    const json = new BPETokenizer().train(TEXTS, { vocabSize: 20 }).toJSON();
    assert.throws(() => BPETokenizer.fromJSON({ ...json, merges: [...json.merges, ["x", "y"]] }),
      /merge 5 makes "xy", which is not in the vocabulary/);
    assert.throws(() => BPETokenizer.fromJSON({ ...json, type: "WordPiece" as never }), /expects \{ type: "BPETokenizer"/);
  });
});
