/**
 * Random flips, like torchvision's RandomHorizontalFlip and RandomVerticalFlip: one draw per image; a batch is
 * flipped once and each image keeps the flipped or the original version.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { imageDims, RandomTransform, registerTransform, selectImages, type TransformSpec } from "./base.js";
import { hflip, vflip } from "./functional/basic.js";

/** Options of the random flips: the probability (default 0.5) and an optional seed. */
export interface FlipOptions {
  p?: number;
  seed?: number;
}

abstract class RandomFlip extends RandomTransform {
  readonly p: number;

  protected constructor(p: FlipOptions | number, private readonly name: string, private readonly flip: (x: Tensor) => Tensor) {
    const options = typeof p === "number" ? { p } : p;
    super(options.seed, name);
    this.p = options.p ?? 0.5;
    check(typeof this.p === "number" && this.p >= 0 && this.p <= 1, name, () => `p must be a probability in [0, 1], got ${options.p}`);
  }

  /** Whether each image is flipped (one entry per image of a batch). */
  sampleParams(x: Tensor): boolean[] {
    const { n } = imageDims(x, this.name, { anyDType: true });
    const rng = this.rng();
    return Array.from({ length: n }, () => rng.next() < this.p);
  }

  /** Flips the images whose entry is true. */
  applyParams(x: Tensor, flips: readonly boolean[]): Tensor {
    const { n } = imageDims(x, this.name, { anyDType: true });
    check(flips.length === n, this.name, () => `needs one flag per image (${n}), got ${flips.length}`);
    if (!flips.some((f) => f)) return x;
    return selectImages(x, this.flip(x), flips);
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return { name: this.name, args: [{ p: this.p, seed: this.seed }] };
  }
}

/**
 * Mirrors left to right with probability `p` (default 0.5), like `transforms.RandomHorizontalFlip`.
 * @example new tl.data.transforms.RandomHorizontalFlip({ p: 0.5, seed: 1 }).forward(batch)
 */
export class RandomHorizontalFlip extends RandomFlip {
  /** `options` may also be the probability alone, as in torchvision. */
  constructor(options: FlipOptions | number = {}) {
    super(options, "RandomHorizontalFlip", hflip);
  }
}

/**
 * Mirrors top to bottom with probability `p` (default 0.5), like `transforms.RandomVerticalFlip`.
 * @example new tl.data.transforms.RandomVerticalFlip({ p: 0.5 })
 */
export class RandomVerticalFlip extends RandomFlip {
  /** `options` may also be the probability alone, as in torchvision. */
  constructor(options: FlipOptions | number = {}) {
    super(options, "RandomVerticalFlip", vflip);
  }
}

registerTransform("RandomHorizontalFlip", (a) => new RandomHorizontalFlip(a[0] as FlipOptions), { random: true });
registerTransform("RandomVerticalFlip", (a) => new RandomVerticalFlip(a[0] as FlipOptions), { random: true });
