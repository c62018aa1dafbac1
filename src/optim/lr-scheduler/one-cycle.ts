import { check, tensileError } from "../../core/errors.js";
import type { Optimizer, ParamGroup } from "../optimizer.js";
import { checkInt, checkNumber, LRScheduler, perGroup } from "./base.js";

/** Options of `OneCycleLR`. Give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions {
  /** Peak lr: one for all groups or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle (the scheduler is stepped once per batch). */
  totalSteps?: number;
  /** With `stepsPerEpoch`, sets totalSteps = epochs·stepsPerEpoch. */
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** Annealing shape. Default "cos". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD, RMSprop) or Adam's beta1 inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end. Default 0.95. */
  maxMomentum?: number | number[];
  /** Initial lr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** Minimum lr = initial lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Use three phases (up, back down to the initial lr, then annihilate) instead of two. Default false. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (Smith & Topor): the lr rises from `maxLr/divFactor` to `maxLr` over `pctStart` of
 * the cycle, then anneals to `initialLr/finalDivFactor`; momentum (or Adam's beta1) moves the opposite
 * way between `maxMomentum` and `baseMomentum`. Step it after every batch. Writes `initialLr`, `maxLr`,
 * `minLr`, `maxMomentum` and `baseMomentum` into each parameter group, as PyTorch does.
 * @example const sched = new tl.optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: loader.length });
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the whole cycle. */
  totalSteps: number;
  /** Shape of the annealing between phase ends. */
  annealStrategy: "cos" | "linear";
  /** Whether momentum (or beta1) is cycled too. */
  cycleMomentum: boolean;
  /** Whether momentum lives in Adam-style `betas[0]` rather than `momentum`. */
  useBeta1: boolean;
  private readonly phases: Phase[];

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const where = "OneCycleLR";
    // PyTorch sets initialLr before the base constructor reads it; the base only fills missing ones.
    const maxLrs = perGroup(options?.maxLr, optimizer, where, "maxLr");
    const divFactor = options.divFactor ?? 25;
    const finalDivFactor = options.finalDivFactor ?? 1e4;
    checkNumber(divFactor, where, "divFactor");
    checkNumber(finalDivFactor, where, "finalDivFactor");
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = g.initialLr / finalDivFactor;
    });
    super(optimizer, where);
    if (options.totalSteps !== undefined) {
      checkInt(options.totalSteps, 1, where, "totalSteps");
      this.totalSteps = options.totalSteps;
    } else {
      check(options.epochs !== undefined && options.stepsPerEpoch !== undefined, where,
        "give totalSteps, or epochs and stepsPerEpoch");
      checkInt(options.epochs, 1, where, "epochs");
      checkInt(options.stepsPerEpoch, 1, where, "stepsPerEpoch");
      this.totalSteps = options.epochs * options.stepsPerEpoch;
    }
    const pct = options.pctStart ?? 0.3;
    check(typeof pct === "number" && pct >= 0 && pct <= 1, where, () => `pctStart must be a number in [0, 1], got ${pct}`);
    const n = this.totalSteps;
    this.phases = options.threePhase
      ? [
        { endStep: pct * n - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
        { endStep: 2 * pct * n - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        { endStep: n - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
      ]
      : [
        { endStep: pct * n - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
        { endStep: n - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
      ];
    this.annealStrategy = options.annealStrategy ?? "cos";
    check(this.annealStrategy === "cos" || this.annealStrategy === "linear", where,
      () => `annealStrategy must be "cos" or "linear", got ${String(this.annealStrategy)}`);
    this.cycleMomentum = options.cycleMomentum ?? true;
    const defaults = optimizer.defaults as Record<string, unknown>;
    this.useBeta1 = "betas" in defaults;
    if (this.cycleMomentum) {
      check("momentum" in defaults || "betas" in defaults, where,
        "cycleMomentum needs an optimizer with momentum or betas; pass { cycleMomentum: false }");
      const maxMomentums = perGroup(options.maxMomentum ?? 0.95, optimizer, where, "maxMomentum");
      const baseMomentums = perGroup(options.baseMomentum ?? 0.85, optimizer, where, "baseMomentum");
      optimizer.paramGroups.forEach((g, i) => {
        this.setMomentum(g, maxMomentums[i]);
        g.maxMomentum = maxMomentums[i];
        g.baseMomentum = baseMomentums[i];
      });
    }
    this.initialStep();
  }

  private setMomentum(group: ParamGroup, value: number): void {
    if (this.useBeta1) {
      const betas = group.betas as number[];
      group.betas = [value, ...betas.slice(1)];
    } else {
      group.momentum = value;
    }
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw tensileError("OneCycleLR", `tried to step ${stepNum + 1} times; the cycle has only ${this.totalSteps} steps (totalSteps)`);
    }
    return this.optimizer.paramGroups.map((group) => {
      let start = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - start) / (phase.endStep - start);
          lr = this.anneal(group[phase.startLr] as number, group[phase.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(group[phase.startMomentum] as number, group[phase.endMomentum] as number, pct);
          break;
        }
        start = phase.endStep;
      }
      if (this.cycleMomentum) this.setMomentum(group, momentum);
      return lr;
    });
  }
}
