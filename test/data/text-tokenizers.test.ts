import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";

const { CharTokenizer, WordTokenizer } = tl.data.text;

describe("CharTokenizer", () => {
  test("splits into code points, never halves of a surrogate pair", () => {
    const tok = new CharTokenizer();
    assert.deepEqual(tok.tokenize("héllo 👋"), ["h", "é", "l", "l", "o", " ", "👋"]);
    assert.deepEqual(tok.tokenize("𝒳y"), ["𝒳", "y"]); // U+1D4B3 is two UTF-16 units
    assert.deepEqual(tok.tokenize(""), []);
  });

  test("NFC composes a letter and its combining accent; normalize: false keeps them apart", () => {
    const decomposed = "e\u0301";
    assert.deepEqual(new CharTokenizer().tokenize(decomposed), ["\u00e9"]);
    assert.deepEqual(new CharTokenizer({ normalize: false }).tokenize(decomposed), ["e", "\u0301"]);
  });

  test("grapheme mode keeps emoji sequences and combining marks whole", () => {
    const tok = new CharTokenizer({ unit: "grapheme", normalize: false });
    assert.deepEqual(tok.tokenize("a👍🏽b"), ["a", "👍🏽", "b"]);
    assert.deepEqual(tok.tokenize("👨‍👩‍👧!"), ["👨‍👩‍👧", "!"]);
    assert.deepEqual(tok.tokenize("q\u0307\u0323"), ["q\u0307\u0323"]);
    assert.equal(new CharTokenizer().tokenize("a👍🏽b").length, 4); // code points split the skin-tone modifier off
  });

  test("lowercase and detokenize", () => {
    const tok = new CharTokenizer({ lowercase: true });
    const tokens = tok.tokenize("ÀbC");
    assert.deepEqual(tokens, ["à", "b", "c"]);
    assert.equal(tok.detokenize(tokens), "àbc");
  });

  test("bad options and input are clear errors", () => {
    assert.throws(() => new CharTokenizer({ unit: "byte" as never }), /\[CharTokenizer\] unit must be/);
    assert.throws(() => new CharTokenizer({ normalize: "NFX" as never }), /\[CharTokenizer\] normalize must be/);
    assert.throws(() => new CharTokenizer().tokenize(3 as never), /\[CharTokenizer\] text must be a string, got number/);
  });
});

describe("WordTokenizer", () => {
  test("words and punctuation are separate tokens, lower-cased by default", () => {
    const tok = new WordTokenizer();
    assert.deepEqual(tok.tokenize("Hello, World! It's 3.5 km."), ["hello", ",", "world", "!", "it's", "3", ".", "5", "km", "."]);
  });

  test("keeps word-internal apostrophes and hyphens", () => {
    assert.deepEqual(new WordTokenizer().tokenize("state-of-the-art don’t"), ["state-of-the-art", "don’t"]);
  });

  test("stripPunctuation drops punctuation tokens and edge punctuation, keeps symbols", () => {
    const tok = new WordTokenizer({ stripPunctuation: true });
    assert.deepEqual(tok.tokenize("Wait... what?! ¿Qué? $5 «hi»"), ["wait", "what", "qué", "$", "5", "hi"]);
    const ws = new WordTokenizer({ stripPunctuation: true, splitPattern: /\s+/ });
    assert.deepEqual(ws.tokenize("(hello), 'world'! a-b ..."), ["hello", "world", "a-b"]);
  });

  test("unicode scripts and combining marks stay inside words", () => {
    const tok = new WordTokenizer();
    assert.deepEqual(tok.tokenize("Привет, мир! Καλημέρα κόσμε"), ["привет", ",", "мир", "!", "καλημέρα", "κόσμε"]);
    assert.deepEqual(tok.tokenize("नमस्ते दुनिया"), ["नमस्ते", "दुनिया"]); // Devanagari vowel signs are marks
    assert.deepEqual(tok.tokenize("naı\u0308ve café"), ["naı\u0308ve", "café"]);
  });

  test("NFKC folds full-width letters and ligatures; NFC does not", () => {
    assert.deepEqual(new WordTokenizer().tokenize("ＨＥＬＬＯ ﬁne"), ["hello", "fine"]);
    assert.deepEqual(new WordTokenizer({ normalize: "NFC" }).tokenize("ﬁne"), ["ﬁne"]);
    assert.deepEqual(new WordTokenizer({ lowercase: false }).tokenize("Hi THERE"), ["Hi", "THERE"]);
  });

  test("splitPattern splits on a separator and drops empty pieces", () => {
    assert.deepEqual(new WordTokenizer({ splitPattern: /\s+/ }).tokenize("  Hi,  there!\tyou "), ["hi,", "there!", "you"]);
    assert.deepEqual(new WordTokenizer({ splitPattern: "|" }).tokenize("a||b|c"), ["a", "b", "c"]);
    assert.deepEqual(new WordTokenizer({ splitPattern: /(,)/ }).tokenize("a,b"), ["a", ",", "b"]);
  });

  test("detokenize joins with spaces", () => {
    const tok = new WordTokenizer();
    assert.equal(tok.detokenize(tok.tokenize("One two  three")), "one two three");
  });

  test("bad options are clear errors", () => {
    assert.throws(() => new WordTokenizer({ splitPattern: "" }), /\[WordTokenizer\] splitPattern must not be empty/);
    assert.throws(() => new WordTokenizer({ splitPattern: 5 as never }), /splitPattern must be a RegExp or a string/);
    assert.throws(() => new WordTokenizer({ normalize: "nfkc" as never }), /normalize must be "NFC", "NFD", "NFKC", "NFKD" or false/);
  });
});
