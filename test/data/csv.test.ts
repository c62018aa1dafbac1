import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import "../../src/index.js"; // registers the backends
import { parseCsv, parseNumber, readCsv } from "../../src/data/index.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-csv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const sameNumbers = (a: ArrayLike<number>, b: number[]) => assert.deepEqual(Array.from(a).map((v) => (Number.isNaN(v) ? "NaN" : v)), b.map((v) => (Number.isNaN(v) ? "NaN" : v)));

describe("readCsv", () => {
  test("header, auto types, quoted fields (delimiters, quotes, newlines inside), missing values", async () => {
    const path = file("people.csv", [
      "\ufeffname,age,score,city",
      `"Smith, Ann",34,1.5e2,Paris`,
      `"Bob ""the builder""",NA,-0.25,`,
      `"multi\nline",  41 ,NaN,Oslo`,
      "Eve,,inf,null",
      "",
    ].join("\r\n"));
    const t = await readCsv(path);
    assert.deepEqual(t.columns, ["name", "age", "score", "city"]);
    assert.equal(t.numRows, 4);
    assert.deepEqual(t.column("name"), ["Smith, Ann", 'Bob "the builder"', "multi\nline", "Eve"]);
    assert.equal(t.type("age"), "number");
    sameNumbers(t.column("age") as Float64Array, [34, NaN, 41, NaN]);
    sameNumbers(t.column("score") as Float64Array, [150, -0.25, NaN, Infinity]);
    assert.equal(t.type("city"), "string");
    assert.deepEqual(t.column("city"), ["Paris", null, "Oslo", null]);
    assert.deepEqual(t.missing(), { name: 0, age: 2, score: 1, city: 2 });
    assert.deepEqual(t.rows()[1], { name: 'Bob "the builder"', age: null, score: -0.25, city: null });
  });

  test("a delimiter, no header (columns named 0, 1, ... or given), given types, custom missing markers", async () => {
    const t = await parseCsv("1;a;x\n2;?;y\n3;b;NA\n", { delimiter: ";", header: false, missing: ["?"], types: { 1: "category" } });
    assert.deepEqual(t.columns, ["0", "1", "2"]);
    sameNumbers(t.column("0") as Float64Array, [1, 2, 3]);
    assert.deepEqual(t.categories("1"), ["a", "b"]);
    sameNumbers(t.codes("1"), [0, NaN, 1]);
    assert.deepEqual(t.column("2"), ["x", "y", "NA"], "NA is text when the missing markers are replaced");
    const named = await parseCsv("1,2\n3,4\n", { header: false, columns: ["a", "b"] });
    assert.deepEqual(named.toArrays(), [[1, 2], [3, 4]]);
    const renamed = await parseCsv("x,y\n1,2\n", { columns: ["a", "b"] });
    assert.deepEqual(renamed.columns, ["a", "b"]);
  });

  test("categories are coded in sorted order; toTensor and toDataset", async () => {
    const t = await parseCsv("f1,f2,label\n1,2,dog\n3,,cat\n5,6,dog\n", { types: { label: "category" } });
    assert.deepEqual(t.categories("label"), ["cat", "dog"]);
    const x = t.toTensor(["f1", "f2"]);
    assert.deepEqual(x.shape, [3, 2]);
    sameNumbers(x.dataSync(), [1, 2, 3, NaN, 5, 6]);
    assert.equal(t.toTensor(["f1"], { dtype: "float64" }).dtype, "float64");
    const ds = t.toDataset({ target: "label" });
    assert.equal(ds.length, 3);
    assert.equal(ds.tensors[1].dtype, "int32");
    assert.deepEqual(ds.tensors[1].toArray(), [1, 0, 1]);
    assert.deepEqual(ds.tensors[0].shape, [3, 2]);
    const numericTarget = (await parseCsv("a,y\n1,0.5\n2,1.5\n")).toDataset({ target: "y" });
    assert.equal(numericTarget.tensors[1].dtype, "float32");
    assert.throws(() => t.toDataset({ target: "f2" }), /\[Table.toDataset\] <csv text>: row 2 has no value for the target "f2"/);
    assert.throws(() => t.toTensor(["nope"]), /has no column "nope"; its columns are "f1", "f2", "label"/);
  });

  test("a text column in toTensor names the row holding the first non-number", async () => {
    const path = file("typo.csv", "age,h\n30,1\n31,2\n3l,3\n");
    const t = await readCsv(path);
    assert.equal(t.type("age"), "string");
    assert.throws(() => t.toTensor(), (e: Error) => {
      assert.match(e.message, /\[Table.toTensor\] .*typo\.csv: column "age" holds text \(row 3 holds "3l", not a number\)/);
      assert.match(e.message, /types: \{ "age": "number" \}/);
      return true;
    });
  });

  test("an unparseable number in a number column is an error naming file, row, line and column", async () => {
    const p2 = file("bad-number2.csv", "id,price\n1,9.5\n2,0x1F\n3,4\n");
    await assert.rejects(readCsv(p2, { types: { price: "number" } }), (e: Error) => {
      assert.equal(e.message, `[readCsv] ${p2}, row 2 (line 3), column "price": "0x1F" is not a number`);
      return true;
    });
  });

  test("ragged rows are errors naming the row, unless skipped on request (and then reported)", async () => {
    const path = file("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n");
    await assert.rejects(readCsv(path), (e: Error) => {
      assert.equal(e.message, `[readCsv] ${path}, row 2 (line 3) has 2 fields but the header has 3 (a, b, c)`);
      return true;
    });
    const t = await readCsv(path, { skipRaggedRows: true });
    assert.equal(t.numRows, 2);
    sameNumbers(t.column("a") as Float64Array, [1, 6]);
    assert.deepEqual(t.skippedRows.map((r) => [r.row, r.line]), [[2, 3], [4, 5]]);
    assert.match(t.skippedRows[1].reason, /has 4 fields/);
  });

  test("other errors: unclosed quote, missing file, empty file, duplicate names, unknown typed column", async () => {
    await assert.rejects(readCsv(file("quote.csv", 'a,b\n"1,2\n3,4\n')), /\[readCsv\] .*quote\.csv: Quote Not Closed: .*line 3/);
    await assert.rejects(readCsv(join(dir, "absent.csv")), /\[readCsv\] could not read .*absent\.csv: ENOENT/);
    await assert.rejects(readCsv(file("empty.csv", "")), /empty\.csv is empty: expected a header row/);
    await assert.rejects(parseCsv("a,a\n1,2\n"), /the column name "a" appears twice in the header/);
    await assert.rejects(parseCsv("a,b\n1,2\n", { types: { c: "number" } }), /types names the column "c", which is not one of "a", "b"/);
    await assert.rejects(parseCsv("a\n1\n", { types: { a: "float" as "number" } }), /types\.a is "float"/);
  });

  test("parseNumber accepts decimal notation only", () => {
    assert.deepEqual(["1", "-2.5", "+.5", "1e3", "2.", " 7 ", "-Infinity", "inf"].map(parseNumber), [1, -2.5, 0.5, 1000, 2, 7, -Infinity, Infinity]);
    for (const bad of ["0x10", "1,5", "12a", "", "e5", "--1", "1e"]) assert.equal(parseNumber(bad), null, bad);
  });
});
