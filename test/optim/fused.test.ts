/**
 * The optimizers' fused updates (src/ops/optimizer-updates.ts) against the same rules composed from
 * tensor ops (./composed.ts), bit for bit, on the active backend: every option, float32 and float64,
 * mixed dtypes in one group, a strided parameter, parameters skipped on some steps (so step counts
 * differ inside one call), many parameters in one group; plus the ops' errors and version bumps.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { adamStep, sgdStep } from "../../src/ops/optimizer-updates.js";
import { composedStep } from "./composed.js";

type AnyCtor = new (params: tl.Tensor[], options: Record<string, unknown>) => optim.Optimizer<optim.BaseOptions>;
const classes: Record<string, AnyCtor> = {
  SGD: optim.SGD as unknown as AnyCtor,
  Adam: optim.Adam as unknown as AnyCtor,
  AdamW: optim.AdamW as unknown as AnyCtor,
  RMSprop: optim.RMSprop as unknown as AnyCtor,
  Adagrad: optim.Adagrad as unknown as AnyCtor,
};

const CASES: [string, Record<string, unknown>][] = [
  ["SGD", { lr: 0.1 }],
  ["SGD", { lr: 0.05, momentum: 0.9 }],
  ["SGD", { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.1 }],
  ["SGD", { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true }],
  ["Adam", { lr: 0.1 }],
  ["Adam", { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }],
  ["Adam", { lr: 0.1, amsgrad: true, maximize: true }],
  ["AdamW", { lr: 0.1 }],
  ["AdamW", { lr: 0.05, weightDecay: 0.3, amsgrad: true }],
  ["AdamW", { lr: 0.01, weightDecay: 0, maximize: true }],
  ["RMSprop", {}],
  ["RMSprop", { lr: 0.01, alpha: 0.9, momentum: 0.9, centered: true }],
  ["RMSprop", { lr: 0.02, weightDecay: 0.1, eps: 1e-4, maximize: true }],
  ["RMSprop", { lr: 0.005, centered: true }],
  ["Adagrad", { lr: 0.1 }],
  ["Adagrad", { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.5, maximize: true }],
];

/** Asserts two tensors hold the same bits (NaN matches NaN). */
function assertSameBits(actual: tl.Tensor, expected: tl.Tensor, message: string): void {
  assert.equal(actual.dtype, expected.dtype, `${message}: dtype`);
  const a = actual.dataSync() as ArrayLike<number>;
  const e = expected.dataSync() as ArrayLike<number>;
  assert.equal(a.length, e.length, `${message}: size`);
  for (let i = 0; i < e.length; i++) {
    if (!Object.is(a[i], e[i]) && !(Number.isNaN(a[i]) && Number.isNaN(e[i]))) assert.fail(`${message}: element ${i} is ${a[i]}, composed ops give ${e[i]}`);
  }
}

interface Setup {
  shapes: number[][];
  dtypes: tl.DType[];
  /** Index of a parameter given as a transposed (strided) view, or -1. */
  strided?: number;
}

/** Runs `steps` steps of the optimizer and of the composed rule from the same start and gradients; compares params and state. */
function compare(name: string, options: Record<string, unknown>, setup: Setup, steps = 4): void {
  tl.manualSeed(11);
  const { shapes, dtypes } = setup;
  const init = shapes.map((s, k) => tl.randn(s, { dtype: dtypes[k] }).keep());
  const fused = init.map((t, k) => {
    if (k === setup.strided) {
      // A leaf whose memory is transposed: the update goes through a dense copy.
      const base = tl.tensor(tl.clone(t).t().contiguous().dataSync(), { shape: [t.shape[1], t.shape[0]], dtype: t.dtype });
      return base.t().requiresGrad_();
    }
    return tl.tensor(t.dataSync(), { shape: t.shape, dtype: t.dtype, requiresGrad: true });
  });
  if (setup.strided !== undefined && setup.strided >= 0) assert.equal(fused[setup.strided].isContiguous, false);
  const reference = init.map((t) => tl.clone(t).keep());
  const states = shapes.map(() => ({}) as Record<string, tl.Tensor | number>);
  const opt = new classes[name](fused, options);
  for (let step = 0; step < steps; step++) {
    tl.manualSeed(100 + step);
    opt.zeroGrad();
    shapes.forEach((s, k) => {
      // Parameter 2 has no gradient on step 2: it is skipped and its step count falls behind.
      if (step === 2 && k === 2) return;
      const g = tl.randn(s, { dtype: dtypes[k] }).mul(step % 2 === 0 ? 3 : 0.25);
      fused[k].grad = g;
      composedStep(name, reference[k], g, states[k], options);
    });
    opt.step();
    fused.forEach((p, k) => {
      const label = `${name} ${JSON.stringify(options)} step ${step + 1} param ${k} (${p.dtype})`;
      assertSameBits(p, reference[k], label);
      const s = opt.state.get(p) ?? {};
      assert.deepEqual(Object.keys(s).sort(), Object.keys(states[k]).sort(), `${label}: state keys`);
      for (const [key, v] of Object.entries(states[k])) {
        if (v instanceof tl.Tensor) assertSameBits(s[key] as tl.Tensor, v, `${label} state ${key}`);
        else assert.equal(s[key], v, `${label} state ${key}`);
      }
    });
  }
  opt.zeroGrad();
  tl.dispose([init, reference, fused, [...opt.state.values()], states]);
}

for (const dtype of ["float32", "float64"] as const) {
  for (const [name, options] of CASES) {
    test(`${name} ${JSON.stringify(options)} ${dtype}: the fused step equals the composed ops bit for bit`, () => {
      compare(name, options, { shapes: [[37, 5], [130], [3], [1]], dtypes: [dtype, dtype, dtype, dtype] });
    });
  }
}

test("fused steps: float32 and float64 parameters in one group, a strided (transposed) and an empty parameter", () => {
  for (const [name, options] of CASES) {
    compare(name, options, { shapes: [[4, 6], [50], [7, 3], [2], [0, 3]], dtypes: ["float32", "float64", "float64", "float32", "float32"], strided: 2 }, 3);
  }
});

test("fused steps: a group of 40 parameters (several native calls) matches the composed ops", () => {
  const shapes = Array.from({ length: 40 }, (_, k) => [1 + ((k * 7) % 23)]);
  const dtypes = shapes.map(() => "float32" as const);
  for (const [name, options] of [CASES[2], CASES[8], CASES[11], CASES[15]]) compare(name, options, { shapes, dtypes }, 2);
});

test("fused steps: a gradient of another dtype is cast to the parameter's, as before", () => {
  const p = tl.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
  const ref = tl.tensor([1, 2, 3], { dtype: "float64" });
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tl.tensor([0.5, -1, 2]);
  opt.step();
  composedStep("Adam", ref, tl.tensor([0.5, -1, 2], { dtype: "float64" }), {}, { lr: 0.1 });
  assertSameBits(p, ref, "float64 param, float32 grad");
});

test("fused steps bump storage versions: autograd sees a parameter updated after the forward pass", () => {
  const p = tl.tensor([1, 2, 3], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const y = p.mul(p).sum();
  const version = p.storage.version;
  p.grad = tl.onesLike(p);
  opt.step();
  assert.ok(p.storage.version > version);
  const buf = opt.state.get(p)?.momentumBuffer as tl.Tensor;
  assert.ok(buf.storage.version > 0, "the momentum buffer's version moves too");
  assert.throws(() => y.backward(), /modified|in place|version/i);
});

test("fused step ops: clear errors for mismatched shapes, dtypes, list lengths and grad mode", () => {
  const p = tl.zeros([2, 3]);
  const g = tl.zeros([2, 3]);
  const sgd = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
  const adam = { lr: 0.1, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupled: false };
  const st = (m: tl.Tensor, v: tl.Tensor) => ({ expAvgs: [m], expAvgSqs: [v], steps: [1] });
  tl.noGrad(() => {
    assert.throws(() => sgdStep([p], [tl.zeros([3])], {}, sgd), /\[sgdStep\] grads\[0\] has shape \[3\] but params\[0\] has shape \[2,\s?3\]/);
    assert.throws(() => sgdStep([p], [tl.cast(g, "float64")], {}, sgd), /\[sgdStep\] grads\[0\] has dtype float64 but params\[0\] has dtype float32/);
    assert.throws(() => sgdStep([p, p], [g], {}, sgd), /\[sgdStep\] grads has 1 tensor\(s\) but there are 2 parameter\(s\)/);
    assert.throws(() => sgdStep([p, p], [g, g], {}, sgd), /\[sgdStep\] params\[1\] appears more than once/);
    assert.throws(() => sgdStep([p], [g], {}, { ...sgd, momentum: 0.9 }), /\[sgdStep\] momentum ≠ 0 needs momentumBuffers/);
    assert.throws(() => sgdStep([tl.zeros([2], { dtype: "int32" })], [tl.zeros([2], { dtype: "int32" })], {}, sgd), /\[sgdStep\] params\[0\] has dtype int32/);
    assert.throws(() => adamStep([p], [g], st(tl.zeros([2, 3], { dtype: "float64" }), tl.zeros([2, 3])), adam),
      /\[adamStep\] expAvgs\[0\] has dtype float64 but params\[0\] has dtype float32/);
    assert.throws(() => adamStep([p], [g], st(tl.zeros([2, 3]), tl.zeros([6])), adam), /\[adamStep\] expAvgSqs\[0\] has shape \[6\]/);
    assert.throws(() => adamStep([p], [g], { ...st(tl.zeros([2, 3]), tl.zeros([2, 3])), steps: [0] }, adam), /\[adamStep\] steps must be whole numbers ≥ 1/);
    assert.throws(() => adamStep([p], [g], st(tl.zeros([2, 3]), tl.zeros([2, 3])), { ...adam, amsgrad: true }), /\[adamStep\] amsgrad needs maxExpAvgSqs/);
  });
  const leaf = tl.zeros([2, 3], { requiresGrad: true });
  assert.throws(() => sgdStep([leaf], [g], {}, sgd), /\[sgdStep\] params\[0\] \(or its state\) requires grad/);
  // Nothing was written by the failed calls.
  assert.deepEqual([...p.dataSync()], [0, 0, 0, 0, 0, 0]);
});
