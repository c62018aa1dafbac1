import { check } from "../../core/errors.js";
import type { Optimizer } from "../optimizer.js";
import { checkInt, LRScheduler, loadSchedulerState, schedulerState, type SchedulerStateDict } from "./base.js";

/** Options of `SequentialLR`. */
export interface SequentialLROptions {
  /** The schedulers to run one after another, all built on the same optimizer. */
  schedulers: LRScheduler[];
  /** The epochs at which to switch to the next scheduler (one fewer than the schedulers, increasing). */
  milestones: number[];
}

/**
 * Runs schedulers one after another, switching at the milestones; each later scheduler starts its
 * schedule from epoch 0 when its turn comes. The usual use is warm-up then decay.
 * @example
 * const warmup = new tl.optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const cosine = new tl.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 95 });
 * const sched = new tl.optim.lrScheduler.SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  /** Epochs at which the next scheduler takes over. */
  milestones: number[];
  private readonly schedulers: LRScheduler[];

  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    super(optimizer, "SequentialLR");
    const where = "SequentialLR";
    const { schedulers, milestones } = options ?? {};
    check(Array.isArray(schedulers) && schedulers.length > 0, where, "schedulers must be a non-empty array of schedulers");
    schedulers.forEach((s, i) => {
      check(s instanceof LRScheduler, where, () => `schedulers[${i}] is not an epoch-based scheduler`);
      check(s.optimizer === optimizer, where, () => `schedulers[${i}] belongs to a different optimizer than the one passed in`);
    });
    check(Array.isArray(milestones) && milestones.length === schedulers.length - 1, where,
      () => `expected ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`);
    milestones.forEach((m, i) => {
      checkInt(m, 1, where, `milestones[${i}]`);
      check(i === 0 || m > milestones[i - 1], where, () => `milestones must increase, got ${JSON.stringify(milestones)}`);
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    // Undo the initial steps the schedulers took when they were built, then start the first one.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].restart();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  protected computeLr(): number[] {
    return this.getLastLr();
  }

  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.stepTo(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    const sd = schedulerState(this, ["where", "schedulers"]);
    sd.schedulers = this.schedulers.map((s) => s.stateDict());
    return sd;
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    const where = "SequentialLR.loadStateDict";
    const { schedulers, ...rest } = sd ?? {};
    check(Array.isArray(schedulers) && schedulers.length === this.schedulers.length, where,
      () => `expected the states of ${this.schedulers.length} schedulers under 'schedulers'`);
    loadSchedulerState(this, rest, ["where", "schedulers"], where);
    this.schedulers.forEach((s, i) => s.loadStateDict(schedulers[i] as SchedulerStateDict));
  }
}
