/**
 * Batched fetching, like PyTorch's `__getitems__`: a dataset with `getItems(indices)` gives a whole
 * batch of samples in one call, so it can augment the batch as one tensor (the image transforms draw
 * their parameters per image, then run a few vectorized ops for the batch) instead of dispatching
 * every op once per sample. The `DataLoader` uses it on the main thread and in workers alike.
 */
import { tensileError } from "../core/errors.js";
import { batchSeed, withSeed } from "./seeding.js";

/** A dataset that fetches a batch of samples at once. */
export interface BatchFetchable<T> {
  /** The samples at `indices`, in that order (one per index). May return a Promise. */
  getItems(indices: number[]): T[] | Promise<T[]>;
}

/** Whether `dataset` has a `getItems` method. */
export function hasGetItems<T>(dataset: unknown): dataset is BatchFetchable<T> {
  return typeof (dataset as Partial<BatchFetchable<T>> | null)?.getItems === "function";
}

function fmtIndices(indices: readonly number[]): string {
  return indices.length <= 8 ? `[${indices.join(", ")}]` : `[${indices.slice(0, 8).join(", ")}, ... (${indices.length} indices)]`;
}

/**
 * Fetches one batch with `dataset.getItems(indices)` under the batch's seed (`batchSeed`): its random
 * draws are a function of the epoch and the batch alone. As with an async `get`, only the synchronous
 * part of `getItems` runs under the seed. Checks that it gave one sample per index.
 */
export function fetchItems<T>(dataset: BatchFetchable<T>, indices: number[], epochSeed: number, where: string): T[] | Promise<T[]> {
  const checked = (items: T[]): T[] => {
    if (!Array.isArray(items) || items.length !== indices.length) {
      const got = Array.isArray(items) ? `${items.length} samples` : items === null ? "null" : typeof items;
      throw tensileError(where, `dataset.getItems(${fmtIndices(indices)}) returned ${got}; expected an array of ${indices.length} samples, one per index`);
    }
    return items;
  };
  const out = withSeed(batchSeed(epochSeed, indices), () => dataset.getItems(indices));
  const thenable = typeof out === "object" && out !== null && typeof (out as Partial<PromiseLike<T[]>>).then === "function";
  return thenable ? Promise.resolve(out).then(checked) : checked(out as T[]);
}
