/**
 * tl.nn.functional against PyTorch 1.13: outputs, input/weight gradients for a fixed upstream gradient,
 * and batchNorm's updated running statistics. Fixtures come from tools/fixtures/functional.py.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, type Tensor } from "../harness.js";

const F = tl.nn.functional;

interface Encoded {
  shape: number[];
  dtype: "float64" | "int32";
  data: number[];
}

interface Fixture {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  tensors: Record<string, Encoded>;
  output: Encoded;
  gradOutput: Encoded;
  grads: Record<string, Encoded>;
  after?: Record<string, Encoded>;
}

type Call = (t: Record<string, Tensor>, o: Record<string, unknown>) => Tensor;

/** How each fixture's tensors and camelCase options map onto Tensile's signatures. */
const calls: Record<string, Call> = {
  crossEntropy: (t, o) => F.crossEntropy(t.input, t.target, { ...o, weight: t.weight }),
  nllLoss: (t, o) => F.nllLoss(t.input, t.target, { ...o, weight: t.weight }),
  mseLoss: (t, o) => F.mseLoss(t.input, t.target, o),
  l1Loss: (t, o) => F.l1Loss(t.input, t.target, o),
  smoothL1Loss: (t, o) => F.smoothL1Loss(t.input, t.target, o),
  huberLoss: (t, o) => F.huberLoss(t.input, t.target, o),
  binaryCrossEntropy: (t, o) => F.binaryCrossEntropy(t.input, t.target, { ...o, weight: t.weight }),
  binaryCrossEntropyWithLogits: (t, o) =>
    F.binaryCrossEntropyWithLogits(t.input, t.target, { ...o, weight: t.weight, posWeight: t.posWeight }),
  klDiv: (t, o) => F.klDiv(t.input, t.target, o),
  batchNorm: (t, o) => F.batchNorm(t.input, t.runningMean, t.runningVar, t.weight, t.bias, o),
  layerNorm: (t, o) => F.layerNorm(t.input, o.normalizedShape as number[], t.weight, t.bias, o.eps as number | undefined),
  groupNorm: (t, o) => F.groupNorm(t.input, o.numGroups as number, t.weight, t.bias, o.eps as number | undefined),
  softmax: (t, o) => F.softmax(t.input, o.dim as number),
  logSoftmax: (t, o) => F.logSoftmax(t.input, o.dim as number),
  embedding: (t, o) => F.embedding(t.input, t.weight, o),
};

const decode = (e: Encoded, requiresGrad = false): Tensor =>
  tl.tensor(e.dtype === "int32" ? Int32Array.from(e.data) : Float64Array.from(e.data), { shape: e.shape, requiresGrad });

function load(file: string): Fixture[] {
  const url = new URL(`../fixtures/functional/${file}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: Fixture[] }).cases;
}

for (const file of ["losses", "normalization", "activation"]) {
  const cases = load(file);
  test(`pytorch fixtures: ${file}.json is not empty`, () => assert.ok(cases.length >= 3));
  for (const c of cases) {
    test(`pytorch ${file}: ${c.name}`, () => {
      const call = calls[c.fn];
      assert.ok(call, `no call mapping for ${c.fn}`);
      const tensors: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(c.tensors)) tensors[k] = decode(v, k in c.grads);
      const out = call(tensors, c.options);
      assert.equal(out.dtype, "float64", "float64 inputs must give a float64 result");
      assertClose(out, decode(c.output), { atol: 1e-10, rtol: 1e-9, message: `${c.name} output` });
      for (const [k, v] of Object.entries(c.after ?? {})) {
        assertClose(tensors[k], decode(v), { atol: 1e-10, rtol: 1e-9, message: `${c.name} ${k} after the call` });
      }
      if (Object.keys(c.grads).length === 0) return;
      out.backward(decode(c.gradOutput));
      for (const [k, v] of Object.entries(c.grads)) {
        const g = tensors[k].grad;
        assert.ok(g, `${c.name}: ${k} received no gradient`);
        assertClose(g, decode(v), { atol: 1e-9, rtol: 1e-8, message: `${c.name} gradient of ${k}` });
      }
    });
  }
}
