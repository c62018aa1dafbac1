import { check } from "../core/errors.js";

/** Numbers logged for an epoch: `loss`, metric names, `valLoss`, `valAccuracy`, `lr`, ... */
export type Logs = Record<string, number>;

/** What a callback can see of the run and change (e.g. stop it). */
export interface TrainerControl {
  stopTraining: boolean;
  /** Copies of the parameters and buffers, for restoring the best weights. */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
  /** Saves a checkpoint of model, optimizer and scheduler state atomically. */
  saveCheckpoint(path: string, epoch: number): Promise<void>;
  /** The current learning rate of the first parameter group. */
  readonly lr: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number | null;
}

/** Hooks called by `Trainer.fit`; override the ones you need. */
export abstract class Callback {
  onTrainBegin(_control: TrainerControl): void | Promise<void> {}
  onEpochBegin(_epoch: number, _control: TrainerControl): void | Promise<void> {}
  /** After each optimizer step; `logs` holds the running loss and samples/s. */
  onBatchEnd(_step: number, _logs: Logs, _control: TrainerControl): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs, _control: TrainerControl): void | Promise<void> {}
  onTrainEnd(_logs: Logs, _control: TrainerControl): void | Promise<void> {}
}

/** Records every epoch's logs: `history.history.loss[epoch]`, like Keras. */
export class History extends Callback {
  readonly epochs: number[] = [];
  readonly history: Record<string, number[]> = {};

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epochs.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      (this.history[key] ??= []).push(value);
    }
  }

  /** The logs of the last epoch. */
  get last(): Logs {
    const out: Logs = {};
    for (const [key, values] of Object.entries(this.history)) out[key] = values[values.length - 1];
    return out;
  }
}

export interface MonitorOptions {
  /** The log to watch, e.g. "valLoss" or "valAccuracy". */
  monitor?: string;
  /** "min" for losses, "max" for accuracies; "auto" picks by name. */
  mode?: "min" | "max" | "auto";
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
}

/** Tracks the best value of a monitored log. */
class Monitor {
  readonly monitor: string;
  readonly mode: "min" | "max";
  readonly minDelta: number;
  best: number;

  constructor(options: MonitorOptions, where: string) {
    this.monitor = options.monitor ?? "valLoss";
    const mode = options.mode ?? "auto";
    check(mode === "min" || mode === "max" || mode === "auto", where, `mode must be "min", "max" or "auto", got ${String(mode)}`);
    this.mode = mode === "auto" ? (/acc|f1|precision|recall/i.test(this.monitor) ? "max" : "min") : mode;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    check(Number.isFinite(this.minDelta), where, "minDelta must be a finite number");
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  value(logs: Logs, where: string): number {
    const v = logs[this.monitor];
    check(v !== undefined, where, () => `monitored value "${this.monitor}" is not in the logs (have: ${Object.keys(logs).join(", ")}); ` +
      "pass validation data for val* values");
    return v;
  }

  improved(v: number): boolean {
    return this.mode === "min" ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }
}

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** Put back the weights of the best epoch when stopping (and at the end of training). */
  restoreBest?: boolean;
}

/** Stops training when the monitored value stops improving, like Keras' EarlyStopping. */
export class EarlyStopping extends Callback {
  private readonly tracker: Monitor;
  readonly patience: number;
  readonly restoreBest: boolean;
  private wait = 0;
  private bestWeights: unknown = null;
  /** The epoch training stopped at, or null. */
  stoppedEpoch: number | null = null;
  bestEpoch = -1;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    this.tracker = new Monitor(options, "EarlyStopping");
    this.patience = options.patience ?? 0;
    check(Number.isInteger(this.patience) && this.patience >= 0, "EarlyStopping", `patience must be a whole number ≥ 0, got ${this.patience}`);
    this.restoreBest = options.restoreBest ?? false;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.tracker.best = this.tracker.mode === "min" ? Infinity : -Infinity;
    this.bestWeights = null;
    this.stoppedEpoch = null;
  }

  override onEpochEnd(epoch: number, logs: Logs, control: TrainerControl): void {
    const v = this.tracker.value(logs, "EarlyStopping");
    if (this.tracker.improved(v)) {
      this.tracker.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBest) this.bestWeights = control.snapshot();
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      control.stopTraining = true;
    }
  }

  override onTrainEnd(_logs: Logs, control: TrainerControl): void {
    if (this.restoreBest && this.bestWeights !== null) control.restore(this.bestWeights);
  }

  get best(): number {
    return this.tracker.best;
  }
}

export interface ModelCheckpointOptions extends MonitorOptions {
  /** File path; `{epoch}` is replaced by the epoch number (1-based). */
  path: string;
  /** Save only when the monitored value improves (default true); false saves every epoch. */
  saveBestOnly?: boolean;
}

/** Saves model, optimizer and scheduler state after epochs, atomically (temp file + rename). */
export class ModelCheckpoint extends Callback {
  private readonly tracker: Monitor | null;
  readonly path: string;
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    super();
    check(typeof options?.path === "string" && options.path.length > 0, "ModelCheckpoint", "path must be a non-empty string");
    this.path = options.path;
    this.tracker = options.saveBestOnly === false ? null : new Monitor(options, "ModelCheckpoint");
  }

  override async onEpochEnd(epoch: number, logs: Logs, control: TrainerControl): Promise<void> {
    if (this.tracker) {
      const v = this.tracker.value(logs, "ModelCheckpoint");
      if (!this.tracker.improved(v)) return;
      this.tracker.best = v;
    }
    const path = this.path.replace("{epoch}", String(epoch + 1));
    await control.saveCheckpoint(path, epoch);
    this.saved.push(path);
  }
}

/** Something with PyTorch's scheduler interface. */
export interface SchedulerLike {
  step(metric?: number): void;
}

export interface LRSchedulerCallbackOptions {
  /** Step after every batch instead of every epoch (OneCycleLR, warm-up). */
  perBatch?: boolean;
  /** For ReduceLROnPlateau: the log passed to `step(metric)`. */
  monitor?: string;
}

/** Steps a learning-rate scheduler each epoch (or each batch). */
export class LRSchedulerCallback extends Callback {
  constructor(readonly scheduler: SchedulerLike, readonly options: LRSchedulerCallbackOptions = {}) {
    super();
  }

  override onBatchEnd(): void {
    if (this.options.perBatch) this.scheduler.step();
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.options.perBatch) return;
    if (this.options.monitor !== undefined) {
      const v = logs[this.options.monitor];
      check(v !== undefined, "LRSchedulerCallback", () => `monitored value "${this.options.monitor}" is not in the logs`);
      this.scheduler.step(v);
    } else this.scheduler.step();
  }
}
