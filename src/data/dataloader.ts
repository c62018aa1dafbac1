/**
 * DataLoader: batches of a dataset, optionally shuffled, as in `torch.utils.data.DataLoader`.
 * Iterate with `for (const batch of loader)` or `for await (const batch of loader)`.
 */
import { check, tensileError } from "../core/errors.js";
import { Random } from "../core/rng.js";
import { Tensor } from "../engine/tensor.js";
import { tensor } from "../ops/creation.js";
import { indexSelect } from "../ops/indexing.js";
import { stack } from "../ops/join.js";
import { TensorDataset, type DatasetLike } from "./dataset.js";

const WHERE = "DataLoader";

/** Turns a list of samples into one batch. */
export type Collate<T, B> = (samples: T[]) => B;

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order every epoch (default false). */
  shuffle?: boolean;
  /**
   * Seed of the shuffle; the same seed gives the same sequence of epochs. Without one, each epoch's
   * order is drawn from the global generator, so it is reproducible after `tl.manualSeed`.
   */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Builds a batch from samples; the default stacks tensors and turns numbers into a float32 tensor, position by position. */
  collate?: Collate<T, B>;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Stacks one field across samples: tensors with `stack`, numbers and booleans into a new tensor. */
function collateField(values: unknown[], field: string): Tensor {
  if (values.every((v) => v instanceof Tensor)) return stack(values as Tensor[]);
  if (values.every((v) => typeof v === "number")) return tensor(values as number[]);
  if (values.every((v) => typeof v === "boolean")) return tensor(values as boolean[]);
  throw tensileError(WHERE, `cannot batch ${field}: the default collate stacks tensors, numbers or booleans, got ${values.map((v) => (v instanceof Tensor ? "Tensor" : typeof v)).filter((t, i, a) => a.indexOf(t) === i).join(" and ")}; pass a collate function`);
}

/**
 * The default collate: samples that are arrays (e.g. `[x, y]`) give an array of stacked fields;
 * samples that are a tensor or a number give a one-element array. Tensors are stacked along a new
 * first dimension.
 */
export function defaultCollate(samples: unknown[]): Tensor[] {
  check(samples.length > 0, WHERE, "cannot collate an empty batch");
  if (!Array.isArray(samples[0])) return [collateField(samples, "the samples")];
  const width = (samples[0] as unknown[]).length;
  samples.forEach((s, i) => check(Array.isArray(s) && s.length === width, WHERE,
    () => `sample ${i} of the batch has ${Array.isArray(s) ? `${s.length} fields` : "no fields"} but the first has ${width}`));
  return Array.from({ length: width }, (_, j) => collateField(samples.map((s) => (s as unknown[])[j]), `field ${j}`));
}

/**
 * Iterates over a dataset in batches. A `TensorDataset` is batched with one `indexSelect` per
 * tensor (no per-sample tensors); other datasets go through `collate`. Batches belong to the
 * caller: dispose them, or consume them inside `tidy`.
 * @example
 * const loader = new tl.data.DataLoader(new tl.data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T = Tensor[], B = Tensor[]> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: DatasetLike<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly rng: Random | null;
  private readonly collate: Collate<T, B> | null;

  constructor(dataset: DatasetLike<T>, options: DataLoaderOptions<T, B> = {}) {
    check(dataset !== null && typeof dataset === "object" && typeof dataset.get === "function", WHERE,
      "dataset must have a length and a get(index) method (a Dataset or TensorDataset)");
    const { batchSize = 1, shuffle = false, seed, dropLast = false, collate } = options;
    check(Number.isInteger(batchSize) && batchSize > 0, WHERE, () => `batchSize must be a whole number > 0, got ${batchSize}`);
    check(seed === undefined || Number.isInteger(seed), WHERE, () => `seed must be a whole number, got ${seed}`);
    check(collate === undefined || typeof collate === "function", WHERE, "collate must be a function");
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rng = shuffle && seed !== undefined ? new Random(seed) : null;
    this.collate = collate ?? null;
  }

  private datasetLength(): number {
    const n = this.dataset.length;
    check(Number.isInteger(n) && n >= 0, WHERE, () => `dataset.length must be a whole number ≥ 0, got ${n}`);
    return n;
  }

  /** Number of batches in one epoch. */
  get length(): number {
    const n = this.datasetLength();
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample indices of each batch of a new epoch; a shuffled loader draws a new order each time. */
  private epochBatches(): number[][] {
    const n = this.datasetLength();
    // Without a seed, each epoch takes a fresh seed from the global generator (as PyTorch's sampler does).
    const order = this.shuffle ? (this.rng ?? new Random()).permutation(n) : Array.from({ length: n }, (_, i) => i);
    const batches: number[][] = [];
    for (let start = 0; start < n; start += this.batchSize) {
      const batch = order.slice(start, start + this.batchSize);
      if (this.dropLast && batch.length < this.batchSize) break;
      batches.push(batch);
    }
    return batches;
  }

  /** A TensorDataset without a custom collate: gather each tensor's rows at once. */
  private selectRows(indices: number[]): B | null {
    if (this.collate !== null || !(this.dataset instanceof TensorDataset)) return null;
    const index = tensor(Int32Array.from(indices));
    try {
      return this.dataset.tensors.map((t) => indexSelect(t, 0, index)) as B;
    } finally {
      index.dispose();
    }
  }

  private finish(samples: T[]): B {
    return this.collate ? this.collate(samples) : (defaultCollate(samples) as B);
  }

  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.epochBatches()) {
      const rows = this.selectRows(indices);
      if (rows !== null) {
        yield rows;
        continue;
      }
      const samples = indices.map((i) => {
        const s = this.dataset.get(i);
        if (isThenable(s)) throw tensileError(WHERE, `dataset.get(${i}) returned a Promise; iterate with for await (const batch of loader)`);
        return s;
      });
      yield this.finish(samples);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    for (const indices of this.epochBatches()) {
      const rows = this.selectRows(indices);
      yield rows ?? this.finish(await Promise.all(indices.map((i) => this.dataset.get(i))));
    }
  }
}
