/**
 * Random colour transforms, like torchvision's ColorJitter and RandomGrayscale. ColorJitter draws, per image,
 * a random order of its four adjustments and a factor for each; a batch runs each of the four steps as at
 * most four vectorized calls (one per adjustment, over the images doing it at that step).
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { applyGrouped, imageDims, RandomTransform, registerTransform, selectImages, uniformIn, type TransformSpec } from "./base.js";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, rgbToGrayscale } from "./functional/color.js";

/** A jitter amount: d gives [max(0, c − d), c + d] around the centre c, or an explicit [min, max]. */
export type JitterRange = number | readonly number[];

/** Options of `ColorJitter`; each omitted (or 0) adjustment is skipped. */
export interface ColorJitterOptions {
  /** Brightness factor range: d → [max(0, 1 − d), 1 + d]. */
  brightness?: JitterRange;
  /** Contrast factor range: d → [max(0, 1 − d), 1 + d]. */
  contrast?: JitterRange;
  /** Saturation factor range: d → [max(0, 1 − d), 1 + d]. */
  saturation?: JitterRange;
  /** Hue shift range in turns: d → [−d, d], within [−0.5, 0.5]. */
  hue?: JitterRange;
  seed?: number;
}

/** torchvision's ColorJitter._check_input: the factor range, or null when the adjustment is the identity. */
function jitterRange(value: JitterRange | undefined, name: string, center: number, bound: [number, number], clipAtZero: boolean): [number, number] | null {
  if (value === undefined) return null;
  let range: [number, number];
  if (typeof value === "number") {
    check(Number.isFinite(value) && value >= 0, "ColorJitter", () => `${name} as a single number must be ≥ 0, got ${value}`);
    range = [center - value, center + value];
    if (clipAtZero) range[0] = Math.max(range[0], 0);
  } else {
    check(Array.isArray(value) && value.length === 2 && bound[0] <= value[0] && value[0] <= value[1] && value[1] <= bound[1], "ColorJitter",
      () => `${name} must be a number or [min, max] within [${bound[0]}, ${bound[1]}], got ${JSON.stringify(value)}`);
    range = [value[0], value[1]];
  }
  check(range[0] >= bound[0] && range[1] <= bound[1], "ColorJitter", () => `${name} range [${range[0]}, ${range[1]}] leaves [${bound[0]}, ${bound[1]}]`);
  return range[0] === center && range[1] === center ? null : range;
}

/** One image's jitter: the order of the adjustments (0 brightness, 1 contrast, 2 saturation, 3 hue) and their factors. */
export interface JitterParams {
  order: number[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
}

const ADJUST = [adjustBrightness, adjustContrast, adjustSaturation, adjustHue];
const KEYS = ["brightness", "contrast", "saturation", "hue"] as const;

/**
 * Randomly changes brightness, contrast, saturation and hue in a random order, like `transforms.ColorJitter`,
 * with torchvision's formulas.
 * @example new tl.data.transforms.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 })
 */
export class ColorJitter extends RandomTransform {
  readonly ranges: readonly ([number, number] | null)[];

  constructor(options: ColorJitterOptions = {}) {
    super(options.seed, "ColorJitter");
    this.ranges = [
      jitterRange(options.brightness, "brightness", 1, [0, Infinity], true),
      jitterRange(options.contrast, "contrast", 1, [0, Infinity], true),
      jitterRange(options.saturation, "saturation", 1, [0, Infinity], true),
      jitterRange(options.hue, "hue", 0, [-0.5, 0.5], false),
    ];
  }

  /** Each image's order and factors, drawn as torchvision's get_params draws them (order first). */
  sampleParams(x: Tensor): JitterParams[] {
    const { n } = imageDims(x, "ColorJitter");
    const rng = this.rng();
    return Array.from({ length: n }, () => {
      const order = rng.permutation(4);
      const [b, c, s, h] = this.ranges.map((r) => (r === null ? null : uniformIn(rng, r[0], r[1])));
      return { order, brightness: b, contrast: c, saturation: s, hue: h };
    });
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, params: readonly JitterParams[]): Tensor {
    const { batched } = imageDims(x, "ColorJitter");
    let y = x;
    for (let step = 0; step < 4; step++) {
      // Which adjustment each image makes at this step (−1: none, its factor being unset).
      const ops = params.map((p) => (p[KEYS[p.order[step]]] === null ? -1 : p.order[step]));
      if (!batched) {
        if (ops[0] >= 0) y = ADJUST[ops[0]](y, params[0][KEYS[ops[0]]] as number);
        continue;
      }
      if (ops.every((o) => o < 0)) continue;
      y = applyGrouped(y, ops, (op, images, members) =>
        (op < 0 ? images : ADJUST[op](images, members.map((i) => params[i][KEYS[op]] as number))), "ColorJitter");
    }
    return y;
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    const [brightness, contrast, saturation, hue] = this.ranges.map((r) => (r === null ? undefined : [...r]));
    return { name: "ColorJitter", args: [{ brightness, contrast, saturation, hue, seed: this.seed }] };
  }
}

/**
 * Converts each image to grayscale with probability `p` (default 0.1), keeping its channel count, like
 * `transforms.RandomGrayscale`.
 * @example new tl.data.transforms.RandomGrayscale({ p: 0.2 })
 */
export class RandomGrayscale extends RandomTransform {
  readonly p: number;

  constructor(options: { p?: number; seed?: number } = {}) {
    super(options.seed, "RandomGrayscale");
    this.p = options.p ?? 0.1;
    check(this.p >= 0 && this.p <= 1, "RandomGrayscale", () => `p must be a probability in [0, 1], got ${options.p}`);
  }

  /** Whether each image turns gray. */
  sampleParams(x: Tensor): boolean[] {
    const { n } = imageDims(x, "RandomGrayscale");
    const rng = this.rng();
    return Array.from({ length: n }, () => rng.next() < this.p);
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, gray: readonly boolean[]): Tensor {
    const { c } = imageDims(x, "RandomGrayscale");
    if (!gray.some((g) => g)) return x;
    check(c === 1 || c === 3, "RandomGrayscale", () => `expects 1 or 3 channels, got ${c}`);
    return selectImages(x, rgbToGrayscale(x, c as 1 | 3), gray);
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return { name: "RandomGrayscale", args: [{ p: this.p, seed: this.seed }] };
  }
}

registerTransform("ColorJitter", (a) => new ColorJitter(a[0] as ColorJitterOptions), { random: true });
registerTransform("RandomGrayscale", (a) => new RandomGrayscale(a[0] as { p?: number; seed?: number }), { random: true });
