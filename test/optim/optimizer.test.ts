/** The Optimizer base: groups, zeroGrad, closures, stateDict resume, memory, and errors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { fixture, lossOf, makeParams, type Problem } from "./helpers.js";

const { problem } = fixture<{ problem: Problem }>("optimizers.json");

type Make = (params: tl.Tensor[]) => optim.Optimizer<optim.BaseOptions>;
const makers: [string, Make][] = [
  ["SGD", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["Adam", (ps) => new optim.Adam(ps, { lr: 0.1, amsgrad: true, weightDecay: 0.1 })],
  ["AdamW", (ps) => new optim.AdamW([{ params: [ps[0]], lr: 0.01 }, { params: [ps[1]] }], { lr: 0.05 })],
  ["RMSprop", (ps) => new optim.RMSprop(ps, { lr: 0.01, momentum: 0.9, centered: true })],
  ["Adagrad", (ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 })],
];

function trainStep(opt: optim.Optimizer<optim.BaseOptions>, params: tl.Tensor[]): void {
  tl.tidy(() => {
    opt.zeroGrad();
    lossOf(problem, params[0], params[1]).backward();
    opt.step();
  });
}

for (const [name, make] of makers) {
  test(`${name}: stateDict after 3 steps resumes bit-identically in a fresh optimizer`, () => {
    const params = makeParams(problem);
    const a = make(params);
    for (let i = 0; i < 3; i++) trainStep(a, params);
    const sd = a.stateDict();
    const saved = params.map((p) => Float32Array.from(p.dataSync() as Float32Array));
    for (let i = 0; i < 2; i++) trainStep(a, params);

    const fresh = saved.map((v, i) => tl.tensor(v, { shape: params[i].shape, requiresGrad: true }));
    const b = make(fresh);
    b.loadStateDict(sd);
    tl.dispose(sd);
    for (let i = 0; i < 2; i++) trainStep(b, fresh);
    params.forEach((p, i) => assert.deepEqual(fresh[i].dataSync(), p.dataSync(), `${name} param ${i} after resume`));
    // Without the state the trajectory differs: the test would catch a loadStateDict that did nothing.
    const fresh2 = saved.map((v, i) => tl.tensor(v, { shape: params[i].shape, requiresGrad: true }));
    const c = make(fresh2);
    for (let i = 0; i < 2; i++) trainStep(c, fresh2);
    assert.notDeepEqual(fresh2[0].dataSync(), params[0].dataSync());
  });

  test(`${name}: a training step leaks no tensors`, () => {
    const params = makeParams(problem);
    const opt = make(params);
    trainStep(opt, params); // creates the state
    const start = tl.memory();
    for (let i = 0; i < 5; i++) {
      trainStep(opt, params);
      assert.equal(tl.memory().numTensors, start.numTensors, `step ${i}: live tensors`);
      assert.equal(tl.memory().numBytes, start.numBytes, `step ${i}: bytes`);
    }
  });
}

test("stateDict has PyTorch's layout and is a snapshot", () => {
  const params = makeParams(problem);
  const opt = new optim.Adam(params, { lr: 0.1 });
  trainStep(opt, params);
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.state), ["0", "1"]);
  assert.deepEqual(Object.keys(sd.state[0]).sort(), ["expAvg", "expAvgSq", "step"]);
  assert.equal(sd.state[0].step, 1);
  assert.deepEqual(sd.paramGroups, [{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0, 1] }]);
  const before = Array.from((sd.state[1].expAvg as tl.Tensor).dataSync());
  trainStep(opt, params);
  assert.deepEqual(Array.from((sd.state[1].expAvg as tl.Tensor).dataSync()), before);
  assert.notDeepEqual(Array.from((opt.state.get(params[1])?.expAvg as tl.Tensor).dataSync()), before);
});

test("loadStateDict restores hyper-parameters and accepts a 0-d step tensor", () => {
  const params = makeParams(problem);
  const opt = new optim.Adam(params, { lr: 0.1 });
  trainStep(opt, params);
  opt.paramGroups[0].lr = 0.0123;
  const sd = opt.stateDict();
  sd.state[0].step = tl.tensor(1);
  const other = new optim.Adam(makeParams(problem), { lr: 0.5 });
  other.loadStateDict(sd);
  assert.equal(other.paramGroups[0].lr, 0.0123);
  assert.equal(other.state.get(other.paramGroups[0].params[0])?.step, 1);
  assert.ok((other.state.get(other.paramGroups[0].params[0])?.expAvg as tl.Tensor).isKept);
});

test("loadStateDict rejects mismatched state dicts with clear errors and changes nothing", () => {
  const params = makeParams(problem);
  const opt = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
  trainStep(opt, params);
  const sd = opt.stateDict();
  const twoGroups = new optim.SGD([{ params: [params[0]] }, { params: [params[1]] }], { lr: 0.1 });
  assert.throws(() => twoGroups.loadStateDict(sd), /\[SGD\.loadStateDict\] the state dict has 1 parameter group\(s\) but the optimizer has 2/);
  const small = new optim.SGD([params[0]], { lr: 0.1 });
  assert.throws(() => small.loadStateDict(sd), /group 0 has 2 parameter\(s\) in the state dict but 1 in the optimizer/);
  const swapped = new optim.SGD([params[1], params[0]], { lr: 0.7, momentum: 0.9 });
  trainStep(swapped, params);
  const bufBefore = swapped.state.get(params[1])?.momentumBuffer;
  assert.throws(() => swapped.loadStateDict(sd), /state 'momentumBuffer' of parameter 0 has shape \[3,2\] but the parameter has shape \[2\]/);
  assert.equal(swapped.paramGroups[0].lr, 0.7, "hyper-parameters untouched");
  assert.equal(swapped.state.get(params[1])?.momentumBuffer, bufBefore, "state untouched");
  assert.throws(() => opt.loadStateDict({ state: {}, paramGroups: [{ params: [0, 1], lr: -1 }] }), /\[SGD\.loadStateDict: group 0\] invalid lr: -1/);
  assert.throws(() => opt.loadStateDict({ state: { 5: {} }, paramGroups: [{ params: [0, 1] }] }), /state for parameter 5, which no parameter group lists/);
  assert.throws(() => opt.loadStateDict(null as never), /expected an object \{ state, paramGroups \}/);
});

test("param groups take per-group options over the defaults; lr is settable", () => {
  const params = makeParams(problem);
  const opt = new optim.SGD([{ params: [params[0]], lr: 0.001 }, { params: [params[1]] }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[0].lr, 0.001);
  assert.equal(opt.paramGroups[1].lr, 0.1);
  assert.equal(opt.paramGroups[0].momentum, 0.9);
  opt.paramGroups[0].lr = 0;
  const before = Array.from(params[0].dataSync());
  trainStep(opt, params);
  assert.deepEqual(Array.from(params[0].dataSync()), before, "lr 0 leaves the parameter unchanged");
  assert.notDeepEqual(Array.from(params[1].dataSync()), problem.p2);
});

test("addParamGroup adds a group with the defaults and refuses a parameter already optimized", () => {
  const [p1, p2] = makeParams(problem);
  const opt = new optim.Adam([p1], { lr: 0.01, weightDecay: 0.1 });
  opt.addParamGroup({ params: [p2], lr: 0.5 });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].weightDecay, 0.1);
  assert.deepEqual(opt.paramGroups[1].betas, [0.9, 0.999]);
  assert.notEqual(opt.paramGroups[1].betas, opt.paramGroups[0].betas, "groups do not share the betas array");
  assert.throws(() => opt.addParamGroup({ params: [p1] }), /\[Adam\] some parameters appear in more than one parameter group/);
});

test("zeroGrad disposes gradients by default, or fills them with zeros", () => {
  const params = makeParams(problem);
  const opt = new optim.SGD(params, { lr: 0.1 });
  lossOf(problem, params[0], params[1]).backward();
  const g = params[0].grad as tl.Tensor;
  opt.zeroGrad({ setToNone: false });
  assert.equal(params[0].grad, g);
  assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 0, 0, 0]);
  const before = tl.memory().numTensors;
  opt.zeroGrad();
  assert.equal(params[0].grad, null);
  assert.ok(g.isDisposed);
  assert.equal(tl.memory().numTensors, before - 2);
});

test("step(closure) evaluates the closure with grad enabled and returns its loss", () => {
  const params = makeParams(problem);
  const opt = new optim.SGD(params, { lr: 0.1 });
  const loss = tl.noGrad(() => opt.step(() => {
    opt.zeroGrad();
    const l = lossOf(problem, params[0], params[1]);
    l.backward();
    return l.item();
  }));
  assert.ok(typeof loss === "number" && loss > 0);
  assert.notDeepEqual(Array.from(params[1].dataSync()), problem.p2);
  assert.equal(opt.step(), undefined);
});

test("parameters without a gradient are skipped and get no state", () => {
  const [p1, p2] = makeParams(problem);
  const opt = new optim.Adam([p1, p2], { lr: 0.1 });
  tl.tidy(() => p1.mul(p1).sum().backward());
  opt.step();
  assert.ok(opt.state.has(p1));
  assert.ok(!opt.state.has(p2));
  assert.deepEqual(Array.from(p2.dataSync()), Array.from(Float32Array.from(problem.p2)));
});

test("constructor errors name the problem", () => {
  const [p1, p2] = makeParams(problem);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /\[SGD\] got an empty parameter list/);
  assert.throws(() => new optim.SGD(p1 as never), /\[SGD\] params must be an array.*got a single Tensor/);
  assert.throws(() => new optim.SGD([p1, p1]), /lists the same parameter more than once/);
  assert.throws(() => new optim.SGD([p1.mul(2)]), /parameter 0 of group 0 \(shape \[3,2\]\) is not a leaf tensor/);
  assert.throws(() => new optim.SGD([tl.tensor([1, 2], { dtype: "int32" })]), /only floating-point tensors can be optimized/);
  assert.throws(() => new optim.Adam([p1], { weight_decay: 0.1 } as never), /\[Adam\] unknown option 'weight_decay'; known options: lr, betas/);
  assert.throws(() => new optim.Adam([p1], { lr: -1 }), /\[Adam: group 0\] invalid lr: -1 \(must be a finite number >= 0\)/);
  assert.throws(() => new optim.Adam([p1], { betas: [0.9, 1] }), /invalid betas\[1\]: 1 \(must be in \[0, 1\)\)/);
  assert.throws(() => new optim.SGD([p1], { nesterov: true }), /Nesterov momentum requires momentum > 0 and dampening 0/);
  assert.throws(() => new optim.RMSprop([{ params: [p1] }, { params: [p2], alpha: -0.5 }]), /\[RMSprop: group 1\] invalid alpha: -0.5/);
  assert.throws(() => new optim.Adagrad([p1], { eps: Number.NaN }), /invalid eps/);
});

test("defaults match PyTorch", () => {
  const [p1] = makeParams(problem);
  assert.deepEqual({ ...new optim.SGD([p1]).defaults }, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  assert.deepEqual({ ...new optim.Adam([p1]).defaults }, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
  assert.equal(new optim.AdamW([p1]).defaults.weightDecay, 1e-2);
  assert.deepEqual({ ...new optim.RMSprop([p1]).defaults }, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
  assert.deepEqual({ ...new optim.Adagrad([p1]).defaults }, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
});

test("an optimizer trains a float64 parameter and keeps its dtype", () => {
  const w = tl.tensor([3, -2], { dtype: "float64", requiresGrad: true });
  const opt = new optim.Adam([w], { lr: 0.1 });
  for (let i = 0; i < 200; i++) {
    tl.tidy(() => {
      opt.zeroGrad();
      w.square().sum().backward();
      opt.step();
    });
  }
  assert.equal(w.dtype, "float64");
  assert.equal((opt.state.get(w)?.expAvg as tl.Tensor).dtype, "float64");
  for (const v of w.dataSync()) assert.ok(Math.abs(v) < 0.05, `converged near 0, got ${v}`);
});
