/** missingReport, dropMissing and SimpleImputer; the imputer against scikit-learn 1.2 (tools/fixtures/preprocessing.py). */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, F32, f64, fixture } from "./preprocessing-helpers.js";

interface ImputerCase { options: tl.data.SimpleImputerOptions; statistics: number[]; train: number[][]; test: number[][]; missingFeatures?: number[] }
interface CatCase { options: tl.data.SimpleImputerOptions; statistics: string[]; train: string[][]; test: string[][] }
const fx = fixture<{ train: number[][]; test: number[][]; cases: ImputerCase[]; catTrain: (string | null)[][]; catTest: (string | null)[][]; catCases: CatCase[] }>("imputers");

// The imputer warns when it drops all-missing columns; keep the test output clean and check the warning.
let warnings: string[] = [];
const realWarn = console.warn;
beforeEach(() => {
  warnings = [];
  console.warn = (msg: string) => warnings.push(msg);
});
afterEach(() => {
  console.warn = realWarn;
});

describe("missingReport", () => {
  test("counts per column, fractions, and the rows with any missing value", () => {
    const r = tl.data.missingReport([[1, NaN, 3], [null, NaN, 6], [7, 8, 9], [1, 2, undefined]] as (number | null | undefined)[][]);
    assert.deepEqual(r.perColumn, [
      { column: 0, count: 1, fraction: 0.25 }, { column: 1, count: 2, fraction: 0.5 }, { column: 2, count: 1, fraction: 0.25 }]);
    assert.equal(r.total, 4);
    assert.equal(r.fraction, 4 / 12);
    assert.equal(r.rowsWithMissing, 3);
    assert.deepEqual(r.rowIndices, [0, 1, 3]);
  });

  test("works on tensors and on mixed rows (null is missing in string columns)", () => {
    assert.deepEqual(tl.data.missingReport(tl.tensor([[NaN, 1], [2, 3]])).perColumn.map((c) => c.count), [1, 0]);
    assert.deepEqual(tl.data.missingReport([["a", 1], [null, NaN]]).perColumn.map((c) => c.count), [1, 1]);
  });
});

describe("dropMissing", () => {
  const x = [[1, NaN, 3], [NaN, NaN, NaN], [7, 8, 9], [NaN, 2, NaN]];

  test("rows with how 'any' (default) and 'all', with a report of what was dropped", () => {
    const any = tl.data.dropMissing(x);
    assert.deepEqual(any.data.toArray(), [[7, 8, 9]]);
    assert.deepEqual(any.report, { axis: "rows", rule: 'how "any"', dropped: [0, 1, 3], kept: [2], nonMissing: [2, 0, 1] });
    const all = tl.data.dropMissing(x, { how: "all" });
    assert.deepEqual(all.report.dropped, [1]);
    assert.equal(all.data.shape[0], 3);
  });

  test("threshold keeps rows with at least that many values (pandas thresh)", () => {
    const r = tl.data.dropMissing(x, { threshold: 2 });
    assert.deepEqual(r.report.kept, [0, 2]);
    assert.deepEqual(r.report.dropped, [1, 3]);
    assert.equal(r.report.rule, "threshold 2");
  });

  test("columns, and subset restricting which cells are looked at", () => {
    const cols = tl.data.dropMissing([[1, NaN, 3], [4, 5, NaN]], { axis: "columns" });
    assert.deepEqual(cols.data.toArray(), [[1], [4]]);
    assert.deepEqual(cols.report.dropped, [1, 2]);
    const subset = tl.data.dropMissing(x, { subset: [0] });
    assert.deepEqual(subset.report.kept, [0, 2]);
  });

  test("mixed rows stay rows; float64 tensors stay float64", () => {
    assert.deepEqual(tl.data.dropMissing([["a", 1], [null, 2]]).data, [["a", 1]]);
    assert.equal(tl.data.dropMissing(f64([[1, 2], [NaN, 3]])).data.dtype, "float64");
  });

  test("bad options are errors", () => {
    assert.throws(() => tl.data.dropMissing(x, { how: "any", threshold: 1 }), /pass how or threshold, not both/);
    assert.throws(() => tl.data.dropMissing(x, { threshold: 1.5 }), /threshold must be a whole number/);
    assert.throws(() => tl.data.dropMissing(x, { axis: "cols" as never }), /axis must be "rows" or "columns"/);
    assert.throws(() => tl.data.dropMissing(x, { subset: [5] }), /subset holds 5, which is not a column index 0..2/);
  });
});

describe("SimpleImputer matches scikit-learn", () => {
  for (const c of fx.cases) {
    test(`${JSON.stringify(c.options)}: statistics, train and test outputs`, () => {
      const imp = new tl.data.SimpleImputer(c.options);
      const train = imp.fitTransform(f64(fx.train));
      assertClose(imp.statistics as number[], c.statistics, undefined, "statistics");
      assertClose(train, c.train, undefined, "train");
      assertClose(imp.transform(f64(fx.test)), c.test, undefined, "test");
      assertClose(new tl.data.SimpleImputer(c.options).fit(fx.train).transform(fx.test), c.test, F32, "arrays");
      if (c.missingFeatures) assert.deepEqual(imp.missingFeatures, c.missingFeatures);
    });
  }

  for (const c of fx.catCases) {
    test(`strings, ${JSON.stringify(c.options)}: statistics and outputs as rows`, () => {
      const imp = new tl.data.SimpleImputer(c.options).fit(fx.catTrain);
      assert.deepEqual(imp.statistics, c.statistics);
      assert.deepEqual(imp.transform(fx.catTrain), c.train);
      assert.deepEqual(imp.transform(fx.catTest), c.test);
    });
  }
});

describe("SimpleImputer: semantics and errors", () => {
  test("all-missing columns are dropped as in scikit-learn 1.2, with a warning and emptyFeatures", () => {
    const imp = new tl.data.SimpleImputer({ strategy: "median" }).fit(fx.train);
    assert.deepEqual(imp.emptyFeatures, [2]);
    assert.equal(imp.nFeaturesOut, 3);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /\[SimpleImputer\] column 2 had no observed value in fit, so transform drops it .*keepEmptyFeatures/);
    const kept = new tl.data.SimpleImputer({ strategy: "median", keepEmptyFeatures: true }).fit(fx.train);
    assert.deepEqual(kept.emptyFeatures, []);
    assert.equal(warnings.length, 1);
  });

  test("mostFrequent breaks ties toward the smallest value", () => {
    assert.deepEqual(new tl.data.SimpleImputer({ strategy: "mostFrequent" }).fit([[3], [1], [3], [1], [2]]).statistics, [1]);
    assert.deepEqual(new tl.data.SimpleImputer({ strategy: "mostFrequent" }).fit([["b"], ["a"], ["b"], ["a"]]).statistics, ["a"]);
  });

  test("addIndicator makes inverseTransform put NaN back", () => {
    const imp = new tl.data.SimpleImputer({ addIndicator: true });
    const y = imp.fitTransform([[1, NaN], [3, 4], [NaN, 6]]);
    assert.deepEqual(y.toArray(), [[1, 5, 0, 1], [3, 4, 0, 0], [2, 6, 1, 0]]);
    const back = (imp.inverseTransform(y) as tl.Tensor).toArray() as number[][];
    assertClose(back, [[1, NaN], [3, 4], [NaN, 6]]);
    assert.throws(() => new tl.data.SimpleImputer().fit([[1]]).inverseTransform([[1]]), /inverseTransform needs addIndicator: true/);
  });

  test("mean on strings, a non-numeric constant, and unknown strategies are errors", () => {
    assert.throws(() => new tl.data.SimpleImputer().fit([["a"], ["b"]]), /strategy "mean" needs numeric data, but x holds the string "a"/);
    assert.throws(() => new tl.data.SimpleImputer({ strategy: "constant", fillValue: "x" }).fit([[1]]), /fillValue "x" must be a number when imputing numeric data/);
    assert.throws(() => new tl.data.SimpleImputer({ strategy: "most_frequent" as never }), /option strategy must be one of "mean", "median", "mostFrequent", "constant"/);
  });

  test("wrong column count and transform before fit", () => {
    assert.throws(() => new tl.data.SimpleImputer().transform([[1]]), /\[SimpleImputer\] is not fitted yet/);
    assert.throws(() => new tl.data.SimpleImputer().fit([[1, 2]]).transform([[1]]), /x has 1 columns but SimpleImputer was fitted on 2 columns/);
  });
});
