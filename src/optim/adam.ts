import { zerosLike } from "../ops/index.js";
import { adamStep } from "../ops/optimizer-updates.js";
import type { Tensor } from "../engine/tensor.js";
import {
  checkBoolean, checkKnownOptions, checkNonNegative, checkOption, Optimizer,
  type ParamGroup, type ParamsInput, type ParamState,
} from "./optimizer.js";

/** Hyper-parameters of `Adam` and `AdamW`. */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr: number;
  /** Decay rates of the first and second moment averages. Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps: number;
  /** Weight decay: an L2 penalty for Adam, decoupled decay for AdamW. Default 0 (Adam), 1e-2 (AdamW). */
  weightDecay: number;
  /** Use the AMSGrad variant (the running maximum of the second moment). Default false. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

function validateAdam(group: ParamGroup<AdamOptions>, where: string): void {
  for (const key of ["lr", "eps", "weightDecay"]) checkNonNegative(group, key, where);
  checkBoolean(group, "amsgrad", where);
  checkBoolean(group, "maximize", where);
  const b = group.betas;
  checkOption(Array.isArray(b) && b.length === 2, where, "betas", b, "must be a pair [beta1, beta2]");
  b.forEach((beta, i) => checkOption(typeof beta === "number" && beta >= 0 && beta < 1, where, `betas[${i}]`, beta, "must be in [0, 1)"));
}

/**
 * The update shared by Adam and AdamW (PyTorch 1.13's single-tensor rule), one fused call for the group:
 * `m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/(1−β1^t) · m / (√v̂/√(1−β2^t) + eps)`,
 * where v̂ is v or, with amsgrad, its running maximum.
 */
function adamGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<AdamOptions>, decoupled: boolean): void {
  const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
  for (let i = 0; i < params.length; i++) initAndCount(params[i], states[i], amsgrad);
  const tensors = (key: string): Tensor[] => states.map((s) => s[key] as Tensor);
  adamStep(params, grads, {
    expAvgs: tensors("expAvg"),
    expAvgSqs: tensors("expAvgSq"),
    maxExpAvgSqs: amsgrad ? tensors("maxExpAvgSq") : undefined,
    steps: states.map((s) => s.step as number),
  }, { lr, betas, eps, weightDecay, amsgrad, maximize, decoupled });
}

/** Creates the moment buffers on a parameter's first step and advances its step count. */
function initAndCount(p: Tensor, state: ParamState, amsgrad: boolean): void {
  if (state.step === undefined) {
    state.step = 0;
    state.expAvg = zerosLike(p).keep();
    state.expAvgSq = zerosLike(p).keep();
  }
  // amsgrad may be switched on after the first step; its buffer then starts at zero, as in PyTorch.
  if (amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosLike(p).keep();
  state.step = (state.step as number) + 1;
}

/**
 * Adam (Kingma & Ba), with PyTorch's options: L2 `weightDecay` added to the gradient, `amsgrad`, `maximize`.
 * State per parameter: `step`, `expAvg`, `expAvgSq` (and `maxExpAvgSq` with amsgrad).
 * @example const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    checkKnownOptions(options, ADAM_DEFAULTS, "Adam");
    super("Adam", params, { ...ADAM_DEFAULTS, ...options });
  }

  protected validate(group: ParamGroup<AdamOptions>, where: string): void {
    validateAdam(group, where);
  }

  protected override updateGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<AdamOptions>): void {
    adamGroup(params, grads, states, group, false);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, `p *= 1 − lr·weightDecay` before the
 * Adam step. Default `weightDecay` 1e-2, as in PyTorch.
 * @example const opt = new tl.optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.05 });
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    checkKnownOptions(options, ADAM_DEFAULTS, "AdamW");
    super("AdamW", params, { ...ADAM_DEFAULTS, weightDecay: 1e-2, ...options });
  }

  protected validate(group: ParamGroup<AdamOptions>, where: string): void {
    validateAdam(group, where);
  }

  protected override updateGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<AdamOptions>): void {
    adamGroup(params, grads, states, group, true);
  }
}
