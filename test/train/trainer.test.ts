/** Trainer.fit / evaluate / predict on small problems made here: convergence, modes, clipping, schedules, errors, memory. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { Callback, type Logs, type TrainerControl } from "../../src/train/callbacks.js";
import { blobs, mlp } from "./helpers.js";

const S = tl.optim.lrScheduler;

/** Global 2-norm and max |g| of the model's gradients. */
function gradStats(model: tl.nn.Module): { norm: number; max: number } {
  let sq = 0;
  let max = 0;
  for (const p of model.parameters()) {
    for (const g of p.grad?.dataSync() ?? []) {
      sq += g * g;
      max = Math.max(max, Math.abs(g));
    }
  }
  return { norm: Math.sqrt(sq), max };
}

/** Calls `fn` after every optimizer step. */
class OnBatch extends Callback {
  constructor(private readonly fn: (step: number, logs: Logs, control: TrainerControl) => void) {
    super();
  }
  override onBatchEnd(step: number, logs: Logs, control: TrainerControl): void {
    this.fn(step, logs, control);
  }
}

/** Calls `fn` after every epoch. */
class OnEpoch extends Callback {
  constructor(private readonly fn: (epoch: number, logs: Logs) => void) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    this.fn(epoch, logs);
  }
}

/** A layer that records the training flag of every forward pass. */
class ModeSpy extends tl.nn.Module {
  readonly seen: boolean[] = [];
  forward(x: tl.Tensor): tl.Tensor {
    this.seen.push(this.training);
    return x;
  }
}

describe("fit", () => {
  test("converges on 2-class blobs: loss falls, accuracy > 0.9, History holds every epoch", async () => {
    tl.manualSeed(1);
    const train = blobs(256);
    const val = blobs(128);
    const model = mlp(16);
    const trainer = new tl.Trainer(model, {
      optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy", metrics: ["accuracy", "f1"], progress: false,
    });
    const loader = new tl.data.DataLoader(new tl.data.TensorDataset(train.x, train.y), { batchSize: 32, shuffle: true });
    const valLoader = new tl.data.DataLoader(new tl.data.TensorDataset(val.x, val.y), { batchSize: 64 });
    const history = await trainer.fit(loader, { epochs: 5, validation: valLoader });
    assert.equal(history, trainer.history);
    assert.deepEqual(history.epochs, [0, 1, 2, 3, 4]);
    assert.deepEqual(Object.keys(history.history), ["loss", "accuracy", "f1", "valLoss", "valAccuracy", "valF1", "lr"]);
    const loss = history.history.loss;
    assert.ok(loss[4] < loss[0] / 2, `loss went ${loss[0]} → ${loss[4]}`);
    assert.ok(history.last.accuracy > 0.9 && history.last.valAccuracy > 0.9, `accuracy ${history.last.accuracy}, val ${history.last.valAccuracy}`);
    assert.deepEqual(history.history.lr, [0.1, 0.1, 0.1, 0.1, 0.1]);
    // The last epoch's validation logs are what evaluate() gives for the trained model.
    const evaluated = await trainer.evaluate(valLoader);
    assert.equal(evaluated.loss, history.last.valLoss);
    assert.equal(evaluated.accuracy, history.last.valAccuracy);
    // A second fit returns a History of its own.
    const second = await trainer.fit(loader, { epochs: 1 });
    assert.notEqual(second, history);
    assert.deepEqual(second.epochs, [0]);
    assert.equal(history.epochs.length, 5);
  });

  test("regression with mse and mae / rmse metrics fits y = 3x - 1", async () => {
    tl.manualSeed(2);
    const x = tl.randn([64, 1]);
    const y = x.mul(3).sub(1);
    const model = new tl.nn.Linear(1, 1);
    const trainer = new tl.Trainer(model, { optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "mseLoss", metrics: ["mae", "rmse"], progress: false });
    const batches = [[x.narrow(0, 0, 32), y.narrow(0, 0, 32)], [x.narrow(0, 32, 32), y.narrow(0, 32, 32)]];
    const history = await trainer.fit(batches, { epochs: 30 });
    assert.ok(history.last.rmse < 0.05 && history.last.mae < 0.05, `rmse ${history.last.rmse}, mae ${history.last.mae}`);
    assert.ok(Math.abs(history.last.rmse ** 2 - history.last.loss) < 1e-3);
  });

  test("step logs carry the running loss, metrics and samples/s; control knows epochs and steps", async () => {
    tl.manualSeed(3);
    const { x, y } = blobs(40);
    const model = mlp();
    const seen: Logs[] = [];
    let controlSeen: TrainerControl | null = null;
    const trainer = new tl.Trainer(model, {
      optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy", metrics: ["accuracy"], progress: false,
      callbacks: [new OnBatch((_s, logs, control) => { seen.push({ ...logs }); controlSeen = control; })],
    });
    await trainer.fit(new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 16 }), { epochs: 2 });
    assert.equal(seen.length, 6);
    for (const logs of seen) assert.deepEqual(Object.keys(logs), ["loss", "accuracy", "samplesPerSec"]);
    assert.ok(seen.every((l) => l.samplesPerSec > 0));
    const c = controlSeen as unknown as TrainerControl;
    assert.equal(c.epochs, 2);
    assert.equal(c.stepsPerEpoch, 3);
  });
});

describe("evaluate and predict", () => {
  test("run in eval mode (dropout off) and restore the mode the model was in", async () => {
    tl.manualSeed(4);
    const spy = new ModeSpy();
    const model = new tl.nn.Sequential(new tl.nn.Linear(2, 8), new tl.nn.Dropout(0.5), spy, new tl.nn.Linear(8, 2));
    const trainer = new tl.Trainer(model, { optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy", progress: false });
    const { x, y } = blobs(16);
    const expected = tl.noGrad(() => model.eval().forward(x));
    model.train();
    const p1 = await trainer.predict(x);
    const p2 = await trainer.predict([[x, y]]);
    assert.deepEqual(p1.dataSync(), expected.dataSync());
    assert.deepEqual(p2.dataSync(), expected.dataSync());
    assert.equal(p1.requiresGrad, false);
    await trainer.evaluate([[x, y]]);
    assert.deepEqual(spy.seen, [false, false, false, false]);
    assert.equal(model.training, true);
    await trainer.fit([[x, y]], { epochs: 1, validation: [[x, y]] });
    assert.deepEqual(spy.seen.slice(4), [true, false]);
    assert.equal(model.training, true);
    model.eval();
    await trainer.predict(x);
    await trainer.evaluate([[x, y]]);
    assert.equal(model.training, false, "a model in eval mode stays in eval mode");
  });

  test("predict over a DataLoader concatenates its batches in order; [x] batches are inputs", async () => {
    tl.manualSeed(5);
    const { x, y } = blobs(50);
    const model = mlp();
    const trainer = new tl.Trainer(model, { optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy", progress: false });
    const whole = await trainer.predict(x);
    const byBatch = await trainer.predict(new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 16 }));
    const inputsOnly = await trainer.predict(new tl.data.DataLoader(new tl.data.TensorDataset(x), { batchSize: 7 }));
    assert.deepEqual([...byBatch.shape], [50, 2]);
    assert.deepEqual(byBatch.dataSync(), whole.dataSync());
    assert.deepEqual(inputsOnly.dataSync(), whole.dataSync());
  });
});

describe("gradient clipping", () => {
  async function stepsWith(gradClip: tl.FitOptions["gradClip"]): Promise<{ norm: number; max: number }[]> {
    tl.manualSeed(6);
    const { x, y } = blobs(64);
    const model = mlp(16);
    const stats: { norm: number; max: number }[] = [];
    const trainer = new tl.Trainer(model, {
      optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy", progress: false,
      callbacks: [new OnBatch(() => stats.push(gradStats(model)))],
    });
    await trainer.fit(new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 16 }), { epochs: 2, gradClip });
    return stats;
  }

  test("a max norm bounds the total gradient norm at every step", async () => {
    const free = await stepsWith(undefined);
    assert.ok(free.some((s) => s.norm > 0.2), "unclipped gradients are larger than the bound");
    for (const clip of [0.05, { maxNorm: 0.05 }, { maxNorm: 0.05, normType: 2 }] as const) {
      const clipped = await stepsWith(clip);
      assert.equal(clipped.length, 8);
      for (const s of clipped) assert.ok(s.norm <= 0.05 * (1 + 1e-5), `norm ${s.norm}`);
    }
  });

  test("a value bounds every gradient element", async () => {
    const free = await stepsWith(undefined);
    assert.ok(free.some((s) => s.max > 0.01));
    for (const s of await stepsWith({ value: 0.01 })) assert.ok(s.max <= 0.01 + 1e-9, `max |g| ${s.max}`);
  });
});

describe("lr schedulers", () => {
  function setup(seed: number) {
    tl.manualSeed(seed);
    const { x, y } = blobs(64);
    const model = mlp();
    const optimizer = new tl.optim.SGD(model.parameters(), { lr: 0.1 });
    const loader = new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 16 });
    return { model, optimizer, loader };
  }

  test("stepped once per epoch: each epoch logs the lr it trained with", async () => {
    const { model, optimizer, loader } = setup(7);
    const scheduler = new S.StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
    const trainer = new tl.Trainer(model, { optimizer, loss: "crossEntropy", scheduler, progress: false });
    const history = await trainer.fit(loader, { epochs: 3 });
    assert.deepEqual(history.history.lr, [0.1, 0.05, 0.025]);
    assert.equal(optimizer.paramGroups[0].lr, 0.0125);
  });

  test("stepped once per batch: the lr at each step is the schedule's", async () => {
    const { model, optimizer, loader } = setup(8);
    const scheduler = new S.CosineAnnealingLR(optimizer, { tMax: 8 });
    // The same schedule on a dummy optimizer gives the reference values.
    const ref = new tl.optim.SGD([tl.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const refScheduler = new S.CosineAnnealingLR(ref, { tMax: 8 });
    const expected: number[] = [];
    const seen: number[] = [];
    const trainer = new tl.Trainer(model, {
      optimizer, loss: "crossEntropy", scheduler, schedulerPerBatch: true, progress: false,
      // Runs after the scheduler's callback: sees the lr of the next step.
      callbacks: [new OnBatch((_s, _l, control) => {
        refScheduler.step();
        expected.push(ref.paramGroups[0].lr);
        seen.push(control.lr);
      })],
    });
    await trainer.fit(loader, { epochs: 2 });
    assert.equal(seen.length, 8);
    assert.deepEqual(seen, expected);
    assert.ok(seen[3] < 0.1 && Math.abs(seen[7]) < 1e-12, `lrs ${seen.join(", ")}`);
  });

  test("ReduceLROnPlateau steps on schedulerMonitor, else valLoss with validation data, else loss", async () => {
    class Spy extends S.ReduceLROnPlateau {
      readonly metrics: number[] = [];
      override step(metric?: number): void {
        this.metrics.push(metric as number);
        super.step(metric);
      }
    }
    const { model, optimizer, loader } = setup(9);
    const flat: tl.metrics.Metric = { name: "flat", update() {}, compute: () => 1, reset() {} };
    const plateau = new Spy(optimizer, { patience: 0, factor: 0.5 });
    const byMonitor = new tl.Trainer(model, { optimizer, loss: "crossEntropy", metrics: [flat], scheduler: plateau, schedulerMonitor: "flat", progress: false });
    const history = await byMonitor.fit(loader, { epochs: 4 });
    assert.deepEqual(plateau.metrics, [1, 1, 1, 1]);
    // The metric never improves after epoch 0: halved after epochs 1, 2 and 3.
    assert.deepEqual(history.history.lr, [0.1, 0.1, 0.05, 0.025]);
    assert.equal(optimizer.paramGroups[0].lr, 0.0125);

    const byVal = new Spy(optimizer, { patience: 5 });
    const withVal = new tl.Trainer(model, { optimizer, loss: "crossEntropy", scheduler: byVal, progress: false });
    const h2 = await withVal.fit(loader, { epochs: 2, validation: loader });
    assert.deepEqual(byVal.metrics, h2.history.valLoss);
    const byLoss = new Spy(optimizer, { patience: 5 });
    const h3 = await new tl.Trainer(model, { optimizer, loss: "crossEntropy", scheduler: byLoss, progress: false }).fit(loader, { epochs: 2 });
    assert.deepEqual(byLoss.metrics, h3.history.loss);
  });
});

describe("errors", () => {
  test("a non-finite loss stops training with an error naming the epoch and step", async () => {
    tl.manualSeed(10);
    const { x, y } = blobs(64);
    const model = mlp();
    let calls = 0;
    // The 7th step (epoch 2, step 3 with 4 batches an epoch) returns log(-1) = NaN.
    const loss = (o: tl.Tensor, t: tl.Tensor) => (++calls === 7 ? tl.log(o.sum().mul(0).sub(1)) : tl.nn.functional.crossEntropy(o, t));
    const trainer = new tl.Trainer(model, { optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss, progress: false });
    const before = tl.memory();
    await assert.rejects(trainer.fit(new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 16 }), { epochs: 3 }),
      /\[Trainer\.fit\] the loss is NaN at epoch 2, step 3/);
    assert.equal(calls, 7);
    // The failed step's tensors (and the gradients it cleared) are gone.
    assert.deepEqual(tl.memory(), before);
  });

  test("bad options and data are rejected with clear errors", async () => {
    const model = mlp();
    const optimizer = new tl.optim.SGD(model.parameters(), { lr: 0.1 });
    const trainer = new tl.Trainer(model, { optimizer, loss: "crossEntropy", progress: false });
    const { x, y } = blobs(4);
    await assert.rejects(trainer.fit([[x, y]], { epochs: 0 }), /epochs must be a whole number ≥ 1, got 0/);
    await assert.rejects(trainer.fit([[x, y]], { epochs: 2, initialEpoch: 2 }), /initialEpoch must be a whole number in \[0, epochs\)/);
    await assert.rejects(trainer.fit([[x, y]], { gradClip: -1 }), /gradClip must be a max norm ≥ 0/);
    await assert.rejects(trainer.fit([], {}), /the training data yielded no batches/);
    await assert.rejects(trainer.fit([x] as never), /each batch must be an array \[inputs\.\.\., target\] of tensors, got a single Tensor of shape \[4,2\]/);
    await assert.rejects(trainer.evaluate([]), /\[Trainer\.evaluate\] the data yielded no batches/);
    await assert.rejects(trainer.fit(42 as never), /data must be a DataLoader/);
    assert.throws(() => new tl.Trainer(model, { optimizer, loss: "crossEntropyy" as never }), /unknown loss "crossEntropyy"/);
    assert.throws(() => new tl.Trainer(model, { optimizer, loss: "mseLoss", metrics: ["acc" as never] }), /unknown metric "acc"/);
    const scalarLoss = new tl.Trainer(model, { optimizer, loss: (o) => o, progress: false });
    await assert.rejects(scalarLoss.fit([[x, y]]), /the loss must be a one-element tensor, got shape \[4,2\]/);
  });
});

describe("memory", () => {
  test("tl.memory() is flat from epoch 1 to epoch N (Adam state, dropout, metrics, validation)", async () => {
    tl.manualSeed(11);
    const { x, y } = blobs(96);
    const model = mlp(16, 0.2);
    const counts: { numTensors: number; numBytes: number }[] = [];
    const trainer = new tl.Trainer(model, {
      optimizer: new tl.optim.Adam(model.parameters(), { lr: 0.01 }), loss: "crossEntropy", metrics: ["accuracy", "f1", "top1Accuracy"], progress: false,
      scheduler: new S.StepLR(new tl.optim.SGD([tl.zeros([1], { requiresGrad: true })], { lr: 1 }), { stepSize: 1 }),
      callbacks: [new OnEpoch(() => {
        const m = tl.memory();
        counts.push({ numTensors: m.numTensors, numBytes: m.numBytes });
      })],
    });
    const loader = new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 8, shuffle: true });
    await trainer.fit(loader, { epochs: 6, validation: loader, gradClip: 1 });
    assert.equal(counts.length, 6);
    for (const c of counts) assert.deepEqual(c, counts[0]);
  });

  test("an array of [x, y] batches belongs to the caller; DataLoader batches are freed after their step", async () => {
    tl.manualSeed(12);
    const { x, y } = blobs(32);
    const model = mlp();
    const trainer = new tl.Trainer(model, { optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy", progress: false });
    const batches = [[x.narrow(0, 0, 16), y.narrow(0, 0, 16)], [x.narrow(0, 16, 16), y.narrow(0, 16, 16)]];
    await trainer.fit(batches, { epochs: 2, validation: batches });
    await trainer.predict(batches);
    assert.ok(batches.flat().every((t) => !t.isDisposed), "user batches are alive");
    const loaderBatches: tl.Tensor[] = [];
    const loader = new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 8 });
    const watched = { *[Symbol.iterator]() {
      for (const b of loader) {
        loaderBatches.push(...b);
        yield b;
      }
    } };
    const before = tl.memory().numTensors;
    await trainer.fit(watched, { epochs: 1, validation: watched });
    assert.equal(loaderBatches.length, 16);
    assert.ok(loaderBatches.every((t) => t.isDisposed), "loader batches are freed");
    assert.equal(tl.memory().numTensors, before);
    const out = await trainer.predict(watched);
    assert.equal(tl.memory().numTensors, before + 1, "predict leaves only its result");
    out.dispose();
  });
});
