/**
 * Rotations and affine warps, like `F.rotate` and `F.affine`: torchvision's inverse affine matrix in pixel
 * coordinates about the image centre, turned into a normalized theta per image, then one `affineGrid` +
 * `gridSample` for the whole batch. A fill colour uses torchvision's trick: a channel of ones is warped with
 * the image and says how much of each output pixel came from inside it.
 */
import { check } from "../../../core/errors.js";
import { Tensor } from "../../../engine/tensor.js";
import { add, lt, mul, sub, where } from "../../../ops/binary.js";
import { ones, tensor } from "../../../ops/creation.js";
import { cat } from "../../../ops/join.js";
import { narrow, squeeze, unsqueeze } from "../../../ops/movement.js";
import { affineGrid, gridSample } from "../../../ops/sample.js";
import { imageDims, perImage } from "../base.js";
import type { Interpolation } from "./resize.js";

/** Options shared by `rotate` and `affine`. */
export interface WarpOptions {
  /** Default "nearest", as in torchvision. */
  interpolation?: Interpolation;
  /**
   * Colour of pixels from outside the image: one value or one per channel. Omitted, outside reads as 0 and
   * bilinear edges blend towards 0 (torchvision's `fill=None`); given, edges blend towards the fill.
   */
  fill?: number | readonly number[];
  /** Centre of the rotation in pixel coordinates [x, y] (default the image centre). */
  center?: readonly number[];
}

/** The parameters of one affine warp: clockwise angle in degrees, translation in pixels, scale, shear in degrees. */
export interface AffineParams {
  angle: number;
  translate: readonly number[];
  scale: number;
  /** One number (x shear) or [x, y] shears in degrees. */
  shear: number | readonly number[];
}

/**
 * torchvision's `_get_inverse_affine_matrix`: the 2×3 matrix (row-major) mapping output pixel coordinates to
 * input ones, both relative to the image centre, for M = T · C · R·S·Shy·Shx · C⁻¹.
 */
export function inverseAffineMatrix(center: readonly number[], angle: number, translate: readonly number[], scale: number, shear: readonly number[]): number[] {
  const rot = (angle * Math.PI) / 180;
  const sx = (shear[0] * Math.PI) / 180;
  const sy = (shear[1] * Math.PI) / 180;
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

/** torchvision's `_compute_affine_output_size`: the bounding box of the warped image, for `expand`. */
function expandedSize(m: readonly number[], w: number, h: number): [number, number] {
  const pts = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const xs = pts.map(([x, y]) => Math.fround(m[0] * x + m[1] * y + m[2]));
  const ys = pts.map(([x, y]) => Math.fround(m[3] * x + m[4] * y + m[5]));
  // Truncate to 1e-4 so 1e-15 of rounding does not add a pixel.
  const tol = 1e-4;
  const size = (vals: number[], half: number): number =>
    Math.ceil(Math.trunc((Math.max(...vals) + half) / tol) * tol) - Math.floor(Math.trunc((Math.min(...vals) + half) / tol) * tol);
  return [size(ys, h * 0.5), size(xs, w * 0.5)];
}

/**
 * Warps every image of `x` by its inverse pixel matrix (one per image) to an `oh × ow` output: the core of
 * `rotate` and `affine`, exposed for custom warps.
 */
export function warpAffine(x: Tensor, matrices: readonly (readonly number[])[], options: WarpOptions & { outputSize?: readonly number[] } = {}): Tensor {
  const { batched, n, c, h, w } = imageDims(x, "warpAffine");
  check(matrices.length === n && matrices.every((m) => m.length === 6 && m.every(Number.isFinite)), "warpAffine",
    () => `needs one finite 6-number matrix per image (${n}), got ${JSON.stringify(matrices)}`);
  const mode = options.interpolation ?? "nearest";
  check(mode === "nearest" || mode === "bilinear", "warpAffine", () => `interpolation must be "nearest" or "bilinear", got ${JSON.stringify(mode)}`);
  const [oh, ow] = options.outputSize ?? [h, w];
  // torchvision samples output pixel centres (relative to the output centre) mapped by m, normalized by the
  // input size: theta = diag(2/w, 2/h) · m · diag(ow/2, oh/2, 1) in affineGrid's normalized coordinates.
  const theta = matrices.flatMap((m) => [
    (m[0] * ow) / w, (m[1] * oh) / w, (2 * m[2]) / w,
    (m[3] * ow) / h, (m[4] * oh) / h, (2 * m[5]) / h,
  ]);
  let img = batched ? x : unsqueeze(x, 0);
  const fill = options.fill;
  let fillValues: number[] = [];
  if (fill !== undefined) {
    fillValues = typeof fill === "number" ? [fill] : [...fill];
    check(fillValues.length === 1 || fillValues.length === c, "warpAffine", () => `fill must be one number or one per channel (${c}), got ${JSON.stringify(fill)}`);
    img = cat([img, ones([n, 1, h, w], { dtype: x.dtype })], 1);
  }
  const grid = affineGrid(tensor(theta, { shape: [n, 2, 3], dtype: x.dtype }), [n, c, oh, ow]);
  let out = gridSample(img, grid, { mode, paddingMode: "zeros", alignCorners: false });
  if (fill !== undefined) {
    const mask = narrow(out, 1, c, 1);
    out = narrow(out, 1, 0, c);
    const fillT = tensor(fillValues, { shape: [1, fillValues.length, 1, 1], dtype: x.dtype });
    out = mode === "nearest" ? where(lt(mask, 0.5), fillT, out) : add(mul(out, mask), mul(sub(1, mask), fillT));
  }
  return batched ? out : squeeze(out, 0);
}

/** Centre offsets relative to the image centre, as torchvision passes them to the matrix. */
function centerOffset(center: readonly number[] | undefined, h: number, w: number, where: string): [number, number] {
  if (center === undefined) return [0, 0];
  check(Array.isArray(center) && center.length === 2 && center.every(Number.isFinite), where, () => `center must be [x, y], got ${JSON.stringify(center)}`);
  return [center[0] - w * 0.5, center[1] - h * 0.5];
}

/**
 * Rotates counter-clockwise by `angle` degrees (one per image for a batch), like `F.rotate`. With `expand` the
 * output grows to hold the whole rotated image (one angle for the batch, so the sizes agree).
 * @example rotate(img, 30, { interpolation: "bilinear", fill: 0 })
 */
export function rotate(x: Tensor, angle: number | readonly number[], options: WarpOptions & { expand?: boolean } = {}): Tensor {
  const { n, h, w } = imageDims(x, "rotate");
  const angles = perImage(angle, n, "rotate", "angle");
  const center = centerOffset(options.center, h, w, "rotate");
  const matrices = angles.map((a) => inverseAffineMatrix(center, -a, [0, 0], 1, [0, 0]));
  let outputSize: [number, number] | undefined;
  if (options.expand) {
    const sizes = matrices.map((m) => expandedSize(m, w, h));
    check(sizes.every(([a, b]) => a === sizes[0][0] && b === sizes[0][1]), "rotate",
      () => `expand gives the images of this batch different sizes (${sizes.map((s) => s.join("×")).join(", ")}); rotate them one at a time`);
    outputSize = sizes[0];
  }
  return warpAffine(x, matrices, { ...options, outputSize });
}

/** The two shears [x, y] from one number (x only) or a pair. */
export function shearPair(shear: number | readonly number[], where: string): [number, number] {
  const s = typeof shear === "number" ? [shear, 0] : shear.length === 1 ? [shear[0], shear[0]] : shear;
  check(Array.isArray(s) && s.length === 2 && s.every(Number.isFinite), where, () => `shear must be a number or [x, y] degrees, got ${JSON.stringify(shear)}`);
  return [s[0], s[1]];
}

/**
 * Affine warp keeping the centre fixed, like `F.affine`: rotate clockwise by `angle`, translate by `translate`
 * pixels, scale, and shear (degrees). For a batch, pass one params object per image.
 * @example affine(img, { angle: 15, translate: [2, -1], scale: 0.9, shear: [5, 0] }, { interpolation: "bilinear" })
 */
export function affine(x: Tensor, params: AffineParams | readonly AffineParams[], options: WarpOptions = {}): Tensor {
  const { n, h, w } = imageDims(x, "affine");
  const list = Array.isArray(params) ? params : new Array<AffineParams>(n).fill(params as AffineParams);
  check(list.length === n, "affine", () => `needs one params object, or one per image (${n}), got ${list.length}`);
  const center = centerOffset(options.center, h, w, "affine");
  const matrices = list.map((p: AffineParams) => {
    check(p !== null && typeof p === "object" && Number.isFinite(p.angle) && Number.isFinite(p.scale) && p.scale > 0 &&
      Array.isArray(p.translate) && p.translate.length === 2 && p.translate.every(Number.isFinite), "affine",
    () => `params need a finite angle, translate [dx, dy], scale > 0 and shear, got ${JSON.stringify(p)}`);
    return inverseAffineMatrix(center, p.angle, p.translate, p.scale, shearPair(p.shear, "affine"));
  });
  return warpAffine(x, matrices, options);
}
