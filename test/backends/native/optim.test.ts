/**
 * The native fused optimizer kernels (native/src/kernels/optim.cc) against the js kernels, bit for
 * bit, on every ISA level: every option, float32 and float64, special values in the gradients, sizes
 * that leave vector tails, a parameter large enough to be split across threads mid-way, per-parameter
 * step counts, and groups just below and above the number of parameters one native call takes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { adagradStep, adamStep, rmspropStep, sgdStep } from "../../../src/ops/optimizer-updates.js";
import { EXACT, agreeWithJs, assertAgree, mixed, type Tensor } from "./compare.js";
import { requireNative } from "./helpers.js";

const addon = requireNative();

type Kind = "sgd" | "sgdMomentum" | "adam" | "amsgrad" | "rmsprop" | "adagrad";

/** Tensors per parameter in one native call (the gradient plus the tensors written). */
const PER_PARAM: Record<Kind, number> = { sgd: 2, sgdMomentum: 3, adam: 4, amsgrad: 5, rmsprop: 5, adagrad: 3 };

/** Seeded parameters, state and `steps` rounds of gradients; runs the fused op and returns everything it wrote. */
function run(kind: Kind, sizes: number[], dtype: tl.DType, options: Record<string, unknown> = {}, steps = 3, specials = false): Tensor[] {
  return tl.noGrad(() => {
    const params = sizes.map((n) => tl.randn([n], { dtype }));
    const like = (): Tensor[] => params.map((p) => tl.zerosLike(p));
    const positive = (): Tensor[] => params.map((p) => tl.rand(p.shape, { dtype: p.dtype }));
    const a = like();
    const b = kind === "adam" || kind === "amsgrad" || kind === "rmsprop" || kind === "adagrad" ? positive() : like();
    const c = like();
    for (let s = 0; s < steps; s++) {
      const grads = params.map((p, k) => (specials && k === 0 ? mixed(p.shape as number[], dtype) : tl.randn(p.shape, { dtype }).mul(s === 1 ? 0.01 : 2)));
      // Parameter k has taken k % 3 more steps than parameter 0: bias corrections differ per parameter.
      const stepOf = (k: number): number => s + 1 + (k % 3);
      if (kind === "sgd") {
        sgdStep(params, grads, {}, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false, maximize: true, ...options });
      } else if (kind === "sgdMomentum") {
        sgdStep(params, grads, { momentumBuffers: a, fresh: params.map((_, k) => s === 0 && k % 2 === 0) },
          { lr: 0.05, momentum: 0.9, dampening: 0.2, weightDecay: 0.1, nesterov: false, maximize: false, ...options });
      } else if (kind === "adam" || kind === "amsgrad") {
        adamStep(params, grads, { expAvgs: a, expAvgSqs: b, maxExpAvgSqs: c, steps: params.map((_, k) => stepOf(k)) },
          { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.05, amsgrad: kind === "amsgrad", maximize: false, decoupled: false, ...options });
      } else if (kind === "rmsprop") {
        rmspropStep(params, grads, { squareAvgs: b, gradAvgs: a, momentumBuffers: c },
          { lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0.1, momentum: 0.9, centered: true, maximize: false, ...options });
      } else {
        adagradStep(params, grads, { sums: b, steps: params.map((_, k) => stepOf(k)) },
          { lr: 0.1, lrDecay: 0.05, weightDecay: 0.1, eps: 1e-10, maximize: true, ...options });
      }
    }
    return [...params, ...a, ...b, ...c];
  });
}

const SIZES = [1, 15, 16, 17, 63, 257, 3];

for (const dtype of ["float32", "float64"] as const) {
  const cases: [string, Kind, Record<string, unknown>][] = [
    ["SGD", "sgd", {}],
    ["SGD momentum dampening", "sgdMomentum", {}],
    ["SGD nesterov maximize", "sgdMomentum", { dampening: 0, nesterov: true, maximize: true, weightDecay: 0 }],
    ["Adam L2", "adam", {}],
    ["AdamW maximize", "adam", { decoupled: true, weightDecay: 0.3, maximize: true }],
    ["Adam amsgrad", "amsgrad", {}],
    ["AdamW amsgrad", "amsgrad", { decoupled: true }],
    ["RMSprop centered momentum", "rmsprop", {}],
    ["RMSprop plain maximize", "rmsprop", { centered: false, momentum: 0, weightDecay: 0, maximize: true }],
    ["RMSprop centered", "rmsprop", { momentum: 0 }],
    ["RMSprop momentum", "rmsprop", { centered: false }],
    ["Adagrad", "adagrad", {}],
    ["Adagrad plain", "adagrad", { weightDecay: 0, lrDecay: 0, maximize: false }],
  ];
  for (const [label, kind, options] of cases) {
    test(`native ${label} (${dtype}): bit-identical to the js kernel on every ISA`, () => {
      agreeWithJs(`${label} ${dtype}`, () => run(kind, SIZES, dtype, options), EXACT);
    });
  }
  test(`native fused updates (${dtype}): special values in the gradients (NaN, ±inf, ±0, denormals) agree with js`, () => {
    for (const kind of ["sgdMomentum", "amsgrad", "rmsprop", "adagrad"] as const) {
      agreeWithJs(`${kind} specials ${dtype}`, () => run(kind, [40, 9], dtype, {}, 2, true), EXACT);
    }
  });
}

test("native fused updates: groups just below, at and above one native call's parameters agree with js", () => {
  const maxTensors = addon.maxTensors ?? 8;
  assert.equal(maxTensors, 64, "the addon takes 64 tensors per call");
  for (const kind of ["sgd", "sgdMomentum", "adam", "amsgrad", "rmsprop", "adagrad"] as const) {
    const perCall = Math.floor(maxTensors / PER_PARAM[kind]);
    for (const n of [perCall - 1, perCall, perCall + 1, 2 * perCall + 1]) {
      const sizes = Array.from({ length: n }, (_, k) => 1 + ((k * 5) % 19));
      agreeWithJs(`${kind} with ${n} parameters`, () => run(kind, sizes, "float32", {}, 2), EXACT);
    }
  }
});

test("native fused updates: a parameter split across threads gives the same bits with 1, 2 and 3 threads", () => {
  const before = tl.getNumThreads();
  try {
    const results = [1, 2, 3].map((n) => {
      tl.setNumThreads(n);
      tl.manualSeed(9);
      return run("amsgrad", [100_003, 7, 50_001], "float32");
    });
    for (const r of results.slice(1)) r.forEach((t, k) => assertAgree(t, results[0][k], EXACT, `tensor ${k}`));
    // And the same as js.
    agreeWithJs("large adam", () => run("adam", [70_001, 33], "float32", {}, 2), EXACT);
  } finally {
    tl.setNumThreads(before);
  }
});

test("native fused updates: a bad call is a TensileError (status from the kernel), not a stray write", () => {
  tl.noGrad(() => {
    const p = tl.zeros([4]);
    const g = tl.ones([4]);
    const kernel = p.backend.kernels.get("adamStep");
    assert.ok(kernel, "the native backend has adamStep");
    const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false, decay: 1, stepSizes: [0.1], bias2Sqrts: [0.1] };
    // Two state tensors instead of three: the kernel refuses the call.
    assert.throws(() => kernel.run([g], [p, tl.zeros([4])], attrs), (e: Error) => e instanceof tl.TensileError && /\[adamStep\] native kernel failed: wrong number/.test(e.message));
    assert.throws(() => kernel.run([g], [p, tl.zeros([3]), tl.zeros([4])], attrs), /\[adamStep\] native kernel failed/);
    assert.deepEqual([...p.dataSync()], [0, 0, 0, 0]);
  });
});
