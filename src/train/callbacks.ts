import { check } from "../core/errors.js";
import { dispose } from "../engine/scope.js";
import type { Tensor } from "../engine/tensor.js";
import { ReduceLROnPlateau } from "../optim/lr-scheduler.js";

/** Numbers logged for an epoch: `loss`, metric names, `valLoss`, `valAccuracy`, `lr`, ... */
export type Logs = Record<string, number>;

/** What a callback can see of the run and change (e.g. stop it). */
export interface TrainerControl {
  stopTraining: boolean;
  /** Copies of the model's parameters and buffers (kept tensors the caller owns: dispose them when done). */
  snapshot(): Record<string, Tensor>;
  /** Copies a snapshot back into the model; the snapshot stays the caller's. */
  restore(snapshot: Record<string, Tensor>): void;
  /** Saves a checkpoint of model, optimizer, scheduler and RNG state atomically (`Trainer.saveCheckpoint`). */
  saveCheckpoint(path: string, epoch: number): Promise<void>;
  /** The current learning rate of the first parameter group. */
  readonly lr: number;
  /** The epoch `fit` stops before (0-based epochs run from `initialEpoch` to `epochs - 1`). */
  readonly epochs: number;
  /** The first epoch of this `fit` call (non-zero when resuming). */
  readonly initialEpoch: number;
  /** Batches per epoch when the data has a `length`, else null. */
  readonly stepsPerEpoch: number | null;
}

/**
 * Hooks called by `Trainer.fit`, in the order the callbacks were given; override the ones you need.
 * Epochs and steps are 0-based.
 */
export abstract class Callback {
  /** Once, before the first epoch. */
  onTrainBegin(_control: TrainerControl): void | Promise<void> {}
  /** Before each epoch. */
  onEpochBegin(_epoch: number, _control: TrainerControl): void | Promise<void> {}
  /** After each optimizer step; `logs` holds the running loss and metrics of the epoch and `samplesPerSec`. */
  onBatchEnd(_step: number, _logs: Logs, _control: TrainerControl): void | Promise<void> {}
  /** After each epoch (and its validation); `logs` holds loss, metrics, val* values and `lr`. */
  onEpochEnd(_epoch: number, _logs: Logs, _control: TrainerControl): void | Promise<void> {}
  /** Once, after the last epoch (not called when training fails with an error). */
  onTrainEnd(_logs: Logs, _control: TrainerControl): void | Promise<void> {}
}

/** Records every epoch's logs, like Keras: `history.history.loss[i]` is the loss of `history.epochs[i]`. `fit` returns a new one each call. */
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

/**
 * Stops training when the monitored value has not improved for `patience` epochs, like Keras'
 * EarlyStopping. With `restoreBest`, the weights of the best epoch are put back when training ends
 * (stopped early or not).
 * @example new tl.callbacks.EarlyStopping({ monitor: "valLoss", patience: 3, restoreBest: true })
 */
export class EarlyStopping extends Callback {
  private readonly tracker: Monitor;
  readonly patience: number;
  readonly restoreBest: boolean;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;
  /** The epoch training stopped at, or null. */
  stoppedEpoch: number | null = null;
  /** The epoch with the best monitored value, or -1 before the first. */
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
    this.releaseWeights();
    this.stoppedEpoch = null;
    this.bestEpoch = -1;
  }

  override onEpochEnd(epoch: number, logs: Logs, control: TrainerControl): void {
    const v = this.tracker.value(logs, "EarlyStopping");
    if (this.tracker.improved(v)) {
      this.tracker.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBest) {
        this.releaseWeights();
        this.bestWeights = control.snapshot();
      }
      return;
    }
    // Keras and Lightning count the same way: stop on the patience-th epoch without improvement.
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      control.stopTraining = true;
    }
  }

  override onTrainEnd(_logs: Logs, control: TrainerControl): void {
    if (this.restoreBest && this.bestWeights !== null) control.restore(this.bestWeights);
    this.releaseWeights();
  }

  private releaseWeights(): void {
    if (this.bestWeights !== null) dispose(this.bestWeights);
    this.bestWeights = null;
  }

  /** The best monitored value so far. */
  get best(): number {
    return this.tracker.best;
  }
}

export interface ModelCheckpointOptions extends MonitorOptions {
  /** File path; every `{epoch}` is replaced by the epoch number (1-based). Missing directories are created. */
  path: string;
  /** Save only when the monitored value improves; default false (every epoch), like Keras. */
  saveBestOnly?: boolean;
}

/**
 * Saves model, optimizer, scheduler and RNG state (`Trainer.saveCheckpoint`) after every epoch, or
 * only after the epochs that improve the monitored value. Writes are atomic (temp file, fsync,
 * rename), so a crash never leaves a half-written checkpoint. Resume with `trainer.loadCheckpoint`.
 * @example new tl.callbacks.ModelCheckpoint({ path: "ckpt/epoch-{epoch}.safetensors" })
 */
export class ModelCheckpoint extends Callback {
  private readonly tracker: Monitor | null;
  readonly path: string;
  /** Paths written so far, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    super();
    check(typeof options?.path === "string" && options.path.length > 0, "ModelCheckpoint", "path must be a non-empty string");
    this.path = options.path;
    this.tracker = options.saveBestOnly === true ? new Monitor(options, "ModelCheckpoint") : null;
  }

  override onTrainBegin(): void {
    if (this.tracker) this.tracker.best = this.tracker.mode === "min" ? Infinity : -Infinity;
  }

  override async onEpochEnd(epoch: number, logs: Logs, control: TrainerControl): Promise<void> {
    if (this.tracker) {
      const v = this.tracker.value(logs, "ModelCheckpoint");
      if (!this.tracker.improved(v)) return;
      this.tracker.best = v;
    }
    const path = this.path.replaceAll("{epoch}", String(epoch + 1));
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
  /**
   * The log passed to `step(metric)` at each epoch's end. ReduceLROnPlateau needs one: it defaults to
   * "valLoss" when validation data is given, else "loss".
   */
  monitor?: string;
}

/**
 * Steps a learning-rate scheduler at the end of each epoch (or batch). `Trainer` adds one for its
 * `scheduler` option, ahead of the other callbacks, so checkpoints hold the stepped state.
 * @example new tl.callbacks.LRSchedulerCallback(new tl.optim.lrScheduler.ReduceLROnPlateau(opt), { monitor: "valLoss" })
 */
export class LRSchedulerCallback extends Callback {
  constructor(readonly scheduler: SchedulerLike, readonly options: LRSchedulerCallbackOptions = {}) {
    super();
    check(scheduler !== null && typeof scheduler === "object" && typeof scheduler.step === "function", "LRSchedulerCallback",
      "scheduler must have a step() method (a tl.optim.lrScheduler scheduler)");
    check(!(options.perBatch && scheduler instanceof ReduceLROnPlateau), "LRSchedulerCallback",
      "ReduceLROnPlateau steps on an epoch's metric; it cannot step per batch");
  }

  override onBatchEnd(): void {
    if (this.options.perBatch) this.scheduler.step();
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.options.perBatch) return;
    const monitor = this.options.monitor ?? (this.scheduler instanceof ReduceLROnPlateau ? ("valLoss" in logs ? "valLoss" : "loss") : undefined);
    if (monitor === undefined) {
      this.scheduler.step();
      return;
    }
    const v = logs[monitor];
    check(v !== undefined, "LRSchedulerCallback", () => `monitored value "${monitor}" is not in the logs (have: ${Object.keys(logs).join(", ")})`);
    this.scheduler.step(v);
  }
}
