/**
 * RandomErasing, like torchvision's (Zhong et al. 2017): with probability p, a rectangle of random area and
 * aspect ratio is replaced by a value, per-channel values, or normal noise. A batch is erased in one `where`
 * through a mask that holds every image's rectangle.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { where } from "../../ops/binary.js";
import { tensor } from "../../ops/creation.js";
import { imageDims, RandomTransform, registerTransform, roundHalfEven, uniformIn, type JsonValue, type TransformSpec } from "./base.js";

/** Options of `RandomErasing`. */
export interface RandomErasingOptions {
  /** Probability that an image is erased. Default 0.5. */
  p?: number;
  /** Range of the rectangle's area as a fraction of the image. Default [0.02, 0.33]. */
  scale?: readonly number[];
  /** Range of its aspect ratio (height / width), sampled log-uniformly. Default [0.3, 3.3]. */
  ratio?: readonly number[];
  /** The fill: a number, one per channel, or "random" (standard normal per erased pixel). Default 0. */
  value?: number | readonly number[] | "random";
  seed?: number;
}

/** One image's erased rectangle (null: left as it is) and, for "random", its values [C, h, w]. */
export type ErasingParams = { i: number; j: number; h: number; w: number; values?: Float32Array } | null;

/**
 * Erases a random rectangle of each image with probability p, like `transforms.RandomErasing`; apply it to
 * tensors (after ToTensor and usually after Normalize).
 * @example new tl.data.transforms.RandomErasing({ p: 0.5, value: "random" })
 */
export class RandomErasing extends RandomTransform {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number | readonly number[] | "random";

  constructor(options: RandomErasingOptions = {}) {
    super(options.seed, "RandomErasing");
    this.p = options.p ?? 0.5;
    check(this.p >= 0 && this.p <= 1, "RandomErasing", () => `p must be a probability in [0, 1], got ${options.p}`);
    const scale = options.scale ?? [0.02, 0.33];
    check(Array.isArray(scale) && scale.length === 2 && scale[0] >= 0 && scale[1] <= 1 && scale[0] <= scale[1], "RandomErasing",
      () => `scale must be [min, max] within [0, 1], got ${JSON.stringify(options.scale)}`);
    const ratio = options.ratio ?? [0.3, 3.3];
    check(Array.isArray(ratio) && ratio.length === 2 && ratio[0] > 0 && ratio[0] <= ratio[1], "RandomErasing",
      () => `ratio must be [min, max] with 0 < min ≤ max, got ${JSON.stringify(options.ratio)}`);
    const value = options.value ?? 0;
    check(value === "random" || (typeof value === "number" && Number.isFinite(value)) ||
      (Array.isArray(value) && value.length > 0 && value.every(Number.isFinite)), "RandomErasing",
    () => `value must be a number, one number per channel, or "random", got ${JSON.stringify(options.value)}`);
    [this.scale, this.ratio, this.value] = [[scale[0], scale[1]], [ratio[0], ratio[1]], typeof value === "object" ? [...value] : value];
  }

  /** Each image's rectangle, drawn as torchvision's get_params draws it (ten tries; none fits: untouched). */
  sampleParams(x: Tensor): ErasingParams[] {
    const { n, c, h: H, w: W } = imageDims(x, "RandomErasing");
    const value = this.value;
    if (Array.isArray(value)) {
      check(value.length === 1 || value.length === c, "RandomErasing", () => `value must hold one number or one per channel (${c}), got ${value.length}`);
    }
    const rng = this.rng();
    const area = H * W;
    const logRatio = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    return Array.from({ length: n }, (): ErasingParams => {
      if (!(rng.next() < this.p)) return null;
      for (let attempt = 0; attempt < 10; attempt++) {
        const eraseArea = area * uniformIn(rng, this.scale[0], this.scale[1]);
        const aspect = Math.exp(uniformIn(rng, logRatio[0], logRatio[1]));
        const h = roundHalfEven(Math.sqrt(eraseArea * aspect));
        const w = roundHalfEven(Math.sqrt(eraseArea / aspect));
        if (!(h < H && w < W)) continue;
        // torchvision draws the noise before the position.
        const values = this.value === "random" ? Float32Array.from({ length: c * h * w }, () => rng.normal()) : undefined;
        return { i: rng.int(0, H - h + 1), j: rng.int(0, W - w + 1), h, w, values };
      }
      return null;
    });
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, params: readonly ErasingParams[]): Tensor {
    const { batched, n, c, h: H, w: W } = imageDims(x, "RandomErasing");
    check(params.length === n, "RandomErasing", () => `needs one entry per image (${n}), got ${params.length}`);
    if (params.every((p) => p === null || p.h === 0 || p.w === 0)) return x;
    const random = this.value === "random";
    // One mask over the batch ([N, 1, H, W], or [N, C, H, W] holding the noise too for "random").
    const planes = random ? c : 1;
    const mask = new Uint8Array(n * planes * H * W);
    const noise = random ? new Float32Array(mask.length) : undefined;
    params.forEach((p, k) => {
      if (p === null) return;
      for (let ch = 0; ch < planes; ch++) {
        for (let y = 0; y < p.h; y++) {
          const row = ((k * planes + ch) * H + p.i + y) * W + p.j;
          mask.fill(1, row, row + p.w);
          if (noise && p.values) noise.set(p.values.subarray((ch * p.h + y) * p.w, (ch * p.h + y + 1) * p.w), row);
        }
      }
    });
    const shape = batched ? [n, planes, H, W] : [planes, H, W];
    const fill = noise ? tensor(noise, { shape, dtype: x.dtype })
      : typeof this.value === "number" ? tensor([this.value], { dtype: x.dtype })
        : tensor([...(this.value as number[])], { shape: [(this.value as number[]).length, 1, 1], dtype: x.dtype });
    return where(tensor(mask, { shape, dtype: "bool" }), fill, x);
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    const value = typeof this.value === "object" ? [...this.value] : this.value;
    return { name: "RandomErasing", args: [{ p: this.p, scale: [...this.scale], ratio: [...this.ratio], value: value as JsonValue, seed: this.seed }] };
  }
}

registerTransform("RandomErasing", (a) => new RandomErasing(a[0] as RandomErasingOptions), { random: true });
