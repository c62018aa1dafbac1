/**
 * RNN, LSTM, GRU and their cells against PyTorch 1.13 (tools/fixtures/recurrent.py): outputs, final
 * states and the gradients of the input, the initial states and every parameter for fixed upstream
 * gradients; variable lengths against packed sequences; state-dict keys and shapes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";

const nn = tl.nn;

interface Flat { shape: number[]; data: number[] }
type Options = Record<string, unknown>;

interface LayerCase {
  name: string;
  kind: "LSTM" | "GRU" | "RNN";
  inputSize: number;
  hiddenSize: number;
  options: Options;
  params: Record<string, Flat>;
  input: Flat;
  lengths: number[] | null;
  hx: Flat[];
  output: Flat;
  finals: Flat[];
  gradOutput: Flat;
  gradFinals: Flat[];
  gradInput: Flat;
  gradHx: Flat[];
  gradParams: Record<string, Flat>;
}

interface CellCase {
  name: string;
  kind: "LSTMCell" | "GRUCell" | "RNNCell";
  inputSize: number;
  hiddenSize: number;
  options: Options;
  params: Record<string, Flat>;
  input: Flat;
  hx: Flat[];
  results: Flat[];
  gradResults: Flat[];
  gradInput: Flat;
  gradHx: Flat[];
  gradParams: Record<string, Flat>;
}

interface StateDictCase { kind: string; inputSize: number; hiddenSize: number; options: Options; keys: [string, number[]][] }

const fixture = JSON.parse(readFileSync(new URL("../fixtures/recurrent/recurrent.json", import.meta.url), "utf8")) as {
  layers: LayerCase[];
  cells: CellCase[];
  stateDicts: StateDictCase[];
};

const t64 = (f: Flat, requiresGrad = false): tl.Tensor => tl.tensor(f.data, { shape: f.shape, dtype: "float64", requiresGrad });
const close = (actual: tl.Tensor | null, expected: Flat, message: string): void => {
  assert.ok(actual, `${message}: missing`);
  assertClose(actual, t64(expected), { atol: 1e-9, rtol: 1e-8, message });
};

type AnyRecurrent = tl.nn.RNN | tl.nn.LSTM | tl.nn.GRU;
type AnyCell = tl.nn.RNNCell | tl.nn.LSTMCell | tl.nn.GRUCell;

function makeLayer(kind: string, inputSize: number, hiddenSize: number, options: Options, dtype: "float32" | "float64" = "float64"): AnyRecurrent {
  const o = { ...options, dtype };
  if (kind === "LSTM") return new nn.LSTM(inputSize, hiddenSize, o);
  if (kind === "GRU") return new nn.GRU(inputSize, hiddenSize, o);
  return new nn.RNN(inputSize, hiddenSize, o as tl.nn.RNNOptions);
}

function makeCell(kind: string, inputSize: number, hiddenSize: number, options: Options, dtype: "float32" | "float64" = "float64"): AnyCell {
  const o = { ...options, dtype };
  if (kind === "LSTMCell") return new nn.LSTMCell(inputSize, hiddenSize, o);
  if (kind === "GRUCell") return new nn.GRUCell(inputSize, hiddenSize, o);
  return new nn.RNNCell(inputSize, hiddenSize, o as tl.nn.ElmanCellOptions);
}

/** Loads PyTorch's named parameters through loadStateDict (strict), which also checks names and shapes. */
function loadPyTorch(m: tl.nn.Module, params: Record<string, Flat>): void {
  m.loadStateDict(Object.fromEntries(Object.entries(params).map(([k, f]) => [k, t64(f)])));
}

fixture.layers.forEach((c, index) => {
  test(`${c.kind} matches PyTorch: ${c.name}`, () => {
    const m = makeLayer(c.kind, c.inputSize, c.hiddenSize, c.options);
    assert.deepEqual(m.namedParameters().map(([k]) => k), Object.keys(c.params), "parameter names and order");
    loadPyTorch(m, c.params);
    const x = t64(c.input, true);
    const hx = c.hx.map((f) => t64(f, true));
    // Lengths alternate between a plain array, an int32 tensor and a float tensor of whole numbers.
    const lengths = c.lengths === null ? undefined
      : index % 3 === 0 ? c.lengths : tl.tensor(c.lengths, { dtype: index % 3 === 1 ? "int32" : "float32" });
    let output: tl.Tensor;
    let finals: tl.Tensor[];
    if (m instanceof nn.LSTM) {
      const [out, [h, cN]] = m.call(x, hx.length === 2 ? [hx[0], hx[1]] : null, { lengths });
      output = out;
      finals = [h, cN];
    } else {
      const [out, h] = (m as tl.nn.GRU).call(x, hx[0] ?? null, { lengths });
      output = out;
      finals = [h];
    }
    close(output, c.output, "output");
    finals.forEach((f, i) => close(f, c.finals[i], `final state ${i}`));
    let loss = output.mul(t64(c.gradOutput)).sum();
    finals.forEach((f, i) => (loss = loss.add(f.mul(t64(c.gradFinals[i])).sum())));
    loss.backward();
    close(x.grad, c.gradInput, "gradient of the input");
    hx.forEach((h, i) => close(h.grad, c.gradHx[i], `gradient of initial state ${i}`));
    for (const [name, p] of m.namedParameters()) close(p.grad, c.gradParams[name], `gradient of ${name}`);
  });
});

for (const c of fixture.cells) {
  test(`${c.kind} matches PyTorch: ${c.name}`, () => {
    const m = makeCell(c.kind, c.inputSize, c.hiddenSize, c.options);
    assert.deepEqual(m.namedParameters().map(([k]) => k), Object.keys(c.params), "parameter names and order");
    loadPyTorch(m, c.params);
    const x = t64(c.input, true);
    const hx = c.hx.map((f) => t64(f, true));
    let results: tl.Tensor[];
    if (m instanceof nn.LSTMCell) results = m.call(x, hx.length === 2 ? [hx[0], hx[1]] : null);
    else results = [(m as tl.nn.GRUCell).call(x, hx[0] ?? null)];
    results.forEach((r, i) => close(r, c.results[i], `result ${i}`));
    results.map((r, i) => r.mul(t64(c.gradResults[i])).sum()).reduce((a, b) => a.add(b)).backward();
    close(x.grad, c.gradInput, "gradient of the input");
    hx.forEach((h, i) => close(h.grad, c.gradHx[i], `gradient of state ${i}`));
    for (const [name, p] of m.namedParameters()) close(p.grad, c.gradParams[name], `gradient of ${name}`);
  });
}

test("stateDict keys, order and shapes equal PyTorch's for layers and cells", () => {
  for (const c of fixture.stateDicts) {
    const m = c.kind.endsWith("Cell") ? makeCell(c.kind, c.inputSize, c.hiddenSize, c.options, "float32")
      : makeLayer(c.kind, c.inputSize, c.hiddenSize, c.options, "float32");
    const keys = Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]);
    assert.deepEqual(keys, c.keys, `${c.kind} ${JSON.stringify(c.options)}`);
  }
});

test("default initialization is U(±1/√hiddenSize) for every parameter, like PyTorch", () => {
  tl.manualSeed(7);
  const hidden = 64;
  const bound = 1 / Math.sqrt(hidden);
  for (const m of [new nn.LSTM(20, hidden, { numLayers: 2, bidirectional: true, projSize: 16 }), new nn.GRU(20, hidden), new nn.GRUCell(20, hidden)]) {
    for (const [name, p] of m.namedParameters()) {
      const v = Array.from(p.dataSync() as Float32Array);
      const max = Math.max(...v.map(Math.abs));
      assert.ok(max <= bound, `${name}: max |value| ${max} exceeds ${bound}`);
      assert.ok(max > 0.8 * bound, `${name}: max |value| ${max} is far inside ±${bound}: not U(±1/√H)`);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      assert.ok(Math.abs(mean) < 0.25 * bound, `${name}: mean ${mean} is far from 0`);
    }
  }
  const lstm = new nn.LSTM(3, 4);
  const before = Array.from(lstm.stateDict().weight_hh_l0.dataSync());
  lstm.resetParameters();
  assert.notDeepEqual(Array.from(lstm.stateDict().weight_hh_l0.dataSync()), before, "resetParameters draws new values");
  assert.deepEqual(lstm.allWeights.map((ws) => ws.map((w) => [...w.shape])), [[[16, 3], [16, 4], [16], [16]]], "allWeights");
});
