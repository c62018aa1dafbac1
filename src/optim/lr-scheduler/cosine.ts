import { check } from "../../core/errors.js";
import type { Optimizer } from "../optimizer.js";
import { checkInt, checkNumber, LRScheduler } from "./base.js";

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Epochs of half a cosine period (from the initial lr down to `etaMin`). */
  tMax: number;
  /** The minimum lr. Default 0. */
  etaMin?: number;
}

/**
 * Anneals each group's lr along a cosine from its initial lr to `etaMin` over `tMax` epochs (and back up
 * after, as PyTorch does). Uses PyTorch's recursive form, so values match it exactly and the lr can also
 * be changed from outside between steps.
 * @example const sched = new tl.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of half a cosine period. */
  tMax: number;
  /** The minimum lr. */
  etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer, "CosineAnnealingLR");
    checkInt(options?.tMax, 1, "CosineAnnealingLR", "tMax");
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    checkNumber(this.etaMin, "CosineAnnealingLR", "etaMin");
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (t === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) return this.closedFormLr();
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map((g) =>
      ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Options of `CosineAnnealingWarmRestarts`. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart. */
  t0: number;
  /** Each period is `tMult` times the previous one (a whole number >= 1). Default 1. */
  tMult?: number;
  /** The minimum lr. Default 0. */
  etaMin?: number;
}

/**
 * SGDR: cosine annealing from each group's initial lr to `etaMin`, restarting every `t0`, `t0·tMult`,
 * `t0·tMult²`, ... epochs.
 * @example const sched = new tl.optim.lrScheduler.CosineAnnealingWarmRestarts(opt, { t0: 10, tMult: 2 });
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Epochs of the first period. */
  t0: number;
  /** Epochs of the current period. */
  tI: number;
  /** Growth factor of the periods. */
  tMult: number;
  /** The minimum lr. */
  etaMin: number;
  /** Epochs since the last restart. */
  tCur: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, "CosineAnnealingWarmRestarts");
    checkInt(options?.t0, 1, "CosineAnnealingWarmRestarts", "t0");
    this.t0 = options.t0;
    this.tI = options.t0;
    this.tMult = options.tMult ?? 1;
    checkInt(this.tMult, 1, "CosineAnnealingWarmRestarts", "tMult");
    this.etaMin = options.etaMin ?? 0;
    checkNumber(this.etaMin, "CosineAnnealingWarmRestarts", "etaMin");
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  override step(): void {
    if (this.lastEpoch < 0) {
      this.stepTo(0);
      return;
    }
    this.stepCount++;
    this.lastEpoch++;
    this.tCur++;
    if (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
    this.apply(this.computeLr());
  }

  override stepTo(epoch: number): void {
    check(epoch >= 0, "CosineAnnealingWarmRestarts", () => `epoch must be >= 0, got ${epoch}`);
    this.stepCount++;
    if (epoch >= this.t0) {
      if (this.tMult === 1) {
        this.tCur = epoch % this.t0;
      } else {
        const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
        this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
        this.tI = this.t0 * this.tMult ** n;
      }
    } else {
      this.tI = this.t0;
      this.tCur = epoch;
    }
    this.lastEpoch = Math.floor(epoch);
    this.apply(this.computeLr());
  }
}
