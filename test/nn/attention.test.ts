/**
 * Attention against PyTorch: scaledDotProductAttention (PyTorch 2's reference formula) and
 * MultiheadAttention / Transformer{Encoder,Decoder}{Layer,} (torch 1.13 modules): outputs, gradients of
 * every input and parameter for a fixed upstream gradient, and state-dict keys, order and shapes.
 * Fixtures come from tools/fixtures/attention.py; behaviour beyond PyTorch's numbers is in
 * transformer.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, type Tensor } from "../harness.js";

const F = tl.nn.functional;

interface Encoded {
  shape: number[];
  dtype: "float64" | "bool";
  data: (number | null)[];
}

interface SdpaCase {
  name: string;
  options: { isCausal?: boolean; scale?: number };
  tensors: Record<string, Encoded>;
  output: Encoded;
  gradOutput: Encoded;
  grads: Record<string, Encoded>;
}

interface ModuleCase {
  name: string;
  module: string;
  args: [number, number];
  options: Record<string, unknown>;
  inputs: string[];
  callOptions: Record<string, unknown>;
  masks: Record<string, string>;
  tensors: Record<string, Encoded>;
  state: Record<string, Encoded>;
  outputs: (Encoded | null)[];
  gradOutputs: (Encoded | null)[];
  grads: Record<string, Encoded>;
  paramGrads: Record<string, Encoded>;
}

/** JSON has no −∞: the generator writes it as null. */
function decode(e: Encoded, requiresGrad = false): Tensor {
  if (e.dtype === "bool") return tl.tensor(Uint8Array.from(e.data as number[]), { shape: e.shape, dtype: "bool" });
  const data = Float64Array.from(e.data, (v) => (v === null ? -Infinity : v));
  return tl.tensor(data, { shape: e.shape, requiresGrad });
}

function load<T>(file: string): T[] {
  const url = new URL(`../fixtures/attention/${file}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: T[] }).cases;
}

// The fixtures carry 10 significant digits.
const TOL = { atol: 1e-8, rtol: 1e-7 };

const sdpaCases = load<SdpaCase>("sdpa");
test("pytorch fixtures: sdpa.json is not empty", () => assert.ok(sdpaCases.length >= 5));
for (const c of sdpaCases) {
  test(`scaledDotProductAttention vs PyTorch: ${c.name}`, () => {
    const [q, k, v] = ["query", "key", "value"].map((n) => decode(c.tensors[n], true));
    const attnMask = c.tensors.attnMask ? decode(c.tensors.attnMask) : null;
    const out = F.scaledDotProductAttention(q, k, v, { ...c.options, attnMask });
    assert.equal(out.dtype, "float64");
    assertClose(out, decode(c.output), { ...TOL, message: `${c.name} output` });
    out.backward(decode(c.gradOutput));
    for (const [name, t] of [["query", q], ["key", k], ["value", v]] as const) {
      assert.ok(t.grad, `${name} received no gradient`);
      assertClose(t.grad, decode(c.grads[name]), { ...TOL, message: `${c.name} gradient of ${name}` });
    }
  });
}

type Options = Record<string, unknown>;

/** Builds each fixture's module in float64 from its constructor arguments and options. */
const builders: Record<string, (c: ModuleCase) => tl.nn.Module> = {
  MultiheadAttention: (c) => new tl.nn.MultiheadAttention(c.args[0], c.args[1], { ...c.options, dtype: "float64" }),
  TransformerEncoderLayer: (c) => new tl.nn.TransformerEncoderLayer(c.args[0], c.args[1], { ...c.options, dtype: "float64" }),
  TransformerDecoderLayer: (c) => new tl.nn.TransformerDecoderLayer(c.args[0], c.args[1], { ...c.options, dtype: "float64" }),
  TransformerEncoder: (c) => {
    const { numLayers, norm, ...o } = c.options as Options & { numLayers: number; norm?: boolean };
    const layer = new tl.nn.TransformerEncoderLayer(c.args[0], c.args[1], { ...o, dtype: "float64" });
    return new tl.nn.TransformerEncoder(layer, numLayers, { norm: norm ? new tl.nn.LayerNorm([c.args[0]], { dtype: "float64" }) : null });
  },
  TransformerDecoder: (c) => {
    const { numLayers, norm, ...o } = c.options as Options & { numLayers: number; norm?: boolean };
    const layer = new tl.nn.TransformerDecoderLayer(c.args[0], c.args[1], { ...o, dtype: "float64" });
    return new tl.nn.TransformerDecoder(layer, numLayers, { norm: norm ? new tl.nn.LayerNorm([c.args[0]], { dtype: "float64" }) : null });
  },
};

const moduleCases = load<ModuleCase>("modules");
test("pytorch fixtures: modules.json covers every module", () => {
  assert.deepEqual(new Set(moduleCases.map((c) => c.module)), new Set(Object.keys(builders)));
});

for (const c of moduleCases) {
  test(`${c.module} vs PyTorch: ${c.name}`, () => {
    const m = builders[c.module](c);
    // Same keys in the same order with the same shapes as PyTorch's state_dict().
    const own = m.stateDict();
    assert.deepEqual(Object.keys(own), Object.keys(c.state), "state dict keys");
    for (const [key, e] of Object.entries(c.state)) assert.deepEqual(own[key].shape, e.shape, `shape of ${key}`);
    const state: Record<string, Tensor> = {};
    for (const [key, e] of Object.entries(c.state)) state[key] = decode(e);
    m.loadStateDict(state);

    const tensors: Record<string, Tensor> = {};
    for (const [name, e] of Object.entries(c.tensors)) tensors[name] = decode(e, name in c.grads);
    const callOptions: Options = { ...c.callOptions };
    for (const [option, name] of Object.entries(c.masks)) callOptions[option] = tensors[name];
    const result = m.call(...c.inputs.map((n) => tensors[n]), callOptions);
    const outputs = (Array.isArray(result) ? result : [result]) as (Tensor | null)[];
    assert.equal(outputs.length, c.outputs.length, "number of outputs");

    let loss: Tensor | null = null;
    outputs.forEach((o, i) => {
      const expected = c.outputs[i];
      if (expected === null) return assert.equal(o, null, `output ${i} must be null`);
      assert.ok(o, `output ${i} is null but PyTorch returned a tensor`);
      assertClose(o, decode(expected), { ...TOL, message: `${c.name} output ${i}` });
      const term = o.mul(decode(c.gradOutputs[i] as Encoded)).sum();
      loss = loss === null ? term : loss.add(term);
    });
    (loss as unknown as Tensor).backward();
    for (const [name, e] of Object.entries(c.grads)) {
      const g = tensors[name].grad;
      assert.ok(g, `${name} received no gradient`);
      assertClose(g, decode(e), { ...TOL, message: `${c.name} gradient of input ${name}` });
    }
    const params = new Map(m.namedParameters());
    assert.deepEqual([...params.keys()].sort(), Object.keys(c.paramGrads).sort(), "parameter names");
    for (const [key, e] of Object.entries(c.paramGrads)) {
      const g = params.get(key)?.grad;
      assert.ok(g, `parameter ${key} received no gradient`);
      assertClose(g, decode(e), { ...TOL, message: `${c.name} gradient of ${key}` });
    }
  });
}
