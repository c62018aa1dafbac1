/**
 * Resizing, like `F.resize` and `F.resized_crop`. Without antialiasing the uniform case is `interpolate`
 * (PyTorch's index rules); antialiased downsampling, and a batch whose images each resize their own crop
 * window, use separable weight matrices: out = Rows · image · Colsᵀ, two batched matmuls, built with
 * PyTorch's formulas for each axis (nearest, bilinear, and the antialiased triangle filter).
 */
import { check } from "../../../core/errors.js";
import { Tensor } from "../../../engine/tensor.js";
import { tensor } from "../../../ops/creation.js";
import { matmul } from "../../../ops/matmul.js";
import { squeeze, transpose, unsqueeze } from "../../../ops/movement.js";
import { interpolate } from "../../../ops/resample.js";
import { imageDims } from "../base.js";
import { crop, sizePair } from "./basic.js";

/** Interpolation of resizing and warping. */
export type Interpolation = "nearest" | "bilinear";

/** Options of `resize` and `resizedCrop`. */
export interface ResizeOptions {
  /** Default "bilinear". */
  interpolation?: Interpolation;
  /**
   * Bilinear only: low-pass filter when shrinking (PyTorch's `antialias=True`, close to PIL). Default true, as in
   * torchvision ≥ 0.17 (0.14 defaulted to false for tensors). Upsampling is the same either way.
   */
  antialias?: boolean;
  /** With a single `size` (the shorter side): cap the longer side at this, shrinking both. */
  maxSize?: number;
}

/** torchvision's output size rule: a number (or [n]) sets the shorter side keeping the aspect ratio; [h, w] is exact. */
export function resizedSize(h: number, w: number, size: number | readonly number[], maxSize?: number): [number, number] {
  const single = typeof size === "number" || (Array.isArray(size) && size.length === 1);
  if (!single) {
    check(maxSize === undefined, "resize", "maxSize only applies when size is a single number (the shorter side)");
    return sizePair(size, "resize");
  }
  const requested = typeof size === "number" ? size : size[0];
  check(Number.isInteger(requested) && requested > 0, "resize", () => `size must be a positive whole number or [height, width], got ${JSON.stringify(size)}`);
  const [short, long] = w <= h ? [w, h] : [h, w];
  let newShort = requested;
  let newLong = Math.trunc((requested * long) / short);
  if (maxSize !== undefined) {
    check(Number.isInteger(maxSize) && maxSize > requested, "resize",
      () => `maxSize (${maxSize}) must be a whole number greater than the requested shorter side ${requested}`);
    if (newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  }
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}

/**
 * Weights [outSize × axisSize] that resample the span [start, start + length) of an axis to `outSize` samples,
 * with PyTorch's rules (align_corners = false).
 */
export function axisWeights(axisSize: number, start: number, length: number, outSize: number, mode: Interpolation, antialias: boolean): Float64Array {
  const m = new Float64Array(outSize * axisSize);
  const put = (i: number, j: number, v: number): void => {
    m[i * axisSize + start + j] += v;
  };
  if (mode === "nearest") {
    // PyTorch's nearest_idx, in float32 like its kernel.
    const scale = Math.fround(length / outSize);
    for (let i = 0; i < outSize; i++) {
      const src = outSize === length ? i : outSize === 2 * length ? i >> 1 : Math.min(Math.floor(Math.fround(i * scale)), length - 1);
      put(i, src, 1);
    }
    return m;
  }
  const scale = length / outSize;
  if (!antialias || scale <= 1) {
    for (let i = 0; i < outSize; i++) {
      const src = Math.max(0, scale * (i + 0.5) - 0.5);
      const i0 = Math.floor(src);
      const i1 = i0 < length - 1 ? i0 + 1 : i0;
      const l1 = src - i0;
      put(i, i0, 1 - l1);
      put(i, i1, l1);
    }
    return m;
  }
  // Antialiased: a triangle filter stretched by the scale, normalized per output (PyTorch's _compute_weights_aa).
  const support = scale;
  const invScale = 1 / scale;
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), length);
    const ws: number[] = [];
    for (let j = lo; j < hi; j++) ws.push(Math.max(0, 1 - Math.abs((j - center + 0.5) * invScale)));
    const total = ws.reduce((a, b) => a + b, 0);
    ws.forEach((v, k) => put(i, lo + k, total !== 0 ? v / total : v));
  }
  return m;
}

/** A crop window: top-left pixel and size. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Resamples each image of `x4` [N, C, H, W] (or all, with one box) through its row and column weights. */
function resampleBoxes(x4: Tensor, boxes: readonly CropBox[], oh: number, ow: number, mode: Interpolation, antialias: boolean): Tensor {
  const [, , h, w] = x4.shape;
  const rows = new Float64Array(boxes.length * oh * h);
  const cols = new Float64Array(boxes.length * ow * w);
  boxes.forEach((b, k) => {
    rows.set(axisWeights(h, b.top, b.height, oh, mode, antialias), k * oh * h);
    cols.set(axisWeights(w, b.left, b.width, ow, mode, antialias), k * ow * w);
  });
  const r = tensor(rows, { shape: [boxes.length, 1, oh, h], dtype: x4.dtype });
  const c = tensor(cols, { shape: [boxes.length, 1, ow, w], dtype: x4.dtype });
  return matmul(matmul(r, x4), transpose(c, -1, -2));
}

function modeOf(options: ResizeOptions, where: string): { mode: Interpolation; antialias: boolean } {
  const mode = options.interpolation ?? "bilinear";
  check(mode === "bilinear" || mode === "nearest", where, () => `interpolation must be "bilinear" or "nearest", got ${JSON.stringify(mode)}`);
  check(!(mode === "nearest" && options.antialias === true), where, "antialias only applies to bilinear interpolation");
  return { mode, antialias: mode === "bilinear" && (options.antialias ?? true) };
}

/**
 * Resizes an image or batch, like `F.resize`: `size` a number sets the shorter side (keeping the aspect ratio),
 * [h, w] sets both. Bilinear (default, antialiased when shrinking) or nearest.
 * @example resize(img, 32) // a 3×64×48 image becomes 3×42×32
 */
export function resize(x: Tensor, size: number | readonly number[], options: ResizeOptions = {}): Tensor {
  const { batched, h, w } = imageDims(x, "resize");
  const { mode, antialias } = modeOf(options, "resize");
  const [oh, ow] = resizedSize(h, w, size, options.maxSize);
  if (oh === h && ow === w) return x;
  const x4 = batched ? x : unsqueeze(x, 0);
  const y = antialias && (oh < h || ow < w)
    ? resampleBoxes(x4, [{ top: 0, left: 0, height: h, width: w }], oh, ow, mode, antialias)
    : interpolate(x4, { size: [oh, ow], mode });
  return batched ? y : squeeze(y, 0);
}

/** Crops the window (top, left, height, width) and resizes it to `size`, like `F.resized_crop`. */
export function resizedCrop(x: Tensor, top: number, left: number, height: number, width: number, size: number | readonly number[],
  options: Omit<ResizeOptions, "maxSize"> = {}): Tensor {
  return resize(crop(x, top, left, height, width), sizePair(size, "resizedCrop"), options);
}

/**
 * One crop window per image of a batch [N, C, H, W], each resized to the same `size`: `resizedCrop` for every
 * image, in two batched matmuls. Windows must lie inside the image.
 */
export function resizedCropBatch(x: Tensor, boxes: readonly CropBox[], size: number | readonly number[], options: Omit<ResizeOptions, "maxSize"> = {}): Tensor {
  const { batched, n, h, w } = imageDims(x, "resizedCropBatch");
  check(batched, "resizedCropBatch", "expects a batch [N, C, H, W]; use resizedCrop for one image");
  check(Array.isArray(boxes) && boxes.length === n, "resizedCropBatch", () => `needs one box per image (${n}), got ${Array.isArray(boxes) ? boxes.length : typeof boxes}`);
  boxes.forEach((b, k) => check([b.top, b.left, b.height, b.width].every(Number.isInteger) && b.top >= 0 && b.left >= 0 && b.height > 0 && b.width > 0 &&
    b.top + b.height <= h && b.left + b.width <= w, "resizedCropBatch",
  () => `box ${k} ${JSON.stringify(b)} must be whole numbers lying inside the ${h}×${w} image`));
  const [oh, ow] = sizePair(size, "resizedCropBatch");
  const { mode, antialias } = modeOf(options, "resizedCropBatch");
  return resampleBoxes(x, boxes, oh, ow, mode, antialias);
}
