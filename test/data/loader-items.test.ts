import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { DataLoader } from "../../src/data/index.js";
import { BatchAugmented } from "./loader-fixture-tensors.js";

interface Batch {
  ids: number[];
  images: number[];
}

/** Every batch of one epoch, checking that each image is its sample's (values id·16 … id·16 + 15, up to noise) and came from getItems. */
async function epoch(loader: AsyncIterable<tl.Tensor[]> | Iterable<tl.Tensor[]>): Promise<Batch[]> {
  const out: Batch[] = [];
  const check = ([x, y, viaItems]: tl.Tensor[]) => {
    const ids = [...y.dataSync()];
    const images = [...x.dataSync()];
    assert.deepEqual(x.shape, [ids.length, 1, 4, 4]);
    assert.deepEqual([...viaItems.dataSync()], ids.map(() => 1), "fetched with getItems");
    ids.forEach((id, k) => {
      const values = images.slice(16 * k, 16 * k + 16).map((v) => Math.round(v) + 0).sort((a, b) => a - b);
      assert.deepEqual(values, Array.from({ length: 16 }, (_, p) => 16 * id + p), `image ${k} of the batch is sample ${id}'s`);
    });
    out.push({ ids, images });
  };
  if (Symbol.asyncIterator in loader) for await (const b of loader) check(b);
  else for (const b of loader) check(b);
  return out;
}

/** Whether image k of a batch is flipped (its first row runs backwards). */
function flipped(b: Batch, k: number): boolean {
  return b.images[16 * k] > b.images[16 * k + 1];
}

describe("DataLoader with a dataset that fetches whole batches (getItems)", { concurrency: true }, () => {
  test("0, 1 and 2 workers give the same batches; each sample exactly once per epoch; epochs differ", async () => {
    const n = 45;
    const opts = { batchSize: 8, shuffle: true, seed: 3 };
    const loaders = [0, 1, 2].map((numWorkers) => new DataLoader(new BatchAugmented(n), { ...opts, numWorkers, persistentWorkers: numWorkers > 0, prefetchFactor: 3 }));
    try {
      const epochs: Batch[][][] = [];
      for (let e = 0; e < 2; e++) epochs.push(await Promise.all(loaders.map(epoch)));
      for (const [e, [main, one, two]] of epochs.entries()) {
        assert.deepEqual(one, main, `epoch ${e}: 1 worker`);
        assert.deepEqual(two, main, `epoch ${e}: 2 workers`);
        assert.deepEqual(main.map((b) => b.ids.length), [8, 8, 8, 8, 8, 5]);
        assert.deepEqual(main.flatMap((b) => b.ids).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
      }
      assert.notDeepEqual(epochs[1][0], epochs[0][0], "a new shuffle and new augmentations each epoch");
      // Per-image draws within one batched call: some images of a batch flipped, others not.
      const flips = epochs[0][0].flatMap((b) => b.ids.map((_, k) => flipped(b, k)));
      assert.ok(flips.includes(true) && flips.includes(false), `flips ${flips}`);
    } finally {
      await Promise.all(loaders.map((l) => l.close()));
    }
  });

  test("synchronous iteration uses getItems too, and a seed replays the same batches", async () => {
    const a = await epoch(new DataLoader(new BatchAugmented(20), { batchSize: 6, shuffle: true, seed: 9 }));
    const b = await epoch(new DataLoader(new BatchAugmented(20), { batchSize: 6, shuffle: true, seed: 9 }));
    const c = await epoch(new DataLoader(new BatchAugmented(20), { batchSize: 6, shuffle: true, seed: 10 }));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test("clear errors: getItems giving the wrong number of samples, throwing in a worker, returning a Promise to for...of", async () => {
    assert.throws(() => [...new DataLoader(new BatchAugmented(10, { short: true }), { batchSize: 4 })],
      /\[DataLoader\] dataset\.getItems\(\[0, 1, 2, 3\]\) returned 3 samples; expected an array of 4 samples, one per index/);
    await assert.rejects(epoch(new DataLoader(new BatchAugmented(10, { short: true }), { batchSize: 4, numWorkers: 1 })),
      /\[DataLoader\] worker 0 failed on the batch of samples \[0, 1, 2, 3\]: \[DataLoader worker\] dataset\.getItems\(\[0, 1, 2, 3\]\) returned 3 samples/);
    await assert.rejects(epoch(new DataLoader(new BatchAugmented(10, { failAt: 6 }), { batchSize: 4, numWorkers: 1 })),
      /worker 0 failed on the batch of samples \[4, 5, 6, 7\]: batch with sample 6 is corrupt/);
    const asyncItems = { length: 4, get: (i: number) => i, getItems: async (idx: number[]) => idx };
    assert.throws(() => [...new DataLoader(asyncItems, { batchSize: 2 })], /dataset\.getItems returned a Promise; iterate with for await/);
    const got: number[][] = [];
    for await (const [y] of new DataLoader(asyncItems, { batchSize: 2 })) got.push([...y.dataSync()]);
    assert.deepEqual(got, [[0, 1], [2, 3]]);
  });
});
