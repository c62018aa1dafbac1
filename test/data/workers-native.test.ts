/**
 * DataLoader workers on the native backend: they run native kernels (one thread each) and give
 * exactly the batches of numWorkers 0, and they shut down when the epoch ends or at close().
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { DataLoader } from "../../src/data/index.js";
import { liveWorkerCount } from "../../src/data/worker/pool.js";
import { Augmented, KernelWork } from "./loader-fixture-tensors.js";

assert.ok(tl.listBackends().includes("native"), "the native addon did not load; build it with npm install");
tl.setBackend("native");

/** Every batch of one epoch as plain arrays (features, ids, native flags). */
async function epoch(loader: DataLoader<[tl.Tensor, number, number]>): Promise<number[][][]> {
  const out: number[][][] = [];
  for await (const batch of loader) {
    out.push(batch.map((t) => [...t.dataSync()]));
    tl.dispose(batch);
  }
  return out;
}

test("numWorkers 2 on native: native kernels in the workers, exactly the batches of numWorkers 0, workers gone after the epoch", { timeout: 180_000 }, async () => {
  const options = { batchSize: 6, shuffle: true, seed: 3 };
  const want = await epoch(new DataLoader(new KernelWork(40), options));
  const got = await epoch(new DataLoader(new KernelWork(40), { ...options, numWorkers: 2 }));
  assert.equal(got.length, 7);
  assert.deepEqual(got, want);
  assert.ok(got.every(([, , native]) => native.every((v) => v === 1)), "the workers ran the native backend");
  assert.ok(new Set(got.flatMap(([f]) => f.map((v) => v.toFixed(4)))).size > 100, "features differ between samples");
  assert.equal(liveWorkerCount(), 0, "a non-persistent loader's workers exit with the epoch");
});

test("persistent native workers: two epochs as on the main thread, then close() stops them", { timeout: 180_000 }, async () => {
  const options = { batchSize: 8, shuffle: true, seed: 9 };
  const main = new DataLoader(new KernelWork(24), options);
  const want = [await epoch(main), await epoch(main)];
  const loader = new DataLoader(new KernelWork(24), { ...options, numWorkers: 2, persistentWorkers: true });
  const got = [await epoch(loader), await epoch(loader)];
  assert.deepEqual(got, want);
  assert.notDeepEqual(got[0], got[1], "each epoch draws new augmentations");
  assert.equal(liveWorkerCount(), 2);
  await loader.close();
  assert.equal(liveWorkerCount(), 0);
});

test("random augmentations are the same bits made by js on the main thread or by native workers", { timeout: 180_000 }, async () => {
  const options = { batchSize: 5, shuffle: true, seed: 4 };
  const rows = async (loader: AsyncIterable<tl.Tensor[]>) => {
    const out: number[][] = [];
    for await (const [x, y] of loader) out.push([...y.dataSync()], [...x.dataSync()]);
    return out;
  };
  tl.setBackend("js");
  let onJs: number[][];
  try {
    onJs = await rows(new DataLoader(new Augmented(30), options));
  } finally {
    tl.setBackend("native");
  }
  assert.deepEqual(await rows(new DataLoader(new Augmented(30), { ...options, numWorkers: 2 })), onJs);
});
