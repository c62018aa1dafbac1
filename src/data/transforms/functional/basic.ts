/**
 * Pixel-exact image functions, like torchvision.transforms.functional: bytes to tensor, normalize, flips,
 * crops, padding and erasing. Each takes an image `[C, H, W]` or a batch `[N, C, H, W]`.
 */
import { check, fmtShape } from "../../../core/errors.js";
import { Tensor } from "../../../engine/tensor.js";
import { div, sub, where } from "../../../ops/binary.js";
import { cast } from "../../../ops/cast.js";
import { tensor, zeros } from "../../../ops/creation.js";
import { indexSelect } from "../../../ops/indexing.js";
import { flip, pad as padOp } from "../../../ops/join.js";
import { expand, narrow } from "../../../ops/movement.js";
import { imageDims, roundHalfEven } from "../base.js";

/**
 * Raw interleaved pixels: `shape` is [H, W, C], [H, W] or a batch [N, H, W, C]; or sharp's
 * `{ data, info: { width, height, channels } }` from `.raw().toBuffer({ resolveWithObject: true })`.
 */
export type ImageBytes =
  | { data: Uint8Array | Uint8ClampedArray; shape: readonly number[] }
  | { data: Uint8Array | Uint8ClampedArray; info: { width: number; height: number; channels: number } };

/**
 * HWC bytes to a CHW float32 tensor in [0, 1] (value / 255), like `F.to_tensor`; a batch [N, H, W, C] gives [N, C, H, W].
 * @example tl.data.transforms.functional.toTensor({ data: rgbBytes, shape: [28, 28, 3] }) // [3, 28, 28]
 */
export function toTensor(image: ImageBytes): Tensor {
  check(image !== null && typeof image === "object" && (image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray), "toTensor",
    "expects { data: Uint8Array, shape: [H, W, C] } (or sharp's { data, info }); decoded bytes, not a tensor");
  const shape = "shape" in image ? [...image.shape] : [image.info.height, image.info.width, image.info.channels];
  check(shape.length >= 2 && shape.length <= 4 && shape.every((d) => Number.isInteger(d) && d > 0), "toTensor",
    () => `shape must be [H, W], [H, W, C] or [N, H, W, C] with positive sizes, got ${JSON.stringify(shape)}`);
  const [n, h, w, c] = shape.length === 4 ? shape : shape.length === 3 ? [1, ...shape] : [1, ...shape, 1];
  check(n * h * w * c === image.data.length, "toTensor",
    () => `shape ${fmtShape(shape)} holds ${n * h * w * c} bytes but data has ${image.data.length}`);
  const out = new Float32Array(image.data.length);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * plane * c;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) out[base + k * plane + p] = image.data[base + p * c + k] / 255;
    }
  }
  return tensor(out, { shape: shape.length === 4 ? [n, c, h, w] : [c, h, w] });
}

/** A per-channel list as a tensor [C, 1, 1] for broadcasting (one value broadcasts to every channel). */
function channelValues(values: readonly number[], c: number, x: Tensor, where: string, name: string): Tensor {
  check(Array.isArray(values) && (values.length === 1 || values.length === c) && values.every((v) => typeof v === "number" && Number.isFinite(v)), where,
    () => `${name} must hold 1 or ${c} (one per channel) finite numbers, got ${JSON.stringify(values)}`);
  return tensor([...values], { shape: [values.length, 1, 1], dtype: x.dtype });
}

/**
 * (x − mean) / std per channel, like `F.normalize`.
 * @example normalize(img, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
 */
export function normalize(x: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  const { c } = imageDims(x, "normalize");
  check(Array.isArray(std) && std.every((s) => s !== 0), "normalize", () => `std must not contain zeros (division by zero), got ${JSON.stringify(std)}`);
  return div(sub(x, channelValues(mean, c, x, "normalize", "mean")), channelValues(std, c, x, "normalize", "std"));
}

/** Mirrors left to right, like `F.hflip`. */
export function hflip(x: Tensor): Tensor {
  imageDims(x, "hflip", { anyDType: true });
  return flip(x, -1);
}

/** Mirrors top to bottom, like `F.vflip`. */
export function vflip(x: Tensor): Tensor {
  imageDims(x, "vflip", { anyDType: true });
  return flip(x, -2);
}

function checkWhole(where: string, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) check(Number.isInteger(v), where, () => `${name} must be a whole number, got ${v}`);
}

/**
 * The `height × width` window whose top-left pixel is (top, left), like `F.crop`: parts outside the image are
 * zeros. Inside the image it is a view (no copy).
 */
export function crop(x: Tensor, top: number, left: number, height: number, width: number): Tensor {
  const { h, w } = imageDims(x, "crop", { anyDType: true });
  checkWhole("crop", { top, left, height, width });
  check(height > 0 && width > 0, "crop", () => `height and width must be positive, got ${height} and ${width}`);
  const bottom = top + height;
  const right = left + width;
  if (bottom <= 0 || right <= 0 || top >= h || left >= w) return zeros([...x.shape.slice(0, -2), height, width], { dtype: x.dtype });
  const [y0, x0, y1, x1] = [Math.max(top, 0), Math.max(left, 0), Math.min(bottom, h), Math.min(right, w)];
  const inside = narrow(narrow(x, -2, y0, y1 - y0), -1, x0, x1 - x0);
  if (top === y0 && left === x0 && bottom === y1 && right === x1) return inside;
  return padOp(inside, [x0 - left, right - x1, y0 - top, bottom - y1]);
}

/** A size given as one number (square) or [height, width]. */
export function sizePair(size: number | readonly number[], where: string, name = "size"): [number, number] {
  const pair = typeof size === "number" ? [size, size] : Array.isArray(size) && size.length === 1 ? [size[0], size[0]] : size;
  check(Array.isArray(pair) && pair.length === 2 && pair.every((d) => Number.isInteger(d) && d > 0), where,
    () => `${name} must be a positive whole number or [height, width], got ${JSON.stringify(size)}`);
  return [pair[0], pair[1]];
}

/**
 * The central `size` window, like `F.center_crop`: offsets round half to even as Python does; an image smaller
 * than the window is padded with zeros first.
 */
export function centerCrop(x: Tensor, size: number | readonly number[]): Tensor {
  const { h, w } = imageDims(x, "centerCrop", { anyDType: true });
  const [ch, cw] = sizePair(size, "centerCrop");
  let img = x;
  let [ih, iw] = [h, w];
  if (ch > h || cw > w) {
    const l = cw > w ? Math.floor((cw - w) / 2) : 0;
    const t = ch > h ? Math.floor((ch - h) / 2) : 0;
    const r = cw > w ? Math.floor((cw - w + 1) / 2) : 0;
    const b = ch > h ? Math.floor((ch - h + 1) / 2) : 0;
    img = padOp(x, [l, r, t, b]);
    [ih, iw] = [img.shape[img.ndim - 2], img.shape[img.ndim - 1]];
    if (ih === ch && iw === cw) return img;
  }
  return crop(img, roundHalfEven((ih - ch) / 2), roundHalfEven((iw - cw) / 2), ch, cw);
}

/** Padding modes of `pad`, with torchvision's names: "edge" repeats the border, "symmetric" mirrors it including the edge. */
export type PaddingMode = "constant" | "edge" | "reflect" | "symmetric";

/** Options of `pad`. */
export interface PadOptions {
  /** Fill value of "constant" padding (default 0). */
  fill?: number;
  /** Default "constant". */
  paddingMode?: PaddingMode;
}

/** torchvision's padding forms: n (all sides), [left/right, top/bottom] or [left, top, right, bottom] → [l, t, r, b]. */
export function paddingLtrb(padding: number | readonly number[], where: string): [number, number, number, number] {
  const p = typeof padding === "number" ? [padding] : padding;
  check(Array.isArray(p) && [1, 2, 4].includes(p.length) && p.every((v) => Number.isInteger(v)), where,
    () => `padding must be a whole number or 1, 2 or 4 of them ([left, top, right, bottom]), got ${JSON.stringify(padding)}`);
  if (p.length === 1) return [p[0], p[0], p[0], p[0]];
  if (p.length === 2) return [p[0], p[1], p[0], p[1]];
  return [p[0], p[1], p[2], p[3]];
}

/** Mirrored indices for symmetric padding: before + n + after positions into 0..n-1 (edges repeated). */
function symmetricIndices(n: number, before: number, after: number): number[] {
  const idx: number[] = [];
  for (let i = -before; i < n + after; i++) {
    let k = i;
    // Reflect about the edges (−0.5 and n − 0.5) until inside: period 2n.
    k = ((k % (2 * n)) + 2 * n) % (2 * n);
    idx.push(k < n ? k : 2 * n - 1 - k);
  }
  return idx;
}

/**
 * Pads the borders, like `F.pad`: `padding` is n, [left/right, top/bottom] or [left, top, right, bottom];
 * negative padding crops. Modes: constant (with `fill`), edge, reflect (no edge repeat), symmetric (edge repeated).
 * @example pad(img, [4, 4], { paddingMode: "reflect" })
 */
export function pad(x: Tensor, padding: number | readonly number[], options: PadOptions = {}): Tensor {
  const { h, w } = imageDims(x, "pad", { anyDType: true });
  const [l, t, r, b] = paddingLtrb(padding, "pad");
  const mode = options.paddingMode ?? "constant";
  check(["constant", "edge", "reflect", "symmetric"].includes(mode), "pad",
    () => `paddingMode must be "constant", "edge", "reflect" or "symmetric", got ${JSON.stringify(mode)}`);
  check(mode === "constant" || options.fill === undefined || options.fill === 0, "pad", () => `fill is only used by paddingMode "constant", not "${mode}"`);
  if (mode === "constant") return padOp(x, [l, r, t, b], { value: options.fill ?? 0 });
  if (mode === "symmetric") {
    // Crop first for negative sides, then index rows and columns through the mirror.
    const cropped = crop(x, Math.max(-t, 0), Math.max(-l, 0), h - Math.max(-t, 0) - Math.max(-b, 0), w - Math.max(-l, 0) - Math.max(-r, 0));
    const [ch, cw] = cropped.shape.slice(-2);
    const rows = tensor(symmetricIndices(ch, Math.max(t, 0), Math.max(b, 0)), { dtype: "int32" });
    const cols = tensor(symmetricIndices(cw, Math.max(l, 0), Math.max(r, 0)), { dtype: "int32" });
    return indexSelect(indexSelect(cropped, x.ndim - 2, rows), x.ndim - 1, cols);
  }
  check(l >= 0 && t >= 0 && r >= 0 && b >= 0, "pad", () => `${mode} padding must not be negative, got ${JSON.stringify(padding)}`);
  return padOp(x, [l, r, t, b], { mode: mode === "edge" ? "replicate" : "reflect" });
}

/**
 * Replaces the `h × w` region at (i, j) by `value` (a number, one per channel, or a tensor broadcastable to
 * [C, h, w]), like `F.erase`. Returns a new tensor.
 */
export function erase(x: Tensor, i: number, j: number, h: number, w: number, value: number | readonly number[] | Tensor): Tensor {
  const dims = imageDims(x, "erase");
  checkWhole("erase", { i, j, h, w });
  check(i >= 0 && j >= 0 && h >= 0 && w >= 0 && i + h <= dims.h && j + w <= dims.w, "erase",
    () => `region (${i}, ${j}) of size ${h}×${w} must lie inside the ${dims.h}×${dims.w} image`);
  if (h === 0 || w === 0) return x;
  const mask = new Uint8Array(dims.h * dims.w);
  for (let y = i; y < i + h; y++) mask.fill(1, y * dims.w + j, y * dims.w + j + w);
  const inside = tensor(mask, { shape: [dims.h, dims.w], dtype: "bool" });
  let v: Tensor;
  if (value instanceof Tensor) {
    // Broadcast to the region (per image for a batch), then place it in a full-size plane: outside the
    // mask those values are never read.
    v = padOp(expand(cast(value, x.dtype), [...x.shape.slice(0, -2), h, w]), [j, dims.w - j - w, i, dims.h - i - h]);
  } else {
    v = typeof value === "number" ? tensor([value], { dtype: x.dtype }) : channelValues(value, dims.c, x, "erase", "value");
  }
  return where(inside, v, x);
}
