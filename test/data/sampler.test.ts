import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import {
  BatchSampler, ConcatDataset, DataLoader, kFold, RandomSampler, randomSplit, SequentialSampler, Subset,
  SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
} from "../../src/data/index.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

/** Counts of each index over the draws. */
function histogram(draws: number[], n: number): number[] {
  const h = new Array<number>(n).fill(0);
  for (const d of draws) h[d]++;
  return h;
}

describe("samplers", () => {
  test("SequentialSampler and RandomSampler: a permutation per epoch, seeded", () => {
    assert.deepEqual([...new SequentialSampler(4)], [0, 1, 2, 3]);
    assert.equal(new SequentialSampler({ length: 7 }).length, 7);
    const s = new RandomSampler(50, { seed: 1 });
    const a = [...s];
    const b = [...s];
    assert.deepEqual(sorted(a), range(50));
    assert.deepEqual(sorted(b), range(50));
    assert.notDeepEqual(a, b, "a new order each epoch");
    assert.deepEqual([...new RandomSampler(50, { seed: 1 })], a, "the same seed replays");
    // numSamples without replacement: a prefix, or whole permutations repeated.
    const few = [...new RandomSampler(10, { numSamples: 4, seed: 2 })];
    assert.equal(new Set(few).size, 4);
    const many = [...new RandomSampler(10, { numSamples: 25, seed: 2 })];
    assert.deepEqual(sorted(many.slice(0, 10)), range(10));
    assert.deepEqual(sorted(many.slice(10, 20)), range(10));
    assert.equal(many.length, 25);
  });

  test("RandomSampler with replacement is a bootstrap: about 63.2% distinct, uniform counts", () => {
    const n = 5000;
    const draws = [...new RandomSampler(n, { replacement: true, seed: 4 })];
    assert.equal(draws.length, n);
    const distinct = new Set(draws).size / n;
    assert.ok(Math.abs(distinct - (1 - Math.exp(-1))) < 0.02, `distinct fraction ${distinct}`);
    const big = [...new RandomSampler(4, { replacement: true, numSamples: 40000, seed: 5 })];
    for (const c of histogram(big, 4)) assert.ok(Math.abs(c / 40000 - 0.25) < 0.01, `count ${c}`);
  });

  test("WeightedRandomSampler draws in proportion to the weights; zero weights never", () => {
    const weights = [1, 2, 3, 4, 0];
    const draws = [...new WeightedRandomSampler(weights, 50000, { seed: 6 })];
    const h = histogram(draws, 5);
    weights.forEach((w, i) => assert.ok(Math.abs(h[i] / 50000 - w / 10) < 0.01, `index ${i}: ${h[i]}`));
    assert.equal(h[4], 0);
    // A tensor of weights works too, and the same seed replays.
    const t = [...new WeightedRandomSampler(tl.tensor(weights), 100, { seed: 6 })];
    assert.deepEqual(t, draws.slice(0, 100));
  });

  test("WeightedRandomSampler without replacement: distinct indices, heavier ones first more often", () => {
    const weights = [8, 1, 1, 1, 1];
    let firstIsHeavy = 0;
    const s = new WeightedRandomSampler(weights, 5, { replacement: false, seed: 7 });
    for (let epoch = 0; epoch < 2000; epoch++) {
      const draw = [...s];
      assert.deepEqual(sorted(draw), range(5));
      if (draw[0] === 0) firstIsHeavy++;
    }
    // P(first = 0) = 8 / 12.
    assert.ok(Math.abs(firstIsHeavy / 2000 - 8 / 12) < 0.04, `first draw heavy ${firstIsHeavy}`);
    assert.throws(() => new WeightedRandomSampler([1, 0, 2], 3, { replacement: false }), /cannot draw 3 samples without replacement: only 2 weights are positive/);
    assert.throws(() => new WeightedRandomSampler([1, -1], 2), /weights\[1\] is -1; weights must be finite and ≥ 0/);
    assert.throws(() => new WeightedRandomSampler([0, 0], 2), /the weights sum to 0/);
  });

  test("SubsetRandomSampler and BatchSampler", () => {
    const s = new SubsetRandomSampler([10, 20, 30, 40], { seed: 1 });
    assert.deepEqual(sorted([...s]), [10, 20, 30, 40]);
    assert.deepEqual([...new BatchSampler(new SequentialSampler(5), 2)], [[0, 1], [2, 3], [4]]);
    const dropped = new BatchSampler(new SequentialSampler(5), 2, true);
    assert.deepEqual([...dropped], [[0, 1], [2, 3]]);
    assert.equal(dropped.length, 2);
    assert.throws(() => new BatchSampler(new SequentialSampler(5), 0), /\[BatchSampler\] batchSize must be a whole number > 0, got 0/);
  });

  test("a DataLoader with a weighted sampler oversamples the rare class; batchSampler gives whole batches", () => {
    const y = tl.tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], { dtype: "int32" });
    const ds = new TensorDataset(tl.arange(10), y);
    const labels = [...y.dataSync()];
    const counts = [9, 1];
    const sampler = new WeightedRandomSampler(labels.map((c) => 1 / counts[c]), 4000, { seed: 8 });
    const loader = new DataLoader(ds, { batchSize: 100, sampler });
    assert.equal(loader.length, 40);
    let ones = 0;
    for (const [, yb] of loader) ones += [...yb.dataSync()].filter((v) => v === 1).length;
    assert.ok(Math.abs(ones / 4000 - 0.5) < 0.04, `rare class share ${ones / 4000}`);
    const batches = new DataLoader(ds, { batchSampler: new BatchSampler(new SequentialSampler(10), 4) });
    assert.deepEqual([...batches].map(([x]) => [...x.dataSync()]), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    assert.throws(() => new DataLoader(ds, { shuffle: true, sampler }), /shuffle and sampler cannot be used together/);
    assert.throws(() => new DataLoader(ds, { batchSize: 2, batchSampler: new BatchSampler(new SequentialSampler(10), 4) }), /batchSampler gives whole batches/);
  });
});

describe("Subset, ConcatDataset, randomSplit, kFold", () => {
  const ds = { length: 10, get: (i: number) => i * 10 };

  test("Subset and ConcatDataset index through to their datasets", () => {
    const sub = new Subset(ds, [3, 1, 4]);
    assert.equal(sub.length, 3);
    assert.deepEqual([0, 1, 2].map((i) => sub.get(i)), [30, 10, 40]);
    assert.throws(() => sub.get(3), /\[Subset\] index 3 is out of range for a dataset of 3 samples/);
    assert.throws(() => new Subset(ds, [2, 10]), /indices\[1\] is 10, out of range for a dataset of 10 samples/);
    const cat = new ConcatDataset([sub, ds, { length: 0, get: () => -1 }, { length: 2, get: (i: number) => -i - 1 }]);
    assert.equal(cat.length, 15);
    assert.deepEqual(range(15).map((i) => cat.get(i)), [30, 10, 40, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, -1, -2]);
    assert.deepEqual(cat.cumulativeSizes, [3, 13, 13, 15]);
    assert.throws(() => cat.get(15), /\[ConcatDataset\] index 15 is out of range/);
  });

  test("randomSplit: disjoint, covering, sized by counts or fractions, seeded", () => {
    const parts = randomSplit(ds, [0.7, 0.2, 0.1], { seed: 1 });
    assert.deepEqual(parts.map((p) => p.length), [7, 2, 1]);
    const all = parts.flatMap((p) => [...p.indices]);
    assert.deepEqual(sorted(all), range(10));
    assert.deepEqual(randomSplit(ds, [0.7, 0.2, 0.1], { seed: 1 }).map((p) => p.indices), parts.map((p) => p.indices));
    assert.notDeepEqual(randomSplit(ds, [0.7, 0.2, 0.1], { seed: 2 }).map((p) => p.indices), parts.map((p) => p.indices));
    // Remainders go to the first splits, as PyTorch: 11 × [0.5, 0.5] → 6, 5.
    assert.deepEqual(randomSplit({ length: 11, get: (i: number) => i }, [0.5, 0.5], { seed: 0 }).map((p) => p.length), [6, 5]);
    assert.deepEqual(randomSplit(ds, [4, 6], { seed: 0 }).map((p) => p.length), [4, 6]);
    assert.throws(() => randomSplit(ds, [4, 5]), /\[randomSplit\] lengths \[4, 5\] must be whole counts that sum to the dataset's 10 samples, or fractions that sum to 1/);
    assert.throws(() => randomSplit(ds, [0.5, -0.5, 1]), /lengths\[1\] is -0.5/);
  });

  test("kFold: every sample validated exactly once; train is the rest; sizes as scikit-learn", () => {
    for (const shuffle of [false, true]) {
      const folds = kFold({ length: 11, get: (i: number) => i }, 3, { shuffle, seed: 2 });
      assert.deepEqual(folds.map((f) => f.val.length), [4, 4, 3]);
      const vals = folds.flatMap((f) => [...f.val.indices]);
      assert.deepEqual(sorted(vals), range(11), "validation folds cover every sample once");
      for (const f of folds) {
        assert.deepEqual(sorted([...f.train.indices, ...f.val.indices]), range(11));
        assert.equal(new Set([...f.train.indices, ...f.val.indices]).size, 11, "train and val are disjoint");
      }
      if (!shuffle) assert.deepEqual(folds[0].val.indices, [0, 1, 2, 3]);
    }
    assert.throws(() => kFold(ds, 1), /\[kFold\] k must be a whole number ≥ 2, got 1/);
    assert.throws(() => kFold(ds, 11), /k = 11 folds need at least 11 samples, the dataset has 10/);
  });
});
