/**
 * Datasets the DataLoader worker tests build inside worker threads (by module spec). This module
 * imports nothing, so its workers start fast; loader-fixture-tensors.ts has one that makes tensors.
 */

export interface NumberedOptions {
  /** get(failAt) throws. */
  failAt?: number;
  /** get(exitAt) ends the worker thread with exit code 3. */
  exitAt?: number;
  /** Milliseconds each get waits (async), to keep batches in flight. */
  delayMs?: number;
}

/** Sample i is [Float32Array [i, 2i], i]: every sample names itself. */
export class Numbered {
  constructor(readonly n: number, readonly options: NumberedOptions = {}) {}

  get length(): number {
    return this.n;
  }

  get(i: number): [Float32Array, number] | Promise<[Float32Array, number]> {
    if (i === this.options.failAt) throw new Error(`sample ${i} is corrupt`);
    if (i === this.options.exitAt) process.exit(3);
    const sample: [Float32Array, number] = [new Float32Array([i, 2 * i]), i];
    const delay = this.options.delayMs;
    return delay ? new Promise((resolve) => setTimeout(() => resolve(sample), delay)) : sample;
  }
}

/** An async factory: a spec export called with args. */
export async function makeNumbered(n: number): Promise<Numbered> {
  return new Numbered(n);
}

/** Samples whose fields cannot be stacked (strings), for custom collates. */
export class Words {
  get length(): number {
    return 5;
  }

  get(i: number): { word: string; id: number } {
    return { word: `w${i}`, id: i };
  }
}
