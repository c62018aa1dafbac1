import { check } from "../../core/errors.js";
import type { Optimizer } from "../optimizer.js";
import { checkInt, checkNumber, LRScheduler, loadSchedulerState, schedulerState, type SchedulerStateDict } from "./base.js";

const groupLrs = (optimizer: Optimizer): number[] => optimizer.paramGroups.map((g) => g.lr);

/** Options of `StepLR`. */
export interface StepLROptions {
  /** Decay the lr every `stepSize` epochs. */
  stepSize: number;
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies each group's lr by `gamma` every `stepSize` epochs.
 * @example const sched = new tl.optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative factor of each decay. */
  gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer, "StepLR");
    checkInt(options?.stepSize, 1, "StepLR", "stepSize");
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    checkNumber(this.gamma, "StepLR", "gamma");
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groupLrs(this.optimizer);
    return this.optimizer.paramGroups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions {
  /** Epochs at which to decay; a milestone listed twice decays twice. */
  milestones: number[];
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies each group's lr by `gamma` at each milestone epoch.
 * @example const sched = new tl.optim.lrScheduler.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** The decay epochs, sorted. */
  milestones: number[];
  /** Multiplicative factor of each decay. */
  gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    super(optimizer, "MultiStepLR");
    check(Array.isArray(options?.milestones), "MultiStepLR", "milestones must be an array of epochs");
    options.milestones.forEach((m, i) => checkInt(m, 0, "MultiStepLR", `milestones[${i}]`));
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    checkNumber(this.gamma, "MultiStepLR", "gamma");
    this.initialStep();
  }

  protected computeLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return groupLrs(this.optimizer);
    return this.optimizer.paramGroups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

/** Options of `ExponentialLR`. */
export interface ExponentialLROptions {
  /** Multiplicative factor applied every epoch. */
  gamma: number;
}

/**
 * Multiplies each group's lr by `gamma` every epoch.
 * @example const sched = new tl.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor applied every epoch. */
  gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super(optimizer, "ExponentialLR");
    checkNumber(options?.gamma, "ExponentialLR", "gamma");
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return groupLrs(this.optimizer);
    return this.optimizer.paramGroups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/** Options of `LinearLR`. */
export interface LinearLROptions {
  /** Factor of the lr at epoch 0, in [0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor of the lr from `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs over which the factor moves linearly from start to end. Default 5. */
  totalIters?: number;
}

/**
 * Scales each group's lr by a factor that moves linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs: the usual warm-up.
 * @example const warmup = new tl.optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  startFactor: number;
  /** Factor from `totalIters` on. */
  endFactor: number;
  /** Epochs of the linear ramp. */
  totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super(optimizer, "LinearLR");
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    // A start factor of 0 would divide by zero in the chainable form, as in PyTorch: require > 0.
    check(typeof this.startFactor === "number" && this.startFactor > 0 && this.startFactor <= 1, "LinearLR",
      () => `startFactor must be in (0, 1], got ${this.startFactor}`);
    check(typeof this.endFactor === "number" && this.endFactor >= 0 && this.endFactor <= 1, "LinearLR",
      () => `endFactor must be in [0, 1], got ${this.endFactor}`);
    checkInt(this.totalIters, 1, "LinearLR", "totalIters");
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    if (t === 0) return this.optimizer.paramGroups.map((g) => g.lr * s);
    if (t > n) return groupLrs(this.optimizer);
    return this.optimizer.paramGroups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    return this.baseLrs.map((lr) => lr * (s + ((e - s) * Math.min(n, t)) / n));
  }
}

/** Options of `LambdaLR`. */
export interface LambdaLROptions {
  /** The factor of the initial lr at an epoch; or one function per parameter group. */
  lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[];
}

/**
 * Sets each group's lr to its initial lr times `lrLambda(epoch)`. The functions are not part of
 * `stateDict()`; pass the same ones when resuming.
 * @example const sched = new tl.optim.lrScheduler.LambdaLR(opt, { lrLambda: (e) => 0.95 ** e });
 */
export class LambdaLR extends LRScheduler {
  private readonly lrLambdas: ((epoch: number) => number)[];

  constructor(optimizer: Optimizer, options: LambdaLROptions) {
    super(optimizer, "LambdaLR");
    const n = optimizer.paramGroups.length;
    const fns = options?.lrLambda;
    if (Array.isArray(fns)) {
      check(fns.length === n, "LambdaLR", () => `expected ${n} lrLambda functions (one per parameter group), got ${fns.length}`);
      this.lrLambdas = [...fns];
    } else {
      this.lrLambdas = new Array(n).fill(fns);
    }
    this.lrLambdas.forEach((f, i) => check(typeof f === "function", "LambdaLR", () => `lrLambda ${i} is not a function`));
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lrLambdas[i](this.lastEpoch));
  }

  override stateDict(): SchedulerStateDict {
    return schedulerState(this, ["where", "lrLambdas"]);
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    loadSchedulerState(this, sd, ["where", "lrLambdas"], "LambdaLR.loadStateDict");
  }
}
