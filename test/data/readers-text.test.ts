import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import "../../src/index.js"; // registers the backends
import { DataLoader, JsonLinesDataset, readJsonLines, readLines, readTextFolder, TextFolder, TextLinesDataset } from "../../src/data/index.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-text-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, text);
  return full;
}

describe("text readers", () => {
  test("TextFolder: a class per sub-folder, sorted; documents as [text, label]", () => {
    file("reviews/pos/b.txt", "great film");
    file("reviews/pos/a.txt", "loved it");
    file("reviews/neg/x.txt", "boring\nand long");
    file("reviews/neg/readme.md", "not a document");
    const ds = new TextFolder(join(dir, "reviews"));
    assert.deepEqual(ds.classes, ["neg", "pos"]);
    assert.equal(ds.length, 3);
    assert.deepEqual([0, 1, 2].map((i) => ds.get(i)), [["boring\nand long", 0], ["loved it", 1], ["great film", 1]]);
    assert.equal(ds.skipped.length, 1);
    const corpus = readTextFolder(join(dir, "reviews"), { extensions: [".txt", ".md"] });
    assert.deepEqual(corpus.texts, ["not a document", "boring\nand long", "loved it", "great film"], "files sorted by name: readme.md before x.txt");
    assert.deepEqual(corpus.labels, [0, 0, 1, 1]);
    assert.deepEqual(corpus.classes, ["neg", "pos"]);
    const batches = [...new DataLoader(ds, { batchSize: 2, collate: (s: [string, number][]) => s.map(([t]) => t.length) })];
    assert.deepEqual(batches, [[15, 8], [10]]);
  });

  test("line files: CRLF and LF, trimming and skipping empty lines; a stream dataset", async () => {
    const path = file("lines.txt", "first\r\n  second  \n\n\r\nlast");
    assert.deepEqual(await readLines(path), ["first", "  second  ", "", "", "last"]);
    assert.deepEqual(await readLines(path, { trim: true, skipEmpty: true }), ["first", "second", "last"]);
    const got: string[] = [];
    for await (const batch of new DataLoader(new TextLinesDataset(path, { skipEmpty: true }), { batchSize: 2, collate: (s: string[]) => s.join("|") })) got.push(batch);
    assert.deepEqual(got, ["first|  second  ", "last"]);
    await assert.rejects(readLines(join(dir, "absent.txt")), /\[TextLinesDataset\] could not read .*absent\.txt: ENOENT/);
  });

  test("JSON Lines: one value per line, blank lines allowed, a bad line is an error naming file and line", async () => {
    const path = file("data.jsonl", '{"x": [1, 2], "y": 0}\n\n{"x": [3, 4], "y": 1}\n[5]\n');
    assert.deepEqual(await readJsonLines(path), [{ x: [1, 2], y: 0 }, { x: [3, 4], y: 1 }, [5]]);
    const bad = file("bad.jsonl", '{"a": 1}\n{"a": 2,}\n');
    await assert.rejects(readJsonLines(bad), /\[readJsonLines\] .*bad\.jsonl, line 2: not valid JSON \(.*\): \{"a": 2,\}/);
    const rows: number[] = [];
    for await (const r of new JsonLinesDataset<{ y: number }>(file("ys.jsonl", '{"y": 4}\n{"y": 5}\n'))) rows.push(r.y);
    assert.deepEqual(rows, [4, 5]);
  });
});
