/** Every lr scheduler against PyTorch 1.13's lr sequences (tools/fixtures/optim.py), plus resume and errors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { assertAllClose, fixture } from "./helpers.js";

const S = optim.lrScheduler;
type Spec = Record<string, unknown> & { type: string };
type AnyScheduler = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

interface Case {
  name: string;
  optimizer: "SGD" | "Adam";
  spec: Spec;
  metrics?: number[];
  lrs: number[][];
  momentum?: number[][];
}

const cases = fixture<Case[]>("schedulers.json");

/** The fixture's optimizer: two groups, lr 0.1 (default) and 0.01. */
function makeOptimizer(kind: "SGD" | "Adam"): optim.Optimizer {
  const groups = [{ params: [tl.zeros([2], { requiresGrad: true })] }, { params: [tl.zeros([3], { requiresGrad: true })], lr: 0.01 }];
  return kind === "Adam" ? new optim.Adam(groups, { lr: 0.1, betas: [0.9, 0.999] }) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
}

function build(opt: optim.Optimizer, spec: Spec): AnyScheduler {
  const { type, ...o } = spec;
  switch (type) {
    case "StepLR": return new S.StepLR(opt, o as never);
    case "MultiStepLR": return new S.MultiStepLR(opt, o as never);
    case "ExponentialLR": return new S.ExponentialLR(opt, o as never);
    case "CosineAnnealingLR": return new S.CosineAnnealingLR(opt, o as never);
    case "CosineAnnealingWarmRestarts": return new S.CosineAnnealingWarmRestarts(opt, o as never);
    case "LinearLR": return new S.LinearLR(opt, o as never);
    case "LambdaLR": return new S.LambdaLR(opt, { lrLambda: (e) => 0.95 ** e / (1 + (e % 3)) });
    case "OneCycleLR": return new S.OneCycleLR(opt, o as never);
    case "ReduceLROnPlateau": return new S.ReduceLROnPlateau(opt, o as never);
    case "SequentialLR": {
      const subs = (o.schedulers as Spec[]).map((s) => build(opt, s) as optim.lrScheduler.LRScheduler);
      return new S.SequentialLR(opt, { schedulers: subs, milestones: o.milestones as number[] });
    }
    default: throw new Error(`unknown scheduler ${type}`);
  }
}

const momentumOf = (opt: optim.Optimizer): number[] =>
  opt.paramGroups.map((g) => (Array.isArray(g.betas) ? (g.betas as number[])[0] : (g.momentum as number)));

function advance(s: AnyScheduler, metric?: number): void {
  if (s instanceof S.ReduceLROnPlateau) s.step(metric as number);
  else s.step();
}

for (const c of cases) {
  test(`${c.name} matches PyTorch over ${c.lrs.length - 1} steps`, () => {
    const opt = makeOptimizer(c.optimizer);
    const sched = build(opt, c.spec);
    c.lrs.forEach((expected, i) => {
      if (i > 0) advance(sched, c.metrics?.[i - 1]);
      assertAllClose(sched.getLastLr(), expected, `${c.name} lr after ${i} steps`, 1e-12, 1e-15);
      assertAllClose(opt.paramGroups.map((g) => g.lr), expected, `${c.name} group lr after ${i} steps`, 1e-12, 1e-15);
      if (c.momentum) assertAllClose(momentumOf(opt), c.momentum[i], `${c.name} momentum after ${i} steps`, 1e-12, 1e-15);
    });
  });

  test(`${c.name} resumes from stateDict`, () => {
    const opt = makeOptimizer(c.optimizer);
    const sched = build(opt, c.spec);
    for (let i = 0; i < 7; i++) advance(sched, c.metrics?.[i]);
    const optSd = opt.stateDict();
    // A JSON round trip, as a checkpoint would do (ReduceLROnPlateau's best may be ±Infinity → null).
    const schedSd = JSON.parse(JSON.stringify(sched.stateDict())) as Record<string, unknown>;
    const opt2 = makeOptimizer(c.optimizer);
    const sched2 = build(opt2, c.spec);
    opt2.loadStateDict(optSd);
    sched2.loadStateDict(schedSd);
    assert.deepEqual(sched2.getLastLr(), sched.getLastLr());
    for (let i = 7; i < c.lrs.length - 1; i++) {
      advance(sched, c.metrics?.[i]);
      advance(sched2, c.metrics?.[i]);
      assert.deepEqual(sched2.getLastLr(), sched.getLastLr(), `${c.name} step ${i + 1}`);
      assert.deepEqual(momentumOf(opt2), momentumOf(opt));
    }
    assertAllClose(sched2.getLastLr(), c.lrs[c.lrs.length - 1], `${c.name} final lr`, 1e-12, 1e-15);
  });
}

test("schedulers set initialLr once, so a second scheduler starts from the same base", () => {
  const opt = makeOptimizer("SGD");
  new S.ExponentialLR(opt, { gamma: 0.5 }).step();
  assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 0.01]);
  const second = new S.StepLR(opt, { stepSize: 2 });
  assert.deepEqual(second.baseLrs, [0.1, 0.01]);
});

test("OneCycleLR refuses to step past totalSteps", () => {
  const sched = new S.OneCycleLR(makeOptimizer("SGD"), { maxLr: 1, totalSteps: 3 });
  sched.step();
  sched.step();
  sched.step();
  assert.throws(() => sched.step(), /\[OneCycleLR\] tried to step 5 times; the cycle has only 3 steps/);
});

test("ReduceLROnPlateau accepts a one-element tensor as the metric", () => {
  const opt = makeOptimizer("SGD");
  const sched = new S.ReduceLROnPlateau(opt, { patience: 0 });
  sched.step(tl.tensor(1));
  sched.step(tl.tensor([2]));
  assert.throws(() => sched.step(), /\[ReduceLROnPlateau.step\] metric must be a number or a one-element tensor, got undefined/);
  assert.ok(Math.abs(sched.getLastLr()[0] - 0.01) < 1e-15);
  assert.equal(sched.best, 1);
  const fresh = new S.ReduceLROnPlateau(opt, { mode: "max" });
  fresh.loadStateDict(JSON.parse(JSON.stringify(fresh.stateDict())) as Record<string, unknown>);
  assert.equal(fresh.best, -Infinity, "a JSON round trip turns -Infinity into null; loading restores it");
});

test("scheduler errors name the option", () => {
  const opt = makeOptimizer("SGD");
  assert.throws(() => new S.StepLR({} as never, { stepSize: 3 }), /\[StepLR\] the first argument must be an optimizer/);
  assert.throws(() => new S.StepLR(opt, { stepSize: 0 }), /\[StepLR\] stepSize must be a whole number >= 1, got 0/);
  assert.throws(() => new S.MultiStepLR(opt, { milestones: [2, 1.5] }), /milestones\[1\] must be a whole number/);
  assert.throws(() => new S.CosineAnnealingWarmRestarts(opt, { t0: 5, tMult: 1.5 }), /tMult must be a whole number >= 1/);
  assert.throws(() => new S.LinearLR(opt, { startFactor: 0 }), /startFactor must be in \(0, 1\]/);
  assert.throws(() => new S.LambdaLR(opt, { lrLambda: [(e) => e] }), /expected 2 lrLambda functions/);
  assert.throws(() => new S.OneCycleLR(opt, { maxLr: [1, 2, 3], totalSteps: 10 }), /expected 2 values for maxLr/);
  assert.throws(() => new S.OneCycleLR(opt, { maxLr: 1 }), /give totalSteps, or epochs and stepsPerEpoch/);
  assert.throws(() => new S.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, annealStrategy: "exp" as never }), /annealStrategy must be "cos" or "linear"/);
  const other = makeOptimizer("SGD");
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [new S.StepLR(other, { stepSize: 2 })], milestones: [] }), /belongs to a different optimizer/);
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [new S.StepLR(opt, { stepSize: 2 })], milestones: [3] }), /expected 0 milestone\(s\) for 1 schedulers, got 1/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { factor: 1 }), /factor must be in \[0, 1\), got 1/);
  assert.throws(() => new S.ReduceLROnPlateau(opt, { mode: "up" as never }), /mode must be "min" or "max"/);
  assert.throws(() => new S.StepLR(opt, { stepSize: 2 }).loadStateDict({ stepsize: 3 }), /\[StepLR\.loadStateDict\] unexpected key 'stepsize'/);
});
