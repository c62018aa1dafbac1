/**
 * ColumnTransformer and Pipeline against scikit-learn 1.2 (tools/fixtures/preprocessing.py), their
 * inverse, and saving every fitted object with the model (toJSON / fromJSON, checkpoint metadata).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, F32, f64, fixture } from "./preprocessing-helpers.js";

type Rows = (string | number | null)[][];
const fx = fixture<{
  train: Rows; test: Rows;
  drop: { train: number[][]; test: number[][] }; passthrough: { train: number[][]; test: number[][] };
  numeric: { x: number[][]; train: number[][]; test: number[][] };
}>("column_transformer");
const scalers = fixture<{ train: number[][]; test: number[][] }>("scalers");

function mixed(remainder: "drop" | "passthrough") {
  return new tl.data.ColumnTransformer([
    ["num", new tl.data.Pipeline([["impute", new tl.data.SimpleImputer({ strategy: "median" })], ["scale", new tl.data.StandardScaler()]]), [0, 1]],
    ["cat", new tl.data.OneHotEncoder({ handleUnknown: "ignore" }), [2]],
  ], { remainder });
}

function numeric() {
  return new tl.data.ColumnTransformer([["std", new tl.data.StandardScaler(), [0, 2]], ["mm", new tl.data.MinMaxScaler(), [1]]], { remainder: "passthrough" });
}

describe("ColumnTransformer matches scikit-learn", () => {
  for (const remainder of ["drop", "passthrough"] as const) {
    test(`imputer+scaler pipeline, one-hot, remainder "${remainder}"`, () => {
      const ct = mixed(remainder);
      const train = ct.fitTransform(fx.train);
      assert.equal(train.dtype, "float32");
      assertClose(train, fx[remainder].train, F32, "train");
      assertClose(ct.transform(fx.test), fx[remainder].test, F32, "test");
      assert.equal(ct.nFeaturesOut, fx[remainder].train[0].length);
    });
  }

  test("numeric parts with passthrough remainder, float64 in and out, and the inverse", () => {
    const ct = numeric().fit(f64(fx.numeric.x));
    const t = ct.transform(f64(scalers.test));
    assert.equal(t.dtype, "float64");
    assertClose(ct.transform(f64(fx.numeric.x)), fx.numeric.train, undefined, "train");
    assertClose(t, fx.numeric.test, undefined, "test");
    assertClose(ct.inverseTransform(t) as tl.Tensor, scalers.test, undefined, "inverse");
  });

  test("inverse with an encoder returns rows with categories back in their columns", () => {
    const ct = new tl.data.ColumnTransformer([["cat", new tl.data.OrdinalEncoder(), [1]], ["num", new tl.data.MinMaxScaler(), [0]]]);
    const x = [[1, "b"], [3, "a"], [2, "c"]];
    const y = ct.fitTransform(x);
    assert.deepEqual(y.toArray(), [[1, 0], [0, 1], [2, 0.5]]);
    assert.deepEqual(ct.inverseTransform(y), x);
  });

  test("inverse is refused, with the reason, when a column is dropped or a part cannot invert", () => {
    const dropped = mixed("drop").fit(fx.train);
    assert.throws(() => dropped.inverseTransform([[0]]), /inverseTransform is not possible: transformer "num" has no inverseTransform/);
    const rem = new tl.data.ColumnTransformer([["a", new tl.data.StandardScaler(), [0]]]).fit([[1, 2], [3, 4]]);
    assert.throws(() => rem.inverseTransform([[0]]), /remainder "drop" dropped columns 1/);
  });

  test("string passthrough columns, bad columns and names are errors", () => {
    const ct = new tl.data.ColumnTransformer([["a", new tl.data.StandardScaler(), [0]]], { remainder: "passthrough" });
    assert.throws(() => ct.fitTransform([[1, "x"]]), /\[ColumnTransformer\] output column 1 holds the string "x" \(row 0\); the output must be numeric/);
    assert.throws(() => new tl.data.ColumnTransformer([["a", new tl.data.StandardScaler(), [3]]]).fit([[1, 2]]), /transformer "a" selects column 3 but x has 2 columns/);
    assert.throws(() => new tl.data.ColumnTransformer([["a", "scale" as never, [0]]]), /transformer "a" must be a preprocessing transformer/);
    assert.throws(() => new tl.data.ColumnTransformer([["a", "drop", [0]], ["a", "drop", [1]]]), /two transformers are named "a"/);
    assert.throws(() => new tl.data.ColumnTransformer().transform([[1]]), /\[ColumnTransformer\] is not fitted yet/);
  });

  test("negative column indices count from the end", () => {
    const ct = new tl.data.ColumnTransformer([["last", "passthrough", -1]]);
    assert.deepEqual(ct.fitTransform([[1, 2, 3]]).toArray(), [[3]]);
  });
});

describe("Pipeline", () => {
  test("chains fit and transform, and inverts in reverse", () => {
    const pipe = new tl.data.Pipeline([["minmax", new tl.data.MinMaxScaler()], ["skip", "passthrough"], ["std", new tl.data.StandardScaler()]]);
    const x = [[1, 10], [2, 30], [4, 20]];
    const y = pipe.fitTransform(f64(x));
    const direct = new tl.data.StandardScaler().fitTransform(new tl.data.MinMaxScaler().fitTransform(f64(x)));
    assertClose(y, direct.toArray() as number[][]);
    assertClose(pipe.inverseTransform(y) as tl.Tensor, x, { atol: 1e-12, rtol: 1e-12 });
    assert.ok(pipe.namedSteps.std instanceof tl.data.StandardScaler);
  });

  test("an imputer and an encoder turn raw categorical rows into numbers", () => {
    const pipe = new tl.data.Pipeline([["fill", new tl.data.SimpleImputer({ strategy: "mostFrequent" })], ["onehot", new tl.data.OneHotEncoder()]]);
    assert.deepEqual(pipe.fitTransform([["b"], [null], ["a"], ["b"]]).toArray(), [[0, 1], [0, 1], [1, 0], [0, 1]]);
  });

  test("errors: a non-numeric result, a step without inverse", () => {
    const fill = new tl.data.Pipeline([["fill", new tl.data.SimpleImputer({ strategy: "constant" })]]);
    assert.throws(() => fill.fitTransform([["a"], [null]]), /\[Pipeline\] output column 0 holds the string "a"/);
    const noInverse = new tl.data.Pipeline([["fill", new tl.data.SimpleImputer()]]).fit([[1]]);
    assert.throws(() => noInverse.inverseTransform([[1]]), /inverseTransform needs every step to have one, but step "fill" has none/);
  });
});

describe("persistence: save and load with the model", () => {
  const dir = mkdtempSync(join(tmpdir(), "tensile-preprocessing-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const x = [[1, NaN, 3], [4, 5, NaN], [7, 8, 9], [2, 2, 2]];

  const fitted: [string, () => { transform(v: never): unknown; toJSON(): unknown }][] = [
    ["StandardScaler", () => new tl.data.StandardScaler().fit(x)],
    ["MinMaxScaler", () => new tl.data.MinMaxScaler({ featureRange: [-1, 1], clip: true }).fit(x)],
    ["RobustScaler", () => new tl.data.RobustScaler({ quantileRange: [10, 90], unitVariance: true }).fit(x)],
    ["SimpleImputer", () => new tl.data.SimpleImputer({ strategy: "median", addIndicator: true }).fit(x)],
    ["OneHotEncoder", () => new tl.data.OneHotEncoder({ handleUnknown: "ignore", drop: "first" }).fit(x)],
    ["OrdinalEncoder", () => new tl.data.OrdinalEncoder({ handleUnknown: "useEncodedValue", unknownValue: -1 }).fit(x)],
    ["ColumnTransformer", () => numeric().fit(x)],
    ["Pipeline", () => new tl.data.Pipeline([["imp", new tl.data.SimpleImputer()], ["ct", numeric()]]).fit(x)],
  ];

  for (const [name, make] of fitted) {
    test(`${name}: JSON.stringify → fromJSON gives the same transform`, () => {
      const original = make();
      const text = JSON.stringify(original);
      const cls = (tl.data as unknown as Record<string, { fromJSON(j: string): typeof original }>)[name];
      const back = cls.fromJSON(text);
      assert.ok(back instanceof (cls as unknown as new () => object));
      const probe = [[0, 5, NaN], [10, 1, 2]] as never;
      assertClose(back.transform(probe) as tl.Tensor, (original.transform(probe) as tl.Tensor).toArray() as number[][]);
      assert.ok(tl.data.transformerFromJSON(text) instanceof (cls as unknown as new () => object));
    });
  }

  test("a scaler and an encoder saved in checkpoint metadata next to the model load back", () => {
    const model = new tl.nn.Linear(3, 2);
    const scaler = new tl.data.StandardScaler().fit(x);
    const labels = new tl.data.LabelEncoder().fit(["cat", "dog"]);
    const path = join(dir, "model.safetensors");
    tl.io.saveCheckpointSync(path, { model: model.stateDict(), preprocessing: { scaler: scaler.stateDict(), labels: labels.stateDict() } });
    const ckpt = tl.io.loadCheckpointSync(path) as { preprocessing: { scaler: tl.data.TransformerState; labels: tl.data.TransformerState } };
    const loaded = new tl.data.StandardScaler().loadStateDict(ckpt.preprocessing.scaler);
    assert.deepEqual(loaded.mean, scaler.mean);
    assert.deepEqual(loaded.transform(x).toArray(), scaler.transform(x).toArray());
    assert.deepEqual(tl.data.LabelEncoder.fromJSON(ckpt.preprocessing.labels).classes, ["cat", "dog"]);
  });

  test("NaN statistics survive JSON (an all-missing column)", () => {
    const s = new tl.data.StandardScaler().fit([[NaN, 1], [NaN, 2]]);
    const back = tl.data.StandardScaler.fromJSON(JSON.parse(JSON.stringify(s)));
    assert.ok(Number.isNaN(back.mean?.[0]));
  });

  test("an unfitted object round-trips unfitted; a wrong type or bad state is an error", () => {
    assert.equal(tl.data.MinMaxScaler.fromJSON(JSON.stringify(new tl.data.MinMaxScaler())).isFitted, false);
    const json = JSON.stringify(new tl.data.StandardScaler().fit(x));
    assert.throws(() => tl.data.MinMaxScaler.fromJSON(json), /\[MinMaxScaler\] the saved state is a StandardScaler, not a MinMaxScaler/);
    const state = new tl.data.StandardScaler().fit(x).stateDict();
    (state.fitted as Record<string, unknown>).mean = [1];
    assert.throws(() => new tl.data.StandardScaler().loadStateDict(state), /the saved state's "mean" must be an array of 3 numbers/);
    assert.throws(() => tl.data.transformerFromJSON({ type: "Nope", version: 1, options: {}, fitted: null }), /"Nope" is not a preprocessing class/);
  });
});
