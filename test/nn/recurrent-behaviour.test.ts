/**
 * Recurrent layers beyond the PyTorch fixtures: float64 gradient checks of the step functions and of a
 * masked bidirectional LSTM, what `lengths` means (padding never changes a result), unbatched input,
 * dropout between layers, argument errors and leak-free training steps.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { gruStep, lstmStep, rnnStep } from "../../src/nn/layers/recurrent-cells.js";
import { assertClose, gradcheck } from "../harness.js";

const nn = tl.nn;
const f64 = (shape: number[], scale = 1): tl.Tensor => tl.randn(shape, { dtype: "float64" }).mul(scale);

const throwsWith = (fn: () => unknown, ...parts: string[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof tl.TensileError, `expected a TensileError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" should include "${p}"`);
    return true;
  });
};

test("lstmStep, gruStep and rnnStep pass float64 gradient checks for every argument", () => {
  tl.manualSeed(11);
  const [b, h] = [2, 3];
  gradcheck((xp, hh, c, w, bias) => tl.cat(lstmStep(xp, hh, c, w, bias), 1),
    [f64([b, 4 * h]), f64([b, h]), f64([b, h]), f64([4 * h, h], 0.5), f64([4 * h])], [0, 1, 2, 3, 4], { name: "lstmStep" });
  gradcheck((xp, hh, w, bias) => gruStep(xp, hh, w, bias),
    [f64([b, 3 * h]), f64([b, h]), f64([3 * h, h], 0.5), f64([3 * h])], [0, 1, 2, 3], { name: "gruStep" });
  gradcheck((xp, hh, w, bias) => rnnStep(xp, hh, w, bias, "tanh"),
    [f64([b, h]), f64([b, h]), f64([h, h], 0.5), f64([h])], [0, 1, 2, 3], { name: "rnnStep" });
});

test("a masked bidirectional 2-layer LSTM passes a float64 gradient check wrt input and initial states", () => {
  tl.manualSeed(12);
  const lstm = new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true, dtype: "float64" });
  const fn = (x: tl.Tensor, h0: tl.Tensor, c0: tl.Tensor): tl.Tensor => {
    const [out, [hN, cN]] = lstm.call(x, [h0, c0], { lengths: [3, 1] });
    return tl.cat([out.reshape([-1]), hN.reshape([-1]), cN.reshape([-1])]);
  };
  gradcheck(fn, [f64([3, 2, 2]), f64([4, 2, 2]), f64([4, 2, 2])], [0, 1, 2], { name: "LSTM" });
});

test("lengths: padding never changes a sequence's outputs or final state, and padded outputs are zero", () => {
  tl.manualSeed(13);
  for (const make of [() => new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: "float64" }),
    () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true, projSize: 2, dtype: "float64" })]) {
    const m = make();
    const x = f64([2, 6, 3]);
    const run = (input: tl.Tensor, lengths?: number[]): [tl.Tensor, tl.Tensor] => {
      const [out, state] = (m as tl.nn.GRU).call(input, null, { lengths }) as [tl.Tensor, tl.Tensor | tl.Tensor[]];
      return [out, Array.isArray(state) ? state[0] : state];
    };
    const [out, hN] = run(x, [4, 6]);
    // Sequence 0 alone, cut to its 4 steps: the same outputs and final state.
    const [alone, hAlone] = run(x.narrow(0, 0, 1).narrow(1, 0, 4));
    assertClose(out.narrow(0, 0, 1).narrow(1, 0, 4), alone, { atol: 1e-12, message: "outputs of the shorter sequence" });
    assertClose(hN.narrow(1, 0, 1), hAlone, { atol: 1e-12, message: "final state of the shorter sequence" });
    assertClose(out.narrow(0, 0, 1).narrow(1, 4, 2), tl.zeros([1, 2, out.shape[2]]), { message: "padded outputs" });
    // Sequence 1 is full length: the same as running it without lengths.
    const [full, hFull] = run(x.narrow(0, 1, 1));
    assertClose(out.narrow(0, 1, 1), full, { atol: 1e-12, message: "full-length sequence" });
    assertClose(hN.narrow(1, 1, 1), hFull, { atol: 1e-12 });
    // Garbage in the padding changes nothing.
    const noisy = tl.cat([tl.cat([x.narrow(0, 0, 1).narrow(1, 0, 4), f64([1, 2, 3], 100)], 1), x.narrow(0, 1, 1)], 0);
    const [out2, h2] = run(noisy, [4, 6]);
    assertClose(out2, out, { atol: 1e-12 });
    assertClose(h2, hN, { atol: 1e-12 });
  }
});

test("lengths equal to T match no lengths; a zero length keeps the initial state and outputs zeros", () => {
  tl.manualSeed(14);
  const rnn = new nn.RNN(2, 3, { bidirectional: true, dtype: "float64" });
  const x = f64([4, 2, 2]);
  const h0 = f64([2, 2, 3]);
  const [a, ha] = rnn.call(x, h0);
  const [b, hb] = rnn.call(x, h0, { lengths: tl.tensor([4, 4], { dtype: "int32" }) });
  assertClose(b, a, { atol: 0, rtol: 0 });
  assertClose(hb, ha, { atol: 0, rtol: 0 });
  const [c, hc] = rnn.call(x, h0, { lengths: [0, 4] });
  assertClose(c.select(1, 0), tl.zeros([4, 6], { dtype: "float64" }), { atol: 0, rtol: 0 });
  assertClose(hc.select(1, 0), h0.select(1, 0), { atol: 0, rtol: 0, message: "state of an empty sequence" });
  assertClose(hc.select(1, 1), ha.select(1, 1), { atol: 0, rtol: 0 });
});

test("unbatched input [T, F] equals a batch of one, for layers and cells", () => {
  tl.manualSeed(15);
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true, dtype: "float64" });
  const x = f64([5, 3]);
  const [out, [h, c]] = lstm.call(x, [f64([2, 4]).mul(0), f64([2, 4]).mul(0)]);
  const [outB, [hB, cB]] = lstm.call(x.unsqueeze(0));
  assert.deepEqual(out.shape, [5, 4]);
  assert.deepEqual(h.shape, [2, 4]);
  assertClose(out, outB.squeeze(0), { atol: 1e-12 });
  assertClose(h, hB.squeeze(1), { atol: 1e-12 });
  assertClose(c, cB.squeeze(1), { atol: 1e-12 });
  const cell = new nn.GRUCell(3, 4, { dtype: "float64" });
  const h1 = f64([4]);
  assertClose(cell.call(x.select(0, 0), h1), cell.call(x.narrow(0, 0, 1), h1.unsqueeze(0)).squeeze(0), { atol: 1e-12 });
  assert.deepEqual(cell.call(x.select(0, 0)).shape, [4]);
});

test("dropout acts between layers while training only", () => {
  tl.manualSeed(16);
  const m = new nn.GRU(3, 8, { numLayers: 2, dropout: 0.5 });
  const plain = new nn.GRU(3, 8, { numLayers: 2 });
  plain.loadStateDict(m.stateDict());
  const x = tl.randn([6, 2, 3]);
  const [trainOut] = m.call(x);
  const [plainOut] = plain.call(x);
  assert.ok(trainOut.sub(plainOut).abs().max().item() > 1e-3, "training output should differ with dropout");
  m.eval();
  assertClose(m.call(x)[0], plainOut, { atol: 0, rtol: 0, message: "eval mode: no dropout" });
  const single = new nn.GRU(3, 8, { dropout: 0.5 });
  const singlePlain = new nn.GRU(3, 8);
  singlePlain.loadStateDict(single.stateDict());
  assertClose(single.call(x)[0], singlePlain.call(x)[0], { atol: 0, rtol: 0, message: "one layer: nothing between layers to drop" });
});

test("a training step through an LSTM releases every temporary tensor", () => {
  tl.manualSeed(17);
  const lstm = new nn.LSTM(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true });
  const head = new nn.Linear(12, 3);
  const opt = new tl.optim.SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.1 });
  const x = tl.randn([3, 5, 4]);
  const step = (): void => tl.tidy(() => {
    opt.zeroGrad();
    const [out] = lstm.call(x, null, { lengths: [5, 2, 3] });
    head.call(out.select(1, 0)).square().mean().backward();
    opt.step();
  });
  step();
  const before = tl.memory();
  step();
  assert.equal(tl.memory().numTensors, before.numTensors);
  assert.equal(tl.memory().numBytes, before.numBytes);
});

test("recurrent layers and cells reject bad arguments with clear errors", () => {
  throwsWith(() => new nn.LSTM(3, 0), "[LSTM]", "hiddenSize");
  throwsWith(() => new nn.LSTM(3, 4, { projSize: 4 }), "[LSTM]", "projSize");
  throwsWith(() => new nn.GRU(3, 4, { dropout: 1.5 }), "[GRU]", "dropout");
  throwsWith(() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" as "tanh" }), "[RNN]", "nonlinearity");
  throwsWith(() => new nn.RNNCell(3, 4, { nonlinearity: "gelu" as "relu" }), "[RNNCell]", "nonlinearity");
  const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
  const x = tl.randn([5, 2, 3]);
  throwsWith(() => lstm.call(tl.randn([5, 2, 7])), "[LSTM]", "inputSize 3");
  throwsWith(() => lstm.call(tl.randn([5, 2, 3, 1])), "[LSTM]", "3-D");
  throwsWith(() => lstm.call(x.to("float64")), "[LSTM]", "dtype");
  throwsWith(() => lstm.call(x, [tl.zeros([1, 2, 4]), tl.zeros([2, 2, 4])]), "[LSTM]", "h0", "[1,2,4]", "[2,2,4]");
  throwsWith(() => lstm.call(x, [tl.zeros([2, 2, 4]), tl.zeros([2, 3, 4])]), "[LSTM]", "c0");
  throwsWith(() => lstm.call(x, null, { lengths: [5] }), "[LSTM]", "lengths has 1 entries", "2 sequences");
  throwsWith(() => lstm.call(x, null, { lengths: [6, 2] }), "[LSTM]", "lengths[0]", "0..5");
  throwsWith(() => lstm.call(x, null, { lengths: tl.tensor([2.5, 1]) }), "[LSTM]", "lengths[0]", "whole number");
  throwsWith(() => lstm.call(x, null, { lengths: [-1, 1] }), "[LSTM]", "lengths[0]");
  throwsWith(() => new nn.GRU(3, 4).call(x, tl.zeros([1, 2, 5])), "[GRU]", "hx");
  throwsWith(() => new nn.LSTMCell(3, 4).call(tl.randn([2, 3]), [tl.zeros([2, 4]), tl.zeros([3, 4])]), "[LSTMCell]", "c");
  throwsWith(() => new nn.GRUCell(3, 4).call(tl.randn([2, 5])), "[GRUCell]", "inputSize 3");
});

test("toString and allWeights describe the layer like PyTorch", () => {
  const lstm = new nn.LSTM(10, 20, { numLayers: 2, bidirectional: true, batchFirst: true, projSize: 5 });
  assert.equal(lstm.toString(), "LSTM(10, 20, projSize=5, numLayers=2, batchFirst=true, bidirectional=true)");
  assert.equal(new nn.RNN(3, 4, { nonlinearity: "relu" }).toString(), "RNN(3, 4, nonlinearity=relu)");
  assert.equal(new nn.GRUCell(3, 4).toString(), "GRUCell(3, 4, bias=true)");
  assert.equal(lstm.allWeights.length, 4);
  assert.deepEqual(lstm.allWeights[3].map((w) => [...w.shape]), [[80, 10], [80, 5], [80], [80], [5, 20]]);
});
