import { check } from "../../core/errors.js";
import { Tensor } from "../../engine/tensor.js";
import { Optimizer } from "../optimizer.js";
import { checkInt, checkNumber, loadSchedulerState, perGroup, schedulerState, type SchedulerStateDict } from "./base.js";

/** Options of `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** "min": the metric should go down (a loss); "max": up (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** new lr = lr·factor. Default 0.1. */
  factor?: number;
  /** Epochs without improvement to wait before reducing. Default 10. */
  patience?: number;
  /** How much better than the best a value must be to count as an improvement. Default 1e-4. */
  threshold?: number;
  /** "rel": better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr: one for all groups or one per group. Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped. Default 1e-8. */
  eps?: number;
}

/**
 * Reduces each group's lr by `factor` when a metric has stopped improving for `patience` epochs.
 * Call `step(metric)` once per epoch with the validation metric.
 * @example
 * const sched = new tl.optim.lrScheduler.ReduceLROnPlateau(opt, { mode: "min", patience: 3 });
 * sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  /** The optimizer whose learning rates this scheduler reduces. */
  readonly optimizer: Optimizer;
  /** Whether lower ("min") or higher ("max") metric values are better. */
  mode: "min" | "max";
  /** new lr = lr·factor. */
  factor: number;
  /** Bad epochs tolerated before a reduction. */
  patience: number;
  /** Minimum change that counts as an improvement. */
  threshold: number;
  /** Whether `threshold` is relative or absolute. */
  thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction. */
  cooldown: number;
  /** Lower bound of each group's lr. */
  minLrs: number[];
  /** Reductions smaller than this are skipped. */
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Metrics recorded so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = "ReduceLROnPlateau";
    check(optimizer instanceof Optimizer, where, "the first argument must be an optimizer");
    this.optimizer = optimizer;
    this.mode = options.mode ?? "min";
    check(this.mode === "min" || this.mode === "max", where, () => `mode must be "min" or "max", got ${String(this.mode)}`);
    this.thresholdMode = options.thresholdMode ?? "rel";
    check(this.thresholdMode === "rel" || this.thresholdMode === "abs", where,
      () => `thresholdMode must be "rel" or "abs", got ${String(this.thresholdMode)}`);
    this.factor = options.factor ?? 0.1;
    check(typeof this.factor === "number" && this.factor >= 0 && this.factor < 1, where, () => `factor must be in [0, 1), got ${this.factor}`);
    this.patience = options.patience ?? 10;
    checkInt(this.patience, 0, where, "patience");
    this.threshold = options.threshold ?? 1e-4;
    checkNumber(this.threshold, where, "threshold");
    this.cooldown = options.cooldown ?? 0;
    checkInt(this.cooldown, 0, where, "cooldown");
    this.minLrs = perGroup(options.minLr ?? 0, optimizer, where, "minLr");
    this.eps = options.eps ?? 1e-8;
    checkNumber(this.eps, where, "eps");
    this.best = this.modeWorse();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === "rel" ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /**
   * Records one epoch's metric (a number or a one-element tensor) and reduces the lr when it has plateaued.
   * The metric is required; the parameter is optional only so this fits the `step(metric?)` of other schedulers.
   */
  step(metric?: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    check(typeof current === "number", "ReduceLROnPlateau.step", () => `metric must be a number or a one-element tensor, got ${typeof metric}`);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state (numbers, arrays and the mode strings). */
  stateDict(): SchedulerStateDict {
    return schedulerState(this, []);
  }

  /** Restores state saved by `stateDict()`. A `best` of null (±Infinity after a JSON round trip) means "none yet". */
  loadStateDict(sd: SchedulerStateDict): void {
    loadSchedulerState(this, sd, [], "ReduceLROnPlateau.loadStateDict");
    if (this.best === null) this.best = this.modeWorse();
  }
}
