import { fullLike } from "../ops/index.js";
import type { Tensor } from "../engine/tensor.js";
import {
  checkBoolean, checkKnownOptions, checkNonNegative, Optimizer,
  type ParamGroup, type ParamsInput, type ParamState,
} from "./optimizer.js";

/** Hyper-parameters of `Adagrad`. */
export interface AdagradOptions {
  /** Learning rate. Default 1e-2. */
  lr: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t−1)·lrDecay)`. Default 0. */
  lrDecay: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Starting value of the squared-gradient sum. Default 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability. Default 1e-10. */
  eps: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

const DEFAULTS: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };

/**
 * Adagrad with PyTorch's update rule: `sum += g²; p −= clr · g / (√sum + eps)` with
 * `clr = lr / (1 + (t−1)·lrDecay)`. State per parameter: `step`, `sum`.
 * @example const opt = new tl.optim.Adagrad(model.parameters(), { lr: 0.05 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    checkKnownOptions(options, DEFAULTS, "Adagrad");
    super("Adagrad", params, { ...DEFAULTS, ...options });
  }

  protected validate(group: ParamGroup<AdagradOptions>, where: string): void {
    for (const key of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"]) checkNonNegative(group, key, where);
    checkBoolean(group, "maximize", where);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    if (state.step === undefined) {
      state.step = 0;
      state.sum = fullLike(p, group.initialAccumulatorValue).keep();
    }
    const step = (state.step as number) + 1;
    state.step = step;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(p.mul(weightDecay));
    const clr = lr / (1 + (step - 1) * lrDecay);
    const sum = state.sum as Tensor;
    sum.add_(g.mul(g));
    const std = sum.sqrt().add(eps);
    p.sub_(g.mul(clr).div(std));
  }
}
