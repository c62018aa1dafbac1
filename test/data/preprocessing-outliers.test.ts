/**
 * OutlierDetector: the z-score rule against |StandardScaler| from scikit-learn 1.2, the IQR rule against
 * NumPy's nanpercentile, the percentile helper against np.percentile, and normalPpf against SciPy.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { normalPpf, percentileSorted, sortedValues } from "../../src/data/preprocessing/stats.js";
import { assertClose, f64, fixture } from "./preprocessing-helpers.js";

interface ZCase { threshold: number; mean: number[]; std: number[]; train: boolean[][]; test: boolean[][] }
interface IqrCase { threshold: number; q1: number[]; q3: number[]; lower: number[]; upper: number[]; train: boolean[][]; test: boolean[][] }
const fx = fixture<{
  train: number[][]; test: number[][]; zscore: ZCase[]; iqr: IqrCase[];
  percentiles: { values: number[]; p: number[]; expected: number[] }[];
  normalPpf: { p: number[]; expected: number[] };
}>("outliers");

describe("percentiles and the normal quantile", () => {
  test("percentileSorted equals np.percentile (linear) to the last bits", () => {
    for (const { values, p, expected } of fx.percentiles) {
      const sorted = sortedValues(values);
      p.forEach((q, i) => assert.equal(percentileSorted(sorted, q), expected[i], `p=${q} of ${JSON.stringify(values)}`));
    }
  });

  test("normalPpf equals scipy.stats.norm.ppf", () => {
    fx.normalPpf.p.forEach((p, i) => {
      const e = fx.normalPpf.expected[i];
      assert.ok(Math.abs(normalPpf(p) - e) <= 1e-15 * Math.max(1, Math.abs(e)), `ppf(${p}) = ${normalPpf(p)}, expected ${e}`);
    });
  });
});

describe("OutlierDetector matches scikit-learn / NumPy", () => {
  for (const c of fx.zscore) {
    test(`zscore, threshold ${c.threshold}: population std as StandardScaler; masks on train and test`, () => {
      const det = new tl.data.OutlierDetector({ method: "zscore", threshold: c.threshold }).fit(f64(fx.train));
      const mask = det.detect(fx.train);
      assert.equal(mask.dtype, "bool");
      assert.deepEqual(mask.toArray(), c.train);
      assert.deepEqual(det.detect(fx.test).toArray(), c.test);
      assertClose(det.bounds.lower, c.mean.map((m, j) => m - c.threshold * c.std[j]));
    });
  }
  for (const c of fx.iqr) {
    test(`iqr, k ${c.threshold}: bounds from linear quartiles; masks on train and test`, () => {
      const det = new tl.data.OutlierDetector({ method: "iqr", threshold: c.threshold }).fit(fx.train);
      assertClose(det.bounds.lower, c.lower);
      assertClose(det.bounds.upper, c.upper);
      assert.deepEqual(det.detect(fx.train).toArray(), c.train);
      assert.deepEqual(det.detect(fx.test).toArray(), c.test);
    });
  }
});

describe("OutlierDetector actions report what they change", () => {
  const x = [[1, 10], [2, 11], [3, 12], [4, 13], [5, 14], [100, 12], [3, -50]];
  const det = new tl.data.OutlierDetector({ method: "iqr" }).fit(x);
  const { lower, upper } = det.bounds;

  test("default thresholds: 3 for zscore, 1.5 for iqr", () => {
    assert.equal(new tl.data.OutlierDetector().stateDict().options.threshold, 3);
    assert.equal(new tl.data.OutlierDetector({ method: "iqr" }).stateDict().options.threshold, 1.5);
  });

  test("clip replaces outliers with the nearest bound and counts them per column", () => {
    const { data, report } = det.clip(x);
    const rows = data.toArray() as number[][];
    assert.equal(rows[5][0], Math.fround(upper[0]));
    assert.equal(rows[6][1], Math.fround(lower[1]));
    assert.deepEqual(rows.slice(0, 5), x.slice(0, 5));
    assert.equal(report.action, "clip");
    assert.deepEqual(report.columns.map((c) => [c.column, c.count, c.rows]), [[0, 1, [5]], [1, 1, [6]]]);
    assert.equal(report.changed, 2);
    assert.deepEqual(report.rowIndices, [5, 6]);
  });

  test("drop removes rows with any outlier and lists them", () => {
    const { data, report } = det.drop(x);
    assert.deepEqual(data.toArray(), x.slice(0, 5));
    assert.deepEqual(report.rowIndices, [5, 6]);
    assert.equal(report.changed, 2);
    assert.equal(report.total, 2);
  });

  test("flag keeps every value and appends a 0/1 column", () => {
    const { data, report } = det.flag(f64(x));
    assert.equal(data.dtype, "float64");
    assert.deepEqual(data.toArray(), x.map((row, r) => [...row, r >= 5 ? 1 : 0]));
    assert.equal(report.action, "flag");
  });

  test("NaN is never an outlier", () => {
    assert.deepEqual(det.detect([[NaN, NaN]]).toArray(), [[false, false]]);
  });

  test("errors: before fit, wrong columns, bad options", () => {
    assert.throws(() => new tl.data.OutlierDetector().detect(x), /\[OutlierDetector\] is not fitted yet/);
    assert.throws(() => det.detect([[1]]), /x has 1 columns but OutlierDetector was fitted on 2 columns/);
    assert.throws(() => new tl.data.OutlierDetector({ method: "mad" as never }), /option method must be one of "zscore", "iqr"/);
    assert.throws(() => new tl.data.OutlierDetector({ threshold: -1 }), /threshold must be a finite number ≥ 0/);
  });

  test("saves and loads", () => {
    const back = tl.data.OutlierDetector.fromJSON(JSON.stringify(det));
    assert.deepEqual(back.detect(x).toArray(), det.detect(x).toArray());
  });
});
