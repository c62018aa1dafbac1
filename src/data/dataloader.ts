/**
 * DataLoader: batches of a dataset, as in `torch.utils.data.DataLoader`: shuffled or sampled,
 * collated, and optionally loaded in worker threads. Iterate with `for await (const batch of loader)`
 * (or `for...of` when the dataset is synchronous and there are no workers).
 */
import { check, tensileError } from "../core/errors.js";
import { globalGenerator, Random } from "../core/rng.js";
import type { Tensor } from "../engine/tensor.js";
import { tensor } from "../ops/creation.js";
import { indexSelect } from "../ops/indexing.js";
import { decodeSample, decodeTensor, defaultCollate, type Collate } from "./collate.js";
import { isIterableDataset, TensorDataset, workerSpecOf, type DatasetLike } from "./dataset.js";
import { fetchItems, hasGetItems } from "./items.js";
import { BatchSampler, RandomSampler, SequentialSampler } from "./sampler.js";
import { sampleSeed, withSeed } from "./seeding.js";
import { WorkerPool, type BatchResult } from "./worker/pool.js";
import { normalizeSpec, type ModuleSpec } from "./worker/spec.js";

export { defaultCollate, type Collate } from "./collate.js";

const WHERE = "DataLoader";

/** An iterable of indices with a known count per epoch: a `Sampler`. */
export type IndexSampler = Iterable<number> & { readonly length: number };
/** An iterable of index batches with a known count per epoch: a `BatchSampler`. */
export type IndexBatchSampler = Iterable<number[]> & { readonly length: number };

/** Options of `DataLoader`, as `torch.utils.data.DataLoader`'s in camelCase. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order every epoch (default false). Not with `sampler`. */
  shuffle?: boolean;
  /**
   * Seed of the shuffle and of the per-sample seeds random augmentations draw from; the same seed gives
   * the same sequence of epochs. Without one, each epoch draws from the global generator, so it is
   * reproducible after `tl.manualSeed`.
   */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Builds a batch from samples; the default stacks tensors and turns numbers into a float32 tensor, position by position. */
  collate?: Collate<T, B>;
  /** The order of sample indices (`SequentialSampler`, `RandomSampler`, `WeightedRandomSampler`, ...). Not with `shuffle`. */
  sampler?: IndexSampler;
  /** Gives whole batches of indices; replaces `batchSize`, `shuffle`, `sampler` and `dropLast`. */
  batchSampler?: IndexBatchSampler;
  /**
   * Worker threads that run `dataset.get(i)` (decoding, augmenting) in parallel with training (default
   * 0: the main thread). Each worker rebuilds the dataset from `workerDataset` or the dataset's own
   * `workerSpec()`; samples come back as typed arrays and are batched on the main thread. Workers run
   * the main thread's backend (native: one kernel thread each; `tl.setNumThreads` inside a worker
   * changes that). When the main thread trains meanwhile, `tl.setNumThreads(cores - numWorkers)` on
   * it keeps its kernel threads from competing with the workers for the cores. A `TensorDataset`
   * without a collate is batched on the main thread regardless.
   */
  numWorkers?: number;
  /** Batches each worker may have loaded ahead of the consumer (default 2): the back-pressure bound. */
  prefetchFactor?: number;
  /** Keep the workers between epochs (default false: started per epoch); `close()` stops them. */
  persistentWorkers?: boolean;
  /** How a worker builds the dataset: a module, an export (class or factory) and its arguments. */
  workerDataset?: ModuleSpec;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function wholeAtLeast(value: number, min: number, name: string): void {
  check(Number.isInteger(value) && value >= min, WHERE, () => `${name} must be a whole number ≥ ${min}, got ${value}`);
}

/**
 * Iterates over a dataset in batches. A `TensorDataset` is batched with one `indexSelect` per
 * tensor (no per-sample tensors); other datasets go through `collate`. Each epoch visits every
 * index its sampler gives exactly once, in the same order with or without workers. A dataset with
 * `getItems(indices)` is fetched a batch at a time (see `DatasetLike.getItems`). Batches belong to
 * the caller: dispose them, or consume them inside `tidy` (as `Trainer.fit` does).
 * @example
 * const loader = new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) { ... }
 * @example
 * // Decoding and augmenting in 2 worker threads: the dataset describes how a worker builds it.
 * const images = new tl.data.ImageFolder("data/train", { size: 64, transform: { module: augUrl, export: "augment" } });
 * const loader = new tl.data.DataLoader(images, { batchSize: 32, shuffle: true, numWorkers: 2 });
 * for await (const [x, y] of loader) { ... }
 */
export class DataLoader<T = Tensor[], B = Tensor[]> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: DatasetLike<T> | AsyncIterable<T>;
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  /** The batch sampler each epoch iterates; null for an iterable (stream) dataset. */
  readonly batchSampler: IndexBatchSampler | null;
  private readonly collate: Collate<T, B> | null;
  private readonly seedRng: Random | null;
  private readonly workerSpec: ModuleSpec | null;
  private pool: Promise<WorkerPool> | null = null;

  constructor(dataset: DatasetLike<T> | AsyncIterable<T>, options: DataLoaderOptions<T, B> = {}) {
    const stream = isIterableDataset(dataset);
    check(stream || (dataset !== null && typeof dataset === "object" && typeof (dataset as DatasetLike<T>).get === "function"), WHERE,
      "dataset must have a length and a get(index) method (a Dataset or TensorDataset), or be an async iterable (an IterableDataset)");
    const { batchSize, shuffle = false, seed, dropLast = false, collate, sampler, batchSampler } = options;
    const { numWorkers = 0, prefetchFactor = 2, persistentWorkers = false, workerDataset } = options;
    if (batchSize !== undefined) wholeAtLeast(batchSize, 1, "batchSize");
    check(seed === undefined || Number.isInteger(seed), WHERE, () => `seed must be a whole number, got ${seed}`);
    check(collate === undefined || typeof collate === "function", WHERE, "collate must be a function");
    check(!(shuffle && sampler), WHERE, "shuffle and sampler cannot be used together: the sampler decides the order");
    check(!batchSampler || (batchSize === undefined && !shuffle && !sampler && !dropLast), WHERE,
      "batchSampler gives whole batches: it cannot be combined with batchSize, shuffle, sampler or dropLast");
    wholeAtLeast(numWorkers, 0, "numWorkers");
    wholeAtLeast(prefetchFactor, 1, "prefetchFactor");
    check(!persistentWorkers || numWorkers > 0, WHERE, "persistentWorkers needs numWorkers > 0");
    if (stream) {
      check(!shuffle && !sampler && !batchSampler, WHERE, "an IterableDataset is read in its own order: shuffle, sampler and batchSampler do not apply (shuffle inside the stream)");
      check(numWorkers === 0, WHERE, "an IterableDataset is read on the main thread: numWorkers must be 0");
    }
    this.dataset = dataset;
    this.batchSize = batchSize ?? 1;
    this.dropLast = dropLast;
    this.collate = collate ?? null;
    this.numWorkers = numWorkers;
    this.prefetchFactor = prefetchFactor;
    this.persistentWorkers = persistentWorkers;
    this.seedRng = seed === undefined ? null : new Random(seed ^ 0x3c6ef372);
    if (stream) this.batchSampler = null;
    else {
      const ds = dataset as DatasetLike<T>;
      const order = sampler ?? (shuffle ? new RandomSampler(ds, { seed }) : new SequentialSampler(ds));
      this.batchSampler = batchSampler ?? new BatchSampler(order, this.batchSize, dropLast);
    }
    this.workerSpec = null;
    if (numWorkers > 0 && !this.usesRowSelect()) {
      const spec = workerDataset ?? workerSpecOf(dataset);
      if (spec === null) {
        throw tensileError(WHERE, `numWorkers = ${numWorkers} needs a dataset a worker thread can build: pass workerDataset: { module: new URL("./my-dataset.js", import.meta.url).href, export: "MyDataset", args: [...] }, or give the dataset a workerSpec() method`);
      }
      this.workerSpec = normalizeSpec(spec, WHERE);
    }
  }

  /** A TensorDataset without a custom collate is gathered with indexSelect, never sample by sample. */
  private usesRowSelect(): boolean {
    return this.collate === null && this.dataset instanceof TensorDataset;
  }

  /** Number of batches in one epoch (NaN for a stream without a known length). */
  get length(): number {
    if (this.batchSampler !== null) return this.batchSampler.length;
    const n = (this.dataset as { length?: unknown }).length;
    if (typeof n !== "number") return NaN;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The epoch's seed for per-sample seeding: from the loader's seed, else the global generator. */
  private epochSeed(): number {
    return this.seedRng ? Math.floor(this.seedRng.next() * 4294967296) : globalGenerator.nextSeed();
  }

  /** The batches of a new epoch and, when samples are fetched one by one, the epoch's seed. */
  private startEpoch(): { batches: Iterator<number[]>; seed: number } {
    const seed = this.usesRowSelect() ? 0 : this.epochSeed();
    return { batches: (this.batchSampler as IndexBatchSampler)[Symbol.iterator](), seed };
  }

  private selectRows(indices: number[]): B {
    const ds = this.dataset as unknown as TensorDataset;
    const index = tensor(Int32Array.from(indices));
    try {
      return ds.tensors.map((t) => indexSelect(t, 0, index)) as B;
    } finally {
      index.dispose();
    }
  }

  private finish(samples: T[]): B {
    return this.collate ? this.collate(samples) : (defaultCollate(samples) as B);
  }

  /**
   * The samples of one batch: one `getItems(indices)` call under the batch's seed when the dataset
   * has it (a batch augmented as one tensor), else `get(i)` under each sample's seed.
   */
  private fetchBatch(indices: number[], seed: number): (T | Promise<T>)[] | Promise<T[]> {
    const ds = this.dataset as DatasetLike<T>;
    if (hasGetItems<T>(ds)) return fetchItems(ds, indices, seed, WHERE);
    return indices.map((i) => this.fetch(i, seed));
  }

  /** Fetches sample i under its per-sample seed (the synchronous part of `get`). */
  private fetch(i: number, seed: number): T | Promise<T> {
    return withSeed(sampleSeed(seed, i), () => (this.dataset as DatasetLike<T>).get(i));
  }

  *[Symbol.iterator](): Iterator<B> {
    check(this.batchSampler !== null, WHERE, "an IterableDataset is asynchronous: iterate with for await (const batch of loader)");
    const rows = this.usesRowSelect();
    check(rows || this.numWorkers === 0, WHERE, "a loader with numWorkers > 0 is asynchronous: iterate with for await (const batch of loader)");
    const { batches, seed } = this.startEpoch();
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const indices = next.value;
      if (rows) {
        yield this.selectRows(indices);
        continue;
      }
      const fetched = this.fetchBatch(indices, seed);
      if (isThenable(fetched)) throw tensileError(WHERE, "dataset.getItems returned a Promise; iterate with for await (const batch of loader)");
      const samples = fetched.map((s, k) => {
        if (isThenable(s)) throw tensileError(WHERE, `dataset.get(${indices[k]}) returned a Promise; iterate with for await (const batch of loader)`);
        return s;
      });
      yield this.finish(samples);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.batchSampler === null) {
      yield* this.streamBatches();
      return;
    }
    if (this.workerSpec !== null) {
      yield* this.workerBatches();
      return;
    }
    const rows = this.usesRowSelect();
    const { batches, seed } = this.startEpoch();
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const indices = next.value;
      yield rows ? this.selectRows(indices) : this.finish(await Promise.all(await this.fetchBatch(indices, seed)));
    }
  }

  /** Batches of a stream dataset, in stream order. */
  private async *streamBatches(): AsyncGenerator<B> {
    let batch: T[] = [];
    for await (const sample of this.dataset as AsyncIterable<T>) {
      batch.push(sample);
      if (batch.length === this.batchSize) {
        yield this.finish(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.finish(batch);
  }

  private acquirePool(): Promise<WorkerPool> {
    if (this.pool === null) {
      const n = (this.dataset as DatasetLike<T>).length;
      this.pool = WorkerPool.start(this.workerSpec as ModuleSpec, this.numWorkers, n);
      this.pool.catch(() => (this.pool = null));
    }
    return this.pool;
  }

  private async releasePool(failed: boolean): Promise<void> {
    if (this.pool === null || (this.persistentWorkers && !failed)) return;
    const pool = this.pool;
    this.pool = null;
    await (await pool).close();
  }

  /** Batches fetched by the workers: at most numWorkers × prefetchFactor in flight, yielded in sampler order. */
  private async *workerBatches(): AsyncGenerator<B> {
    const { batches, seed } = this.startEpoch();
    const pool = await this.acquirePool();
    const limit = this.numWorkers * this.prefetchFactor;
    const pack = this.collate === null;
    const inFlight: Promise<BatchResult>[] = [];
    let exhausted = false;
    const fill = () => {
      while (!exhausted && inFlight.length < limit) {
        const next = batches.next();
        if (next.done) exhausted = true;
        else {
          const p = pool.run(next.value, seed, pack);
          p.catch(() => undefined); // awaited in order below; this only silences early rejections
          inFlight.push(p);
        }
      }
    };
    let errored = false;
    try {
      fill();
      while (inFlight.length > 0) {
        const result = await (inFlight.shift() as Promise<BatchResult>);
        fill();
        yield "packed" in result ? (result.packed.map(decodeTensor) as B) : this.finish(result.samples.map(decodeSample) as T[]);
      }
    } catch (err) {
      errored = true;
      throw err;
    } finally {
      // Runs on completion, on error, and when the consumer breaks out of its loop.
      await this.releasePool(errored);
    }
  }

  /** Stops persistent workers (a no-op otherwise). The loader can be iterated again afterwards. */
  async close(): Promise<void> {
    if (this.pool === null) return;
    const pool = this.pool;
    this.pool = null;
    await (await pool.catch(() => null))?.close();
  }
}
