/**
 * Colour adjustments with torchvision's formulas (functional_tensor.py): grayscale with (0.2989, 0.587, 0.114),
 * brightness and saturation as blends with black and with the grayscale image, contrast as a blend with the
 * mean of the grayscale image, hue through RGB → HSV → RGB. Every factor may be one number or one per image of
 * a batch, so a random transform adjusts a whole batch in one pass. The work is done on contiguous channel
 * planes with per-image factors spread to full size, so every elementwise op is same-shape (the fast path).
 */
import type { DType } from "../../../core/dtype.js";
import { check } from "../../../core/errors.js";
import type { Tensor } from "../../../engine/tensor.js";
import { add, div, eq, logicalAnd, maximum, minimum, mul, ne, remainder, sub, where } from "../../../ops/binary.js";
import { onesLike, tensor, zerosLike } from "../../../ops/creation.js";
import { stack } from "../../../ops/join.js";
import { contiguous, expand, select, unsqueeze } from "../../../ops/movement.js";
import { mean } from "../../../ops/reduce.js";
import { clamp, floor } from "../../../ops/unary.js";
import { imageDims, perImage } from "../base.js";

/** The three channel planes of an RGB image or batch, each contiguous: [H, W] or [N, H, W]. */
function planes(x: Tensor): Tensor[] {
  const d = x.ndim - 3;
  return [0, 1, 2].map((k) => contiguous(select(x, d, k)));
}

/**
 * Luma of an RGB image, like `F.rgb_to_grayscale`: 0.2989 R + 0.587 G + 0.114 B, with 1 or 3 (equal) output
 * channels. A one-channel image passes through.
 */
export function rgbToGrayscale(x: Tensor, numOutputChannels: 1 | 3 = 1): Tensor {
  const { c } = imageDims(x, "rgbToGrayscale");
  check(c === 1 || c === 3, "rgbToGrayscale", () => `expects 1 or 3 channels, got ${c}`);
  check(numOutputChannels === 1 || numOutputChannels === 3, "rgbToGrayscale", () => `numOutputChannels must be 1 or 3, got ${numOutputChannels}`);
  const d = x.ndim - 3;
  const gray = c === 3 ? unsqueeze(luma(planes(x)), d) : x;
  return numOutputChannels === 3 ? expand(gray, [...x.shape.slice(0, d), 3, ...x.shape.slice(d + 1)]) : gray;
}

function luma([r, g, b]: Tensor[]): Tensor {
  return add(add(mul(r, 0.2989), mul(g, 0.587)), mul(b, 0.114));
}

/** Per-image values spread over `shape` ([N, ...], or one image's shape): each image's block filled with its value. */
function spread(values: readonly number[], shape: readonly number[], dtype: DType): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const block = size / values.length;
  const data = new Float64Array(size);
  values.forEach((v, i) => data.fill(v, i * block, (i + 1) * block));
  return tensor(data, { shape, dtype });
}

/** The factor for each image: one number (all equal) or a tensor of `shape` holding each image's factor. */
function factorOf(x: Tensor, factor: number | readonly number[], where: string, name: string, inRange: (v: number) => boolean, expected: string,
  shape: readonly number[] = x.shape): number | Tensor {
  const { n } = imageDims(x, where);
  const values = perImage(factor, n, where, name);
  values.forEach((v) => check(Number.isFinite(v) && inRange(v), where, () => `${name} ${v} is out of range (expected ${expected})`));
  return values.every((v) => v === values[0]) ? values[0] : spread(values, shape, x.dtype);
}

const nonNegative = (v: number): boolean => v >= 0;
const unit = (t: Tensor): Tensor => clamp(t, { min: 0, max: 1 });
const oneMinus = (f: number | Tensor): number | Tensor => (typeof f === "number" ? 1 - f : sub(1, f));

/**
 * Multiplies the intensities by `factor` (0 black, 1 unchanged), clamped to [0, 1], like `F.adjust_brightness`.
 * @example adjustBrightness(batch, [0.8, 1.2]) // one factor per image
 */
export function adjustBrightness(x: Tensor, factor: number | readonly number[]): Tensor {
  return unit(mul(x, factorOf(x, factor, "adjustBrightness", "brightness factor", nonNegative, "a non-negative number")));
}

function checkColorChannels(x: Tensor, where: string): number {
  const { c } = imageDims(x, where);
  check(c === 1 || c === 3, where, () => `expects 1 or 3 channels, got ${c}`);
  return c;
}

/**
 * Blends with the mean of the grayscale image (0 gray, 1 unchanged), like `F.adjust_contrast`:
 * factor · x + (1 − factor) · mean, clamped.
 * @example adjustContrast(img, 1.5)
 */
export function adjustContrast(x: Tensor, factor: number | readonly number[]): Tensor {
  const c = checkColorChannels(x, "adjustContrast");
  const { n } = imageDims(x, "adjustContrast");
  const factors = perImage(factor, n, "adjustContrast", "contrast factor");
  const f = factorOf(x, factor, "adjustContrast", "contrast factor", nonNegative, "a non-negative number");
  const gray = c === 3 ? luma(planes(x)) : x;
  const d = x.ndim - 3;
  const means = Array.from(mean(gray, { dim: c === 3 ? [d, d + 1] : [d, d + 1, d + 2] }).dataSync());
  // (1 − factor) · mean is one number per image: spread it and add.
  return unit(add(mul(x, f), spread(means.map((m, i) => (1 - factors[i]) * m), x.shape, x.dtype)));
}

/** Blends with the grayscale image (0 gray, 1 unchanged, 2 doubly saturated), like `F.adjust_saturation`. */
export function adjustSaturation(x: Tensor, factor: number | readonly number[]): Tensor {
  const c = checkColorChannels(x, "adjustSaturation");
  const d = x.ndim - 3;
  const f = factorOf(x, factor, "adjustSaturation", "saturation factor", nonNegative, "a non-negative number", [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]);
  if (c === 1) return x;
  const rgb = planes(x);
  const grayPart = mul(luma(rgb), oneMinus(f));
  return stack(rgb.map((p) => unit(add(mul(p, f), grayPart))), d);
}

/** RGB planes to HSV planes, like torchvision's `_rgb2hsv`. */
function hsvPlanes([r, g, b]: Tensor[]): Tensor[] {
  const maxc = maximum(maximum(r, g), b);
  const minc = minimum(minimum(r, g), b);
  // Where max = min (grays) hue and saturation are 0; divide by 1 there instead of 0.
  const eqc = eq(maxc, minc);
  const one = onesLike(maxc);
  const zero = zerosLike(maxc);
  const cr = sub(maxc, minc);
  const s = div(cr, where(eqc, one, maxc));
  const crDivisor = where(eqc, one, cr);
  const rc = div(sub(maxc, r), crDivisor);
  const gc = div(sub(maxc, g), crDivisor);
  const bc = div(sub(maxc, b), crDivisor);
  const notR = ne(maxc, r);
  const hr = where(eq(maxc, r), sub(bc, gc), zero);
  const hg = where(logicalAnd(eq(maxc, g), notR), sub(add(rc, 2), bc), zero);
  const hb = where(logicalAnd(ne(maxc, g), notR), sub(add(gc, 4), rc), zero);
  return [remainder(add(div(add(add(hr, hg), hb), 6), 1), 1), s, maxc];
}

/** HSV planes to RGB planes, like torchvision's `_hsv2rgb`. */
function rgbPlanes([h, s, v]: Tensor[]): Tensor[] {
  const h6 = mul(h, 6);
  const i = floor(h6);
  const f = sub(h6, i);
  const p = clamp(mul(v, sub(1, s)), { min: 0, max: 1 });
  const q = clamp(mul(v, sub(1, mul(s, f))), { min: 0, max: 1 });
  const t = clamp(mul(v, sub(1, mul(s, sub(1, f)))), { min: 0, max: 1 });
  const sector = remainder(i, 6);
  const isSector = [0, 1, 2, 3, 4].map((k) => eq(sector, k));
  // The six sectors' (R, G, B), picked per pixel.
  const table: Tensor[][] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]];
  return [0, 1, 2].map((ch) => {
    let out = table[5][ch];
    for (let k = 4; k >= 0; k--) out = where(isSector[k], table[k][ch], out);
    return out;
  });
}

/** RGB in [0, 1] to HSV, all in [0, 1], like torchvision's `_rgb2hsv` (channels on dim −3). */
export function rgbToHsv(x: Tensor): Tensor {
  checkColorChannels(x, "rgbToHsv");
  return stack(hsvPlanes(planes(x)), x.ndim - 3);
}

/** HSV to RGB, like torchvision's `_hsv2rgb` (channels on dim −3). */
export function hsvToRgb(x: Tensor): Tensor {
  checkColorChannels(x, "hsvToRgb");
  return stack(rgbPlanes(planes(x)), x.ndim - 3);
}

/**
 * Shifts the hue by `factor` turns (−0.5 … 0.5) in HSV space, like `F.adjust_hue`; a one-channel image passes.
 * @example adjustHue(img, 0.1)
 */
export function adjustHue(x: Tensor, factor: number | readonly number[]): Tensor {
  const c = checkColorChannels(x, "adjustHue");
  const d = x.ndim - 3;
  const f = factorOf(x, factor, "adjustHue", "hue factor", (v) => v >= -0.5 && v <= 0.5, "-0.5 ≤ factor ≤ 0.5",
    [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]);
  if (c === 1) return x;
  const [h, s, v] = hsvPlanes(planes(x));
  return stack(rgbPlanes([remainder(add(h, f), 1), s, v]), d);
}
