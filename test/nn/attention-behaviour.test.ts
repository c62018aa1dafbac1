/**
 * Attention and transformer layers beyond PyTorch's numbers (those are in attention.test.ts): mask
 * conventions, causal shortcuts, dropout, default initialization, errors, layer copies, memory, and a
 * short training run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, gradcheck } from "../harness.js";

const F = tl.nn.functional;
const randn64 = (shape: number[], requiresGrad = false): tl.Tensor => tl.randn(shape, { dtype: "float64", requiresGrad });
const throwsWith = (fn: () => unknown, ...parts: string[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof tl.TensileError, `expected a TensileError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" should include "${p}"`);
    return true;
  });
};

test("sdpa: a bool mask keeps the true pairs, like a float mask of 0 / -inf; isCausal is the lower triangle", () => {
  tl.manualSeed(1);
  const [q, k, v] = [randn64([2, 3, 4]), randn64([2, 5, 4]), randn64([2, 5, 2])];
  const keep = tl.tensor([[true, false, true, true, false], [true, true, false, false, false], [false, true, true, true, true]]);
  const additive = tl.where(keep, 0, -Infinity).to("float64");
  assertClose(F.scaledDotProductAttention(q, k, v, { attnMask: keep }), F.scaledDotProductAttention(q, k, v, { attnMask: additive }));
  const causal = tl.tril(tl.ones([3, 5], { dtype: "bool" }));
  assertClose(F.scaledDotProductAttention(q, k, v, { isCausal: true }), F.scaledDotProductAttention(q, k, v, { attnMask: causal }));
  // Query 0 under the causal mask sees key 0 only, so its output is v's first row.
  assertClose(F.scaledDotProductAttention(q, k, v, { isCausal: true }).select(1, 0), v.select(1, 0));
});

test("sdpa: gradients match central differences in float64 (float mask, explicit scale)", () => {
  tl.manualSeed(2);
  const mask = randn64([3, 4]);
  gradcheck((q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: mask, scale: 0.7 }),
    [randn64([2, 3, 2]), randn64([2, 4, 2]), randn64([2, 4, 3])], [0, 1, 2], { name: "scaledDotProductAttention" });
});

test("sdpa: a query whose keys are all masked gets NaN, like PyTorch's reference formula", () => {
  const q = randn64([2, 3]);
  const none = tl.tensor([[false, false], [true, true]]);
  const out = F.scaledDotProductAttention(q, q, q, { attnMask: none });
  assert.ok(out.select(0, 0).dataSync().every((x) => Number.isNaN(x)));
  assert.ok(out.select(0, 1).dataSync().every((x) => Number.isFinite(x)));
});

test("sdpa: dropoutP applies whenever > 0, repeatably under manualSeed; 1 drops everything", () => {
  const x = randn64([4, 6, 3]);
  const plain = F.scaledDotProductAttention(x, x, x);
  tl.manualSeed(7);
  const a = F.scaledDotProductAttention(x, x, x, { dropoutP: 0.5 });
  tl.manualSeed(7);
  const b = F.scaledDotProductAttention(x, x, x, { dropoutP: 0.5 });
  assertClose(a, b);
  assert.ok(a.sub(plain).abs().max().item() > 1e-3, "dropout changed nothing");
  assertClose(F.scaledDotProductAttention(x, x, x, { dropoutP: 1 }), tl.zeros([4, 6, 3], { dtype: "float64" }));
});

test("sdpa: clear errors for conflicting options, shapes and dtypes", () => {
  const q = randn64([2, 3, 4]);
  throwsWith(() => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: tl.ones([3, 3], { dtype: "bool" }) }),
    "[scaledDotProductAttention]", "isCausal");
  throwsWith(() => F.scaledDotProductAttention(q, randn64([2, 3, 5]), q), "[scaledDotProductAttention]", "last dims must match");
  throwsWith(() => F.scaledDotProductAttention(q, q, randn64([2, 4, 4])), "same length");
  throwsWith(() => F.scaledDotProductAttention(q, q, q, { attnMask: randn64([4, 3]) }), "attnMask of shape [4,3]", "[2,3,3]");
  throwsWith(() => F.scaledDotProductAttention(q, q, q, { attnMask: tl.ones([3, 3], { dtype: "int32" }) }), "attnMask must be a bool tensor or a float");
  throwsWith(() => F.scaledDotProductAttention(q, q, q, { dropoutP: 2 }), "dropoutP");
  throwsWith(() => F.scaledDotProductAttention(tl.ones([2, 3], { dtype: "int32" }), q, q), "query must be a floating-point tensor");
});

test("MultiheadAttention: PyTorch's default initialization and parameter layout", () => {
  tl.manualSeed(3);
  const mha = new tl.nn.MultiheadAttention(8, 2);
  const sd = mha.stateDict();
  assert.deepEqual(Object.keys(sd), ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
  assert.equal(sd.in_proj_weight.dtype, "float32");
  const xavier = Math.sqrt(6 / (8 + 24));
  const w = sd.in_proj_weight.abs();
  assert.ok(w.max().item() <= xavier && w.max().item() > xavier / 2, "in_proj_weight is not Xavier-uniform");
  assert.equal(sd.in_proj_bias.abs().max().item(), 0);
  assert.equal(sd["out_proj.bias"].abs().max().item(), 0);
  assert.ok(sd["out_proj.weight"].abs().max().item() <= 1 / Math.sqrt(8), "out_proj.weight keeps Linear's init");
  const separate = new tl.nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false });
  assert.deepEqual(Object.entries(separate.stateDict()).map(([k, t]) => [k, t.shape]),
    [["q_proj_weight", [8, 8]], ["k_proj_weight", [8, 3]], ["v_proj_weight", [8, 5]], ["out_proj.weight", [8, 8]]]);
  assert.equal(separate.in_proj_weight, null);
});

test("MultiheadAttention: isCausal without a mask equals the causal float mask", () => {
  tl.manualSeed(4);
  const mha = new tl.nn.MultiheadAttention(4, 2, { dtype: "float64", batchFirst: true });
  const x = randn64([2, 5, 4]);
  const [a, wa] = mha.call(x, x, x, { isCausal: true });
  const [b, wb] = mha.call(x, x, x, { attnMask: tl.nn.generateSquareSubsequentMask(5, { dtype: "float64" }) });
  assertClose(a, b);
  assertClose(wa as tl.Tensor, wb as tl.Tensor);
  assert.deepEqual(Array.from((wa as tl.Tensor).select(1, 0).select(1, 1).dataSync()), [0, 0], "query 0 attends to key 1");
});

test("MultiheadAttention: a float keyPaddingMask adds to every head's scores like an [N·H, L, S] mask", () => {
  tl.manualSeed(5);
  const mha = new tl.nn.MultiheadAttention(4, 2, { dtype: "float64" });
  const [q, kv] = [randn64([3, 2, 4]), randn64([5, 2, 4])];
  const kpm = randn64([2, 5]);
  const asMask = kpm.reshape([2, 1, 1, 5]).expand([2, 2, 3, 5]).reshape([4, 3, 5]);
  const [a, wa] = mha.call(q, kv, kv, { keyPaddingMask: kpm, averageAttnWeights: false });
  const [b, wb] = mha.call(q, kv, kv, { attnMask: asMask, averageAttnWeights: false });
  assertClose(a, b);
  assertClose(wa as tl.Tensor, wb as tl.Tensor);
  assert.deepEqual((wa as tl.Tensor).shape, [2, 2, 3, 5]);
});

test("MultiheadAttention: dropout acts on the weights in training only", () => {
  tl.manualSeed(6);
  const mha = new tl.nn.MultiheadAttention(4, 2, { dropout: 0.5, dtype: "float64" });
  const plain = new tl.nn.MultiheadAttention(4, 2, { dtype: "float64" });
  plain.loadStateDict(mha.stateDict());
  const x = randn64([6, 3, 4]);
  mha.eval();
  assertClose(mha.call(x, x, x)[0], plain.call(x, x, x)[0]);
  mha.train();
  const [, w] = mha.call(x, x, x, { averageAttnWeights: false });
  const rowSums = (w as tl.Tensor).sum({ dim: -1 }).dataSync();
  assert.ok(rowSums.some((s) => Math.abs(s - 1) > 1e-6), "training weights were not dropped out");
});

test("MultiheadAttention: unbatched inputs give unbatched outputs", () => {
  const mha = new tl.nn.MultiheadAttention(4, 2, { batchFirst: true });
  const [out, w] = mha.call(tl.randn([3, 4]), tl.randn([5, 4]), tl.randn([5, 4]), { averageAttnWeights: false });
  assert.deepEqual(out.shape, [3, 4]);
  assert.deepEqual((w as tl.Tensor).shape, [2, 3, 5]);
  assert.equal(mha.call(tl.randn([3, 4]), tl.randn([5, 4]), tl.randn([5, 4]), { needWeights: false })[1], null);
});

test("MultiheadAttention: clear errors for bad sizes, shapes and masks", () => {
  throwsWith(() => new tl.nn.MultiheadAttention(6, 4), "[MultiheadAttention]", "divisible");
  const mha = new tl.nn.MultiheadAttention(4, 2);
  const x = tl.randn([3, 2, 4]);
  throwsWith(() => mha.call(tl.randn([3, 2, 5]), x, x), "embedDim 4", "[3,2,5]");
  throwsWith(() => mha.call(x, tl.randn([3, 1, 4]), tl.randn([3, 1, 4])), "batch sizes must match");
  throwsWith(() => mha.call(x, x, tl.randn([4, 2, 4])), "same length");
  throwsWith(() => mha.call(x, x, x, { attnMask: tl.zeros([3, 4]) }), "attnMask must have shape [3,3] or [4,3,3]");
  throwsWith(() => mha.call(x, x, x, { keyPaddingMask: tl.zeros([3, 2], { dtype: "bool" }) }), "keyPaddingMask must have shape [2,3]");
  throwsWith(() => mha.call(x, x, x, { attnMask: tl.zeros([3, 3], { dtype: "int32" }) }), "bool tensor or a float tensor");
  throwsWith(() => mha.call(tl.randn([2, 2, 3, 4]), x, x), "3-D (batched) or 2-D");
});

test("MultiheadAttention: a forward and backward pass inside tidy leaves only the gradients", () => {
  const mha = new tl.nn.MultiheadAttention(4, 2);
  const x = tl.randn([3, 2, 4]);
  const kpm = tl.tensor([[false, false, true], [false, false, false]]);
  const before = tl.memory().numTensors;
  tl.tidy(() => {
    const [out] = mha.call(x, x, x, { keyPaddingMask: kpm, isCausal: true });
    out.sum().backward();
  });
  assert.ok(mha.parameters().every((p) => p.grad !== null));
  mha.zeroGrad();
  assert.equal(tl.memory().numTensors, before);
});

test("generateSquareSubsequentMask: 0 on and below the diagonal, -inf above", () => {
  assert.deepEqual(Array.from(tl.nn.generateSquareSubsequentMask(3).dataSync()), [0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
});

test("TransformerEncoder: layers are independent copies of the given layer, which is not a child", () => {
  tl.manualSeed(8);
  const layer = new tl.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 });
  layer.eval();
  const enc = new tl.nn.TransformerEncoder(layer, 3);
  assert.equal(enc.parameters().length, 3 * layer.parameters().length);
  assert.ok(Object.keys(enc.stateDict()).includes("layers.2.self_attn.out_proj.weight"));
  assert.ok(!enc.modules().includes(layer));
  const layers = [...enc.layers] as tl.nn.TransformerEncoderLayer[];
  assert.ok(layers.every((l) => !l.training), "training mode is copied");
  assert.notEqual(layers[0].linear1.weight, layers[1].linear1.weight);
  for (const l of layers) assertClose(l.linear1.weight, layer.linear1.weight, { atol: 0, rtol: 0 });
  tl.noGrad(() => layers[0].linear1.weight.add_(1));
  assertClose(layers[1].linear1.weight, layer.linear1.weight, { atol: 0, rtol: 0 });
});

test("Transformer layers: isCausal shortcuts, custom activation, bias false, dropout only in training", () => {
  tl.manualSeed(9);
  const opts = { dimFeedforward: 8, dtype: "float64" as const, batchFirst: true };
  const enc = new tl.nn.TransformerEncoder(new tl.nn.TransformerEncoderLayer(4, 2, opts), 2).eval();
  const src = randn64([2, 5, 4]);
  assertClose(enc.call(src, { isCausal: true }), enc.call(src, { mask: tl.nn.generateSquareSubsequentMask(5, { dtype: "float64" }) }));
  const dec = new tl.nn.TransformerDecoderLayer(4, 2, opts).eval();
  const mem = randn64([2, 6, 4]);
  assertClose(dec.call(src, mem, { tgtIsCausal: true }), dec.call(src, mem, { tgtMask: tl.nn.generateSquareSubsequentMask(5, { dtype: "float64" }) }));
  const custom = new tl.nn.TransformerEncoderLayer(4, 2, { ...opts, activation: (x) => tl.relu(x) }).eval();
  custom.loadStateDict(enc.layers.get(0).stateDict());
  assertClose(custom.call(src), (enc.layers.get(0) as tl.nn.TransformerEncoderLayer).call(src));
  const noBias = new tl.nn.TransformerDecoderLayer(4, 2, { ...opts, bias: false });
  assert.ok(Object.keys(noBias.stateDict()).every((k) => !k.endsWith("bias")), "bias false leaves no bias parameters");
  const layer = enc.layers.get(0) as tl.nn.TransformerEncoderLayer;
  const evalOut = layer.call(src);
  layer.train();
  assert.ok(layer.call(src).sub(evalOut).abs().max().item() > 1e-6, "dropout 0.1 changed nothing in training");
});

test("Transformer layers: clear errors for bad options", () => {
  throwsWith(() => new tl.nn.TransformerEncoderLayer(4, 2, { activation: "tanh" as "relu" }), "[TransformerEncoderLayer]", "activation");
  throwsWith(() => new tl.nn.TransformerDecoderLayer(6, 4), "[MultiheadAttention]", "divisible");
  throwsWith(() => new tl.nn.TransformerEncoder(new tl.nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 4 }), 0), "numLayers");
  throwsWith(() => new tl.nn.TransformerEncoderLayer(4, 2, { dropout: 1.5 }), "dropout");
});

test("TransformerEncoderLayer learns a task that needs attention (the sequence mean at every position)", () => {
  tl.manualSeed(10);
  const layer = new tl.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true });
  const head = new tl.nn.Linear(8, 1);
  const params = [...layer.parameters(), ...head.parameters()];
  const opt = new tl.optim.Adam(params, { lr: 0.01 });
  const x = tl.randn([16, 6, 8]);
  const target = x.select(2, 0).mean({ dim: 1, keepdim: true }).expand([16, 6]); // mean of feature 0 over the sequence
  const lossOf = (): tl.Tensor => F.mseLoss(head.call(layer.call(x)).squeeze(-1), target);
  const first = tl.tidy(() => lossOf().item());
  for (let step = 0; step < 150; step++) {
    tl.tidy(() => {
      opt.zeroGrad();
      lossOf().backward();
      opt.step();
    });
  }
  const last = tl.tidy(() => lossOf().item());
  assert.ok(last < first * 0.3, `loss went from ${first} to ${last}`);
});
