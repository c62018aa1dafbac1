import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";

const { Vocab, WordTokenizer } = tl.data.text;

describe("Vocab", () => {
  test("special tokens sit at fixed ids 0..3 and unknown tokens map to <unk>", () => {
    const vocab = Vocab.fromTokens(["hello", "world"]);
    assert.deepEqual(vocab.tokens(), ["<pad>", "<unk>", "<bos>", "<eos>", "hello", "world"]);
    assert.equal(vocab.padIndex, 0);
    assert.equal(vocab.unkIndex, 1);
    assert.equal(vocab.bosIndex, 2);
    assert.equal(vocab.eosIndex, 3);
    assert.deepEqual(vocab.encode(["hello", "there", "world"]), [4, 1, 5]);
    assert.deepEqual(vocab.decode([4, 1, 5]), ["hello", "<unk>", "world"]);
    assert.equal(vocab.indexOf("there"), undefined);
    assert.equal(vocab.has("world"), true);
    assert.equal(vocab.size, 6);
    assert.equal(vocab.length, 6);
  });

  test("fromCounts orders by count, ties by token, and applies minFreq and maxSize", () => {
    const counts = new Map([["b", 3], ["a", 3], ["c", 5], ["d", 1], ["e", 2]]);
    assert.deepEqual(Vocab.fromCounts(counts).tokens().slice(4), ["c", "a", "b", "e", "d"]);
    assert.deepEqual(Vocab.fromCounts(counts, { minFreq: 2 }).tokens().slice(4), ["c", "a", "b", "e"]);
    assert.deepEqual(Vocab.fromCounts(counts, { maxSize: 6 }).tokens(), ["<pad>", "<unk>", "<bos>", "<eos>", "c", "a"]);
    assert.deepEqual(Vocab.fromCounts({ x: 1, y: 4 }).tokens().slice(4), ["y", "x"]);
  });

  test("build counts tokenized sentences; a special in the data keeps its fixed id", () => {
    const tok = new WordTokenizer({ stripPunctuation: true });
    const vocab = Vocab.build(["The cat sat.", "The cat ran!", "A dog <pad>"].map((s) => tok.tokenize(s)), { minFreq: 2 });
    assert.deepEqual(vocab.tokens(), ["<pad>", "<unk>", "<bos>", "<eos>", "cat", "the"]);
    const withPad = Vocab.build([["<pad>", "<pad>", "x"]]);
    assert.equal(withPad.indexOf("<pad>"), 0);
    assert.equal(withPad.size, 5);
  });

  test("custom specials and no unk token: unknown tokens are an error", () => {
    const vocab = Vocab.fromTokens(["a", "b"], { specials: ["[PAD]", "[CLS]"] });
    assert.deepEqual(vocab.tokens(), ["[PAD]", "[CLS]", "a", "b"]);
    assert.equal(vocab.unkToken, null);
    assert.equal(vocab.padIndex, undefined);
    assert.throws(() => vocab.lookup("c"), /\[Vocab\] the token "c" is not in the vocabulary and it has no unkToken/);
    const withUnk = Vocab.fromTokens(["a"], { specials: ["[PAD]", "[UNK]"], unkToken: "[UNK]" });
    assert.equal(withUnk.lookup("zzz"), 1);
  });

  test("toJSON/fromJSON round trip", () => {
    const vocab = Vocab.fromCounts({ a: 2, b: 1 }, { specials: ["<pad>", "<unk>"] });
    const again = Vocab.fromJSON(JSON.parse(JSON.stringify(vocab)));
    assert.deepEqual(again.tokens(), vocab.tokens());
    assert.deepEqual(again.specials, ["<pad>", "<unk>"]);
    assert.equal(again.lookup("nope"), 1);
  });

  test("bad input is a clear error", () => {
    assert.throws(() => Vocab.fromTokens([], { specials: ["<pad>", "<pad>"] }), /specials contain a duplicate/);
    assert.throws(() => Vocab.fromTokens([], { specials: ["<pad>"], unkToken: "<unk>" }), /unkToken "<unk>" is not in the vocabulary/);
    assert.throws(() => Vocab.fromCounts({ a: 1 }, { maxSize: 2 }), /maxSize must be a whole number ≥ the 4 specials/);
    assert.throws(() => Vocab.fromCounts({ a: Number.NaN }), /the count of "a" must be a number ≥ 0/);
    assert.throws(() => Vocab.fromTokens(["a"]).token(5), /\[Vocab\] id 5 is out of range for a vocabulary of 5 tokens/);
    assert.throws(() => Vocab.fromJSON({ tokens: ["a"], specials: ["<pad>"], unkToken: null }), /the specials \["<pad>"\] must be the first tokens/);
    assert.throws(() => Vocab.fromJSON({ tokens: ["<pad>", "a", "a"], specials: ["<pad>"], unkToken: null }), /tokens contain a duplicate/);
  });
});
