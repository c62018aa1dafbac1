/**
 * Fused optimizer updates: each function updates many parameters and their state tensors in place
 * from their gradients in one kernel call (chunked by the backend if its ABI takes fewer tensors),
 * with PyTorch 1.13's single-tensor arithmetic order (see src/backends/js/optim.ts). They are not
 * recorded by autograd; like the other in-place ops they bump the storage versions of what they write
 * and are refused on tensors that require grad while grad mode is on. src/optim builds on them.
 */
import { check, fmtShape, tensileError } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { materialize, runKernel } from "../engine/dispatch.js";
import { isGradEnabled } from "../engine/grad-mode.js";
import { tidy } from "../engine/scope.js";
import { Tensor } from "../engine/tensor.js";

/** State lists of one call: name (for errors) → one tensor per parameter, updated in place. */
type StateLists = readonly (readonly [string, readonly Tensor[]])[];

/** The number of parameters, after checking `params` is an array. */
function countParams(op: string, params: unknown): number {
  check(Array.isArray(params), op, "params must be an array of tensors");
  return params.length;
}

function checkList(op: string, name: string, list: unknown, n: number): void {
  check(Array.isArray(list), op, () => `${name} must be an array of tensors`);
  check(list.length === n, op, () => `${name} has ${list.length} tensor(s) but there are ${n} parameter(s)`);
}

function checkLike(op: string, name: string, k: number, t: unknown, p: Tensor, pname: string): void {
  check(t instanceof Tensor, op, () => `${name}[${k}] is not a Tensor`);
  t.assertAlive(op);
  check(t.backend === p.backend, op, () => `${name}[${k}] is on backend ${t.backend.name} but ${pname}[${k}] is on ${p.backend.name}`);
  check(t.dtype === p.dtype, op, () => `${name}[${k}] has dtype ${t.dtype} but ${pname}[${k}] has dtype ${p.dtype}`);
  check(shapesEqual(t.shape, p.shape), op,
    () => `${name}[${k}] has shape ${fmtShape(t.shape)} but ${pname}[${k}] has shape ${fmtShape(p.shape)}`);
}

/**
 * Checks every tensor, then runs kernel `op` once per (backend, dtype) set of parameters: inputs the
 * gradients, outputs per parameter [param, ...state]. `perParam` arrays travel sliced like the params.
 */
function runUpdate(op: string, params: readonly Tensor[], grads: readonly Tensor[], states: StateLists,
  attrs: Record<string, unknown>, perParam: Record<string, readonly unknown[]> = {}): void {
  const n = params.length;
  checkList(op, "grads", grads, n);
  for (const [name, list] of states) checkList(op, name, list, n);
  const seen = new Set<Tensor>();
  params.forEach((p, k) => {
    check(p instanceof Tensor, op, () => `params[${k}] is not a Tensor`);
    p.assertAlive(op);
    check(p.dtype === "float32" || p.dtype === "float64", op, () => `params[${k}] has dtype ${p.dtype}; only float32 and float64 tensors can be updated`);
    check(!seen.has(p), op, () => `params[${k}] appears more than once`);
    seen.add(p);
    checkLike(op, "grads", k, grads[k], p, "params");
    for (const [name, list] of states) checkLike(op, name, k, list[k], p, "params");
    if (isGradEnabled() && (p.requiresGrad || states.some(([, list]) => list[k].requiresGrad))) {
      throw tensileError(op, `params[${k}] (or its state) requires grad: optimizer updates write in place; run them inside tl.noGrad(() => ...)`);
    }
  });
  // One kernel call per (backend, dtype): kernels take tensors of one dtype.
  const sets = new Map<string, number[]>();
  params.forEach((p, k) => {
    const key = `${p.backend.name}/${p.dtype}`;
    const list = sets.get(key);
    if (list === undefined) sets.set(key, [k]);
    else list.push(k);
  });
  for (const ks of sets.values()) runSet(op, ks, params, grads, states, attrs, perParam);
  for (const p of params) p.storage.version++;
  for (const [, list] of states) for (const t of list) t.storage.version++;
}

function runSet(op: string, ks: readonly number[], params: readonly Tensor[], grads: readonly Tensor[], states: StateLists,
  attrs: Record<string, unknown>, perParam: Record<string, readonly unknown[]>): void {
  const targets: Tensor[] = [];
  for (const k of ks) {
    targets.push(params[k]);
    for (const [, list] of states) targets.push(list[k]);
  }
  const kernelAttrs: Record<string, unknown> = { ...attrs };
  for (const [key, values] of Object.entries(perParam)) kernelAttrs[key] = ks.map((k) => values[k]);
  const inputs = ks.map((k) => grads[k]);
  if (targets.every((t) => t.isContiguous)) {
    runKernel(op, inputs, targets, kernelAttrs);
    return;
  }
  // Kernels write contiguous outputs: a strided parameter or state is updated through a dense copy.
  tidy(() => {
    const dense = targets.map((t) => (t.isContiguous ? t : materialize(t)));
    runKernel(op, inputs, dense, kernelAttrs);
    dense.forEach((d, i) => {
      if (d !== targets[i]) runKernel("assign", [d], [targets[i]], {});
    });
  });
}

/** Options of `sgdStep` (SGD's hyper-parameters). */
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** SGD state: momentum buffers (needed when momentum ≠ 0) and which of them are new this step. */
export interface SgdStepState {
  momentumBuffers?: readonly Tensor[];
  /** fresh[k]: buffer k was just created: it takes the step's direction (PyTorch's clone) instead of a decayed sum. */
  fresh?: readonly boolean[];
}

/**
 * One SGD step for every parameter, in place: `d = ±g + weightDecay·p; buf = momentum·buf + (1−dampening)·d`
 * (buf = d when fresh); `d = nesterov ? d + momentum·buf : buf; p −= lr·d`.
 * @example tl.noGrad(() => sgdStep([w], [w.grad!], {}, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }))
 */
export function sgdStep(params: readonly Tensor[], grads: readonly Tensor[], state: SgdStepState, options: SgdStepOptions): void {
  const op = "sgdStep";
  const n = countParams(op, params);
  const withMomentum = options.momentum !== 0;
  check(!withMomentum || state.momentumBuffers !== undefined, op, "momentum ≠ 0 needs momentumBuffers");
  const fresh = state.fresh ?? new Array<boolean>(n).fill(false);
  checkList(op, "fresh", fresh, n);
  const states: StateLists = withMomentum ? [["momentumBuffers", state.momentumBuffers as readonly Tensor[]]] : [];
  const { lr, momentum, dampening, weightDecay, nesterov, maximize } = options;
  runUpdate(op, params, grads, states, { lr, momentum, dampening, weightDecay, nesterov, maximize }, { fresh });
}

/** Options of `adamStep` (Adam's and AdamW's hyper-parameters). */
export interface AdamStepOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW: decoupled weight decay `p *= 1 − lr·weightDecay` instead of an L2 term in the gradient. */
  decoupled: boolean;
}

/** Adam state: the moment buffers, maxExpAvgSqs with amsgrad, and each parameter's step count (already advanced). */
export interface AdamStepState {
  expAvgs: readonly Tensor[];
  expAvgSqs: readonly Tensor[];
  maxExpAvgSqs?: readonly Tensor[];
  steps: readonly number[];
}

/**
 * One Adam (or AdamW) step for every parameter, in place, with the bias corrections computed here from
 * each parameter's step count: `m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= lr/(1−β1^t) · m / (√v̂/√(1−β2^t) + eps)`, v̂ = v or, with amsgrad, its running maximum.
 * @example tl.noGrad(() => adamStep([w], [w.grad!], { expAvgs: [m], expAvgSqs: [v], steps: [1] }, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupled: false }))
 */
export function adamStep(params: readonly Tensor[], grads: readonly Tensor[], state: AdamStepState, options: AdamStepOptions): void {
  const op = "adamStep";
  const n = countParams(op, params);
  checkList(op, "steps", state.steps, n);
  for (const t of state.steps) check(Number.isInteger(t) && t >= 1, op, () => `steps must be whole numbers ≥ 1, got ${t}`);
  check(!options.amsgrad || state.maxExpAvgSqs !== undefined, op, "amsgrad needs maxExpAvgSqs");
  const { lr, eps, weightDecay, amsgrad, maximize, decoupled } = options;
  const [beta1, beta2] = options.betas;
  const states: [string, readonly Tensor[]][] = [["expAvgs", state.expAvgs], ["expAvgSqs", state.expAvgSqs]];
  if (amsgrad) states.push(["maxExpAvgSqs", state.maxExpAvgSqs as readonly Tensor[]]);
  runUpdate(op, params, grads, states,
    { beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize, decay: 1 - lr * weightDecay },
    {
      stepSizes: state.steps.map((t) => lr / (1 - beta1 ** t)),
      bias2Sqrts: state.steps.map((t) => Math.sqrt(1 - beta2 ** t)),
    });
}

/** Options of `rmspropStep` (RMSprop's hyper-parameters). */
export interface RmspropStepOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** RMSprop state: squared-gradient averages, gradient averages (centered), momentum buffers (momentum > 0). */
export interface RmspropStepState {
  squareAvgs: readonly Tensor[];
  gradAvgs?: readonly Tensor[];
  momentumBuffers?: readonly Tensor[];
}

/**
 * One RMSprop step for every parameter, in place: `v = α·v + (1−α)·g²`; centered: `a = α·a + (1−α)·g`,
 * `avg = √(v − a²) + eps`, else `√v + eps`; momentum: `buf = μ·buf + g/avg; p −= lr·buf`, else `p −= lr·g/avg`.
 * @example tl.noGrad(() => rmspropStep([w], [w.grad!], { squareAvgs: [v] }, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }))
 */
export function rmspropStep(params: readonly Tensor[], grads: readonly Tensor[], state: RmspropStepState, options: RmspropStepOptions): void {
  const op = "rmspropStep";
  countParams(op, params);
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = options;
  check(!centered || state.gradAvgs !== undefined, op, "centered needs gradAvgs");
  check(!(momentum > 0) || state.momentumBuffers !== undefined, op, "momentum > 0 needs momentumBuffers");
  const states: [string, readonly Tensor[]][] = [["squareAvgs", state.squareAvgs]];
  if (centered) states.push(["gradAvgs", state.gradAvgs as readonly Tensor[]]);
  if (momentum > 0) states.push(["momentumBuffers", state.momentumBuffers as readonly Tensor[]]);
  runUpdate(op, params, grads, states, { lr, alpha, eps, weightDecay, momentum, centered, maximize });
}

/** Options of `adagradStep` (Adagrad's hyper-parameters). */
export interface AdagradStepOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
}

/** Adagrad state: squared-gradient sums and each parameter's step count (already advanced). */
export interface AdagradStepState {
  sums: readonly Tensor[];
  steps: readonly number[];
}

/**
 * One Adagrad step for every parameter, in place: `sum += g²; p −= clr · g / (√sum + eps)` with
 * `clr = lr / (1 + (t−1)·lrDecay)` from each parameter's step count t.
 * @example tl.noGrad(() => adagradStep([w], [w.grad!], { sums: [s], steps: [1] }, { lr: 1e-2, lrDecay: 0, weightDecay: 0, eps: 1e-10, maximize: false }))
 */
export function adagradStep(params: readonly Tensor[], grads: readonly Tensor[], state: AdagradStepState, options: AdagradStepOptions): void {
  const op = "adagradStep";
  checkList(op, "steps", state.steps, countParams(op, params));
  for (const t of state.steps) check(Number.isInteger(t) && t >= 1, op, () => `steps must be whole numbers ≥ 1, got ${t}`);
  const { lr, lrDecay, weightDecay, eps, maximize } = options;
  runUpdate(op, params, grads, [["sums", state.sums]], { weightDecay, eps, maximize },
    { clrs: state.steps.map((t) => lr / (1 + (t - 1) * lrDecay)) });
}
