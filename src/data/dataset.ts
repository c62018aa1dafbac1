/**
 * Datasets: indexable collections of samples (`Dataset`), streams of samples (`IterableDataset`),
 * and the compositions of `torch.utils.data` (`TensorDataset`, `Subset`, `ConcatDataset`).
 */
import { check, fmtShape } from "../core/errors.js";
import { Tensor } from "../engine/tensor.js";
import { select } from "../ops/movement.js";
import { datasetArg, libraryUrl, type ModuleSpec, type WorkerBuildable } from "./worker/spec.js";

/** Anything with a length and samples by index: what `DataLoader` reads. A `get` may return a Promise (for `for await`). */
export interface DatasetLike<T> {
  readonly length: number;
  get(index: number): T | Promise<T>;
  /**
   * Optional, like PyTorch's `__getitems__`: the samples at `indices` in one call, which a `DataLoader`
   * then uses instead of `get` (on the main thread and in workers), under one seed per batch. A
   * dataset that augments in memory runs its transform once on the batch [N, C, H, W] this way (the
   * random transforms still draw per image) instead of once per sample.
   */
  getItems?(indices: number[]): T[] | Promise<T[]>;
}

/**
 * Base class for map-style datasets: subclasses give the number of samples and the sample at an index.
 * To load with `numWorkers > 0`, a dataset also says how a worker thread can build it: override
 * `workerSpec()` or pass `workerDataset` to the `DataLoader`.
 * @example
 * class Squares extends tl.data.Dataset<tl.Tensor[]> {
 *   get length() { return 10; }
 *   get(i: number) { return [tl.tensor([i]), tl.tensor([i * i])]; }
 * }
 */
export abstract class Dataset<T = Tensor[]> implements DatasetLike<T> {
  /** Number of samples. */
  abstract get length(): number;
  /** The sample at `index`, 0 ≤ index < length. */
  abstract get(index: number): T | Promise<T>;
}

/**
 * Base class for stream-style datasets (data that does not fit in memory, or has no index): an async
 * iterable of samples. A `DataLoader` batches the stream in order; it cannot shuffle or sample it.
 * @example
 * class Counter extends tl.data.IterableDataset<number> {
 *   async *[Symbol.asyncIterator]() { for (let i = 0; i < 5; i++) yield i; }
 * }
 */
export abstract class IterableDataset<T = unknown> implements AsyncIterable<T> {
  abstract [Symbol.asyncIterator](): AsyncIterator<T>;
}

/** Whether a value is a stream dataset (async iterable) rather than an indexable one. */
export function isIterableDataset(value: unknown): value is AsyncIterable<unknown> {
  return value instanceof IterableDataset ||
    (typeof value === "object" && value !== null && typeof (value as { get?: unknown }).get !== "function" &&
      typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function");
}

/** Throws a clear error unless `index` is a whole number in [0, length). */
export function checkIndex(index: number, length: number, where: string): void {
  check(Number.isInteger(index) && index >= 0 && index < length, where,
    () => `index ${index} is out of range for a dataset of ${length} samples (expected a whole number 0 ≤ index < ${length})`);
}

/** The spec a worker can rebuild `dataset` from, or null when the dataset does not provide one. */
export function workerSpecOf(dataset: unknown): ModuleSpec | null {
  const fn = (dataset as Partial<WorkerBuildable> | null)?.workerSpec;
  return typeof fn === "function" ? fn.call(dataset) : null;
}

/**
 * Tensors that share their first dimension, sample i being the i-th row of each, like
 * `torch.utils.data.TensorDataset`. A `DataLoader` batches it with one `indexSelect` per tensor
 * (on the main thread: workers would only add copies).
 * @example const ds = new tl.data.TensorDataset(images, labels); const [x0, y0] = ds.get(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    check(tensors.length > 0, "TensorDataset", "needs at least one tensor");
    tensors.forEach((t, i) => {
      check(t instanceof Tensor, "TensorDataset", () => `argument ${i} is not a Tensor`);
      t.assertAlive("TensorDataset");
      check(t.ndim > 0, "TensorDataset", () => `tensor ${i} is zero-dimensional; each tensor needs a first dimension of samples`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => check(t.shape[0] === n, "TensorDataset",
      () => `tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has shape ${fmtShape(tensors[0].shape)}: every tensor needs the same first dimension (${n} samples)`));
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** The i-th row of each tensor (views: no copy). */
  get(index: number): Tensor[] {
    checkIndex(index, this.length, "TensorDataset");
    return this.tensors.map((t) => select(t, 0, index));
  }
}

/**
 * The samples of `dataset` at `indices`, in that order, like `torch.utils.data.Subset`.
 * @example const firstHundred = new tl.data.Subset(ds, Array.from({ length: 100 }, (_, i) => i));
 */
export class Subset<T = Tensor[]> extends Dataset<T> implements WorkerBuildable {
  readonly dataset: DatasetLike<T>;
  readonly indices: readonly number[];

  constructor(dataset: DatasetLike<T>, indices: readonly number[] | Int32Array) {
    super();
    check(dataset !== null && typeof dataset === "object" && typeof dataset.get === "function", "Subset", "dataset must have a length and a get(index) method");
    const n = dataset.length;
    const list = Array.from(indices);
    list.forEach((idx, k) => check(Number.isInteger(idx) && idx >= 0 && idx < n, "Subset",
      () => `indices[${k}] is ${idx}, out of range for a dataset of ${n} samples`));
    this.dataset = dataset;
    this.indices = list;
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T | Promise<T> {
    checkIndex(index, this.indices.length, "Subset");
    return this.dataset.get(this.indices[index]);
  }

  /** Buildable in a worker when the underlying dataset is. */
  workerSpec(): ModuleSpec {
    return { module: libraryUrl(), export: "data.Subset", args: [datasetArg(this.dataset, "Subset"), this.indices] };
  }
}

/**
 * Datasets one after another, like `torch.utils.data.ConcatDataset`: index `len(a) + i` is `b.get(i)`.
 * @example const both = new tl.data.ConcatDataset([trainA, trainB]);
 */
export class ConcatDataset<T = Tensor[]> extends Dataset<T> implements WorkerBuildable {
  readonly datasets: readonly DatasetLike<T>[];
  /** cumulativeSizes[k] = total length of datasets 0..k. */
  readonly cumulativeSizes: readonly number[];

  constructor(datasets: readonly DatasetLike<T>[]) {
    super();
    check(Array.isArray(datasets) && datasets.length > 0, "ConcatDataset", "needs a non-empty array of datasets");
    const sizes: number[] = [];
    let total = 0;
    datasets.forEach((d, k) => {
      check(d !== null && typeof d === "object" && typeof d.get === "function", "ConcatDataset",
        () => `datasets[${k}] must have a length and a get(index) method${isIterableDataset(d) ? " (an IterableDataset cannot be indexed)" : ""}`);
      total += d.length;
      sizes.push(total);
    });
    this.datasets = [...datasets];
    this.cumulativeSizes = sizes;
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  get(index: number): T | Promise<T> {
    checkIndex(index, this.length, "ConcatDataset");
    // Binary search for the first dataset whose cumulative size exceeds the index.
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid] > index) hi = mid;
      else lo = mid + 1;
    }
    return this.datasets[lo].get(index - (lo === 0 ? 0 : this.cumulativeSizes[lo - 1]));
  }

  /** Buildable in a worker when every part is. */
  workerSpec(): ModuleSpec {
    return { module: libraryUrl(), export: "data.ConcatDataset", args: [this.datasets.map((d) => datasetArg(d, "ConcatDataset"))] };
  }
}
