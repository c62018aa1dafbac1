/**
 * Random crops, like torchvision's RandomCrop (with padding) and RandomResizedCrop (random area and aspect
 * ratio, torchvision's ten attempts then a central fallback), one window per image. A batch of resized crops
 * is resampled in two batched matmuls.
 */
import { check } from "../../core/errors.js";
import type { Random } from "../../core/rng.js";
import type { Tensor } from "../../engine/tensor.js";
import { stack } from "../../ops/join.js";
import { select } from "../../ops/movement.js";
import { imageDims, RandomTransform, registerTransform, roundHalfEven, uniformIn, type JsonValue, type TransformSpec } from "./base.js";
import { crop, pad, paddingLtrb, sizePair, type PaddingMode } from "./functional/basic.js";
import { resizedCrop, resizedCropBatch, type CropBox, type Interpolation } from "./functional/resize.js";

/** Options of `RandomCrop`. */
export interface RandomCropOptions {
  /** Padding added before cropping: n, [left/right, top/bottom] or [left, top, right, bottom]. */
  padding?: number | readonly number[];
  /** Pad an image smaller than `size` (on both sides, by the shortfall) instead of failing. Default false. */
  padIfNeeded?: boolean;
  /** Fill of constant padding (default 0). */
  fill?: number;
  /** Default "constant". */
  paddingMode?: PaddingMode;
  seed?: number;
}

/**
 * Crops a random `size` window, like `transforms.RandomCrop`, after optional padding.
 * @example new tl.data.transforms.RandomCrop(32, { padding: 4 }) // the CIFAR recipe
 */
export class RandomCrop extends RandomTransform {
  readonly size: [number, number];
  readonly options: Omit<RandomCropOptions, "seed">;

  constructor(size: number | readonly number[], options: RandomCropOptions = {}) {
    super(options.seed, "RandomCrop");
    this.size = sizePair(size, "RandomCrop");
    if (options.padding !== undefined) paddingLtrb(options.padding, "RandomCrop");
    const { seed: _seed, ...rest } = options;
    this.options = rest;
  }

  /** Pads as configured: the fixed padding, then the shortfall of width and of height. */
  private padded(x: Tensor): Tensor {
    const { fill, paddingMode } = this.options;
    let img = this.options.padding !== undefined ? pad(x, this.options.padding, { fill, paddingMode }) : x;
    const [th, tw] = this.size;
    if (this.options.padIfNeeded) {
      const w = img.shape[img.ndim - 1];
      if (w < tw) img = pad(img, [tw - w, 0], { fill, paddingMode });
      const h = img.shape[img.ndim - 2];
      if (h < th) img = pad(img, [0, th - h], { fill, paddingMode });
    }
    return img;
  }

  /** The size of an `h × w` image after padding. */
  private paddedSize(h: number, w: number): [number, number] {
    let [ph, pw] = [h, w];
    if (this.options.padding !== undefined) {
      const [l, t, r, b] = paddingLtrb(this.options.padding, "RandomCrop");
      [ph, pw] = [h + t + b, w + l + r];
    }
    if (this.options.padIfNeeded) {
      if (pw < this.size[1]) pw += 2 * (this.size[1] - pw);
      if (ph < this.size[0]) ph += 2 * (this.size[0] - ph);
    }
    return [ph, pw];
  }

  /** The top-left corner of each image's window, in padded coordinates (torchvision's get_params). */
  sampleParams(x: Tensor): { top: number; left: number }[] {
    const { n, h: h0, w: w0 } = imageDims(x, "RandomCrop", { anyDType: true });
    const [h, w] = this.paddedSize(h0, w0);
    const [th, tw] = this.size;
    check(h >= th && w >= tw, "RandomCrop", () => `crop size ${th}×${tw} is larger than the ${h}×${w} (padded) image; set padIfNeeded or pad more`);
    const rng = this.rng();
    return Array.from({ length: n }, () => (h === th && w === tw ? { top: 0, left: 0 } : { top: rng.int(0, h - th + 1), left: rng.int(0, w - tw + 1) }));
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, corners: readonly { top: number; left: number }[]): Tensor {
    const { batched } = imageDims(x, "RandomCrop", { anyDType: true });
    const img = this.padded(x);
    const [th, tw] = this.size;
    if (!batched) return crop(img, corners[0].top, corners[0].left, th, tw);
    return stack(corners.map((c, i) => crop(select(img, 0, i), c.top, c.left, th, tw)));
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return { name: "RandomCrop", args: [[...this.size], { ...(this.options as Record<string, JsonValue>), seed: this.seed }] };
  }
}

/** Options of `RandomResizedCrop`. */
export interface RandomResizedCropOptions {
  /** Range of the window's area as a fraction of the image's. Default [0.08, 1]. */
  scale?: readonly number[];
  /** Range of the window's aspect ratio (width / height), sampled log-uniformly. Default [3/4, 4/3]. */
  ratio?: readonly number[];
  /** Default "bilinear". */
  interpolation?: Interpolation;
  /** Antialias when shrinking (bilinear only). Default true, as in torchvision ≥ 0.17. */
  antialias?: boolean;
  seed?: number;
}

function checkRange(value: readonly number[], where: string, name: string, positive: boolean): [number, number] {
  check(Array.isArray(value) && value.length === 2 && value.every(Number.isFinite) && value[0] <= value[1] && (positive ? value[0] > 0 : value[0] >= 0), where,
    () => `${name} must be [min, max] with ${positive ? "0 < " : "0 ≤ "}min ≤ max, got ${JSON.stringify(value)}`);
  return [value[0], value[1]];
}

/**
 * torchvision's RandomResizedCrop.get_params: ten tries at a window of random area and log-uniform aspect
 * ratio that fits, then the whole image cropped to the nearest allowed ratio, centred.
 */
export function sampleResizedCropBox(rng: Random, h: number, w: number, scale: readonly number[], ratio: readonly number[]): CropBox {
  const area = h * w;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * uniformIn(rng, scale[0], scale[1]);
    const aspect = Math.exp(uniformIn(rng, logRatio[0], logRatio[1]));
    const cw = roundHalfEven(Math.sqrt(targetArea * aspect));
    const ch = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      return { top: rng.int(0, h - ch + 1), left: rng.int(0, w - cw + 1), height: ch, width: cw };
    }
  }
  const inRatio = w / h;
  let [cw, ch] = [w, h];
  if (inRatio < Math.min(...ratio)) ch = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) cw = roundHalfEven(h * Math.max(...ratio));
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

/**
 * Crops a random window (random area and aspect ratio) and resizes it to `size`, like
 * `transforms.RandomResizedCrop`: the ImageNet training crop.
 * @example new tl.data.transforms.RandomResizedCrop(224, { scale: [0.08, 1] })
 */
export class RandomResizedCrop extends RandomTransform {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly interpolation: Interpolation;
  readonly antialias: boolean;

  constructor(size: number | readonly number[], options: RandomResizedCropOptions = {}) {
    super(options.seed, "RandomResizedCrop");
    this.size = sizePair(size, "RandomResizedCrop");
    this.scale = checkRange(options.scale ?? [0.08, 1], "RandomResizedCrop", "scale", false);
    this.ratio = checkRange(options.ratio ?? [3 / 4, 4 / 3], "RandomResizedCrop", "ratio", true);
    this.interpolation = options.interpolation ?? "bilinear";
    check(this.interpolation === "bilinear" || this.interpolation === "nearest", "RandomResizedCrop",
      () => `interpolation must be "bilinear" or "nearest", got ${JSON.stringify(options.interpolation)}`);
    this.antialias = this.interpolation === "bilinear" && (options.antialias ?? true);
  }

  /** Each image's crop window. */
  sampleParams(x: Tensor): CropBox[] {
    const { n, h, w } = imageDims(x, "RandomResizedCrop");
    const rng = this.rng();
    return Array.from({ length: n }, () => sampleResizedCropBox(rng, h, w, this.scale, this.ratio));
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, boxes: readonly CropBox[]): Tensor {
    const { batched } = imageDims(x, "RandomResizedCrop");
    const options = { interpolation: this.interpolation, antialias: this.antialias };
    if (!batched) return resizedCrop(x, boxes[0].top, boxes[0].left, boxes[0].height, boxes[0].width, this.size, options);
    return resizedCropBatch(x, boxes, this.size, options);
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return {
      name: "RandomResizedCrop",
      args: [[...this.size], { scale: [...this.scale], ratio: [...this.ratio], interpolation: this.interpolation, antialias: this.antialias, seed: this.seed }],
    };
  }
}

registerTransform("RandomCrop", (a) => new RandomCrop(a[0] as number[], a[1] as RandomCropOptions), { random: true });
registerTransform("RandomResizedCrop", (a) => new RandomResizedCrop(a[0] as number[], a[1] as RandomResizedCropOptions), { random: true });
