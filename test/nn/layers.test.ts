/**
 * tl.nn layers: Linear and Bilinear against PyTorch (forward and gradients), the shape layers,
 * dropout, activations, containers and loss modules.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, gradcheck } from "../harness.js";

const nn = tl.nn;
const F = tl.nn.functional;

interface Flat { shape: number[]; data: number[] }
const fixture = JSON.parse(readFileSync(new URL("../fixtures/nn/layers.json", import.meta.url), "utf8")) as Record<string, Record<string, Flat>>;
const t64 = (f: Flat, requiresGrad = false): tl.Tensor => tl.tensor(f.data, { shape: f.shape, dtype: "float64", requiresGrad });
const expectFlat = (actual: tl.Tensor | null, f: Flat, message: string): void => {
  assert.ok(actual, `${message}: missing`);
  assertClose(actual, t64(f), { atol: 1e-9, rtol: 1e-9, message });
};

const throwsWith = (fn: () => unknown, ...parts: string[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof tl.TensileError, `expected a TensileError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" should include "${p}"`);
    return true;
  });
};

test("Linear matches PyTorch: forward on [2, 5, 4] input and gradients of x, weight, bias", () => {
  const f = fixture.linear;
  const lin = new nn.Linear(4, 3, { dtype: "float64" });
  tl.noGrad(() => {
    lin.weight.copy_(t64(f.weight));
    lin.bias?.copy_(t64(f.bias));
  });
  const x = t64(f.x, true);
  const y = lin.call(x);
  expectFlat(y, f.y, "y");
  y.mul(t64(f.gy)).sum().backward();
  expectFlat(x.grad, f.gx, "dx");
  expectFlat(lin.weight.grad, f.gWeight, "dweight");
  expectFlat(lin.bias?.grad ?? null, f.gBias, "dbias");
});

test("Bilinear matches PyTorch: forward on [2, 3, ·] inputs and gradients of both inputs, weight, bias", () => {
  const f = fixture.bilinear;
  const bil = new nn.Bilinear(3, 2, 4, { dtype: "float64" });
  tl.noGrad(() => {
    bil.weight.copy_(t64(f.weight));
    bil.bias?.copy_(t64(f.bias));
  });
  const x1 = t64(f.x1, true);
  const x2 = t64(f.x2, true);
  const y = bil.call(x1, x2);
  expectFlat(y, f.y, "y");
  y.mul(t64(f.gy)).sum().backward();
  expectFlat(x1.grad, f.gx1, "dx1");
  expectFlat(x2.grad, f.gx2, "dx2");
  expectFlat(bil.weight.grad, f.gWeight, "dweight");
  expectFlat(bil.bias?.grad ?? null, f.gBias, "dbias");
});

test("Bilinear's input gradients pass a float64 finite-difference check, with leading dims", () => {
  const bil = new nn.Bilinear(2, 3, 2, { dtype: "float64" });
  const x1 = tl.randn([2, 2, 2], { dtype: "float64" });
  const x2 = tl.randn([2, 2, 3], { dtype: "float64" });
  gradcheck((a, b) => bil.forward(a, b), [x1, x2], [0, 1], { name: "Bilinear" });
});

test("Linear: no bias, shapes, errors and repr", () => {
  const lin = new nn.Linear(5, 2, { bias: false });
  assert.equal(lin.bias, null);
  assert.deepEqual(lin.namedParameters().map(([n]) => n), ["weight"]);
  assert.deepEqual(lin.weight.shape, [2, 5]);
  assert.deepEqual(lin.call(tl.zeros([5])).shape, [2]);
  assert.deepEqual(lin.call(tl.zeros([3, 4, 5])).shape, [3, 4, 2]);
  assertClose(lin.call(tl.zeros([1, 5])), [[0, 0]]);
  throwsWith(() => lin.call(tl.zeros([3, 4])), "[linear]", "[3,4]");
  throwsWith(() => new nn.Linear(2.5, 1), "[Linear]", "inFeatures");
  assert.equal(String(lin), "Linear(inFeatures=5, outFeatures=2, bias=false)");
  const empty = new nn.Linear(0, 3);
  assertClose(empty.call(tl.zeros([2, 0])), empty.bias?.unsqueeze(0).expand([2, 3]) as tl.Tensor);
  throwsWith(() => new nn.Bilinear(2, 3, 1).call(tl.zeros([4, 2]), tl.zeros([5, 3])), "[Bilinear]", "must match");
  throwsWith(() => new nn.Bilinear(2, 3, 1).call(tl.zeros([4, 3]), tl.zeros([4, 3])), "[Bilinear]", "last dims");
});

test("resetParameters redraws weights from the seeded generator", () => {
  tl.manualSeed(5);
  const a = new nn.Linear(3, 2);
  const first = Array.from(a.weight.dataSync());
  a.resetParameters();
  assert.notDeepEqual(Array.from(a.weight.dataSync()), first);
  tl.manualSeed(5);
  assert.deepEqual(Array.from(new nn.Linear(3, 2).weight.dataSync()), first);
});

test("Identity, Flatten and Unflatten", () => {
  const x = tl.randn([2, 3, 4, 5]);
  assert.equal(new nn.Identity(54, "ignored").call(x), x);
  assert.deepEqual(new nn.Flatten().call(x).shape, [2, 60]);
  assert.deepEqual(new nn.Flatten(0, 2).call(x).shape, [24, 5]);
  assert.deepEqual(new nn.Flatten(-3, -2).call(x).shape, [2, 12, 5]);
  assert.deepEqual(new nn.Unflatten(1, [3, -1]).call(tl.zeros([2, 12])).shape, [2, 3, 4]);
  assertClose(new nn.Unflatten(1, [3, 4, 5]).call(new nn.Flatten().call(x)), x, { atol: 0, rtol: 0 });
  throwsWith(() => new nn.Unflatten(1, [5, 5]).call(tl.zeros([2, 12])));
});

test("Dropout drops and rescales in training mode and is the identity in eval mode", () => {
  tl.manualSeed(3);
  const drop = new nn.Dropout(0.25);
  const x = tl.ones([4000]);
  const y = Array.from(drop.call(x).dataSync());
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 4000 - 0.25) < 0.03, `dropped ${zeros / 4000}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  drop.eval();
  assertClose(drop.call(x), x, { atol: 0, rtol: 0 });
  throwsWith(() => new nn.Dropout(1.5), "[Dropout]", "1.5");
});

test("activation modules equal their functional forms", () => {
  const x = tl.tensor([[-3, -0.5, 0, 0.7, 25]], { dtype: "float64" });
  const cases: [tl.nn.Module, tl.Tensor][] = [
    [new nn.ReLU(), F.relu(x)],
    [new nn.LeakyReLU(0.2), F.leakyRelu(x, 0.2)],
    [new nn.ELU(0.5), F.elu(x, 0.5)],
    [new nn.GELU(), F.gelu(x)],
    [new nn.GELU({ approximate: "tanh" }), F.gelu(x, { approximate: "tanh" })],
    [new nn.SiLU(), F.silu(x)],
    [new nn.Sigmoid(), F.sigmoid(x)],
    [new nn.Tanh(), F.tanh(x)],
    [new nn.Softplus({ beta: 2, threshold: 10 }), F.softplus(x, { beta: 2, threshold: 10 })],
    [new nn.Softmax(1), F.softmax(x, 1)],
    [new nn.Softmax(), F.softmax(x, -1)],
    [new nn.LogSoftmax(1), F.logSoftmax(x, 1)],
  ];
  for (const [m, expected] of cases) assertClose((m as tl.nn.ReLU).call(x), expected, { message: m.constructor.name });
  assertClose(new nn.LeakyReLU().call(tl.tensor([-100])), [-1]);
  assertClose(new nn.Softmax(1).call(tl.tensor([[0, Math.log(3)]])), [[0.25, 0.75]]);
  assert.equal(String(new nn.LeakyReLU(0.2)), "LeakyReLU(negativeSlope=0.2)");
  throwsWith(() => new nn.GELU({ approximate: "fast" as "tanh" }), "[GELU]", "approximate");
});

test("Sequential: numbered children, indexing, iteration, append and named construction", () => {
  const a = new nn.Linear(4, 3);
  const r = new nn.ReLU();
  const b = new nn.Linear(3, 2);
  const seq = new nn.Sequential(a, r, b);
  assert.equal(seq.length, 3);
  assert.equal(seq.get(0), a);
  assert.equal(seq.get(-1), b);
  assert.deepEqual([...seq], [a, r, b]);
  assert.deepEqual(seq.namedParameters().map(([n]) => n), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  const x = tl.randn([5, 4]);
  assertClose(seq.call(x), b.call(r.call(a.call(x))));
  throwsWith(() => seq.get(3), "[Sequential.get]", "out of range");
  seq.append(new nn.Sigmoid());
  assert.equal(seq.length, 4);
  assert.deepEqual(seq.namedChildren().map(([n]) => n), ["0", "1", "2", "3"]);
  const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
  assert.deepEqual(named.namedModules().map(([n]) => n), ["", "fc", "act"]);
  assert.equal(named.get(1).constructor.name, "Tanh");
  throwsWith(() => new nn.Sequential(a, 3 as unknown as tl.nn.Module), "[Sequential]", "argument 1");
});

test("ModuleList: registered children without a forward", () => {
  class Stack extends nn.Module {
    blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    forward(x: tl.Tensor): tl.Tensor {
      for (const m of this.blocks) x = (m as tl.nn.Linear).call(x);
      return x;
    }
  }
  const s = new Stack();
  s.blocks.append(new nn.Linear(2, 1));
  assert.equal(s.blocks.length, 3);
  assert.deepEqual(s.namedParameters().map(([n]) => n), ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
    "blocks.2.weight", "blocks.2.bias"]);
  assert.deepEqual(s.call(tl.zeros([3, 2])).shape, [3, 1]);
  const replacement = new nn.Linear(2, 2, { bias: false });
  s.blocks.set(-2, replacement);
  assert.equal(s.blocks.get(1), replacement);
  assert.ok(!("blocks.1.bias" in s.stateDict()));
  throwsWith(() => s.blocks.forward(), "[ModuleList]", "no forward");
});

test("ModuleDict: Map-like access with keys as name prefixes", () => {
  const heads = new nn.ModuleDict({ cls: new nn.Linear(4, 10), box: new nn.Linear(4, 4) });
  assert.deepEqual(heads.keys(), ["cls", "box"]);
  assert.equal(heads.size, 2);
  assert.ok(heads.has("box") && !heads.has("mask"));
  assert.equal(heads.get("mask"), undefined);
  heads.set("mask", new nn.Linear(4, 1));
  assert.deepEqual(heads.namedParameters().map(([n]) => n).filter((n) => n.endsWith("weight")), ["cls.weight", "box.weight", "mask.weight"]);
  assert.ok(heads.delete("box"));
  assert.ok(!heads.delete("box"));
  assert.deepEqual([...heads].map(([k]) => k), ["cls", "mask"]);
  assert.deepEqual(heads.values().length, 2);
  throwsWith(() => heads.set("keys", new nn.ReLU()), "already exists");
});

test("loss modules equal the functional losses and keep class weights as buffers", () => {
  const logits = tl.tensor([[1, 2, 0.5], [0.1, -1, 3]], { dtype: "float64" });
  const labels = tl.tensor([1, 2]);
  const w = tl.tensor([1, 2, 0.5], { dtype: "float64" });
  const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
  assertClose(ce.call(logits, labels), F.crossEntropy(logits, labels, { weight: w, labelSmoothing: 0.1 }));
  assert.deepEqual(Object.keys(ce.stateDict()), ["weight"]);
  assert.deepEqual(Object.keys(new nn.CrossEntropyLoss().stateDict()), []);
  const logp = F.logSoftmax(logits, 1);
  assertClose(new nn.NLLLoss({ reduction: "sum", ignoreIndex: 2 }).call(logp, labels), F.nllLoss(logp, labels, { reduction: "sum", ignoreIndex: 2 }));
  const p = tl.tensor([0.2, 0.9, 0.5], { dtype: "float64" });
  const y = tl.tensor([0, 1, 1], { dtype: "float64" });
  assertClose(new nn.MSELoss().call(p, y), F.mseLoss(p, y));
  assertClose(new nn.L1Loss({ reduction: "none" }).call(p, y), [0.2, 0.1, 0.5]);
  assertClose(new nn.SmoothL1Loss({ beta: 0.3 }).call(p, y), F.smoothL1Loss(p, y, { beta: 0.3 }));
  assertClose(new nn.HuberLoss({ delta: 0.3 }).call(p, y), F.huberLoss(p, y, { delta: 0.3 }));
  assertClose(new nn.BCELoss({ weight: w }).call(p, y), F.binaryCrossEntropy(p, y, { weight: w }));
  const pw = tl.tensor([2], { dtype: "float64" });
  const bce = new nn.BCEWithLogitsLoss({ posWeight: pw });
  assertClose(bce.call(logits.select(0, 0), y), F.binaryCrossEntropyWithLogits(logits.select(0, 0), y, { posWeight: pw }));
  assert.deepEqual(Object.keys(bce.stateDict()), ["posWeight"]);
  const q = F.softmax(logits, 1);
  assertClose(new nn.KLDivLoss({ reduction: "batchmean" }).call(logp, q), F.klDiv(logp, q, { reduction: "batchmean" }));
  assertClose(new nn.KLDivLoss({ logTarget: true }).call(logp, logp), 0, { atol: 1e-12 });
  throwsWith(() => new nn.MSELoss({ reduction: "avg" as "mean" }), "[MSELoss]", "reduction");
  throwsWith(() => new nn.KLDivLoss({ reduction: "avg" as "mean" }), "[KLDivLoss]", "batchmean");
  assert.equal(String(new nn.MSELoss()), "MSELoss(reduction=\"mean\")");
});

test("a loss module's gradient reaches the model's parameters", () => {
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
  const loss = new nn.CrossEntropyLoss().call(model.call(tl.randn([5, 3])), tl.tensor([0, 1, 1, 0, 1]));
  loss.backward();
  assert.ok(model.parameters().every((p) => p.grad !== null && p.grad.abs().sum().item() > 0));
});
