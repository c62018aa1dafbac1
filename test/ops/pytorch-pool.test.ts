/**
 * Pooling and interpolation against PyTorch 1.13 (fixtures from tools/fixtures/pool.py): forward
 * values in float64 and float32, max-pool indices, and the input gradient for a fixed upstream gradient.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";

interface Flat {
  shape: number[];
  data: number[];
}

interface FixtureCase {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  outputSize?: number | (number | null)[];
  input: Flat;
  output: Flat;
  /** PyTorch's output for the input cast to float32. */
  output32: Flat;
  indices?: Flat;
  gradOutput: Flat;
  inputGrad: Flat;
}

const load = (file: string): FixtureCase[] =>
  (JSON.parse(readFileSync(new URL(`../fixtures/pool/${file}.json`, import.meta.url), "utf8")) as { cases: FixtureCase[] }).cases;

const tensorOf = (f: Flat, dtype: tl.DType, requiresGrad = false): tl.Tensor =>
  tl.tensor(f.data, { shape: f.shape, dtype, requiresGrad });

/** Runs the Tensile function a fixture names; max pools always ask for indices. */
function call(c: FixtureCase, x: tl.Tensor): { values: tl.Tensor; indices?: tl.Tensor } {
  const o = c.options as never;
  const size = c.outputSize as number;
  switch (c.fn) {
    case "maxPool1d": return tl.maxPool1d(x, { ...(c.options as unknown as tl.MaxPoolOptions), returnIndices: true });
    case "maxPool2d": return tl.maxPool2d(x, { ...(c.options as unknown as tl.MaxPoolOptions), returnIndices: true });
    case "adaptiveMaxPool2d": return tl.adaptiveMaxPool2d(x, c.outputSize as tl.AdaptiveSize, { returnIndices: true });
    case "avgPool1d": return { values: tl.avgPool1d(x, o) };
    case "avgPool2d": return { values: tl.avgPool2d(x, o) };
    case "adaptiveAvgPool1d": return { values: tl.adaptiveAvgPool1d(x, size) };
    case "adaptiveAvgPool2d": return { values: tl.adaptiveAvgPool2d(x, c.outputSize as tl.AdaptiveSize) };
    case "interpolate": return { values: tl.interpolate(x, o) };
    default: throw new Error(`unknown fixture function ${c.fn}`);
  }
}

for (const file of ["maxpool", "avgpool", "interpolate"]) {
  const cases = load(file);
  test(`pytorch ${file}: the fixture file holds cases`, () => assert.ok(cases.length >= 10));
  for (const c of cases) {
    test(`pytorch ${file}: ${c.fn} ${c.name}`, () => {
      const x = tensorOf(c.input, "float64", true);
      const { values, indices } = call(c, x);
      assertClose(values, tensorOf(c.output, "float64"), { atol: 1e-9, rtol: 1e-9, message: `${c.name} forward` });
      if (c.indices) {
        assert.ok(indices, "expected indices");
        assert.equal(indices.dtype, "int32");
        assert.deepEqual([...indices.shape], c.indices.shape);
        assert.deepEqual(Array.from(indices.dataSync()), c.indices.data, `${c.name} indices`);
      }
      values.backward(tensorOf(c.gradOutput, "float64"));
      assert.ok(x.grad, "input received no gradient");
      assertClose(x.grad, tensorOf(c.inputGrad, "float64"), { atol: 1e-9, rtol: 1e-9, message: `${c.name} input gradient` });

      const y32 = call(c, tensorOf(c.input, "float32")).values;
      assert.equal(y32.dtype, "float32");
      assertClose(y32, tensorOf(c.output32, "float64"), { atol: 1e-5, rtol: 1e-5, message: `${c.name} float32 forward` });
    });
  }
}
