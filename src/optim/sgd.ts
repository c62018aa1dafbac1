import { zerosLike } from "../ops/index.js";
import { sgdStep } from "../ops/optimizer-updates.js";
import type { Tensor } from "../engine/tensor.js";
import {
  checkBoolean, checkKnownOptions, checkNonNegative, checkOption, Optimizer,
  type ParamGroup, type ParamsInput, type ParamState,
} from "./optimizer.js";

/** Hyper-parameters of `SGD`. */
export interface SGDOptions {
  /** Learning rate. Default 1e-3. */
  lr: number;
  /** Momentum factor. Default 0. */
  momentum: number;
  /** Dampening of the momentum. Default 0. */
  dampening: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

const DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay, with PyTorch's
 * update rule: `g += weightDecay·p; buf = momentum·buf + (1−dampening)·g` (buf = g on the first step);
 * `g = nesterov ? g + momentum·buf : buf; p −= lr·g`.
 * @example const opt = new tl.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    checkKnownOptions(options, DEFAULTS, "SGD");
    super("SGD", params, { ...DEFAULTS, ...options });
  }

  protected validate(group: ParamGroup<SGDOptions>, where: string): void {
    for (const key of ["lr", "momentum", "dampening", "weightDecay"]) checkNonNegative(group, key, where);
    checkBoolean(group, "nesterov", where);
    checkBoolean(group, "maximize", where);
    checkOption(!group.nesterov || (group.momentum > 0 && group.dampening === 0), where, "nesterov", group.nesterov,
      "Nesterov momentum requires momentum > 0 and dampening 0");
  }

  protected override updateGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    if (momentum === 0) {
      sgdStep(params, grads, {}, { lr, momentum, dampening, weightDecay, nesterov, maximize });
      return;
    }
    // A new buffer takes the first step's direction (PyTorch clones it); the kernel writes it.
    const fresh = states.map((s) => s.momentumBuffer === undefined);
    const momentumBuffers = states.map((s, i) => {
      if (s.momentumBuffer === undefined) s.momentumBuffer = zerosLike(params[i]).keep();
      return s.momentumBuffer as Tensor;
    });
    sgdStep(params, grads, { momentumBuffers, fresh }, { lr, momentum, dampening, weightDecay, nesterov, maximize });
  }
}
