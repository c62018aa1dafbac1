import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { DataLoader, Dataset, IterableDataset, TensorDataset } from "../../src/data/index.js";

/** x = rows [i, 10 i], y = i: every sample names itself. */
function numbered(n: number): TensorDataset {
  const x = tl.tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
  const y = tl.arange(n);
  return new TensorDataset(x, y);
}

function ids(batch: tl.Tensor[]): number[] {
  return [...batch[1].dataSync()];
}

function epoch(loader: DataLoader): number[][] {
  return [...loader].map(ids);
}

describe("TensorDataset", () => {
  test("get(i) returns the i-th row of each tensor", () => {
    const ds = numbered(4);
    assert.equal(ds.length, 4);
    const [x, y] = ds.get(2);
    assert.deepEqual(x.toArray(), [2, 20]);
    assert.deepEqual(y.toArray(), 2);
  });

  test("rejects tensors of different lengths and bad indices", () => {
    assert.throws(() => new TensorDataset(tl.zeros([3, 2]), tl.zeros([4])), /\[TensorDataset\] tensor 1 has shape \[4\] but tensor 0 has shape \[3,2\]/);
    assert.throws(() => new TensorDataset(tl.tensor(1)), /zero-dimensional/);
    assert.throws(() => new TensorDataset(), /at least one tensor/);
    assert.throws(() => numbered(3).get(3), /index 3 is out of range for a dataset of 3 samples/);
    assert.throws(() => numbered(3).get(1.5), /index 1.5 is out of range/);
  });
});

describe("DataLoader", () => {
  test("batches in order, the last one short; length counts batches", () => {
    const loader = new DataLoader(numbered(10), { batchSize: 3 });
    assert.equal(loader.length, 4);
    const batches = [...loader];
    assert.equal(batches.length, 4);
    assert.deepEqual(batches.map((b) => b[0].shape), [[3, 2], [3, 2], [3, 2], [1, 2]]);
    assert.deepEqual(batches[1][0].toArray(), [[3, 30], [4, 40], [5, 50]]);
    assert.deepEqual(batches.map(ids), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    assert.equal(batches[0][1].dtype, "int32");
  });

  test("dropLast drops the short batch; batchSize defaults to 1", () => {
    const loader = new DataLoader(numbered(10), { batchSize: 3, dropLast: true });
    assert.equal(loader.length, 3);
    assert.deepEqual(epoch(loader), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    const ones = new DataLoader(numbered(3));
    assert.equal(ones.length, 3);
    assert.deepEqual(epoch(ones), [[0], [1], [2]]);
    assert.equal(new DataLoader(numbered(2), { batchSize: 3, dropLast: true }).length, 0);
    assert.deepEqual(epoch(new DataLoader(numbered(2), { batchSize: 3, dropLast: true })), []);
  });

  test("shuffle visits every sample exactly once per epoch, in a new order each epoch", () => {
    const loader = new DataLoader(numbered(50), { batchSize: 8, shuffle: true, seed: 3 });
    const first = epoch(loader).flat();
    const second = epoch(loader).flat();
    const all = Array.from({ length: 50 }, (_, i) => i);
    assert.deepEqual([...first].sort((a, b) => a - b), all);
    assert.deepEqual([...second].sort((a, b) => a - b), all);
    assert.notDeepEqual(first, all, "shuffled");
    assert.notDeepEqual(first, second, "a new permutation each epoch");
  });

  test("the same seed gives the same epochs; a different seed differs", () => {
    const run = (seed: number) => {
      const loader = new DataLoader(numbered(20), { batchSize: 4, shuffle: true, seed });
      return [epoch(loader), epoch(loader)];
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });

  test("without a seed, shuffling follows the global generator, so manualSeed reproduces it", () => {
    const run = () => {
      tl.manualSeed(11);
      const loader = new DataLoader(numbered(20), { batchSize: 5, shuffle: true });
      return [epoch(loader), epoch(loader)];
    };
    const a = run();
    assert.deepEqual(run(), a);
    assert.notDeepEqual(a[0], a[1]);
  });

  test("rows and labels stay paired after shuffling", () => {
    for (const [x, y] of new DataLoader(numbered(12), { batchSize: 5, shuffle: true, seed: 1 })) {
      const rows = x.toArray() as number[][];
      ids([x, y]).forEach((id, k) => assert.deepEqual(rows[k], [id, 10 * id]));
    }
  });

  test("for await gives the same batches", async () => {
    const loader = new DataLoader(numbered(7), { batchSize: 2, shuffle: true, seed: 5 });
    const twin = new DataLoader(numbered(7), { batchSize: 2, shuffle: true, seed: 5 });
    const got: number[][] = [];
    for await (const batch of loader) got.push(ids(batch));
    assert.deepEqual(got, epoch(twin));
  });

  test("a TensorDataset is batched with indexSelect, never sample by sample", () => {
    class NoGet extends TensorDataset {
      override get(): tl.Tensor[] {
        throw new Error("get() should not be called");
      }
    }
    const ds = new NoGet(tl.arange(6), tl.arange(6).mul(2));
    assert.deepEqual([...new DataLoader(ds, { batchSize: 4 })].map((b) => b.map((t) => t.toArray())), [[[0, 1, 2, 3], [0, 2, 4, 6]], [[4, 5], [8, 10]]]);
  });

  test("other datasets go through the default collate: tensors stacked, numbers made a tensor", () => {
    class Squares extends Dataset<[tl.Tensor, number]> {
      get length() { return 5; }
      get(i: number): [tl.Tensor, number] { return [tl.tensor([i, i]), i * i]; }
    }
    const batches = [...new DataLoader(new Squares(), { batchSize: 2 })];
    assert.equal(batches.length, 3);
    assert.deepEqual(batches[1][0].toArray(), [[2, 2], [3, 3]]);
    assert.deepEqual(batches[1][1].toArray(), [4, 9]);
    assert.deepEqual(batches[2][0].shape, [1, 2]);
  });

  test("a custom collate builds any batch type", () => {
    const loader = new DataLoader({ length: 5, get: (i: number) => ({ id: i }) }, { batchSize: 2, collate: (s) => s.map((x) => x.id).join("+") });
    assert.deepEqual([...loader], ["0+1", "2+3", "4"]);
  });

  test("async datasets work with for await and give a clear error with for...of", async () => {
    const ds = { length: 3, get: async (i: number) => [tl.tensor([i])] };
    const got: number[][] = [];
    for await (const [x] of new DataLoader(ds, { batchSize: 2 })) got.push([...x.dataSync()]);
    assert.deepEqual(got, [[0, 1], [2]]);
    assert.throws(() => [...new DataLoader(ds, { batchSize: 2 })], /\[DataLoader\] dataset.get\(0\) returned a Promise; iterate with for await/);
  });

  test("rejects bad options and samples the default collate cannot batch", () => {
    const ds = numbered(3);
    assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /\[DataLoader\] batchSize must be a whole number ≥ 1, got 0/);
    assert.throws(() => new DataLoader(ds, { batchSize: 2.5 }), /batchSize must be a whole number/);
    assert.throws(() => new DataLoader(ds, { shuffle: true, seed: 0.5 }), /seed must be a whole number/);
    assert.throws(() => new DataLoader(null as unknown as TensorDataset), /dataset must have a length and a get/);
    const objects = new DataLoader({ length: 2, get: (i: number) => ({ i }) }, { batchSize: 2 });
    assert.throws(() => [...objects], /cannot batch the samples: the default collate stacks tensors, numbers, booleans or typed arrays of one type and length, got object; pass a collate function/);
  });

  test("typed-array samples batch into tensors of their type; booleans into bool", () => {
    const ds = { length: 3, get: (i: number) => [Float64Array.of(i, -i), Int32Array.of(i), i % 2 === 0] };
    const [x, y, flag] = [...new DataLoader(ds, { batchSize: 3 })][0];
    assert.equal(x.dtype, "float64");
    assert.deepEqual(x.toArray(), [[0, -0], [1, -1], [2, -2]]);
    assert.equal(y.dtype, "int32");
    assert.deepEqual(y.shape, [3, 1]);
    assert.deepEqual(flag.toArray(), [true, false, true]);
    const ragged = { length: 2, get: (i: number) => new Float32Array(i + 1) };
    assert.throws(() => [...new DataLoader(ragged, { batchSize: 2 })], /cannot batch the samples: .* got Float32Array/);
    const shapes = { length: 2, get: (i: number) => tl.zeros([i + 1]) };
    assert.throws(() => [...new DataLoader(shapes, { batchSize: 2 })], /sample 1 of the batch has shape \[2\] float32 but sample 0 has \[1\] float32/);
  });

  test("an IterableDataset is batched in stream order; its length is unknown (NaN)", async () => {
    class Stream extends IterableDataset<[number, number]> {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 7; i++) yield [i, 10 * i] as [number, number];
      }
    }
    const loader = new DataLoader(new Stream(), { batchSize: 3 });
    assert.ok(Number.isNaN(loader.length));
    const got: number[][] = [];
    for await (const [a, b] of loader) got.push([...a.dataSync(), ...b.dataSync()]);
    assert.deepEqual(got, [[0, 1, 2, 0, 10, 20], [3, 4, 5, 30, 40, 50], [6, 60]]);
    const dropped: number[] = [];
    for await (const [a] of new DataLoader(new Stream(), { batchSize: 3, dropLast: true })) dropped.push(a.shape[0]);
    assert.deepEqual(dropped, [3, 3]);
    assert.throws(() => [...new DataLoader(new Stream())], /an IterableDataset is asynchronous: iterate with for await/);
    assert.throws(() => new DataLoader(new Stream(), { shuffle: true }), /an IterableDataset is read in its own order/);
  });

  test("random draws inside get() are seeded per sample and leave the global generator alone", () => {
    const ds = { length: 6, get: (i: number) => [tl.rand([2]), i] };
    const run = (seed: number) => [...new DataLoader(ds, { batchSize: 3, shuffle: true, seed })].map(([x, y]) => [y.toArray(), x.toArray()]);
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1), run(2));
    // The sample's draws depend on the sample, not on its position in the epoch.
    const byId = (batchSize: number, shuffle: boolean) => {
      const m = new Map<number, number[]>();
      for (const [x, y] of new DataLoader(ds, { batchSize, shuffle, seed: 4 })) (y.toArray() as number[]).forEach((id, k) => m.set(id, (x.toArray() as number[][])[k]));
      return [...m.entries()].sort((a, b) => a[0] - b[0]);
    };
    assert.deepEqual(byId(2, false), byId(5, false));
    assert.deepEqual(byId(3, true), byId(2, false), "shuffling changes the order, not the draws");
    assert.equal(byId(2, false).length, 6);
    tl.manualSeed(3);
    const expected = tl.rand([4]).toArray();
    tl.manualSeed(3);
    void [...new DataLoader(ds, { batchSize: 2, seed: 9 })];
    assert.deepEqual(tl.rand([4]).toArray(), expected, "iterating with a seed consumed nothing from the global stream");
  });
});
