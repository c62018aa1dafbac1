/**
 * tl.nn.Module: registration by assignment (order, dotted names), traversal, state dicts (round trip,
 * strict errors that change nothing), train/eval, freezing, gradients, hooks, summary, memory.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";

const nn = tl.nn;

const throwsWith = (fn: () => unknown, ...parts: string[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof tl.TensileError, `expected a TensileError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" should include "${p}"`);
    return true;
  });
};

/** A ResNet-like block: children assigned in the constructor, a buffer, an optional bias. */
class Block extends nn.Module {
  conv1: tl.nn.Linear;
  conv2: tl.nn.Linear;
  constructor(width: number) {
    super();
    this.conv1 = new nn.Linear(width, width);
    this.registerBuffer("runningMean", tl.zeros([width]));
    this.registerBuffer("scratch", tl.zeros([width]), { persistent: false });
    this.conv2 = new nn.Linear(width, width, { bias: false });
  }

  forward(x: tl.Tensor): tl.Tensor {
    return this.conv2.call(this.conv1.call(x).relu()).add(x);
  }
}

/** Children as class fields (with and without initializers) and constructor assignments. */
class Net extends nn.Module {
  stem = new nn.Linear(4, 3);
  layer1: tl.nn.Sequential;
  head!: tl.nn.Linear;
  scale = 2; // a plain attribute, not registered

  constructor() {
    super();
    this.layer1 = new nn.Sequential(new Block(3), new Block(3));
    this.head = new nn.Linear(3, 2);
  }

  forward(x: tl.Tensor): tl.Tensor {
    return this.head.call(this.layer1.call(this.stem.call(x)));
  }
}

const names = (pairs: [string, unknown][]): string[] => pairs.map(([n]) => n);
const snapshot = (m: tl.nn.Module): Record<string, number[]> =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync() as Float32Array)]));

test("parameters get PyTorch's dotted names in assignment order", () => {
  const net = new Net();
  assert.deepEqual(names(net.namedParameters()), [
    "stem.weight", "stem.bias",
    "layer1.0.conv1.weight", "layer1.0.conv1.bias", "layer1.0.conv2.weight",
    "layer1.1.conv1.weight", "layer1.1.conv1.bias", "layer1.1.conv2.weight",
    "head.weight", "head.bias",
  ]);
  assert.equal(net.parameters().length, 10);
  assert.equal(net.parameters()[0], net.stem.weight);
  assert.deepEqual(names(net.namedChildren()), ["stem", "layer1", "head"]);
  assert.deepEqual(net.children().map((m) => m.constructor.name), ["Linear", "Sequential", "Linear"]);
  assert.deepEqual(names(net.namedModules()), ["", "stem", "layer1", "layer1.0", "layer1.0.conv1", "layer1.0.conv2",
    "layer1.1", "layer1.1.conv1", "layer1.1.conv2", "head"]);
  assert.equal(net.modules().length, 10);
  assert.deepEqual(names(net.namedParameters({ recurse: false })), []);
  assert.deepEqual(names(net.stem.namedParameters()), ["weight", "bias"]);
  assert.equal(net.scale, 2);
});

test("buffers: named, persistent ones in the state dict, after parameters of the same module", () => {
  const net = new Net();
  assert.deepEqual(names(net.namedBuffers()), ["layer1.0.runningMean", "layer1.0.scratch", "layer1.1.runningMean", "layer1.1.scratch"]);
  assert.equal(net.buffers().length, 4);
  assert.deepEqual(Object.keys(net.stateDict()), [
    "stem.weight", "stem.bias",
    "layer1.0.runningMean", "layer1.0.conv1.weight", "layer1.0.conv1.bias", "layer1.0.conv2.weight",
    "layer1.1.runningMean", "layer1.1.conv1.weight", "layer1.1.conv1.bias", "layer1.1.conv2.weight",
    "head.weight", "head.bias",
  ]);
  const block = net.layer1.get(0) as Block;
  // Assigning to a buffer's name updates the buffer and keeps it registered.
  const fresh = tl.ones([3]);
  (block as unknown as { runningMean: tl.Tensor }).runningMean = fresh;
  assert.equal(net.stateDict()["layer1.0.runningMean"], fresh);
  assert.ok(fresh.isKept, "a buffer survives tidy");
  throwsWith(() => { (block as unknown as { runningMean: unknown }).runningMean = 3; }, "buffer", "runningMean");
});

test("reassignment keeps the position; null, delete and wrong kinds behave like PyTorch", () => {
  const net = new Net();
  net.stem = new nn.Linear(4, 3, { bias: false });
  assert.deepEqual(names(net.namedChildren()), ["stem", "layer1", "head"]);
  assert.ok(!net.stateDict()["stem.bias"]);
  const lin = new nn.Linear(2, 2);
  throwsWith(() => { (lin as unknown as { weight: unknown }).weight = tl.zeros([2, 2]); }, "parameter", "weight", "Parameter");
  (lin as unknown as { weight: unknown }).weight = null;
  assert.deepEqual(names(lin.namedParameters()), ["bias"]);
  lin.weight = new nn.Parameter(tl.zeros([2, 2]));
  assert.deepEqual(names(lin.namedParameters()), ["weight", "bias"], "a null slot keeps its place");
  delete (net as Partial<Net>).head;
  assert.deepEqual(names(net.namedChildren()), ["stem", "layer1"]);
  throwsWith(() => { (net as unknown as { layer1: unknown }).layer1 = "x"; }, "child module", "layer1");
  throwsWith(() => net.registerParameter("stem", null), "already exists");
  throwsWith(() => net.registerBuffer("a.b", tl.zeros([1])), "must not contain");
  throwsWith(() => net.registerParameter("p", tl.zeros([1]) as tl.nn.Parameter), "must be a Parameter");
});

test("a subclass re-declaring a field registered by its base keeps the registered module", () => {
  class Base extends nn.Module {
    fc!: tl.nn.Linear;
    constructor() {
      super();
      this.fc = new nn.Linear(2, 2);
    }
    forward(x: tl.Tensor): tl.Tensor {
      return this.fc.call(x);
    }
  }
  class Derived extends Base {
    declare fc: tl.nn.Linear;
    extra!: tl.nn.Linear;
  }
  const d = new Derived();
  assert.deepEqual(names(d.namedParameters()), ["fc.weight", "fc.bias"]);
  assert.ok(nn.isModule(d.fc));
  // What a JavaScript subclass field `fc;` does after the base constructor ran: define it as undefined.
  Object.defineProperty(d, "fc", { value: undefined, writable: true, enumerable: true, configurable: true });
  assert.ok(nn.isModule(d.fc));
  assert.deepEqual(names(d.namedParameters()), ["fc.weight", "fc.bias"]);
});

test("Parameter: a kept leaf sharing storage, recognised without instanceof", () => {
  const data = tl.tensor([1, 2, 3]);
  const p = new nn.Parameter(data);
  assert.ok(p.requiresGrad && p.isLeaf && p.isKept);
  assert.ok(nn.isParameter(p) && !nn.isParameter(data) && !nn.isParameter({}) && p instanceof tl.Tensor);
  assert.equal(p.storage, data.storage);
  tl.noGrad(() => p.add_(1));
  assert.deepEqual(Array.from(data.dataSync()), [2, 3, 4]);
  const frozen = new nn.Parameter(tl.tensor([1]), false);
  assert.equal(frozen.requiresGrad, false);
  throwsWith(() => new nn.Parameter(tl.tensor(Int32Array.from([1]))), "floating-point");
  assert.deepEqual(Array.from(new nn.Parameter(tl.tensor(Int32Array.from([1])), false).dataSync()), [1]);
  throwsWith(() => new nn.Parameter([1, 2] as unknown as tl.Tensor), "expected a Tensor");
  const kept = tl.tidy(() => {
    const inner = new nn.Parameter(tl.ones([2]));
    return [inner];
  })[0];
  assert.ok(!kept.isDisposed);
  assert.match(String(p), /^Parameter containing:/);
});

test("stateDict / loadStateDict round trip copies values into the same tensors", () => {
  tl.manualSeed(1);
  const a = new Net();
  tl.manualSeed(2);
  const b = new Net();
  const weightBefore = b.stem.weight;
  assert.notDeepEqual(snapshot(a), snapshot(b));
  const result = b.loadStateDict(a.stateDict());
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  assert.deepEqual(snapshot(b), snapshot(a));
  assert.equal(b.stem.weight, weightBefore, "parameters are updated in place, so optimizers keep working");
  assert.ok(b.stem.weight.requiresGrad);
  // A Map works as well as a plain object.
  const c = new Net();
  c.loadStateDict(new Map(Object.entries(a.stateDict())));
  assert.deepEqual(snapshot(c), snapshot(a));
});

test("strict load: missing and unexpected keys throw and leave the module unchanged", () => {
  const source = new Net();
  const target = new Net();
  const before = snapshot(target);
  const missing = { ...source.stateDict() };
  delete missing["head.bias"];
  throwsWith(() => target.loadStateDict(missing), "[loadStateDict]", "missing key(s)", "\"head.bias\"", "nothing was changed");
  assert.deepEqual(snapshot(target), before);
  const extra = { ...source.stateDict(), "head.gamma": tl.zeros([2]) };
  throwsWith(() => target.loadStateDict(extra), "unexpected key(s)", "\"head.gamma\"");
  assert.deepEqual(snapshot(target), before);
});

test("shape and dtype mismatches throw even when not strict, before anything is copied", () => {
  const source = new Net();
  const target = new Net();
  const before = snapshot(target);
  const badShape = { ...source.stateDict(), "head.weight": tl.zeros([3, 2]) };
  throwsWith(() => target.loadStateDict(badShape, { strict: false }), "shape mismatch", "\"head.weight\"", "[3,2]", "[2,3]");
  assert.deepEqual(snapshot(target), before, "stem.weight (a good key before the bad one) was not copied");
  const badDtype = { ...source.stateDict(), "stem.bias": tl.zeros([3], { dtype: "float64" }) };
  throwsWith(() => target.loadStateDict(badDtype), "dtype mismatch", "float64", "float32");
  assert.deepEqual(snapshot(target), before);
  throwsWith(() => target.loadStateDict({ ...source.stateDict(), "stem.bias": [1, 2, 3] as unknown as tl.Tensor }), "expected a Tensor");
});

test("non-strict load reports missing and unexpected keys and loads the rest", () => {
  const source = new Net();
  const target = new Net();
  const sd: Record<string, tl.Tensor> = { "stem.weight": source.stem.weight, "other.weight": tl.zeros([1]) };
  const result = target.loadStateDict(sd, { strict: false });
  assert.deepEqual(result.unexpectedKeys, ["other.weight"]);
  assert.equal(result.missingKeys.length, 11);
  assert.ok(!result.missingKeys.includes("stem.weight"));
  assertClose(target.stem.weight, source.stem.weight, { atol: 0, rtol: 0 });
});

test("train() and eval() reach every descendant", () => {
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  assert.equal(net.eval(), net);
  assert.ok(net.modules().every((m) => !m.training));
  net.layer1.train();
  assert.ok(net.layer1.modules().every((m) => m.training) && !net.training && !net.stem.training);
  net.train(false);
  assert.ok(net.modules().every((m) => !m.training));
  throwsWith(() => net.train("yes" as unknown as boolean), "[train]");
});

test("requiresGrad_(false) freezes a sub-network: no gradients reach it", () => {
  const net = new Net();
  net.layer1.requiresGrad_(false);
  net.call(tl.randn([5, 4])).sum().backward();
  assert.ok(net.stem.weight.grad !== null && net.head.weight.grad !== null);
  assert.ok(net.layer1.parameters().every((p) => p.grad === null && !p.requiresGrad));
  const s = net.summary([1, 4]);
  assert.equal(s.nonTrainableParams, 2 * (9 + 3 + 9));
  assert.equal(s.trainableParams, 15 + 8);
});

test("zeroGrad clears gradients (disposing them) or zeroes them in place", () => {
  const net = new Net();
  net.call(tl.randn([2, 4])).sum().backward();
  const g = net.stem.weight.grad as tl.Tensor;
  net.zeroGrad({ setToNone: false });
  assert.equal(net.stem.weight.grad, g);
  assert.ok(Array.from(g.dataSync()).every((v) => v === 0));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
  assert.ok(g.isDisposed);
});

test("apply visits children before the parent; getSubmodule follows dotted paths", () => {
  const net = new Net();
  const seen: string[] = [];
  const nameOf = new Map(net.namedModules().map(([n, m]) => [m, n]));
  assert.equal(net.apply((m) => seen.push(nameOf.get(m) as string)), net);
  assert.deepEqual(seen, ["stem", "layer1.0.conv1", "layer1.0.conv2", "layer1.0", "layer1.1.conv1", "layer1.1.conv2", "layer1.1", "layer1", "head", ""]);
  assert.equal(net.getSubmodule("layer1.1.conv2"), (net.layer1.get(1) as Block).conv2);
  assert.equal(net.getSubmodule(""), net);
  throwsWith(() => net.getSubmodule("layer1.5"), "no child module \"5\"");
});

test("call runs forward pre-hooks and hooks; removed hooks stop", () => {
  const lin = new nn.Linear(2, 2);
  const log: string[] = [];
  const pre = lin.registerForwardPreHook((_m, inputs) => {
    log.push("pre");
    return [(inputs[0] as tl.Tensor).mul(0)];
  });
  const post = lin.registerForwardHook((_m, _inputs, out) => {
    log.push("post");
    return (out as tl.Tensor).add(100);
  });
  const y = lin.call(tl.ones([1, 2]));
  assert.deepEqual(log, ["pre", "post"]);
  assertClose(y, lin.bias?.add(100).reshape([1, 2]) as tl.Tensor);
  pre.remove();
  post.remove();
  assertClose(lin.call(tl.ones([1, 2])), lin.forward(tl.ones([1, 2])));
  assert.equal(log.length, 2);
});

test("summary lists leaf layers in call order with output shapes and parameter counts", () => {
  const net = new Net();
  net.eval();
  net.layer1.train();
  const s = net.summary([7, 4]);
  assert.deepEqual(s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]), [
    ["stem", "Linear", "[7,3]", 15],
    ["layer1.0.conv1", "Linear", "[7,3]", 12],
    ["layer1.0.conv2", "Linear", "[7,3]", 9],
    ["layer1.1.conv1", "Linear", "[7,3]", 12],
    ["layer1.1.conv2", "Linear", "[7,3]", 9],
    ["head", "Linear", "[7,2]", 8],
  ]);
  assert.equal(s.totalParams, 65);
  assert.equal(s.trainableParams, 65);
  assert.equal(s.nonTrainableParams, 0);
  assert.equal(s.paramBytes, 65 * 4);
  for (const part of ['Model: "Net"', "Layer (type)", "Output Shape", "Param #", "layer1.0.conv1 (Linear)", "Total params: 65 (260 B)",
    "Trainable params: 65", "Non-trainable params: 0"]) {
    assert.ok(s.text.includes(part), `summary should include ${part}:\n${s.text}`);
  }
  assert.equal(String(s), s.text);
  // The pass ran in eval mode, and every flag and forward is restored afterwards.
  assert.ok(!net.training && !net.stem.training && net.layer1.training && (net.layer1.get(0) as Block).conv1.training);
  assert.ok(net.modules().every((m) => !Object.hasOwn(m, "forward")));
});

test("summary counts shared layers once, takes several inputs and prints on request", () => {
  class Twice extends nn.Module {
    fc = new nn.Linear(3, 3);
    bil = new nn.Bilinear(3, 2, 1);
    forward(a: tl.Tensor, b: tl.Tensor): tl.Tensor {
      return this.bil.forward(this.fc.forward(this.fc.forward(a)), b);
    }
  }
  const model = new Twice();
  const printed: string[] = [];
  const original = console.log;
  console.log = (text: string) => void printed.push(text);
  let s: tl.nn.ModelSummary;
  try {
    s = model.summary([[2, 3], [2, 2]], { print: true });
  } finally {
    console.log = original;
  }
  assert.deepEqual(s.rows.map((r) => [r.name, r.params]), [["fc", 12], ["fc", 0], ["bil", 7]]);
  assert.equal(s.totalParams, 19);
  assert.deepEqual(printed, [s.text]);
  const big = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 1000)).summary([1, 1, 28, 28]);
  assert.ok(big.text.includes("785,000"), big.text);
  assert.deepEqual(big.rows.map((r) => r.outputShape), ["[1,784]", "[1,1000]"]);
});

test("toString prints a nested, PyTorch-like description", () => {
  const text = String(new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Dropout(0.1)));
  assert.equal(text, "Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n  (2): Dropout(p=0.1)\n)");
});

test("building a layer leaves one live tensor per parameter; a tidy training step leaks nothing", () => {
  const start = tl.memory().numTensors;
  const net = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
  assert.equal(tl.memory().numTensors - start, 4);
  const x = tl.randn([16, 4]);
  const y = tl.randn([16, 1]);
  const step = (): void => tl.tidy(() => {
    net.zeroGrad();
    const loss = tl.nn.functional.mseLoss(net.call(x), y);
    loss.backward();
    tl.noGrad(() => {
      for (const p of net.parameters()) p.sub_((p.grad as tl.Tensor).mul(0.01));
    });
  });
  step();
  const after = tl.memory();
  step();
  assert.deepEqual(tl.memory(), after);
});

test("l1Penalty and l2Penalty: values, gradients and parameter filters", () => {
  const lin = new nn.Linear(2, 2, { dtype: "float64" });
  const bias = lin.bias as tl.nn.Parameter;
  tl.noGrad(() => {
    lin.weight.copy_(tl.tensor([[1, -2], [3, -4]]));
    bias.copy_(tl.tensor([0.5, -0.5]));
  });
  assertClose(nn.l1Penalty(lin, 0.1), 0.1 * 11);
  assertClose(nn.l2Penalty(lin, 0.1), 0.1 * 30.5);
  const noBias = (name: string): boolean => !name.endsWith("bias");
  assertClose(nn.l2Penalty(lin.namedParameters(), 1, { filter: noBias }), 30);
  nn.l2Penalty(lin, 0.5, { filter: noBias }).backward();
  assertClose(lin.weight.grad as tl.Tensor, [[1, -2], [3, -4]]);
  assert.equal(bias.grad, null);
  nn.l1Penalty(lin, 2).backward();
  assertClose(bias.grad ?? tl.zeros([0]), [2, -2]);
  assertClose(nn.l1Penalty(lin, 1, { filter: () => false }), 0);
  throwsWith(() => nn.l1Penalty(lin, -1), "[l1Penalty]", "coeff");
});
