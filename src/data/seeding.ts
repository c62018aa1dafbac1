/**
 * Per-sample seeding: while a loader fetches sample i, the global generator is seeded from the
 * epoch's seed and i. Random augmentations drawn from it (`tl.rand`, `new tl.Random()`) are then a
 * function of the sample and the epoch alone, so a loader gives the same batches with 0 or N workers.
 */
import { globalGenerator, mix32 } from "../core/rng.js";

/** The seed of sample `index` in the epoch seeded `epochSeed`. */
export function sampleSeed(epochSeed: number, index: number): number {
  return mix32((epochSeed ^ mix32(index + 0x9e3779b9)) >>> 0) + Math.floor(index / 4294967296);
}

/**
 * Runs `fn` with the global generator seeded to `seed`, then puts the generator back as it was.
 * Only the synchronous part of `fn` runs under the seed: an async `get` should draw its random
 * numbers before its first `await`.
 */
export function withSeed<T>(seed: number, fn: () => T): T {
  const saved = globalGenerator.getState();
  globalGenerator.seed(seed);
  try {
    return fn();
  } finally {
    globalGenerator.setState(saved);
  }
}

/**
 * A seed drawn now from the global generator: an async `get` calls this before its first `await` and
 * runs its random work later under `withSeed(seed, ...)`, so the sample's seed still decides it.
 */
export function captureSeed(): number {
  return globalGenerator.nextSeed();
}

/**
 * The seed a batched fetch (`dataset.getItems(indices)`) runs under: a function of the epoch's seed
 * and the batch's indices alone, so a batch gets the same random draws on the main thread and in any
 * worker (the batches themselves do not depend on numWorkers).
 */
export function batchSeed(epochSeed: number, indices: readonly number[]): number {
  let h = mix32((epochSeed ^ 0x85ebca6b) >>> 0);
  for (const i of indices) h = mix32((h ^ sampleSeed(h, i)) >>> 0);
  return h;
}
