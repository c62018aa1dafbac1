/**
 * nn.LSTM's fused path (one lstmLayer op per layer-direction; taken without projSize and lengths)
 * against the per-step composition of lstmStep: values, gradients, double backward (createGraph
 * goes through the composed gradient of lstmLayer), native against js in float32, and no leaks.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { lstmStep } from "../../src/nn/layers/recurrent-cells.js";
import { assertClose, onBackend } from "../harness.js";

const nn = tl.nn;

/** A single-layer (optionally bidirectional) LSTM by its step function, time-major x [T, B, F]. */
function stepwise(lstm: tl.nn.LSTM, x: tl.Tensor, h0: tl.Tensor, c0: tl.Tensor): { out: tl.Tensor; hN: tl.Tensor; cN: tl.Tensor } {
  const p = lstm.allWeights;
  const T = x.shape[0];
  const outs: tl.Tensor[][] = [];
  const hN: tl.Tensor[] = [];
  const cN: tl.Tensor[] = [];
  p.forEach(([wIh, wHh, bIh, bHh], dir) => {
    let h = h0.select(0, dir);
    let c = c0.select(0, dir);
    const seq: tl.Tensor[] = new Array<tl.Tensor>(T);
    for (let k = 0; k < T; k++) {
      const t = dir === 1 ? T - 1 - k : k;
      [h, c] = lstmStep(tl.linear(x.select(0, t), wIh, bIh), h, c, wHh, bHh);
      seq[t] = h;
    }
    outs.push(seq);
    hN.push(h);
    cN.push(c);
  });
  const out = tl.stack(outs[0].map((h, t) => (outs.length === 1 ? h : tl.cat([h, outs[1][t]], 1))), 0);
  return { out, hN: tl.stack(hN, 0), cN: tl.stack(cN, 0) };
}

/** A scalar that weighs every output and final state (fixed random weights). */
function objective(out: tl.Tensor, hN: tl.Tensor, cN: tl.Tensor): tl.Tensor {
  tl.manualSeed(5);
  const r = [out, hN, cN].map((t) => tl.randn(t.shape, { dtype: t.dtype }));
  return out.mul(r[0]).sum().add(hN.mul(r[1]).sum()).add(cN.mul(r[2]).sum());
}

function setup(): { lstm: tl.nn.LSTM; x: tl.Tensor; h0: tl.Tensor; c0: tl.Tensor } {
  tl.manualSeed(21);
  const lstm = new nn.LSTM(3, 4, { bidirectional: true, dtype: "float64" });
  const x = tl.randn([5, 2, 3], { dtype: "float64" }).requiresGrad_();
  const h0 = tl.randn([2, 2, 4], { dtype: "float64" }).mul(0.5).requiresGrad_();
  const c0 = tl.randn([2, 2, 4], { dtype: "float64" }).mul(0.5).requiresGrad_();
  return { lstm, x, h0, c0 };
}

test("fused LSTM equals the per-step composition: outputs, final states and every gradient", () => {
  const { lstm, x, h0, c0 } = setup();
  const leaves = [x, h0, c0, ...lstm.parameters()];
  const [out, [hN, cN]] = lstm.call(x, [h0, c0]);
  const ref = stepwise(lstm, x, h0, c0);
  assertClose(out, ref.out, { atol: 1e-12, rtol: 1e-10, message: "output" });
  assertClose(hN, ref.hN, { atol: 1e-12, rtol: 1e-10, message: "hN" });
  assertClose(cN, ref.cN, { atol: 1e-12, rtol: 1e-10, message: "cN" });
  const fused = tl.autograd.grad(objective(out, hN, cN), leaves);
  const composed = tl.autograd.grad(objective(ref.out, ref.hN, ref.cN), leaves);
  fused.forEach((g, i) => assertClose(g as tl.Tensor, composed[i] as tl.Tensor, { atol: 1e-11, rtol: 1e-9, message: `gradient ${i}` }));
});

test("double backward through the fused LSTM (createGraph) equals double backward through the steps", () => {
  const { lstm, x, h0, c0 } = setup();
  const leaves = [x, h0, c0, ...lstm.parameters()];
  // A gradient penalty: Σ (∂L/∂θ)², differentiated again with respect to every leaf.
  const penaltyGrads = (out: tl.Tensor, hN: tl.Tensor, cN: tl.Tensor): (tl.Tensor | null)[] => {
    const first = tl.autograd.grad(objective(out, hN, cN), leaves, { createGraph: true });
    const penalty = first.reduce<tl.Tensor>((s, g) => s.add((g as tl.Tensor).square().sum()), tl.zeros([], { dtype: "float64" }));
    return tl.autograd.grad(penalty, leaves);
  };
  const [out, [hN, cN]] = lstm.call(x, [h0, c0]);
  const fused = penaltyGrads(out, hN, cN);
  const ref = stepwise(lstm, x, h0, c0);
  const composed = penaltyGrads(ref.out, ref.hN, ref.cN);
  fused.forEach((g, i) => assertClose(g as tl.Tensor, composed[i] as tl.Tensor, { atol: 1e-10, rtol: 1e-8, message: `second-order gradient ${i}` }));
});

test("fused LSTM in float32: the native backend agrees with js (2 layers, bidirectional, batchFirst, given states)", () => {
  const backends = tl.listBackends();
  assert.ok(backends.includes("js"));
  const run = (): tl.Tensor[] => {
    tl.manualSeed(31);
    const lstm = new nn.LSTM(5, 20, { numLayers: 2, bidirectional: true, batchFirst: true });
    const x = tl.randn([3, 7, 5]).requiresGrad_();
    const h0 = tl.randn([4, 3, 20]).mul(0.5).requiresGrad_();
    const c0 = tl.randn([4, 3, 20]).mul(0.5).requiresGrad_();
    const [out, [hN, cN]] = lstm.call(x, [h0, c0]);
    const leaves = [x, h0, c0, ...lstm.parameters()];
    const grads = tl.autograd.grad(objective(out, hN, cN), leaves) as tl.Tensor[];
    return [out, hN, cN, ...grads];
  };
  const active = tl.getBackend().name;
  const fast = run();
  tl.setBackend("js");
  let reference: tl.Tensor[];
  try {
    reference = run();
  } finally {
    tl.setBackend(active);
  }
  fast.forEach((t, i) => assertClose(t, onBackend(reference[i], active), { atol: 2e-5, rtol: 1e-4, message: `${active} vs js, result ${i}` }));
});

test("a training step through the fused LSTM releases every temporary tensor", () => {
  tl.manualSeed(17);
  const lstm = new nn.LSTM(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true });
  const head = new nn.Linear(12, 3);
  const opt = new tl.optim.SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.1 });
  const x = tl.randn([3, 5, 4]);
  const step = (): void => tl.tidy(() => {
    opt.zeroGrad();
    const [out, [hN, cN]] = lstm.call(x);
    head.call(out.select(1, 4)).square().mean().add(hN.sum()).add(cN.sum()).backward();
    opt.step();
  });
  step();
  const before = tl.memory();
  step();
  assert.equal(tl.memory().numTensors, before.numTensors);
  assert.equal(tl.memory().numBytes, before.numBytes);
});

test("lstmLayer steps of 16M multiply-adds split across threads and still agree with js (forward and BPTT)", () => {
  const active = tl.getBackend().name;
  const before = tl.getNumThreads();
  tl.setNumThreads(2); // steps this large (B·4H·H = 64·1024·256) are split by hidden unit across the pool
  try {
    const run = (): tl.Tensor[] => {
      tl.manualSeed(41);
      const [T, B, H] = [3, 64, 256];
      const x = tl.randn([T, B, 4 * H]);
      const h0 = tl.randn([B, H]).mul(0.5);
      const c0 = tl.randn([B, H]).mul(0.5);
      const w = tl.randn([4 * H, H]).mul(0.05);
      const bias = tl.randn([4 * H]).mul(0.1);
      const ws = tl.lstmSequence(x, h0, c0, w, { bias });
      const g = tl.randn([T + 1, B, H]);
      return [ws, tl.lstmSequenceBackward(g, ws, h0, c0, w)];
    };
    const fast = run();
    // Every row holds h = o ⊙ tanh(c) (on js this is the only check: js is the reference below).
    const H = 256;
    const slot = (s: number): tl.Tensor => fast[0].narrow(2, s * H, H);
    assertClose(slot(0), slot(5).mul(tl.tanh(slot(1))), { atol: 1e-6, rtol: 1e-5, message: "h = o·tanh(c)" });
    tl.setBackend("js");
    let reference: tl.Tensor[];
    try {
      reference = run();
    } finally {
      tl.setBackend(active);
    }
    fast.forEach((t, i) => assertClose(t, onBackend(reference[i], active), { atol: 1e-4, rtol: 1e-3, message: `result ${i}` }));
  } finally {
    tl.setNumThreads(before);
  }
});
