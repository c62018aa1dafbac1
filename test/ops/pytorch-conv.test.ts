/**
 * Convolutions and matmul broadcasting against PyTorch 1.13 (fixtures from tools/fixtures/conv.py):
 * forward values and the gradient of every input for a fixed upstream gradient, in float32 (the
 * dtype users train in, tolerance 1e-4) and float64 (tolerance 1e-9, which pins the formulas down).
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
  inputs: Flat[];
  output: Flat;
  gradOutput: Flat;
  grads: Flat[];
}

const load = (file: string): FixtureCase[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/conv/${file}.json`, import.meta.url), "utf8")) as FixtureCase[];

const tensorOf = (f: Flat, dtype: tl.DType, requiresGrad = false): tl.Tensor =>
  tl.tensor(f.data, { shape: f.shape, dtype, requiresGrad });

/** Runs the Tensile function a fixture names, with PyTorch's positional (input, weight, bias). */
function call(c: FixtureCase, xs: tl.Tensor[]): tl.Tensor {
  const [x, w, b] = xs;
  switch (c.fn) {
    case "conv2d": return tl.nn.functional.conv2d(x, w, b, c.options as tl.Conv2dOptions);
    case "conv1d": return tl.nn.functional.conv1d(x, w, b, c.options as tl.Conv1dOptions);
    case "convTranspose2d": return tl.nn.functional.convTranspose2d(x, w, b, c.options as tl.ConvTranspose2dOptions);
    case "matmul": return tl.matmul(x, w);
    case "linear": return tl.nn.functional.linear(x, w, b);
    default: throw new Error(`unknown fixture function ${c.fn}`);
  }
}

const tolerances: [tl.DType, number][] = [["float32", 1e-4], ["float64", 1e-9]];

for (const file of ["conv", "matmul"]) {
  const cases = load(file);
  test(`pytorch ${file}: the fixture file holds cases`, () => assert.ok(cases.length >= 10));
  for (const c of cases) {
    for (const [dtype, tol] of tolerances) {
      test(`pytorch ${file}: ${c.name} (${dtype})`, () => {
        const xs = c.inputs.map((f) => tensorOf(f, dtype, true));
        const y = call(c, xs);
        assert.equal(y.dtype, dtype);
        assertClose(y, tensorOf(c.output, "float64"), { atol: tol, rtol: tol, message: `${c.name} forward` });
        y.backward(tensorOf(c.gradOutput, dtype));
        xs.forEach((x, i) => {
          assert.ok(x.grad, `input ${i} received no gradient`);
          assertClose(x.grad, tensorOf(c.grads[i], "float64"), { atol: tol, rtol: tol, message: `${c.name} gradient of input ${i}` });
        });
      });
    }
  }
}
