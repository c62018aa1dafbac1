/**
 * Splitting a dataset: random train/validation/test splits and k-fold cross-validation, as
 * `torch.utils.data.random_split` and scikit-learn's `KFold`.
 */
import { check, tensileError } from "../core/errors.js";
import { Random } from "../core/rng.js";
import { Subset, type DatasetLike } from "./dataset.js";

function checkDataset(dataset: DatasetLike<unknown>, where: string): number {
  check(dataset !== null && typeof dataset === "object" && typeof dataset.get === "function", where, "dataset must have a length and a get(index) method");
  const n = dataset.length;
  check(Number.isInteger(n) && n >= 0, where, () => `dataset.length must be a whole number ≥ 0, got ${n}`);
  return n;
}

/**
 * Turns fractions that sum to 1 into counts that sum to n, as PyTorch: floor each, then hand the
 * remainder out one by one from the first split on.
 */
function splitCounts(n: number, lengths: readonly number[], where: string): number[] {
  check(Array.isArray(lengths) && lengths.length > 0, where, "lengths must be a non-empty array of counts or fractions");
  lengths.forEach((v, i) => check(Number.isFinite(v) && v >= 0, where, () => `lengths[${i}] is ${v}; each must be a count or a fraction ≥ 0`));
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every(Number.isInteger) && total === n) return [...lengths];
  if (Math.abs(total - 1) < 1e-9 && lengths.every((v) => v <= 1)) {
    const counts = lengths.map((f) => Math.floor(n * f));
    let left = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i]++;
    return counts;
  }
  throw tensileError(where, `lengths [${lengths.join(", ")}] must be whole counts that sum to the dataset's ${n} samples, or fractions that sum to 1`);
}

/**
 * Splits a dataset into non-overlapping random subsets, like `torch.utils.data.random_split`.
 * `lengths` are counts that sum to the dataset's length, or fractions that sum to 1.
 * @example const [train, val] = tl.data.randomSplit(ds, [0.8, 0.2], { seed: 42 });
 */
export function randomSplit<T>(dataset: DatasetLike<T>, lengths: readonly number[], options: { seed?: number } = {}): Subset<T>[] {
  const where = "randomSplit";
  const n = checkDataset(dataset, where);
  check(options.seed === undefined || Number.isInteger(options.seed), where, () => `seed must be a whole number, got ${options.seed}`);
  const counts = splitCounts(n, lengths, where);
  const order = new Random(options.seed).permutation(n);
  let start = 0;
  return counts.map((c) => new Subset(dataset, order.slice(start, (start += c))));
}

/** Options of `kFold`. */
export interface KFoldOptions {
  /** Shuffle the indices before cutting them into folds (default false: consecutive folds, as scikit-learn). */
  shuffle?: boolean;
  /** Seed of the shuffle. */
  seed?: number;
}

/** One round of k-fold cross-validation: train on `train`, evaluate on `val`. */
export interface Fold<T> {
  train: Subset<T>;
  val: Subset<T>;
}

/**
 * k-fold cross-validation splits, like scikit-learn's `KFold`: the indices (shuffled if asked) are cut
 * into k consecutive folds, the first n % k of them one sample larger; fold i validates on fold i and
 * trains on the rest. Every sample is validated on exactly once.
 * @example for (const { train, val } of tl.data.kFold(ds, 5, { shuffle: true, seed: 0 })) { ... }
 */
export function kFold<T>(dataset: DatasetLike<T>, k: number, options: KFoldOptions = {}): Fold<T>[] {
  const where = "kFold";
  const n = checkDataset(dataset, where);
  const { shuffle = false, seed } = options;
  check(Number.isInteger(k) && k >= 2, where, () => `k must be a whole number ≥ 2, got ${k}`);
  check(k <= n, where, () => `k = ${k} folds need at least ${k} samples, the dataset has ${n}`);
  check(seed === undefined || Number.isInteger(seed), where, () => `seed must be a whole number, got ${seed}`);
  const order = shuffle ? new Random(seed).permutation(n) : Array.from({ length: n }, (_, i) => i);
  const folds: Fold<T>[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const val = order.slice(start, start + size);
    const train = [...order.slice(0, start), ...order.slice(start + size)];
    folds.push({ train: new Subset(dataset, train), val: new Subset(dataset, val) });
    start += size;
  }
  return folds;
}
