/** A dataset for the DataLoader worker tests that makes tensors with random draws (it loads the library). */
import * as tl from "../../src/index.js";

/** Sample i is [i + noise [3] from the global generator, i]: tests per-sample seeding. */
export class Augmented {
  constructor(readonly n: number) {}

  get length(): number {
    return this.n;
  }

  get(i: number): [tl.Tensor, number] {
    return [tl.rand([3]).add(i), i];
  }

  /** A worker rebuilds it from this module. */
  workerSpec(): tl.data.ModuleSpec {
    return { module: import.meta.url, export: "Augmented", args: [this.n] };
  }
}

/** An image transform for ImageFolder tests: flips with probability 1/2 and adds noise, from the global generator. */
export function noisyFlip(x: tl.Tensor): tl.Tensor {
  const flipped = tl.rand([1]).item() < 0.5 ? x.flip([2]) : x;
  return flipped.add(tl.rand(x.shape).mul(0.01));
}
