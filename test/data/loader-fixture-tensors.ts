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

/**
 * Sample i is [features [4], i, 1 when made on the native backend]: a random image through a conv,
 * a matmul and a tanh, all under the sample's seed, so the features depend on the sample alone and
 * catch any kernel that reads another thread's state.
 */
export class KernelWork {
  private readonly weight: tl.Tensor;
  private readonly proj: tl.Tensor;

  constructor(readonly n: number) {
    const g = new tl.Random(11);
    this.weight = tl.tensor(Float32Array.from({ length: 8 * 3 * 3 * 3 }, () => g.normal() * 0.2), { shape: [8, 3, 3, 3] }).keep();
    this.proj = tl.tensor(Float32Array.from({ length: 8 * 4 }, () => g.normal() * 0.3), { shape: [8, 4] }).keep();
  }

  get length(): number {
    return this.n;
  }

  get(i: number): [tl.Tensor, number, number] {
    const x = tl.randn([1, 3, 24, 24]).add(i * 0.01);
    const y = tl.conv2d(x, this.weight, null, { padding: 1 }).relu().mean({ dim: [2, 3] }); // [1, 8]
    const f = tl.tanh(tl.matmul(y, this.proj)).reshape([4]);
    return [f, i, tl.getBackend().name === "native" ? 1 : 0];
  }

  /** A worker rebuilds it from this module. */
  workerSpec(): tl.data.ModuleSpec {
    return { module: import.meta.url, export: "KernelWork", args: [this.n] };
  }
}
