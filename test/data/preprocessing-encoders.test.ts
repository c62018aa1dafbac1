/** OneHotEncoder, OrdinalEncoder and LabelEncoder against scikit-learn 1.2 (tools/fixtures/preprocessing.py). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, fixture } from "./preprocessing-helpers.js";

type Rows = (string | number | null)[][];
interface EncCase { options: Record<string, unknown>; categories: Rows; train: number[][]; inverse: Rows; test?: number[][]; testInverse?: Rows }
const fx = fixture<{
  train: Rows; test: Rows; binaryTrain: Rows; onehot: EncCase[]; ordinal: EncCase[];
  onehotBinary: { options: tl.data.OneHotEncoderOptions; train: number[][]; categories: Rows };
  onehotNumericNan: { x: number[][]; categories: number[][]; train: number[][] };
  ordinalNan: { x: number[][]; categories: number[][]; train: number[][]; trainMissingMinus2: number[][]; inverse: number[][] };
  label: { y: string[]; classes: string[]; codes: number[]; numeric: number[]; numericClasses: number[]; numericCodes: number[] };
}>("encoders");

describe("OneHotEncoder matches scikit-learn", () => {
  for (const c of fx.onehot) {
    test(`${JSON.stringify(c.options)}: categories, transform, inverse`, () => {
      const e = new tl.data.OneHotEncoder(c.options).fit(fx.train);
      assert.deepEqual(e.categories, c.categories);
      const y = e.transform(fx.train);
      assert.equal(y.dtype, "float32");
      assertClose(y, c.train);
      assert.deepEqual(e.inverseTransform(y), c.inverse);
      if (c.test) {
        const t = e.transform(fx.test);
        assertClose(t, c.test);
        assert.deepEqual(e.inverseTransform(t), c.testInverse);
      } else {
        assert.throws(() => e.transform(fx.test), /\[OneHotEncoder\] found unknown category the string "purple" in column 0 \(row 1\) during transform/);
      }
    });
  }

  test("drop 'ifBinary' drops only two-category columns", () => {
    const e = new tl.data.OneHotEncoder(fx.onehotBinary.options).fit(fx.binaryTrain);
    assert.deepEqual(e.categories, fx.onehotBinary.categories);
    assert.deepEqual(e.dropIdx, [0, null]);
    assertClose(e.transform(fx.binaryTrain), fx.onehotBinary.train);
  });

  test("NaN is its own category, sorted last", () => {
    const e = new tl.data.OneHotEncoder().fit(fx.onehotNumericNan.x);
    assert.deepEqual(e.categories, fx.onehotNumericNan.categories);
    assertClose(e.transform(fx.onehotNumericNan.x), fx.onehotNumericNan.train);
  });

  test("booleans stay categories (false before true), also inside a ColumnTransformer", () => {
    const e = new tl.data.OneHotEncoder().fit([[true], [false], [true]]);
    assert.deepEqual(e.categories, [[false, true]]);
    assert.deepEqual(e.inverseTransform(e.transform([[false]])), [[false]]);
    const ct = new tl.data.ColumnTransformer([["flag", new tl.data.OrdinalEncoder(), [1]], ["x", new tl.data.StandardScaler(), [0]]]);
    assert.deepEqual(ct.fitTransform([[1, true], [3, false]]).toArray(), [[1, -1], [0, 1]]);
  });

  test("feature names, explicit categories, and errors", () => {
    const e = new tl.data.OneHotEncoder({ drop: "first" }).fit([["a", 1], ["b", 2]]);
    assert.deepEqual(e.getFeatureNamesOut(["color", "size"]), ["color_b", "size_2"]);
    const given = new tl.data.OneHotEncoder({ categories: [["z", "a"]] }).fit([["a"]]);
    assert.deepEqual(given.transform([["z"], ["a"]]).toArray(), [[1, 0], [0, 1]]);
    assert.throws(() => new tl.data.OneHotEncoder({ categories: [["a"]] }).fit([["b"]]), /found unknown category the string "b" in column 0 \(row 0\) during fit/);
    assert.throws(() => new tl.data.OneHotEncoder({ categories: [[2, 1]] }), /categories\[0\] must be sorted for numeric categories/);
    assert.throws(() => new tl.data.OneHotEncoder().fit([["a"], [1]]), /column 0 mixes strings and numbers/);
    assert.throws(() => new tl.data.OneHotEncoder().fit([["a"]]).transform([["a", "b"]]), /x has 2 columns but OneHotEncoder was fitted on 1 columns/);
    assert.throws(() => new tl.data.OneHotEncoder().fit([["a"], ["b"]]).inverseTransform([[0, 0]]), /row 0 is all zeros for column 0/);
    assert.throws(() => new tl.data.OneHotEncoder({ drop: "last" as never }), /drop must be null, "first" or "ifBinary"/);
  });
});

describe("OrdinalEncoder matches scikit-learn", () => {
  for (const c of fx.ordinal) {
    test(`${JSON.stringify(c.options)}: categories, transform, inverse`, () => {
      const e = new tl.data.OrdinalEncoder(c.options).fit(fx.train);
      assert.deepEqual(e.categories, c.categories);
      const y = e.transform(fx.train);
      assertClose(y, c.train);
      assert.deepEqual(e.inverseTransform(y), c.inverse);
      if (c.test) {
        const t = e.transform(fx.test);
        assertClose(t, c.test);
        assert.deepEqual(e.inverseTransform(t), c.testInverse);
      }
    });
  }

  test("missing values encode as NaN (or encodedMissingValue) and invert back", () => {
    const { x, categories, train, trainMissingMinus2, inverse } = fx.ordinalNan;
    const e = new tl.data.OrdinalEncoder().fit(x);
    assert.deepEqual(e.categories, categories);
    const y = e.transform(x);
    assertClose(y, train);
    assertClose(e.inverseTransform(y) as number[][], inverse);
    assertClose(new tl.data.OrdinalEncoder({ encodedMissingValue: -2 }).fitTransform(x), trainMissingMinus2);
  });

  test("option checks follow scikit-learn", () => {
    assert.throws(() => new tl.data.OrdinalEncoder({ handleUnknown: "useEncodedValue" }), /unknownValue must be a whole number or NaN/);
    assert.throws(() => new tl.data.OrdinalEncoder({ unknownValue: -1 }), /unknownValue is only used with handleUnknown "useEncodedValue"/);
    assert.throws(() => new tl.data.OrdinalEncoder({ handleUnknown: "useEncodedValue", unknownValue: 1 }).fit([["a"], ["b"]]), /unknownValue 1 is one of the codes/);
    assert.throws(() => new tl.data.OrdinalEncoder({ encodedMissingValue: 0 }).fit([["a"], [null]]), /encodedMissingValue 0 is already the code of a category in column 0/);
    assert.throws(() => new tl.data.OrdinalEncoder().fit([["a"]]).inverseTransform([[1.5]]), /y holds 1.5 at row 0, column 0, which is not a code 0..0/);
  });
});

describe("LabelEncoder matches scikit-learn", () => {
  test("string labels: sorted classes, int32 codes, inverse", () => {
    const le = new tl.data.LabelEncoder().fit(fx.label.y);
    assert.deepEqual(le.classes, fx.label.classes);
    const codes = le.transform(fx.label.y);
    assert.equal(codes.dtype, "int32");
    assert.deepEqual(Array.from(codes.dataSync()), fx.label.codes);
    assert.deepEqual(le.inverseTransform(codes), fx.label.y);
  });

  test("numeric labels sort numerically (10 after 3), from arrays and tensors", () => {
    const le = new tl.data.LabelEncoder();
    assert.deepEqual(Array.from(le.fitTransform(fx.label.numeric).dataSync()), fx.label.numericCodes);
    assert.deepEqual(le.classes, fx.label.numericClasses);
    assert.deepEqual(Array.from(le.transform(tl.tensor(fx.label.numeric)).dataSync()), fx.label.numericCodes);
  });

  test("unseen labels and bad codes are errors", () => {
    const le = new tl.data.LabelEncoder().fit(["a", "b"]);
    assert.throws(() => le.transform(["a", "c"]), /\[LabelEncoder\] y\[1\] is the string "c", a label not seen in fit/);
    assert.throws(() => le.inverseTransform([2]), /codes\[0\] is number 2; class indices are whole numbers 0..1/);
    assert.throws(() => new tl.data.LabelEncoder().transform(["a"]), /is not fitted yet/);
  });
});
