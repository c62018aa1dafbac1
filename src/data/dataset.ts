/**
 * Datasets: indexable collections of samples, as in `torch.utils.data`.
 */
import { check, fmtShape } from "../core/errors.js";
import { Tensor } from "../engine/tensor.js";
import { select } from "../ops/movement.js";

/** Anything with a length and samples by index: what `DataLoader` reads. A `get` may return a Promise (for `for await`). */
export interface DatasetLike<T> {
  readonly length: number;
  get(index: number): T | Promise<T>;
}

/**
 * Base class for map-style datasets: subclasses give the number of samples and the sample at an index.
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

/** Throws a clear error unless `index` is a whole number in [0, length). */
export function checkIndex(index: number, length: number, where: string): void {
  check(Number.isInteger(index) && index >= 0 && index < length, where,
    () => `index ${index} is out of range for a dataset of ${length} samples (expected a whole number 0 ≤ index < ${length})`);
}

/**
 * Tensors that share their first dimension, sample i being the i-th row of each, like
 * `torch.utils.data.TensorDataset`. A `DataLoader` batches it with one `indexSelect` per tensor.
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
