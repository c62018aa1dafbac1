import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { check, fmtShape, tensileError } from "../core/errors.js";
import { globalGenerator } from "../core/rng.js";
import { noGrad } from "../engine/grad-mode.js";
import { dispose, tidy } from "../engine/scope.js";
import { Tensor } from "../engine/tensor.js";
import { cat } from "../ops/join.js";
import type { Module, StateDict } from "../nn/module.js";
import { clipGradNorm_, clipGradValue_ } from "../nn/utils/clip.js";
import type { Optimizer, OptimizerStateDict } from "../optim/optimizer.js";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint.js";
import { Callback, History, LRSchedulerCallback, type Logs, type SchedulerLike, type TrainerControl } from "./callbacks.js";
import { resolveLoss, type LossSpec } from "./losses.js";
import { resolveMetric, type Metric, type MetricName } from "./metrics.js";
import { ProgressBar } from "./progress.js";

export type { LossSpec } from "./losses.js";

/** A scheduler whose state can be saved in checkpoints (every `tl.optim.lrScheduler` scheduler). */
export type TrainerScheduler = SchedulerLike & {
  stateDict?(): Record<string, unknown>;
  loadStateDict?(state: Record<string, unknown>): void;
};

export interface TrainerOptions {
  optimizer: Optimizer;
  loss: LossSpec;
  /** Metric names ("accuracy", "top5Accuracy", "precision", "recall", "f1", "mae", "rmse") or Metric objects. */
  metrics?: (MetricName | Metric)[];
  /** Called in this order, after the History (and the scheduler's callback when `scheduler` is set). */
  callbacks?: Callback[];
  /**
   * Stepped at the end of each epoch (each batch with `schedulerPerBatch`), before the other
   * callbacks, so checkpoints hold the stepped state. ReduceLROnPlateau gets `schedulerMonitor`.
   */
  scheduler?: TrainerScheduler;
  schedulerPerBatch?: boolean;
  /** The log passed to ReduceLROnPlateau's `step(metric)`; default "valLoss" with validation data, else "loss". */
  schedulerMonitor?: string;
  /** Add a ProgressBar on stdout (default true; skipped when `callbacks` already has one). */
  progress?: boolean;
}

/** Gradient clipping: a max total 2-norm, or `{ maxNorm, normType }`, or `{ value }` to clamp each element. */
export type GradClip = number | { maxNorm: number; normType?: number } | { value: number };

export interface FitOptions {
  /** The epoch to stop before, like Keras: epochs `initialEpoch` .. `epochs - 1` are run. Default 1. */
  epochs?: number;
  /** The first epoch (0-based) when resuming: `await trainer.loadCheckpoint(path)` returns it. Default 0. */
  initialEpoch?: number;
  /** Data evaluated at the end of each epoch; its logs are prefixed with `val` (`valLoss`, `valAccuracy`). */
  validation?: BatchSource;
  /** Clip the gradients after `backward()` and before the optimizer step. */
  gradClip?: GradClip;
}

/**
 * Batches of [...inputs, target]: a DataLoader, an array of batches, or any (async) iterable. Tensors the
 * iteration creates (a DataLoader's batches) are freed after their step; tensors that already existed
 * (an array of batches) belong to the caller and are left alone.
 */
export type BatchSource = Iterable<readonly Tensor[]> | AsyncIterable<readonly Tensor[]>;

function iteratorOf(data: BatchSource, where: string): Iterator<readonly Tensor[]> | AsyncIterator<readonly Tensor[]> {
  check(data !== null && typeof data === "object", where, "data must be a DataLoader, an array of batches or an (async) iterable of [inputs..., target]");
  const asyncIt = (data as AsyncIterable<readonly Tensor[]>)[Symbol.asyncIterator];
  if (typeof asyncIt === "function") return asyncIt.call(data);
  const syncIt = (data as Iterable<readonly Tensor[]>)[Symbol.iterator];
  check(typeof syncIt === "function", where, "data must be a DataLoader, an array of batches or an (async) iterable of [inputs..., target]");
  return syncIt.call(data);
}

function checkBatch(batch: unknown, minLength: number, where: string): asserts batch is readonly Tensor[] {
  check(Array.isArray(batch) && batch.length >= minLength && batch.every((t) => t instanceof Tensor), where,
    () => `each batch must be an array [inputs..., target] of tensors, got ${batch instanceof Tensor ? `a single Tensor of shape ${fmtShape(batch.shape)}` : Array.isArray(batch) ? `an array of ${batch.length}` : typeof batch}`);
}

function splitBatch(batch: unknown, where: string): { inputs: Tensor[]; target: Tensor } {
  checkBatch(batch, 2, where);
  return { inputs: batch.slice(0, -1), target: batch[batch.length - 1] };
}

function batchSize(inputs: Tensor[]): number {
  return inputs[0].shape[0] ?? 1;
}

function checkGradClip(gradClip: GradClip | undefined): void {
  if (gradClip === undefined) return;
  const ok = (v: unknown) => typeof v === "number" && v >= 0 && !Number.isNaN(v);
  check(ok(gradClip) || (typeof gradClip === "object" && gradClip !== null &&
    ("value" in gradClip ? ok(gradClip.value) : ok(gradClip.maxNorm))), "Trainer.fit",
  () => `gradClip must be a max norm ≥ 0, { maxNorm, normType } or { value }, got ${JSON.stringify(gradClip)}`);
}

/**
 * Keras-style training for a Module: `fit`, `evaluate`, `predict`, and checkpoints that resume exactly.
 * Every step runs in its own memory scope, so `tl.memory()` stays flat over a long run; a non-finite
 * loss stops training with an error naming the epoch and step.
 * To resume, build the same objects, `const initialEpoch = await trainer.loadCheckpoint(path)` (a file from
 * `ModelCheckpoint` or `saveCheckpoint`), then `fit(data, { epochs, initialEpoch })`.
 * @example
 * const trainer = new tl.Trainer(model, { optimizer: opt, loss: "crossEntropy", metrics: ["accuracy"] });
 * const history = await trainer.fit(trainLoader, { epochs: 5, validation: testLoader });
 */
export class Trainer {
  readonly optimizer: Optimizer;
  /** The History of the latest `fit` call. */
  history = new History();
  private readonly lossFn: (output: Tensor, target: Tensor) => Tensor;
  private readonly metrics: Metric[];
  private readonly callbacks: Callback[];

  constructor(readonly model: Module, readonly options: TrainerOptions) {
    check(model !== null && typeof model === "object" && typeof model.forward === "function", "Trainer", "model must be an nn.Module");
    check(options?.optimizer !== undefined, "Trainer", "options.optimizer is required");
    this.optimizer = options.optimizer;
    this.lossFn = resolveLoss(options.loss);
    this.metrics = (options.metrics ?? []).map(resolveMetric);
    const user = [...(options.callbacks ?? [])];
    const callbacks: Callback[] = [];
    if (options.scheduler) {
      callbacks.push(new LRSchedulerCallback(options.scheduler, { perBatch: options.schedulerPerBatch, monitor: options.schedulerMonitor }));
    }
    callbacks.push(...user);
    if ((options.progress ?? true) && !user.some((cb) => cb instanceof ProgressBar)) callbacks.push(new ProgressBar());
    this.callbacks = callbacks;
  }

  private forward(inputs: readonly Tensor[]): Tensor {
    const out = this.model.call(...inputs);
    check(out instanceof Tensor, "Trainer", "model.forward must return a tensor");
    return out;
  }

  private control(epochs: number, initialEpoch: number, stepsPerEpoch: number | null): TrainerControl {
    const optimizer = this.optimizer;
    return {
      stopTraining: false,
      epochs,
      initialEpoch,
      stepsPerEpoch,
      get lr() {
        return optimizer.paramGroups[0]?.lr ?? NaN;
      },
      snapshot: () => noGrad(() => {
        const copies: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(this.model.stateDict())) copies[name] = t.clone().keep();
        return copies;
      }),
      restore: (snapshot) => {
        this.model.loadStateDict(snapshot);
      },
      saveCheckpoint: (path, epoch) => this.saveCheckpoint(path, { epoch }),
    };
  }

  private clip(gradClip: GradClip | undefined): void {
    if (gradClip === undefined) return;
    const params = this.model.parameters();
    if (typeof gradClip === "number") clipGradNorm_(params, gradClip);
    else if ("value" in gradClip) clipGradValue_(params, gradClip.value);
    else clipGradNorm_(params, gradClip.maxNorm, gradClip.normType ?? 2);
  }

  /** One optimizer step on a batch; returns the loss and the batch size. */
  private trainStep(batch: unknown, gradClip: GradClip | undefined, epoch: number, step: number): { loss: number; n: number } {
    const { inputs, target } = splitBatch(batch, "Trainer.fit");
    this.optimizer.zeroGrad();
    const output = this.forward(inputs);
    const loss = this.lossFn(output, target);
    check(loss instanceof Tensor && loss.size === 1, "Trainer.fit",
      () => `the loss must be a one-element tensor, got ${loss instanceof Tensor ? `shape ${fmtShape(loss.shape)}` : typeof loss}`);
    const value = loss.item();
    if (!Number.isFinite(value)) {
      throw tensileError("Trainer.fit", `the loss is ${value} at epoch ${epoch + 1}, step ${step + 1}; ` +
        "lower the learning rate, clip gradients (gradClip) or check the data for NaN/Inf");
    }
    loss.backward();
    this.clip(gradClip);
    this.optimizer.step();
    const detached = output.detach();
    for (const m of this.metrics) m.update(detached, target);
    return { loss: value, n: batchSize(inputs) };
  }

  /**
   * Trains over `data` for epochs `initialEpoch` .. `epochs - 1`, with validation after each epoch
   * when given; returns this call's History (also `trainer.history`).
   */
  async fit(data: BatchSource, options: FitOptions = {}): Promise<History> {
    const epochs = options.epochs ?? 1;
    const initialEpoch = options.initialEpoch ?? 0;
    check(Number.isInteger(epochs) && epochs >= 1, "Trainer.fit", `epochs must be a whole number ≥ 1, got ${epochs}`);
    check(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch < epochs, "Trainer.fit",
      `initialEpoch must be a whole number in [0, epochs), got ${initialEpoch} with epochs ${epochs}: epochs is the epoch to stop before, as in Keras`);
    checkGradClip(options.gradClip);
    const length = (data as { length?: unknown }).length;
    const control = this.control(epochs, initialEpoch, typeof length === "number" && Number.isFinite(length) ? length : null);
    const history = new History();
    this.history = history;
    const callbacks = [history, ...this.callbacks];
    for (const cb of callbacks) await cb.onTrainBegin(control);
    let logs: Logs = {};
    for (let epoch = initialEpoch; epoch < epochs && !control.stopTraining; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin(epoch, control);
      this.model.train();
      for (const m of this.metrics) m.reset();
      const iterator = iteratorOf(data, "Trainer.fit");
      const started = Date.now();
      let lossSum = 0;
      let samples = 0;
      for (let step = 0; ; step++) {
        // The batch is fetched inside the scope, so tensors the loader makes for it are freed with the step.
        const result = await tidy(async () => {
          const next = await iterator.next();
          if (next.done) return null;
          return this.trainStep(next.value, options.gradClip, epoch, step);
        });
        if (result === null) break;
        lossSum += result.loss * result.n;
        samples += result.n;
        const stepLogs: Logs = { loss: lossSum / samples };
        for (const m of this.metrics) stepLogs[m.name] = m.compute();
        stepLogs.samplesPerSec = samples / Math.max(1e-3, (Date.now() - started) / 1000);
        for (const cb of callbacks) await cb.onBatchEnd(step, stepLogs, control);
      }
      check(samples > 0, "Trainer.fit", "the training data yielded no batches");
      logs = { loss: lossSum / samples };
      for (const m of this.metrics) logs[m.name] = m.compute();
      if (options.validation) {
        const val = await this.evaluate(options.validation);
        for (const [k, v] of Object.entries(val)) logs[`val${k.charAt(0).toUpperCase()}${k.slice(1)}`] = v;
      }
      logs.lr = control.lr;
      for (const cb of callbacks) await cb.onEpochEnd(epoch, logs, control);
    }
    for (const cb of callbacks) await cb.onTrainEnd(logs, control);
    return history;
  }

  /** Loss and metrics over `data`, in eval mode (dropout off) without gradients; the model's mode is restored after. */
  async evaluate(data: BatchSource): Promise<Logs> {
    const wasTraining = this.model.training;
    this.model.eval();
    const metrics = this.metrics;
    for (const m of metrics) m.reset();
    let lossSum = 0;
    let samples = 0;
    try {
      const iterator = iteratorOf(data, "Trainer.evaluate");
      while (true) {
        const done = await tidy(async () => {
          const next = await iterator.next();
          if (next.done) return true;
          const { inputs, target } = splitBatch(next.value, "Trainer.evaluate");
          noGrad(() => {
            const output = this.forward(inputs);
            const n = batchSize(inputs);
            lossSum += this.lossFn(output, target).item() * n;
            samples += n;
            for (const m of metrics) m.update(output, target);
          });
          return false;
        });
        if (done) break;
      }
    } finally {
      this.model.train(wasTraining);
    }
    check(samples > 0, "Trainer.evaluate", "the data yielded no batches");
    const logs: Logs = { loss: lossSum / samples };
    for (const m of metrics) logs[m.name] = m.compute();
    return logs;
  }

  /**
   * Model outputs in eval mode without gradients: for one input tensor, or for every batch of `data`
   * concatenated along dim 0. Batches of [inputs..., target] drop the target; a one-tensor batch [x]
   * is the input. The model's mode is restored after.
   */
  async predict(data: Tensor | BatchSource): Promise<Tensor> {
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      if (data instanceof Tensor) return tidy(() => noGrad(() => this.forward([data])));
      const outputs: Tensor[] = [];
      const iterator = iteratorOf(data, "Trainer.predict");
      while (true) {
        const output = await tidy(async () => {
          const next = await iterator.next();
          if (next.done) return null;
          const batch: unknown = next.value;
          checkBatch(batch, 1, "Trainer.predict");
          return noGrad(() => this.forward(batch.length > 1 ? batch.slice(0, -1) : batch));
        });
        if (output === null) break;
        outputs.push(output);
      }
      check(outputs.length > 0, "Trainer.predict", "the data yielded no batches");
      if (outputs.length === 1) return outputs[0];
      const all = cat(outputs, 0);
      dispose(outputs);
      return all;
    } finally {
      this.model.train(wasTraining);
    }
  }

  /**
   * Saves everything an exact resume needs, atomically, in one safetensors checkpoint: the model's
   * state dict, the optimizer's, the scheduler's, the epoch just finished and the global RNG state.
   * Missing directories are created. `ModelCheckpoint` calls this after epochs.
   * @example await trainer.saveCheckpoint("ckpt.safetensors", { epoch: 4 });
   */
  async saveCheckpoint(path: string, options: { epoch?: number } = {}): Promise<void> {
    check(typeof path === "string" && path.length > 0, "Trainer.saveCheckpoint", "path must be a non-empty string");
    mkdirSync(dirname(resolve(path)), { recursive: true });
    // The optimizer's state dict holds copies: free them once written.
    const optimizerState = this.optimizer.stateDict();
    try {
      await saveCheckpoint(path, {
        model: this.model.stateDict(),
        optimizer: optimizerState,
        scheduler: this.options.scheduler?.stateDict?.() ?? null,
        epoch: options.epoch,
        rng: globalGenerator.getState(),
      });
    } finally {
      dispose(optimizerState);
    }
  }

  /**
   * Loads a checkpoint written by `saveCheckpoint` (or `ModelCheckpoint`) into the model, the optimizer,
   * the scheduler and the global RNG, and returns the epoch to resume from (the saved epoch + 1), so
   * the continued run matches an uninterrupted one bit for bit.
   * @example
   * const initialEpoch = await trainer.loadCheckpoint("ckpt/epoch-3.safetensors");
   * await trainer.fit(loader, { epochs: 10, initialEpoch });
   */
  async loadCheckpoint(path: string): Promise<number> {
    const where = "Trainer.loadCheckpoint";
    const ckpt = await loadCheckpoint(path);
    try {
      check(ckpt.model !== null && typeof ckpt.model === "object", where, `${path} holds no model state dict`);
      check(ckpt.optimizer !== null && typeof ckpt.optimizer === "object", where, `${path} holds no optimizer state dict`);
      const scheduler = this.options.scheduler;
      const schedulerState = ckpt.scheduler as Record<string, unknown> | null | undefined;
      check(!scheduler?.loadStateDict || (schedulerState !== null && typeof schedulerState === "object"), where,
        `${path} holds no scheduler state but this Trainer has a scheduler`);
      const rng = ckpt.rng;
      check(rng !== undefined && typeof rng.key === "number" && Number.isSafeInteger(rng.counter), where, `${path} holds no RNG state`);
      // Module and optimizer loads check everything before changing anything.
      this.model.loadStateDict(ckpt.model as StateDict);
      this.optimizer.loadStateDict(ckpt.optimizer as OptimizerStateDict);
      if (scheduler?.loadStateDict && schedulerState) scheduler.loadStateDict(schedulerState);
      globalGenerator.setState(rng);
      return typeof ckpt.epoch === "number" ? ckpt.epoch + 1 : 0;
    } finally {
      dispose(ckpt);
    }
  }
}
