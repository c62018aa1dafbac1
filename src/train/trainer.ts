import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { check, fmtShape, tensileError } from "../core/errors.js";
import { globalGenerator } from "../core/rng.js";
import { noGrad } from "../engine/grad-mode.js";
import { dispose, tidy } from "../engine/scope.js";
import { Tensor } from "../engine/tensor.js";
import { cat } from "../ops/join.js";
import * as F from "../nn/functional.js";
import type { Module } from "../nn/module.js";
import { clipGradNorm_, clipGradValue_ } from "../nn/utils/clip.js";
import type { Optimizer } from "../optim/optimizer.js";
import { saveCheckpoint } from "../io/checkpoint.js";
import { Callback, History, LRSchedulerCallback, type Logs, type SchedulerLike, type TrainerControl } from "./callbacks.js";
import { resolveMetric, type Metric, type MetricName } from "./metrics.js";
import { ProgressBar } from "./progress.js";

/** A loss by name (PyTorch's functional names) or any function of (output, target). */
export type LossSpec =
  | "crossEntropy" | "nllLoss" | "mseLoss" | "l1Loss" | "smoothL1Loss" | "huberLoss"
  | "binaryCrossEntropy" | "binaryCrossEntropyWithLogits" | "klDiv"
  | ((output: Tensor, target: Tensor) => Tensor)
  | { forward(output: Tensor, target: Tensor): Tensor };

const LOSSES: Record<string, (output: Tensor, target: Tensor) => Tensor> = {
  crossEntropy: (o, t) => F.crossEntropy(o, t),
  nllLoss: (o, t) => F.nllLoss(o, t),
  mseLoss: (o, t) => F.mseLoss(o, t),
  l1Loss: (o, t) => F.l1Loss(o, t),
  smoothL1Loss: (o, t) => F.smoothL1Loss(o, t),
  huberLoss: (o, t) => F.huberLoss(o, t),
  binaryCrossEntropy: (o, t) => F.binaryCrossEntropy(o, t),
  binaryCrossEntropyWithLogits: (o, t) => F.binaryCrossEntropyWithLogits(o, t),
  klDiv: (o, t) => F.klDiv(o, t),
};

function resolveLoss(loss: LossSpec): (output: Tensor, target: Tensor) => Tensor {
  if (typeof loss === "function") return loss;
  if (typeof loss === "string") {
    const fn = LOSSES[loss];
    check(fn !== undefined, "Trainer", `unknown loss "${loss}"; use one of ${Object.keys(LOSSES).join(", ")} or a function`);
    return fn;
  }
  check(loss !== null && typeof loss === "object" && typeof loss.forward === "function", "Trainer", "loss must be a name, a function or a loss module");
  return (o, t) => loss.forward(o, t);
}

export interface TrainerOptions {
  optimizer: Optimizer;
  loss: LossSpec;
  metrics?: (MetricName | Metric)[];
  callbacks?: Callback[];
  /** Stepped once per epoch (or per batch with `schedulerPerBatch`); ReduceLROnPlateau gets `valLoss`. */
  scheduler?: SchedulerLike;
  schedulerPerBatch?: boolean;
  /** Show the progress bar (default true). */
  progress?: boolean;
}

/** Gradient clipping: a max norm, or `{ maxNorm, normType }`, or `{ value }` to clip each element. */
export type GradClip = number | { maxNorm: number; normType?: number } | { value: number };

export interface FitOptions {
  epochs?: number;
  /** Data evaluated at the end of each epoch; its logs are prefixed with `val`. */
  validation?: BatchSource;
  gradClip?: GradClip;
}

/** Batches of [...inputs, target]: a DataLoader, an array of batches, or any (async) iterable. */
export type BatchSource = Iterable<readonly Tensor[]> | AsyncIterable<readonly Tensor[]>;

function iteratorOf(data: BatchSource): Iterator<readonly Tensor[]> | AsyncIterator<readonly Tensor[]> {
  const asyncIt = (data as AsyncIterable<readonly Tensor[]>)[Symbol.asyncIterator];
  if (typeof asyncIt === "function") return asyncIt.call(data);
  const syncIt = (data as Iterable<readonly Tensor[]>)[Symbol.iterator];
  check(typeof syncIt === "function", "Trainer", "data must be a DataLoader, an array of batches or an (async) iterable of [inputs..., target]");
  return syncIt.call(data);
}

function splitBatch(batch: readonly Tensor[], where: string): { inputs: Tensor[]; target: Tensor } {
  check(Array.isArray(batch) && batch.length >= 2 && batch.every((t) => t instanceof Tensor), where,
    "each batch must be an array [inputs..., target] of tensors");
  return { inputs: batch.slice(0, -1), target: batch[batch.length - 1] };
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * Keras-style training for a Module: `fit`, `evaluate`, `predict`. Every step runs in its own memory
 * scope, so `tl.memory()` stays flat over a long run; a non-finite loss stops with a clear error.
 * @example
 * const trainer = new tl.Trainer(model, { optimizer: opt, loss: "crossEntropy", metrics: ["accuracy"] });
 * const history = await trainer.fit(trainLoader, { epochs: 5, validation: testLoader });
 */
export class Trainer {
  readonly optimizer: Optimizer;
  private readonly lossFn: (output: Tensor, target: Tensor) => Tensor;
  private readonly metrics: Metric[];
  private readonly callbacks: Callback[];
  readonly history = new History();

  constructor(readonly model: Module, readonly options: TrainerOptions) {
    check(model !== null && typeof model === "object" && typeof model.forward === "function", "Trainer", "model must be an nn.Module");
    check(options?.optimizer !== undefined, "Trainer", "options.optimizer is required");
    this.optimizer = options.optimizer;
    this.lossFn = resolveLoss(options.loss);
    this.metrics = (options.metrics ?? []).map(resolveMetric);
    const callbacks = [...(options.callbacks ?? [])];
    if (options.scheduler) callbacks.push(new LRSchedulerCallback(options.scheduler, { perBatch: options.schedulerPerBatch }));
    if (options.progress ?? true) callbacks.push(new ProgressBar());
    this.callbacks = [this.history, ...callbacks];
  }

  private forward(inputs: Tensor[]): Tensor {
    const out = this.model.call(...inputs);
    check(out instanceof Tensor, "Trainer", "model.forward must return a tensor");
    return out;
  }

  private control(epochs: number, stepsPerEpoch: number | null): TrainerControl {
    const optimizer = this.optimizer;
    return {
      stopTraining: false,
      epochs,
      stepsPerEpoch,
      get lr() {
        return optimizer.paramGroups[0]?.lr ?? NaN;
      },
      snapshot: () => {
        const copies = new Map<string, Tensor>();
        noGrad(() => {
          for (const [name, t] of Object.entries(this.model.stateDict())) copies.set(name, t.clone().keep());
        });
        return copies;
      },
      restore: (snapshot) => {
        const copies = snapshot as Map<string, Tensor>;
        this.model.loadStateDict(Object.fromEntries(copies));
        dispose([...copies.values()]);
      },
      saveCheckpoint: async (path, epoch) => {
        mkdirSync(dirname(resolve(path)), { recursive: true });
        // The optimizer's state dict holds copies: free them once written.
        const optimizerState = this.optimizer.stateDict();
        try {
          await saveCheckpoint(path, {
            model: this.model.stateDict(),
            optimizer: optimizerState,
            scheduler: (this.options.scheduler as { stateDict?: () => unknown } | undefined)?.stateDict?.() ?? null,
            epoch,
            rng: globalGenerator.getState(),
          });
        } finally {
          dispose(optimizerState);
        }
      },
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
  private trainStep(batch: readonly Tensor[], gradClip: GradClip | undefined, epoch: number, step: number): { loss: number; n: number } {
    const { inputs, target } = splitBatch(batch, "Trainer.fit");
    this.optimizer.zeroGrad();
    const output = this.forward(inputs);
    const loss = this.lossFn(output, target);
    check(loss.size === 1, "Trainer.fit", () => `the loss must be a scalar, got shape ${fmtShape(loss.shape)}`);
    const value = loss.item();
    if (!Number.isFinite(value)) {
      throw tensileError("Trainer.fit", `loss became ${value} at epoch ${epoch + 1}, step ${step + 1}; ` +
        "lower the learning rate, clip gradients (gradClip) or check the data for NaN/Inf");
    }
    loss.backward();
    this.clip(gradClip);
    this.optimizer.step();
    const detached = output.detach();
    for (const m of this.metrics) m.update(detached, target);
    return { loss: value, n: inputs[0].shape[0] ?? 1 };
  }

  /** Trains for `epochs` over `data`; returns the History (also `trainer.history`). */
  async fit(data: BatchSource, options: FitOptions = {}): Promise<History> {
    const epochs = options.epochs ?? 1;
    check(Number.isInteger(epochs) && epochs >= 1, "Trainer.fit", `epochs must be a whole number ≥ 1, got ${epochs}`);
    const length = (data as { length?: number }).length;
    const control = this.control(epochs, typeof length === "number" ? length : null);
    for (const cb of this.callbacks) await cb.onTrainBegin(control);
    let logs: Logs = {};
    for (let epoch = 0; epoch < epochs && !control.stopTraining; epoch++) {
      for (const cb of this.callbacks) await cb.onEpochBegin(epoch, control);
      this.model.train();
      for (const m of this.metrics) m.reset();
      const iterator = iteratorOf(data);
      const started = Date.now();
      let lossSum = 0;
      let samples = 0;
      for (let step = 0; ; step++) {
        // The batch is fetched inside the scope so tensors the loader makes for it are freed with the step.
        const result = await tidy(async () => {
          const next = await iterator.next();
          if (next.done) return null;
          return this.trainStep(next.value, options.gradClip, epoch, step);
        });
        if (result === null) break;
        lossSum += result.loss * result.n;
        samples += result.n;
        const stepLogs: Logs = { loss: lossSum / samples, samplesPerSec: samples / Math.max(1e-3, (Date.now() - started) / 1000) };
        for (const cb of this.callbacks) await cb.onBatchEnd(step, stepLogs, control);
      }
      check(samples > 0, "Trainer.fit", "the training data yielded no batches");
      logs = { loss: lossSum / samples };
      for (const m of this.metrics) logs[m.name] = m.compute();
      if (options.validation) {
        const val = await this.evaluate(options.validation);
        for (const [k, v] of Object.entries(val)) logs[`val${capitalize(k)}`] = v;
      }
      logs.lr = control.lr;
      for (const cb of this.callbacks) await cb.onEpochEnd(epoch, logs, control);
    }
    for (const cb of this.callbacks) await cb.onTrainEnd(logs, control);
    return this.history;
  }

  /** Loss and metrics over `data` in eval mode without gradients. */
  async evaluate(data: BatchSource): Promise<Logs> {
    const wasTraining = this.model.training;
    this.model.eval();
    const metrics = this.metrics;
    for (const m of metrics) m.reset();
    let lossSum = 0;
    let samples = 0;
    try {
      const iterator = iteratorOf(data);
      while (true) {
        const done = await tidy(async () => {
          const next = await iterator.next();
          if (next.done) return true;
          const { inputs, target } = splitBatch(next.value, "Trainer.evaluate");
          noGrad(() => {
            const output = this.forward(inputs);
            const n = inputs[0].shape[0] ?? 1;
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

  /** Model outputs in eval mode without gradients, for a tensor or for every batch of `data` (concatenated). */
  async predict(data: Tensor | BatchSource): Promise<Tensor> {
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      if (data instanceof Tensor) return noGrad(() => this.forward([data]));
      const outputs: Tensor[] = [];
      const iterator = iteratorOf(data);
      while (true) {
        const next = await iterator.next();
        if (next.done) break;
        const batch = next.value;
        // Batches of [inputs..., target] or of inputs alone: the target (last) is dropped when present.
        const inputs = batch.length > 1 ? batch.slice(0, -1) : batch;
        outputs.push(noGrad(() => this.forward([...inputs])));
      }
      check(outputs.length > 0, "Trainer.predict", "the data yielded no batches");
      const all = cat(outputs, 0);
      if (outputs.length > 1) dispose(outputs);
      return all;
    } finally {
      this.model.train(wasTraining);
    }
  }
}
