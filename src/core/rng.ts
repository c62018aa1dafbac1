/**
 * Seeded, counter-based random numbers. A random op takes a (key, counter) pair and the i-th value
 * is a pure function of (key, counter + i), so every backend draws exactly the same numbers and a
 * run is reproducible after `manualSeed`, on any machine.
 */
import { fdCosSmall, fdLog } from "./fdlibm.js";

/** Mixes a 32-bit value (Wellons' "lowbias32" finalizer): a cheap hash with good avalanche. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The uint32 at position `index` of the stream named by `key`. */
export function randomUint32(key: number, index: number): number {
  // Two rounds keyed differently keep streams of nearby keys independent.
  const lo = index >>> 0;
  const hi = Math.floor(index / 4294967296) >>> 0;
  return mix32(mix32(lo ^ mix32(key ^ 0x9e3779b9)) ^ mix32(hi + key + 0x632be5ab));
}

/** A uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
export function uniform24(key: number, index: number): number {
  return (randomUint32(key, index) >>> 8) / 16777216;
}

/**
 * A standard normal from two uniforms by the Box–Muller transform; uses indices 2i and 2i+1. log
 * and cos are fdlibm's in plain arithmetic (fdlibm.ts), not Math's, whose last bits vary by CPU.
 */
export function normalAt(key: number, index: number): number {
  const u1 = 1 - uniform24(key, 2 * index); // (0, 1]: log stays finite
  const u2 = uniform24(key, 2 * index + 1);
  return Math.sqrt(-2 * fdLog(u1)) * fdCosSmall(2 * Math.PI * u2);
}

/** The process-wide generator: a key from the seed and a running counter. */
class GlobalGenerator {
  private key = mix32(0x5eed);
  private counter = 0;

  seed(seed: number): void {
    this.key = mix32((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296)));
    this.counter = 0;
  }

  /** Reserves `count` positions of the stream for one random op and returns where they start. */
  take(count: number): { key: number; offset: number } {
    const offset = this.counter;
    this.counter += count;
    return { key: this.key, offset };
  }

  /** A fresh 32-bit seed for a JS-side generator (shuffling, sampling). */
  nextSeed(): number {
    const { key, offset } = this.take(1);
    return randomUint32(key, offset);
  }

  getState(): { key: number; counter: number } {
    return { key: this.key, counter: this.counter };
  }

  setState(state: { key: number; counter: number }): void {
    this.key = state.key >>> 0;
    this.counter = state.counter;
  }
}

export const globalGenerator = new GlobalGenerator();

/** Sets the seed of every random op and every later random feature, like `torch.manual_seed`. */
export function manualSeed(seed: number): void {
  globalGenerator.seed(seed);
}

/** A small seeded generator for JavaScript-side randomness (shuffles, samplers, augmentation choices). */
export class Random {
  private readonly key: number;
  private index = 0;

  constructor(seed: number = globalGenerator.nextSeed()) {
    this.key = mix32(seed >>> 0);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return uniform24(this.key, this.index++);
  }

  /** Uniform integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  /** Standard normal. */
  normal(): number {
    return normalAt(this.key ^ 0x2545f491, this.index++);
  }

  /** A new array with the elements of 0..n-1 in random order (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
