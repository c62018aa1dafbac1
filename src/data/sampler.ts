/**
 * Samplers: the order in which a `DataLoader` visits sample indices, as in `torch.utils.data`.
 * Iterating a sampler again starts a new epoch (a random sampler draws a new order).
 */
import { check } from "../core/errors.js";
import { Random } from "../core/rng.js";
import { Tensor } from "../engine/tensor.js";

/** A source of sample indices; each iteration is one epoch. */
export abstract class Sampler implements Iterable<number> {
  /** Number of indices one epoch yields. */
  abstract get length(): number;
  abstract [Symbol.iterator](): Iterator<number>;
}

/** A dataset (anything with a length) or the number of samples. */
export type DataSource = number | { readonly length: number };

function sizeOf(source: DataSource, where: string): number {
  const n = typeof source === "number" ? source : source?.length;
  check(Number.isInteger(n) && (n as number) >= 0, where, () => `the data source must be a whole number ≥ 0 or have such a length, got ${n}`);
  return n as number;
}

function checkSeed(seed: number | undefined, where: string): void {
  check(seed === undefined || Number.isInteger(seed), where, () => `seed must be a whole number, got ${seed}`);
}

/**
 * One generator for every epoch when seeded (the same seed gives the same sequence of epochs), or a
 * fresh one per epoch drawn from the global generator (reproducible after `tl.manualSeed`).
 */
class EpochRandom {
  private readonly seeded: Random | null;
  constructor(seed: number | undefined) {
    this.seeded = seed === undefined ? null : new Random(seed);
  }
  epoch(): Random {
    return this.seeded ?? new Random();
  }
}

/** Indices 0, 1, ..., n-1 in order. */
export class SequentialSampler extends Sampler {
  constructor(private readonly source: DataSource) {
    super();
    sizeOf(source, "SequentialSampler");
  }

  get length(): number {
    return sizeOf(this.source, "SequentialSampler");
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

/** Options of `RandomSampler`. */
export interface RandomSamplerOptions {
  /** Draw with replacement (a bootstrap sample) instead of a permutation. Default false. */
  replacement?: boolean;
  /** Indices per epoch (default: the dataset's length). Without replacement, more than the length repeats whole permutations. */
  numSamples?: number;
  /** Seed of the draws; see `DataLoaderOptions.seed`. */
  seed?: number;
}

/**
 * Random indices: a new permutation each epoch, or with `replacement` independent uniform draws.
 * @example new tl.data.RandomSampler(ds, { replacement: true, seed: 0 }) // a bootstrap resample per epoch
 */
export class RandomSampler extends Sampler {
  readonly replacement: boolean;
  private readonly numSamples: number | undefined;
  private readonly rng: EpochRandom;

  constructor(private readonly source: DataSource, options: RandomSamplerOptions = {}) {
    super();
    const { replacement = false, numSamples, seed } = options;
    sizeOf(source, "RandomSampler");
    check(numSamples === undefined || (Number.isInteger(numSamples) && numSamples >= 0), "RandomSampler",
      () => `numSamples must be a whole number ≥ 0, got ${numSamples}`);
    checkSeed(seed, "RandomSampler");
    this.replacement = replacement;
    this.numSamples = numSamples;
    this.rng = new EpochRandom(seed);
  }

  get length(): number {
    return this.numSamples ?? sizeOf(this.source, "RandomSampler");
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = sizeOf(this.source, "RandomSampler");
    const count = this.length;
    check(n > 0 || count === 0, "RandomSampler", () => `cannot draw ${count} samples from an empty dataset`);
    const rng = this.rng.epoch();
    if (this.replacement) {
      for (let k = 0; k < count; k++) yield rng.int(0, n);
      return;
    }
    for (let done = 0; done < count; ) {
      const p = rng.permutation(n);
      for (let k = 0; k < p.length && done < count; k++, done++) yield p[k];
    }
  }
}

/**
 * The given indices in a new random order each epoch, like `torch.utils.data.SubsetRandomSampler`.
 * @example new tl.data.SubsetRandomSampler(trainIndices, { seed: 1 })
 */
export class SubsetRandomSampler extends Sampler {
  readonly indices: readonly number[];
  private readonly rng: EpochRandom;

  constructor(indices: readonly number[], options: { seed?: number } = {}) {
    super();
    indices.forEach((v, k) => check(Number.isInteger(v) && v >= 0, "SubsetRandomSampler", () => `indices[${k}] is ${v}; indices are whole numbers ≥ 0`));
    checkSeed(options.seed, "SubsetRandomSampler");
    this.indices = [...indices];
    this.rng = new EpochRandom(options.seed);
  }

  get length(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const k of this.rng.epoch().permutation(this.indices.length)) yield this.indices[k];
  }
}

/** Options of `WeightedRandomSampler`. */
export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (default true, as PyTorch). Without it, each index appears at most once. */
  replacement?: boolean;
  /** Seed of the draws. */
  seed?: number;
}

/**
 * Index i drawn with probability weights[i] / sum(weights), like `torch.utils.data.WeightedRandomSampler`:
 * oversampling rare classes (weights 1 / classCount per sample) or bootstrap resampling.
 * @example new tl.data.WeightedRandomSampler(labels.map((y) => 1 / counts[y]), labels.length, { seed: 0 })
 */
export class WeightedRandomSampler extends Sampler {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  private readonly cumulative: Float64Array;
  private readonly rng: EpochRandom;

  constructor(weights: ArrayLike<number> | Tensor, numSamples: number, options: WeightedRandomSamplerOptions = {}) {
    super();
    const where = "WeightedRandomSampler";
    const w = Float64Array.from(weights instanceof Tensor ? weights.dataSync() : weights);
    check(weights instanceof Tensor ? weights.ndim === 1 : true, where, "weights must be one-dimensional");
    check(w.length > 0, where, "weights must not be empty");
    w.forEach((v, i) => check(Number.isFinite(v) && v >= 0, where, () => `weights[${i}] is ${v}; weights must be finite and ≥ 0`));
    const { replacement = true, seed } = options;
    check(Number.isInteger(numSamples) && numSamples >= 0, where, () => `numSamples must be a whole number ≥ 0, got ${numSamples}`);
    checkSeed(seed, where);
    const cumulative = new Float64Array(w.length);
    let total = 0;
    w.forEach((v, i) => (cumulative[i] = total += v));
    check(total > 0, where, "the weights sum to 0; at least one must be positive");
    const positive = w.reduce((c, v) => c + (v > 0 ? 1 : 0), 0);
    check(replacement || numSamples <= positive, where,
      () => `cannot draw ${numSamples} samples without replacement: only ${positive} weights are positive`);
    this.weights = w;
    this.numSamples = numSamples;
    this.replacement = replacement;
    this.cumulative = cumulative;
    this.rng = new EpochRandom(seed);
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const rng = this.rng.epoch();
    if (this.replacement) {
      const c = this.cumulative;
      const total = c[c.length - 1];
      for (let k = 0; k < this.numSamples; k++) {
        // First index whose cumulative weight exceeds u: binary search; zero weights are never chosen.
        const u = rng.next() * total;
        let lo = 0;
        let hi = c.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (c[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        yield lo;
      }
      return;
    }
    // Without replacement: Efraimidis–Spirakis keys u^(1/w); the largest keys, in decreasing order, are
    // distributed as successive draws each proportional to the remaining weights.
    const keyed: { i: number; key: number }[] = [];
    this.weights.forEach((w, i) => {
      const u = rng.next();
      if (w > 0) keyed.push({ i, key: Math.log(Math.max(u, Number.MIN_VALUE)) / w });
    });
    keyed.sort((a, b) => b.key - a.key);
    for (let k = 0; k < this.numSamples; k++) yield keyed[k].i;
  }
}

/**
 * Groups another sampler's indices into batches, like `torch.utils.data.BatchSampler`.
 * @example [...new tl.data.BatchSampler(new tl.data.SequentialSampler(5), 2, false)] // [[0,1],[2,3],[4]]
 */
export class BatchSampler implements Iterable<number[]> {
  constructor(readonly sampler: Iterable<number> & { readonly length: number }, readonly batchSize: number, readonly dropLast = false) {
    check(sampler !== null && typeof sampler === "object" && typeof sampler[Symbol.iterator] === "function", "BatchSampler", "sampler must be an iterable of indices with a length");
    check(Number.isInteger(batchSize) && batchSize > 0, "BatchSampler", () => `batchSize must be a whole number > 0, got ${batchSize}`);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
