/** StandardScaler, MinMaxScaler and RobustScaler against scikit-learn 1.2 (tools/fixtures/preprocessing.py). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, F32, f64, fixture } from "./preprocessing-helpers.js";

interface Case { options: Record<string, unknown>; train: number[][]; test: number[][]; inverse: number[][]; [key: string]: unknown }
const fx = fixture<{ train: number[][]; test: number[][]; standard: Case[]; minmax: Case[]; robust: Case[] }>("scalers");

const KINDS = [
  ["StandardScaler", (o: Record<string, unknown>) => new tl.data.StandardScaler(o), fx.standard, ["mean", "var", "scale", "nSamplesSeen"]],
  ["MinMaxScaler", (o: Record<string, unknown>) => new tl.data.MinMaxScaler(o), fx.minmax, ["dataMin", "dataMax", "dataRange", "scale", "min"]],
  ["RobustScaler", (o: Record<string, unknown>) => new tl.data.RobustScaler(o), fx.robust, ["center", "scale"]],
] as const;

for (const [name, make, cases, attrs] of KINDS) {
  describe(`${name} matches scikit-learn`, () => {
    for (const c of cases) {
      test(`options ${JSON.stringify(c.options)}: fitted attributes, transform, inverse (float64 tensors)`, () => {
        const s = make(c.options).fit(f64(fx.train));
        for (const attr of attrs) {
          const got = (s as unknown as Record<string, number[] | null>)[attr];
          const want = c[attr] as number[] | null;
          if (want === null) assert.equal(got, null, attr);
          else assertClose(got as number[], want, { atol: 1e-12, rtol: 1e-12 }, attr);
        }
        const train = s.transform(f64(fx.train));
        assert.equal(train.dtype, "float64");
        assertClose(train, c.train, { atol: 1e-12, rtol: 1e-12 }, "train");
        const t = s.transform(f64(fx.test));
        assertClose(t, c.test, { atol: 1e-12, rtol: 1e-12 }, "test");
        assertClose(s.inverseTransform(t), c.inverse, { atol: 1e-12, rtol: 1e-12 }, "inverse");
      });
      test(`options ${JSON.stringify(c.options)}: arrays of rows give float32 tensors`, () => {
        const out = make(c.options).fitTransform(fx.train);
        assert.equal(out.dtype, "float32");
        assert.deepEqual(out.shape, [fx.train.length, fx.train[0].length]);
        assertClose(out, c.train, F32, "fitTransform");
      });
    }
  });
}

describe("scalers: semantics and errors", () => {
  test("NaN is ignored in fit and kept in transform; null counts as missing", () => {
    const s = new tl.data.StandardScaler().fit([[1, 2], [NaN, 4], [3, null]]);
    assert.deepEqual(s.mean, [2, 3]);
    assert.deepEqual(s.nSamplesSeen, [2, 2]);
    const out = s.transform([[NaN, 3]]).toArray() as number[][];
    assert.ok(Number.isNaN(out[0][0]));
    assert.equal(out[0][1], 0);
  });

  test("a constant column scales by 1 (StandardScaler, MinMaxScaler, RobustScaler)", () => {
    const x = [[5, 1], [5, 2], [5, 3]];
    assert.deepEqual(new tl.data.StandardScaler().fit(x).scale, [1, Math.sqrt(2 / 3)]);
    assert.deepEqual(new tl.data.MinMaxScaler().fit(x).scale, [1, 0.5]);
    assert.deepEqual(new tl.data.RobustScaler().fit(x).scale, [1, 1]);
    assert.deepEqual(new tl.data.StandardScaler().fitTransform(x).toArray(), [[0, -Math.fround(Math.sqrt(1.5))], [0, 0], [0, Math.fround(Math.sqrt(1.5))]]);
  });

  test("MinMaxScaler clip keeps new data inside featureRange", () => {
    const s = new tl.data.MinMaxScaler({ featureRange: [-1, 1], clip: true }).fit([[0], [10]]);
    assert.deepEqual(s.transform([[-5], [5], [20]]).toArray(), [[-1], [0], [1]]);
    const unclipped = new tl.data.MinMaxScaler({ featureRange: [-1, 1] }).fit([[0], [10]]);
    assert.deepEqual(unclipped.transform([[-5], [20]]).toArray(), [[-2], [3]]);
  });

  test("fit returns this, so fit(x).transform(x) chains", () => {
    const s = new tl.data.StandardScaler();
    assert.equal(s.fit([[1], [2]]), s);
  });

  test("transform before fit names the fix", () => {
    assert.throws(() => new tl.data.StandardScaler().transform([[1]]), /\[StandardScaler\] is not fitted yet: call fit\(x\)/);
    assert.throws(() => new tl.data.MinMaxScaler().dataMin, /\[MinMaxScaler\] is not fitted yet/);
  });

  test("a different column count at transform names both counts", () => {
    const s = new tl.data.RobustScaler().fit([[1, 2, 3], [4, 5, 6]]);
    assert.throws(() => s.transform([[1, 2]]), /\[RobustScaler\] x has 2 columns but RobustScaler was fitted on 3 columns/);
    assert.throws(() => s.inverseTransform([[1, 2, 3, 4]]), /inverseTransform got y with 4 columns but RobustScaler produces 3/);
  });

  test("non-numeric data names the cell and the fix", () => {
    assert.throws(() => new tl.data.StandardScaler().fit([[1, "a"], [2, "b"]] as never),
      /\[StandardScaler\] x holds non-numeric data: the string "a" at row 0, column 1; .*OneHotEncoder or OrdinalEncoder/);
  });

  test("bad shapes, ragged rows, infinities and empty fits are errors", () => {
    const s = new tl.data.StandardScaler();
    assert.throws(() => s.fit(tl.tensor([1, 2, 3])), /must be 2-D \[samples, features\], got shape \[3\]/);
    assert.throws(() => s.fit([[1, 2], [3]]), /row 1 has 1 values but row 0 has 2/);
    assert.throws(() => s.fit([[1], [Infinity]]), /holds Infinity at row 1, column 0/);
    assert.throws(() => s.fit([]), /fit got x with 0 rows/);
    assert.throws(() => s.fit([1, 2] as unknown as number[][]), /must be an array of rows/);
  });

  test("bad options are errors naming the option", () => {
    assert.throws(() => new tl.data.MinMaxScaler({ featureRange: [1, 0] }), /featureRange must be \[lo, hi\] with finite lo < hi/);
    assert.throws(() => new tl.data.RobustScaler({ quantileRange: [80, 20] }), /quantileRange must be \[lo, hi\] with 0 ≤ lo ≤ hi ≤ 100/);
    assert.throws(() => new tl.data.StandardScaler({ withMean: "yes" } as never), /option withMean must be true or false/);
    assert.throws(() => new tl.data.MinMaxScaler({ featurRange: [0, 1] } as never), /unknown option "featurRange"/);
  });

  test("int32 tensors are accepted and give float32", () => {
    const out = new tl.data.MinMaxScaler().fitTransform(tl.tensor(new Int32Array([0, 5, 10, 20]), { shape: [2, 2] }));
    assert.equal(out.dtype, "float32");
    assert.deepEqual(out.toArray(), [[0, 0], [1, 1]]);
  });
});
