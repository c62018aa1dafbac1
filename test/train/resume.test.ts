/**
 * Exact resume: N epochs in one go versus k epochs, a checkpoint, fresh objects and the remaining
 * epochs give bit-identical parameters. The loader shuffles with the global generator and the model
 * has dropout, so the RNG state in the checkpoint matters.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { globalGenerator } from "../../src/core/rng.js";
import type { OptimizerStateDict } from "../../src/optim/optimizer.js";
import { blobs, mlp, weights } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-resume-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const EPOCHS = 4;
const SPLIT = 2;

tl.manualSeed(100);
const data = blobs(96);

/** A fresh run: its own model, Adam, cosine schedule, shuffling loader, and checkpoints at `prefix-{epoch}`. */
function setup(seed: number, prefix: string) {
  tl.manualSeed(seed);
  const model = mlp(16, 0.25);
  const optimizer = new tl.optim.Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new tl.optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: EPOCHS });
  const checkpoint = new tl.callbacks.ModelCheckpoint({ path: join(dir, `${prefix}-{epoch}.safetensors`) });
  const trainer = new tl.Trainer(model, { optimizer, loss: "crossEntropy", metrics: ["accuracy"], scheduler, callbacks: [checkpoint], progress: false });
  const loader = new tl.data.DataLoader(new tl.data.TensorDataset(data.x, data.y), { batchSize: 16, shuffle: true });
  return { model, optimizer, scheduler, trainer, loader };
}

describe("resume from a checkpoint", async () => {
  // The uninterrupted run.
  const full = setup(7, "full");
  const fullHistory = await full.trainer.fit(full.loader, { epochs: EPOCHS });
  const fullWeights = weights(full.model);
  const fullLr = full.optimizer.paramGroups[0].lr;

  // The interrupted run: same seed, only SPLIT epochs.
  const part = setup(7, "part");
  await part.trainer.fit(part.loader, { epochs: SPLIT });
  const checkpointPath = join(dir, `part-${SPLIT}.safetensors`);

  test("the interrupted run matches the full one up to its checkpoint", async () => {
    const a = await tl.io.loadCheckpoint(join(dir, `full-${SPLIT}.safetensors`));
    const b = await tl.io.loadCheckpoint(checkpointPath);
    for (const [name, t] of Object.entries(a.model as Record<string, tl.Tensor>)) {
      assert.deepEqual((b.model as Record<string, tl.Tensor>)[name].dataSync(), t.dataSync(), name);
    }
    assert.deepEqual(b.rng, a.rng);
    assert.deepEqual(b.scheduler, a.scheduler);
    assert.equal(b.epoch, SPLIT - 1);
  });

  test("loading model, optimizer, scheduler and RNG by hand into fresh objects continues bit for bit", async () => {
    const resumed = setup(12345, "manual");
    const ckpt = await tl.io.loadCheckpoint(checkpointPath, { restoreRng: true });
    resumed.model.loadStateDict(ckpt.model as Record<string, tl.Tensor>);
    resumed.optimizer.loadStateDict(ckpt.optimizer as OptimizerStateDict);
    resumed.scheduler.loadStateDict(ckpt.scheduler as Record<string, unknown>);
    tl.dispose(ckpt);
    const history = await resumed.trainer.fit(resumed.loader, { epochs: EPOCHS, initialEpoch: (ckpt.epoch as number) + 1 });
    assert.deepEqual(history.epochs, [2, 3]);
    assert.deepEqual(history.history.loss, fullHistory.history.loss.slice(SPLIT));
    assert.deepEqual(history.history.lr, fullHistory.history.lr.slice(SPLIT));
    assert.deepEqual(weights(resumed.model), fullWeights);
    assert.equal(resumed.optimizer.paramGroups[0].lr, fullLr);
  });

  test("trainer.loadCheckpoint does the same and returns the epoch to resume from", async () => {
    const resumed = setup(999, "trainer");
    const before = tl.memory().numTensors;
    const initialEpoch = await resumed.trainer.loadCheckpoint(checkpointPath);
    assert.equal(initialEpoch, SPLIT);
    // Adam's state (expAvg, expAvgSq per parameter) is the only thing that stays.
    assert.equal(tl.memory().numTensors, before + 2 * resumed.model.parameters().length);
    const history = await resumed.trainer.fit(resumed.loader, { epochs: EPOCHS, initialEpoch });
    assert.deepEqual(history.history.loss, fullHistory.history.loss.slice(SPLIT));
    assert.deepEqual(weights(resumed.model), fullWeights);
    // Its own checkpoints carry on the numbering: trainer-3, trainer-4, equal to the full run's.
    const last = await tl.io.loadCheckpoint(join(dir, `trainer-${EPOCHS}.safetensors`));
    assert.equal(last.epoch, EPOCHS - 1);
  });

  test("without the RNG state the resumed run differs (the check above can fail)", async () => {
    const resumed = setup(4242, "norng");
    const ckpt = await tl.io.loadCheckpoint(checkpointPath);
    resumed.model.loadStateDict(ckpt.model as Record<string, tl.Tensor>);
    resumed.optimizer.loadStateDict(ckpt.optimizer as OptimizerStateDict);
    resumed.scheduler.loadStateDict(ckpt.scheduler as Record<string, unknown>);
    tl.dispose(ckpt);
    await resumed.trainer.fit(resumed.loader, { epochs: EPOCHS, initialEpoch: SPLIT });
    assert.notDeepEqual(weights(resumed.model), fullWeights);
  });

  test("a checkpoint that does not fit the trainer is refused before anything changes", async () => {
    tl.manualSeed(1);
    const other = new tl.nn.Linear(2, 3);
    const trainer = new tl.Trainer(other, { optimizer: new tl.optim.Adam(other.parameters()), loss: "crossEntropy", progress: false });
    const w = weights(other);
    const rng = globalGenerator.getState();
    await assert.rejects(trainer.loadCheckpoint(checkpointPath), /\[loadStateDict\] error\(s\) loading a state dict into Linear/);
    assert.deepEqual(weights(other), w);
    assert.deepEqual(globalGenerator.getState(), rng);
    const noScheduler = new tl.Trainer(full.model, { optimizer: full.optimizer, loss: "crossEntropy", progress: false, scheduler: full.scheduler });
    const bare = join(dir, "bare.safetensors");
    await tl.io.saveCheckpoint(bare, { model: full.model.stateDict(), optimizer: { state: {}, paramGroups: [] } });
    await assert.rejects(noScheduler.loadCheckpoint(bare), /holds no scheduler state but this Trainer has a scheduler/);
  });
});
