/**
 * Shared driver of the layer tests against PyTorch fixtures (tools/fixtures/layers.py): builds the
 * Tensile layer, checks its state-dict keys and shapes equal PyTorch's, loads PyTorch's state under
 * PyTorch's keys, then replays each recorded step (train or eval) comparing the output, the input
 * gradient, every parameter's gradient and every buffer afterwards.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";

/** A tensor as the fixture stores it. */
export interface Encoded {
  shape: number[];
  dtype: "float64" | "int32";
  data: number[];
}

/** One forward/backward of a layer in the given mode. */
export interface Step {
  mode: "train" | "eval";
  input: Encoded;
  output: Encoded;
  gradOutput: Encoded;
  gradInput?: Encoded;
  grads: Record<string, Encoded>;
  buffers: Record<string, Encoded>;
}

/** One layer configuration and what PyTorch did with it. */
export interface LayerCase {
  name: string;
  layer: string;
  args: unknown[];
  options: Record<string, unknown>;
  /** PyTorch's default state_dict: [key, shape] in order. */
  keys: [string, number[]][];
  state: Record<string, Encoded>;
  steps: Step[];
}

/** Statistics of one tensor of a default-initialized PyTorch layer. */
export interface Stats {
  mean: number;
  std: number;
  min: number;
  max: number;
  numel: number;
}

/** A default-initialized PyTorch layer's tensors, summarized. */
export interface InitCase {
  layer: string;
  args: unknown[];
  options: Record<string, unknown>;
  tensors: Record<string, Stats>;
}

/** Builds a Tensile layer from a fixture's arguments and camelCase options. */
export type Factory = (args: unknown[], options: Record<string, unknown>) => tl.nn.Module;

/** Reads test/fixtures/layers/<name>.json. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/layers/${name}.json`, import.meta.url), "utf8")) as T;
}

export function decode(e: Encoded, requiresGrad = false): tl.Tensor {
  return tl.tensor(e.data, { shape: e.shape, dtype: e.dtype, requiresGrad: requiresGrad && e.dtype === "float64" });
}

function expectEncoded(actual: tl.Tensor | null | undefined, expected: Encoded, message: string): void {
  assert.ok(actual, `${message}: missing`);
  assert.equal(actual.dtype === "int32" ? "int32" : "float64", expected.dtype, `${message}: dtype`);
  assertClose(actual, decode(expected), { atol: 1e-9, rtol: 1e-7, message });
}

/** The module's state dict as [key, shape] pairs, in order. */
export function keysAndShapes(m: tl.nn.Module): [string, number[]][] {
  return Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]);
}

/** Runs one fixture case (see the file comment). */
export function runLayerCase(c: LayerCase, make: Factory): void {
  // The default (float32) layer has PyTorch's keys and shapes, floats in float32 and counters in int32.
  const fresh = make(c.args, c.options);
  assert.deepEqual(keysAndShapes(fresh), c.keys, "stateDict keys and shapes equal PyTorch's");
  for (const [k, v] of Object.entries(fresh.stateDict())) {
    assert.equal(v.dtype, k.endsWith("num_batches_tracked") ? "int32" : "float32", `${k} dtype`);
  }

  const m = make(c.args, { ...c.options, dtype: "float64" });
  const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)]));
  const loaded = m.loadStateDict(state);
  assert.deepEqual(loaded, { missingKeys: [], unexpectedKeys: [] });
  const params = new Map(m.namedParameters());
  const buffers = new Map(m.namedBuffers());
  c.steps.forEach((s, i) => {
    const at = `step ${i} (${s.mode})`;
    m.train(s.mode === "train");
    m.zeroGrad();
    const x = decode(s.input, s.gradInput !== undefined);
    const y = (m as unknown as { call(x: tl.Tensor): tl.Tensor }).call(x);
    expectEncoded(y, s.output, `${at} output`);
    y.mul(decode(s.gradOutput)).sum().backward();
    if (s.gradInput !== undefined) expectEncoded(x.grad, s.gradInput, `${at} input gradient`);
    assert.deepEqual([...params.keys()].sort(), Object.keys(s.grads).sort(), `${at}: parameters with gradients`);
    for (const [k, g] of Object.entries(s.grads)) expectEncoded(params.get(k)?.grad, g, `${at} gradient of ${k}`);
    assert.deepEqual([...buffers.keys()].sort(), Object.keys(s.buffers).sort(), `${at}: buffers`);
    for (const [k, b] of Object.entries(s.buffers)) expectEncoded(m.namedBuffers().find(([n]) => n === k)?.[1], b, `${at} buffer ${k}`);
  });
}

/** Summary statistics of a tensor (population of its values, sample std like torch.std). */
export function stats(t: tl.Tensor): Stats {
  const v = t.dataSync();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    sum += v[i];
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / (v.length - 1)), min, max, numel: v.length };
}

/** Asserts `actual` has PyTorch's spread: std within `rel`, mean within `rel`·std, same element count. */
export function assertSameSpread(actual: Stats, torch: Stats, rel: number, message: string): void {
  assert.equal(actual.numel, torch.numel, `${message}: numel`);
  assert.ok(Math.abs(actual.std - torch.std) <= rel * torch.std, `${message}: std ${actual.std} vs PyTorch's ${torch.std}`);
  assert.ok(Math.abs(actual.mean - torch.mean) <= rel * torch.std, `${message}: mean ${actual.mean} vs PyTorch's ${torch.mean}`);
}
