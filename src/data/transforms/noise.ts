/**
 * GaussianNoise, like torchvision v2's: adds mean + std · N(0, 1) to every pixel and (by default) clamps to
 * [0, 1]. The noise comes from the transform's seeded stream, so a seed replays it exactly.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { add } from "../../ops/binary.js";
import { tensor } from "../../ops/creation.js";
import { clamp } from "../../ops/unary.js";
import { imageDims, RandomTransform, registerTransform, type TransformSpec } from "./base.js";

/** Options of `GaussianNoise`. */
export interface GaussianNoiseOptions {
  /** Mean of the noise. Default 0. */
  mean?: number;
  /** Standard deviation of the noise. Default 0.1. */
  std?: number;
  /** Clamp the result to [0, 1]. Default true. */
  clip?: boolean;
  seed?: number;
}

/**
 * Adds Gaussian noise to images (float tensors in [0, 1]), like torchvision's `v2.GaussianNoise` (whose `sigma`
 * is `std` here).
 * @example new tl.data.transforms.GaussianNoise({ std: 0.05 })
 */
export class GaussianNoise extends RandomTransform {
  readonly mean: number;
  readonly std: number;
  readonly clip: boolean;

  constructor(options: GaussianNoiseOptions = {}) {
    super(options.seed, "GaussianNoise");
    this.mean = options.mean ?? 0;
    this.std = options.std ?? 0.1;
    this.clip = options.clip ?? true;
    check(Number.isFinite(this.mean), "GaussianNoise", () => `mean must be a finite number, got ${options.mean}`);
    check(Number.isFinite(this.std) && this.std >= 0, "GaussianNoise", () => `std must be a number ≥ 0, got ${options.std}`);
  }

  /** The noise to add, shaped like `x`. */
  sampleParams(x: Tensor): Tensor {
    imageDims(x, "GaussianNoise");
    const rng = this.rng();
    const values = new Float64Array(x.size);
    for (let i = 0; i < values.length; i++) values[i] = this.mean + this.std * rng.normal();
    return tensor(values, { shape: x.shape, dtype: x.dtype });
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, noise: Tensor): Tensor {
    const y = add(x, noise);
    return this.clip ? clamp(y, { min: 0, max: 1 }) : y;
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return { name: "GaussianNoise", args: [{ mean: this.mean, std: this.std, clip: this.clip, seed: this.seed }] };
  }
}

registerTransform("GaussianNoise", (a) => new GaussianNoise(a[0] as GaussianNoiseOptions), { random: true });
