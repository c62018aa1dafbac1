/**
 * Random geometric warps, like torchvision's RandomRotation and RandomAffine: parameters drawn per image as
 * torchvision's get_params draws them, then one affineGrid + gridSample for the whole batch.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { imageDims, RandomTransform, registerTransform, roundHalfEven, uniformIn, type JsonValue, type TransformSpec } from "./base.js";
import { affine, rotate, type AffineParams } from "./functional/geometry.js";
import type { Interpolation } from "./functional/resize.js";

/** A symmetric range ±d from one number, or [min, max]. */
function angleRange(value: number | readonly number[], where: string, name: string): [number, number] {
  if (typeof value === "number") {
    check(Number.isFinite(value) && value >= 0, where, () => `${name} as a single number must be ≥ 0 (the range is ±${name}), got ${value}`);
    return [-value, value];
  }
  check(Array.isArray(value) && value.length === 2 && value.every(Number.isFinite) && value[0] <= value[1], where,
    () => `${name} must be a number or [min, max], got ${JSON.stringify(value)}`);
  return [value[0], value[1]];
}

function checkInterpolation(mode: Interpolation | undefined, where: string): Interpolation {
  const m = mode ?? "nearest";
  check(m === "nearest" || m === "bilinear", where, () => `interpolation must be "nearest" or "bilinear", got ${JSON.stringify(mode)}`);
  return m;
}

function checkFill(fill: number | readonly number[] | undefined, where: string): number | number[] {
  const f = fill ?? 0;
  check(typeof f === "number" ? Number.isFinite(f) : Array.isArray(f) && f.length > 0 && f.every(Number.isFinite), where,
    () => `fill must be a number or one number per channel, got ${JSON.stringify(fill)}`);
  return typeof f === "number" ? f : [...f];
}

/** Options of `RandomRotation`. */
export interface RandomRotationOptions {
  /** Default "nearest", as in torchvision. */
  interpolation?: Interpolation;
  /** Grow the output to hold the whole rotated image (single images only: each angle gives its own size). Default false. */
  expand?: boolean;
  /** Centre of rotation [x, y] in pixels (default the image centre). */
  center?: readonly number[];
  /** Colour outside the rotated image: one value or one per channel. Default 0. */
  fill?: number | readonly number[];
  seed?: number;
}

/**
 * Rotates each image by an angle drawn uniformly from ±degrees (or [min, max]), counter-clockwise, like
 * `transforms.RandomRotation`.
 * @example new tl.data.transforms.RandomRotation(15, { interpolation: "bilinear" })
 */
export class RandomRotation extends RandomTransform {
  readonly degrees: [number, number];
  readonly interpolation: Interpolation;
  readonly expand: boolean;
  readonly center: readonly number[] | undefined;
  readonly fill: number | number[];

  constructor(degrees: number | readonly number[], options: RandomRotationOptions = {}) {
    super(options.seed, "RandomRotation");
    this.degrees = angleRange(degrees, "RandomRotation", "degrees");
    this.interpolation = checkInterpolation(options.interpolation, "RandomRotation");
    this.expand = options.expand ?? false;
    this.center = options.center === undefined ? undefined : [...options.center];
    check(this.center === undefined || (this.center.length === 2 && this.center.every(Number.isFinite)), "RandomRotation",
      () => `center must be [x, y], got ${JSON.stringify(options.center)}`);
    this.fill = checkFill(options.fill, "RandomRotation");
  }

  /** Each image's angle in degrees. */
  sampleParams(x: Tensor): number[] {
    const { n } = imageDims(x, "RandomRotation");
    const rng = this.rng();
    return Array.from({ length: n }, () => uniformIn(rng, this.degrees[0], this.degrees[1]));
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, angles: readonly number[]): Tensor {
    return rotate(x, x.ndim === 4 ? angles : angles[0], { interpolation: this.interpolation, expand: this.expand, center: this.center, fill: this.fill });
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    const center = this.center === undefined ? undefined : [...this.center];
    return {
      name: "RandomRotation",
      args: [[...this.degrees], { interpolation: this.interpolation, expand: this.expand, center, fill: this.fill as JsonValue, seed: this.seed }],
    };
  }
}

/** Options of `RandomAffine`. */
export interface RandomAffineOptions {
  /** Rotation range: ±degrees or [min, max], clockwise. Default 0 (none). */
  degrees?: number | readonly number[];
  /** Maximum shift as fractions [a, b] of width and height: dx in ±a·W, dy in ±b·H (rounded to pixels). */
  translate?: readonly number[];
  /** Scale range [min, max]. Default none (1). */
  scale?: readonly number[];
  /** Shear in degrees: ±s or [min, max] along x, or [xmin, xmax, ymin, ymax]. Default none. */
  shear?: number | readonly number[];
  /** Default "nearest", as in torchvision. */
  interpolation?: Interpolation;
  /** Colour outside the warped image. Default 0. */
  fill?: number | readonly number[];
  /** Centre [x, y] in pixels (default the image centre). */
  center?: readonly number[];
  seed?: number;
}

/**
 * Random affine warp keeping the centre fixed, like `transforms.RandomAffine`: rotation, translation, scale and
 * shear drawn per image in torchvision's order.
 * @example new tl.data.transforms.RandomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5 })
 */
export class RandomAffine extends RandomTransform {
  readonly degrees: [number, number];
  readonly translate: [number, number] | undefined;
  readonly scale: [number, number] | undefined;
  readonly shear: number[] | undefined;
  readonly interpolation: Interpolation;
  readonly fill: number | number[];
  readonly center: readonly number[] | undefined;

  constructor(options: RandomAffineOptions = {}) {
    super(options.seed, "RandomAffine");
    this.degrees = angleRange(options.degrees ?? 0, "RandomAffine", "degrees");
    const t = options.translate;
    check(t === undefined || (Array.isArray(t) && t.length === 2 && t.every((v) => v >= 0 && v <= 1)), "RandomAffine",
      () => `translate must be [a, b] with fractions in [0, 1], got ${JSON.stringify(t)}`);
    this.translate = t === undefined ? undefined : [t[0], t[1]];
    const s = options.scale;
    check(s === undefined || (Array.isArray(s) && s.length === 2 && s.every((v) => v > 0) && s[0] <= s[1]), "RandomAffine",
      () => `scale must be [min, max] with 0 < min ≤ max, got ${JSON.stringify(s)}`);
    this.scale = s === undefined ? undefined : [s[0], s[1]];
    const sh = options.shear;
    if (sh === undefined) this.shear = undefined;
    else if (typeof sh === "number" || sh.length === 2) this.shear = angleRange(sh, "RandomAffine", "shear");
    else {
      check(Array.isArray(sh) && sh.length === 4 && sh.every(Number.isFinite) && sh[0] <= sh[1] && sh[2] <= sh[3], "RandomAffine",
        () => `shear must be a number, [min, max] or [xmin, xmax, ymin, ymax], got ${JSON.stringify(sh)}`);
      this.shear = [...sh];
    }
    this.interpolation = checkInterpolation(options.interpolation, "RandomAffine");
    this.fill = checkFill(options.fill, "RandomAffine");
    this.center = options.center === undefined ? undefined : [...options.center];
  }

  /** Each image's warp, drawn as torchvision's RandomAffine.get_params draws it. */
  sampleParams(x: Tensor): AffineParams[] {
    const { n, h, w } = imageDims(x, "RandomAffine");
    const rng = this.rng();
    return Array.from({ length: n }, () => {
      const angle = uniformIn(rng, this.degrees[0], this.degrees[1]);
      let translate = [0, 0];
      if (this.translate) {
        const maxDx = this.translate[0] * w;
        const maxDy = this.translate[1] * h;
        const tx = roundHalfEven(uniformIn(rng, -maxDx, maxDx));
        translate = [tx, roundHalfEven(uniformIn(rng, -maxDy, maxDy))];
      }
      const scale = this.scale ? uniformIn(rng, this.scale[0], this.scale[1]) : 1;
      let shear = [0, 0];
      if (this.shear) {
        const sx = uniformIn(rng, this.shear[0], this.shear[1]);
        shear = [sx, this.shear.length === 4 ? uniformIn(rng, this.shear[2], this.shear[3]) : 0];
      }
      return { angle, translate, scale, shear };
    });
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, params: readonly AffineParams[]): Tensor {
    return affine(x, x.ndim === 4 ? params : params[0], { interpolation: this.interpolation, fill: this.fill, center: this.center });
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    const opt = (v: readonly number[] | undefined): number[] | undefined => (v === undefined ? undefined : [...v]);
    return {
      name: "RandomAffine",
      args: [{
        degrees: [...this.degrees], translate: opt(this.translate), scale: opt(this.scale), shear: opt(this.shear),
        interpolation: this.interpolation, fill: this.fill as JsonValue, center: opt(this.center), seed: this.seed,
      }],
    };
  }
}

registerTransform("RandomRotation", (a) => new RandomRotation(a[0] as number[], a[1] as RandomRotationOptions), { random: true });
registerTransform("RandomAffine", (a) => new RandomAffine(a[0] as RandomAffineOptions), { random: true });
