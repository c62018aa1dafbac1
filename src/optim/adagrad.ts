import { fullLike } from "../ops/index.js";
import { adagradStep } from "../ops/optimizer-updates.js";
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

  protected override updateGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    states.forEach((state, i) => {
      if (state.step === undefined) {
        state.step = 0;
        state.sum = fullLike(params[i], group.initialAccumulatorValue).keep();
      }
      state.step = (state.step as number) + 1;
    });
    adagradStep(params, grads, { sums: states.map((s) => s.sum as Tensor), steps: states.map((s) => s.step as number) },
      { lr, lrDecay, weightDecay, eps, maximize });
  }
}
