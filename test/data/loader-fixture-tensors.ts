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

/** Options of `BatchAugmented`: faults to test the loader's errors. */
export interface BatchAugmentedOptions {
  /** getItems returns one sample too few. */
  short?: boolean;
  /** getItems throws when its batch holds this index. */
  failAt?: number;
}

/**
 * Sample i is [image [1, 4, 4] holding i·16 … i·16 + 15, flipped at random and with a little noise, i,
 * 1 when it came from getItems (0 from get)]: getItems augments the whole batch as one tensor (the
 * transforms draw per image), as an in-memory dataset would.
 */
export class BatchAugmented {
  private readonly images: tl.Tensor;
  private readonly transform = new tl.data.transforms.Compose([new tl.data.transforms.RandomHorizontalFlip(), new tl.data.transforms.GaussianNoise({ std: 0.01, clip: false })]);

  constructor(readonly n: number, readonly options: BatchAugmentedOptions = {}) {
    this.images = tl.tensor(Float32Array.from({ length: n * 16 }, (_, k) => k), { shape: [n, 1, 4, 4] }).keep();
  }

  get length(): number {
    return this.n;
  }

  get(i: number): [tl.Tensor, number, number] {
    return [this.transform.forward(this.images.select(0, i)), i, 0];
  }

  getItems(indices: number[]): [tl.Tensor, number, number][] {
    if (indices.includes(this.options.failAt ?? -1)) throw new Error(`batch with sample ${this.options.failAt} is corrupt`);
    const batch = this.transform.forward(this.images.indexSelect(0, tl.tensor(Int32Array.from(indices))));
    const samples = indices.map((i, k): [tl.Tensor, number, number] => [batch.select(0, k), i, 1]);
    return this.options.short ? samples.slice(1) : samples;
  }

  /** A worker rebuilds it from this module. */
  workerSpec(): tl.data.ModuleSpec {
    return { module: import.meta.url, export: "BatchAugmented", args: [this.n, this.options] };
  }
}
