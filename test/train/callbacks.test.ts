/** EarlyStopping, ModelCheckpoint, the file loggers and the progress bar, by hand and through Trainer.fit. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { Callback, type Logs } from "../../src/train/callbacks.js";
import { blobs, fakeControl, mlp, ScriptedMetric, weights } from "./helpers.js";

const C = tl.callbacks;
const dir = mkdtempSync(join(tmpdir(), "tensile-callbacks-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Drives `cb` through epochs whose monitored log takes `values`; returns the epoch it stopped at (or null). */
function drive(cb: tl.callbacks.EarlyStopping, monitor: string, values: number[]): number | null {
  const control = fakeControl();
  cb.onTrainBegin();
  for (let epoch = 0; epoch < values.length; epoch++) {
    cb.onEpochEnd(epoch, { [monitor]: values[epoch] }, control);
    if (control.stopTraining) return epoch;
  }
  return null;
}

/** A small classification run: 4 batches an epoch, a scripted metric "score". */
function run(score: number[], callbacks: Callback[], opts: { progress?: boolean } = {}) {
  tl.manualSeed(21);
  const { x, y } = blobs(64);
  const model = mlp();
  const trainer = new tl.Trainer(model, {
    optimizer: new tl.optim.SGD(model.parameters(), { lr: 0.1 }), loss: "crossEntropy",
    metrics: ["accuracy", new ScriptedMetric("score", score)], callbacks, progress: opts.progress ?? false,
  });
  const loader = new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 16 });
  return { model, trainer, loader };
}

describe("EarlyStopping", () => {
  test("stops on the patience-th epoch without improvement (Keras' counting)", () => {
    assert.equal(drive(new C.EarlyStopping({ monitor: "valLoss", patience: 2 }), "valLoss", [1, 0.9, 0.95, 0.96, 0.97]), 3);
    assert.equal(drive(new C.EarlyStopping({ monitor: "valLoss", patience: 0 }), "valLoss", [1, 0.9, 0.95]), 2);
    // An improvement resets the count.
    assert.equal(drive(new C.EarlyStopping({ monitor: "valLoss", patience: 2 }), "valLoss", [1, 1.1, 0.8, 0.9, 0.85, 0.9]), 4);
    assert.equal(drive(new C.EarlyStopping({ monitor: "valLoss", patience: 2 }), "valLoss", [1, 0.9, 0.8, 0.7]), null);
  });

  test("minDelta: smaller changes do not count as improvements", () => {
    const cb = new C.EarlyStopping({ monitor: "loss", patience: 1, minDelta: 0.2 });
    assert.equal(drive(cb, "loss", [1, 0.85, 0.7, 0.5]), 1);
    assert.equal(cb.best, 1);
    assert.equal(drive(new C.EarlyStopping({ monitor: "loss", patience: 1, minDelta: 0.2 }), "loss", [1, 0.75, 0.5, 0.29]), null);
  });

  test("mode auto picks max for accuracy-like names and min otherwise; explicit mode wins", () => {
    assert.equal(drive(new C.EarlyStopping({ monitor: "valAccuracy", patience: 1 }), "valAccuracy", [0.5, 0.6, 0.7, 0.65]), 3);
    assert.equal(drive(new C.EarlyStopping({ monitor: "valF1", patience: 1 }), "valF1", [0.5, 0.4]), 1);
    assert.equal(drive(new C.EarlyStopping({ monitor: "valLoss", patience: 1 }), "valLoss", [0.5, 0.6]), 1);
    assert.equal(drive(new C.EarlyStopping({ monitor: "score", mode: "max", patience: 1 }), "score", [0.5, 0.6, 0.7]), null);
    assert.equal(drive(new C.EarlyStopping({ monitor: "score", mode: "min", patience: 1 }), "score", [0.5, 0.6]), 1);
  });

  test("errors: unknown monitor, bad mode or patience", () => {
    const cb = new C.EarlyStopping({ monitor: "valLoss" });
    assert.throws(() => cb.onEpochEnd(0, { loss: 1 }, fakeControl()), /monitored value "valLoss" is not in the logs \(have: loss\); pass validation data/);
    assert.throws(() => new C.EarlyStopping({ mode: "up" as never }), /mode must be "min", "max" or "auto"/);
    assert.throws(() => new C.EarlyStopping({ patience: 1.5 }), /patience must be a whole number ≥ 0, got 1.5/);
  });

  test("through fit: stops early, and restoreBest puts back the best epoch's weights", async () => {
    const perEpoch: Record<string, Float32Array>[] = [];
    const es = new C.EarlyStopping({ monitor: "score", mode: "min", patience: 2, restoreBest: true });
    // score is best at epoch 1 (0-based); epochs 2 and 3 do not improve: stop after epoch 3.
    const recorder = new (class extends Callback {
      override onEpochEnd(): void {
        perEpoch.push(weights(model));
      }
    })();
    const { model, trainer, loader } = run([3, 1, 2, 2, 0, 0], [recorder, es]);
    const before = tl.memory().numTensors;
    const history = await trainer.fit(loader, { epochs: 6 });
    assert.deepEqual(history.epochs, [0, 1, 2, 3]);
    assert.equal(es.stoppedEpoch, 3);
    assert.equal(es.bestEpoch, 1);
    assert.equal(es.best, 1);
    assert.notDeepEqual(perEpoch[3], perEpoch[1]);
    assert.deepEqual(weights(model), perEpoch[1]);
    // The snapshots are freed (only the gradients of the last step remain: 4 parameters).
    assert.equal(tl.memory().numTensors, before + 4);
  });
});

describe("ModelCheckpoint", () => {
  test("every epoch: {epoch} in the path, directories created, the file holds that epoch's state", async () => {
    const perEpoch: Record<string, Float32Array>[] = [];
    const path = join(dir, "every", "nested", "ckpt-{epoch}-of-{epoch}.safetensors");
    const ckpt = new C.ModelCheckpoint({ path });
    const recorder = new (class extends Callback {
      override onEpochEnd(): void {
        perEpoch.push(weights(model));
      }
    })();
    const { model, trainer, loader } = run([0, 0, 0], [recorder, ckpt]);
    await trainer.fit(loader, { epochs: 3 });
    const names = ["ckpt-1-of-1.safetensors", "ckpt-2-of-2.safetensors", "ckpt-3-of-3.safetensors"];
    // No temporary files are left next to them.
    assert.deepEqual(readdirSync(join(dir, "every", "nested")).sort(), names);
    assert.deepEqual(ckpt.saved, names.map((n) => join(dir, "every", "nested", n)));
    const saved = await tl.io.loadCheckpoint(ckpt.saved[1]);
    assert.equal(saved.epoch, 1);
    const state = saved.model as Record<string, tl.Tensor>;
    for (const [name, values] of Object.entries(perEpoch[1])) assert.deepEqual(state[name].dataSync(), values);
    assert.deepEqual(Object.keys(saved).sort(), ["epoch", "model", "optimizer", "rng", "scheduler"]);
  });

  test("saveBestOnly: writes only on improvement of the monitored value, replacing the file whole", async () => {
    const path = join(dir, "best", "model.safetensors");
    const ckpt = new C.ModelCheckpoint({ path, monitor: "score", saveBestOnly: true });
    const epochs: number[] = [];
    const spy = new (class extends Callback {
      override onEpochEnd(epoch: number): void {
        if (ckpt.saved.length > epochs.length) epochs.push(epoch);
      }
    })();
    const { trainer, loader } = run([3, 1, 2, 0.5, 0.7], [ckpt, spy]);
    await trainer.fit(loader, { epochs: 5 });
    assert.deepEqual(epochs, [0, 1, 3]);
    assert.deepEqual(readdirSync(join(dir, "best")), ["model.safetensors"]);
    assert.equal((await tl.io.loadCheckpoint(path)).epoch, 3);
  });

  test("errors: empty path, missing monitored value", async () => {
    assert.throws(() => new C.ModelCheckpoint({ path: "" }), /\[ModelCheckpoint\] path must be a non-empty string/);
    const { trainer, loader } = run([0], [new C.ModelCheckpoint({ path: join(dir, "x.safetensors"), saveBestOnly: true })]);
    await assert.rejects(trainer.fit(loader), /\[ModelCheckpoint\] monitored value "valLoss" is not in the logs/);
  });
});

describe("CSV and JSONL loggers", () => {
  test("one row / object per epoch with the History's values; append keeps one header", async () => {
    const csv = join(dir, "logs", "train.csv");
    const jsonl = join(dir, "logs", "train.jsonl");
    const { trainer, loader } = run([5, 4, 3, 2, 1], [new C.CSVLogger(csv), new C.JSONLLogger(jsonl)]);
    const history = await trainer.fit(loader, { epochs: 2, validation: loader });
    const keys = ["loss", "accuracy", "score", "valLoss", "valAccuracy", "valScore", "lr"];
    const rows = readFileSync(csv, "utf8").trimEnd().split("\n");
    assert.equal(rows[0], ["epoch", ...keys].join(","));
    assert.equal(rows.length, 3);
    for (let e = 0; e < 2; e++) assert.equal(rows[e + 1], [e + 1, ...keys.map((k) => history.history[k][e])].join(","));
    const objects = readFileSync(jsonl, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Logs);
    assert.deepEqual(objects, [0, 1].map((e) => ({ epoch: e + 1, ...Object.fromEntries(keys.map((k) => [k, history.history[k][e]])) })));

    // Appending (a resumed run) adds rows under the existing header; a fresh logger starts over.
    const appendRun = run([5, 4, 3], [new C.CSVLogger(csv, { append: true }), new C.JSONLLogger(jsonl, { append: true })]);
    await appendRun.trainer.fit(appendRun.loader, { epochs: 3, initialEpoch: 2, validation: appendRun.loader });
    const appended = readFileSync(csv, "utf8").trimEnd().split("\n");
    assert.equal(appended.length, 4);
    assert.equal(appended.filter((r) => r.startsWith("epoch")).length, 1);
    assert.ok(appended[3].startsWith("3,"));
    assert.equal(readFileSync(jsonl, "utf8").trimEnd().split("\n").length, 3);
    writeFileSync(csv, "stale\n");
    const fresh = run([1], [new C.CSVLogger(csv)]);
    await fresh.trainer.fit(fresh.loader);
    assert.deepEqual(readFileSync(csv, "utf8").split("\n")[0], "epoch,loss,accuracy,score,lr");
    assert.ok(existsSync(csv));
  });
});

/** What `fn` writes to process.stdout (not passed through). */
async function captureStdout(fn: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => out.push(s) > 0) as unknown as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe("ProgressBar", () => {
  function fakeStream(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, columns: 300, write: (s: string) => chunks.push(s) } };
  }

  test("not a TTY: one plain line per epoch", async () => {
    const { chunks, stream } = fakeStream(false);
    const { trainer, loader } = run([1, 1, 1], [new C.ProgressBar({ stream, refreshMs: 0 })], { progress: true });
    await trainer.fit(loader, { epochs: 3 });
    const text = chunks.join("");
    assert.ok(!text.includes("\r"));
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    lines.forEach((line, i) => {
      assert.match(line, new RegExp(`^epoch ${i + 1}/3 · loss \\d\\.\\d{4} · accuracy \\d\\.\\d{4} · score 1\\.0000 · lr 1\\.00e-1 · \\d+s$`));
    });
  });

  test("a TTY: \\r updates with loss, metrics, lr, samples/s and ETA, then the epoch's line", async () => {
    const { chunks, stream } = fakeStream(true);
    const { trainer, loader } = run([1, 1], [new C.ProgressBar({ stream, refreshMs: 0 })], { progress: true });
    await trainer.fit(loader, { epochs: 2 });
    const updates = chunks.filter((c) => !c.endsWith("\n"));
    assert.equal(updates.length, 8, "one redraw per step with refreshMs 0");
    assert.match(updates[0], /^\repoch 1\/2 \[======>\s+\] 1\/4 · loss \d\.\d{4} · accuracy \d\.\d{4} · score 1\.0000 · lr 1\.00e-1 · \d+ samples\/s · ETA \d+s/);
    assert.ok(updates.every((u) => u.endsWith("\x1b[K")), "each redraw clears the rest of the line");
    assert.match(updates[7], /^\repoch 2\/2 \[========================\] 4\/4 · /);
    const ends = chunks.filter((c) => c.endsWith("\n"));
    assert.equal(ends.length, 2);
    assert.match(ends[1], /^\repoch 2\/2 · loss /);
  });

  test("the Trainer adds no second bar when callbacks already hold one", async () => {
    const { chunks, stream } = fakeStream(false);
    const { trainer, loader } = run([1], [new C.ProgressBar({ stream })], { progress: true });
    const stdout = await captureStdout(() => trainer.fit(loader));
    assert.equal(chunks.length, 1);
    assert.deepEqual(stdout, []);
    // Without one, the default bar writes its line to stdout.
    const plain = run([1], [], { progress: true });
    const printed = await captureStdout(() => plain.trainer.fit(plain.loader));
    assert.ok(printed.some((s) => s.includes("epoch 1/1 · loss")), printed.join(""));
  });
});
