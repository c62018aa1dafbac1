import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { DataLoader, randomSplit } from "../../src/data/index.js";
import { liveWorkerCount } from "../../src/data/worker/pool.js";
import { buildFromSpec } from "../../src/data/worker/spec.js";
import { Numbered, Words } from "./loader-fixture.js";
import { Augmented } from "./loader-fixture-tensors.js";

const FIXTURE = new URL("./loader-fixture.ts", import.meta.url).href;
const numbered = (n: number, options: object = {}) => ({ module: FIXTURE, export: "Numbered", args: [n, options] });

/** The ids of every batch of one epoch, checking each x row is [id, 2 id]. */
async function epochIds(loader: AsyncIterable<tl.Tensor[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [x, y] of loader) {
    const ids = [...y.dataSync()];
    const rows = x.toArray() as number[][];
    ids.forEach((id, k) => assert.deepEqual(rows[k], [id, 2 * id], `row ${k} pairs with id ${id}`));
    out.push(ids);
  }
  return out;
}

/** Batches of irregular sizes (1 to 17) over a shuffled order: many batch sizes in one loader. */
class IrregularBatches {
  private readonly rng: tl.Random;
  constructor(readonly n: number, seed: number) {
    this.rng = new tl.Random(seed);
  }
  get length(): number {
    return NaN;
  }
  *[Symbol.iterator](): Iterator<number[]> {
    const order = this.rng.permutation(this.n);
    for (let at = 0; at < order.length; ) {
      const size = this.rng.int(1, 18);
      yield order.slice(at, (at += size));
    }
  }
}

describe("DataLoader with worker threads", { concurrency: true }, () => {
  test("shuffle, dropLast and prefetchFactor 1 with a factory spec: the same batches as numWorkers 0", async () => {
    const opts = { batchSize: 3, shuffle: true, seed: 7, dropLast: true };
    const want = await epochIds(new DataLoader(new Numbered(101), opts));
    const loader = new DataLoader(new Numbered(101), { ...opts, numWorkers: 2, prefetchFactor: 1, workerDataset: { module: FIXTURE, export: "makeNumbered", args: [101] } });
    const got = await epochIds(loader);
    assert.deepEqual(got, want);
    assert.equal(got.length, 33);
    assert.equal(new Set(got.flat()).size, 99);
  });

  test("random draws in get() depend on the sample and the seed, not on the worker (a Subset via randomSplit)", async () => {
    const [part] = randomSplit(new Augmented(40), [30, 10], { seed: 3 });
    const run = async (numWorkers: number) => {
      const loader = new DataLoader(part, { batchSize: 4, shuffle: true, seed: 5, numWorkers });
      const out: number[][] = [];
      for await (const [x, y] of loader) {
        assert.deepEqual(x.shape, [y.shape[0], 3]);
        out.push([...y.dataSync()], [...x.dataSync()]);
      }
      return out;
    };
    const main = await run(0);
    const workers = await run(1);
    assert.deepEqual(workers, main);
    const ids = main.filter((_, k) => k % 2 === 0).flat();
    assert.deepEqual([...ids].sort((a, b) => a - b), [...part.indices].sort((a, b) => a - b));
    // The noise is really random: values differ between samples.
    const noise = main[1].map((v, k) => v - main[0][Math.floor(k / 3)]);
    assert.ok(new Set(noise.map((v) => v.toFixed(5))).size > 6, `noise ${noise}`);
  });

  test("a custom collate gets the samples as they were", async () => {
    const words = new DataLoader(new Words(), {
      batchSize: 2, numWorkers: 1, workerDataset: { module: FIXTURE, export: "Words", args: [] },
      collate: (s: { word: string; id: number }[]) => s.map((w) => `${w.word}:${w.id}`).join(","),
    });
    const got: string[] = [];
    for await (const b of words) got.push(b);
    assert.deepEqual(got, ["w0:0,w1:1", "w2:2,w3:3", "w4:4"]);
  });

  test("a process whose loader was never closed or finished still exits", async () => {
    const script = fileURLToPath(new URL("./loader-exit-fixture.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 30000);
    const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
    clearTimeout(timer);
    assert.equal(signal, null, "the process exited by itself before the timeout");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /got 4\ndone\n/);
  });

  test("clear errors: no spec, bad specs, a dataset of another length, sync iteration", async () => {
    const plain = { length: 3, get: (i: number) => i };
    assert.throws(() => new DataLoader(plain, { numWorkers: 2 }), /numWorkers = 2 needs a dataset a worker thread can build: pass workerDataset/);
    assert.throws(() => new DataLoader(plain, { numWorkers: 1, workerDataset: { module: "./relative.js" } }), /module "\.\/relative\.js" is relative/);
    assert.throws(() => new DataLoader(plain, { numWorkers: -1 }), /numWorkers must be a whole number ≥ 0, got -1/);
    assert.throws(() => new DataLoader(plain, { persistentWorkers: true }), /persistentWorkers needs numWorkers > 0/);
    const withWorkers = new DataLoader(new Numbered(3), { numWorkers: 1, workerDataset: numbered(3) });
    assert.throws(() => [...withWorkers], /numWorkers > 0 is asynchronous: iterate with for await/);
    const wrongLength = new DataLoader(new Numbered(12), { numWorkers: 1, workerDataset: numbered(10) });
    await assert.rejects(epochIds(wrongLength), /worker 0 built a dataset of 10 samples from .* but the loader's dataset has 12/);
  });

  test("buildFromSpec: classes are constructed, factories called, dotted exports and nested specs resolved", async () => {
    const ds = (await buildFromSpec(numbered(5), "t")) as Numbered;
    assert.ok(ds instanceof Numbered);
    assert.equal(ds.length, 5);
    assert.equal(((await buildFromSpec({ module: FIXTURE, export: "makeNumbered", args: [4] }, "t")) as Numbered).length, 4);
    assert.equal(typeof (await buildFromSpec({ module: FIXTURE, export: "makeNumbered" }, "t")), "function", "no args: the export itself");
    const lib = new URL("../../src/index.ts", import.meta.url).href;
    const subset = (await buildFromSpec({ module: lib, export: "data.Subset", args: [{ $spec: numbered(5) }, [4, 0]] }, "t")) as tl.data.Subset<unknown>;
    assert.deepEqual(subset.get(0), [new Float32Array([4, 8]), 4]);
    await assert.rejects(buildFromSpec({ module: FIXTURE, export: "Nope" }, "t"), /\[t\] .*loader-fixture\.ts has no export "Nope" \(it exports /);
    await assert.rejects(buildFromSpec({ module: lib, export: "data.Nope" }, "t"), /has no export "data\.Nope"/);
    await assert.rejects(buildFromSpec({ module: "/nowhere/ds.js" }, "t"), /\[t\] could not import file:\/\/\/nowhere\/ds\.js/);
  });
});

// These count live worker threads, so they run one at a time.
describe("DataLoader worker shutdown", () => {
  test("each sample exactly once per epoch, in the order of numWorkers 0, over many batch sizes (3 persistent workers)", async () => {
    const n = 203;
    const before = liveWorkerCount();
    const reference = new DataLoader(new Numbered(n), { batchSampler: new IrregularBatches(n, 1) });
    const loader = new DataLoader(new Numbered(n), { batchSampler: new IrregularBatches(n, 1), numWorkers: 3, prefetchFactor: 3, persistentWorkers: true, workerDataset: numbered(n) });
    try {
      for (let epoch = 0; epoch < 3; epoch++) {
        const want = await epochIds(reference);
        const got = await epochIds(loader);
        assert.deepEqual(got, want, `epoch ${epoch}`);
        assert.ok(new Set(got.map((b) => b.length)).size > 8, "many batch sizes");
        assert.deepEqual(got.flat().sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
        assert.equal(liveWorkerCount(), before + 3, "persistent workers are kept between epochs");
      }
    } finally {
      await loader.close();
    }
    assert.equal(liveWorkerCount(), before, "close() stops them");
  });

  test("a worker that throws surfaces the error with the sample index, and the workers shut down", async () => {
    const before = liveWorkerCount();
    const loader = new DataLoader(new Numbered(40), { batchSize: 4, numWorkers: 1, workerDataset: numbered(40, { failAt: 17 }) });
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const [, y] of loader) seen.push(...y.dataSync());
    }, /\[DataLoader\] worker 0 failed on sample 17: sample 17 is corrupt/);
    assert.deepEqual(seen, Array.from({ length: 16 }, (_, i) => i), "batches before the failing one were delivered");
    assert.equal(liveWorkerCount(), before);
  });

  test("a worker that exits fails the batch it was loading, naming its samples", async () => {
    const before = liveWorkerCount();
    const loader = new DataLoader(new Numbered(12), { batchSize: 4, numWorkers: 1, workerDataset: numbered(12, { exitAt: 5 }) });
    await assert.rejects(async () => {
      for await (const batch of loader) void batch;
    }, /worker 0 exited with code 3 while loading samples \[4, 5, 6, 7\]/);
    assert.equal(liveWorkerCount(), before);
  });

  test("breaking out of the loop stops the workers, with batches still in flight", async () => {
    const before = liveWorkerCount();
    const loader = new DataLoader(new Numbered(64), { batchSize: 2, numWorkers: 1, prefetchFactor: 4, workerDataset: numbered(64, { delayMs: 5 }) });
    let batches = 0;
    for await (const batch of loader) {
      void batch;
      if (++batches === 2) break;
    }
    assert.equal(liveWorkerCount(), before);
  });
});
