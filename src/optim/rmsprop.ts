import { zerosLike } from "../ops/index.js";
import { rmspropStep } from "../ops/optimizer-updates.js";
import type { Tensor } from "../engine/tensor.js";
import {
  checkBoolean, checkKnownOptions, checkNonNegative, Optimizer,
  type ParamGroup, type ParamsInput, type ParamState,
} from "./optimizer.js";

/** Hyper-parameters of `RMSprop`. */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor. Default 0. */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment. Default false. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

const DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };

/**
 * RMSprop with PyTorch's update rule: `v = α·v + (1−α)·g²`; with `centered`, `a = α·a + (1−α)·g` and
 * the denominator is `√(v − a²) + eps`, else `√v + eps`; with momentum `buf = μ·buf + g/denom; p −= lr·buf`,
 * else `p −= lr·g/denom`. State per parameter: `step`, `squareAvg` (and `momentumBuffer`, `gradAvg`).
 * @example const opt = new tl.optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    checkKnownOptions(options, DEFAULTS, "RMSprop");
    super("RMSprop", params, { ...DEFAULTS, ...options });
  }

  protected validate(group: ParamGroup<RMSpropOptions>, where: string): void {
    for (const key of ["lr", "alpha", "eps", "weightDecay", "momentum"]) checkNonNegative(group, key, where);
    checkBoolean(group, "centered", where);
    checkBoolean(group, "maximize", where);
  }

  protected override updateGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    states.forEach((state, i) => {
      const p = params[i];
      if (state.step === undefined) {
        state.step = 0;
        state.squareAvg = zerosLike(p).keep();
      }
      // Buffers are created when an option first needs them (options may change between steps).
      if (momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = zerosLike(p).keep();
      if (centered && state.gradAvg === undefined) state.gradAvg = zerosLike(p).keep();
      state.step = (state.step as number) + 1;
    });
    const tensors = (key: string): Tensor[] => states.map((s) => s[key] as Tensor);
    rmspropStep(params, grads, {
      squareAvgs: tensors("squareAvg"),
      gradAvgs: centered ? tensors("gradAvg") : undefined,
      momentumBuffers: momentum > 0 ? tensors("momentumBuffer") : undefined,
    }, { lr, alpha, eps, weightDecay, momentum, centered, maximize });
  }
}
