/**
 * Image folders, like torchvision's `ImageFolder`: `root/<class>/<image>`, PNG, JPEG and the other
 * formats sharp reads, decoded and resized with sharp.
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { Dataset } from "../dataset.js";
import { tensorFromTyped } from "../idx.js";
import { captureSeed } from "../seeding.js";
import { LazyTransform, type TransformSource } from "../transform.js";
import { libraryUrl, type ModuleSpec, type WorkerBuildable } from "../worker/spec.js";
import { scanClassFolders, type LabelledFile } from "./folder.js";

const WHERE = "ImageFolder";

/** File extensions read by default (compared case-insensitively). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".gif", ".avif"];

/** Options of `ImageFolder` (and `readImage`). */
export interface ImageFolderOptions {
  /** Resize every image to `size` × `size`, or `[height, width]`. Default: keep each image's size. */
  size?: number | readonly [number, number];
  /** How the image fits `size` (sharp's `fit`): "fill" stretches (default, as `transforms.Resize((h, w))`), "cover" crops, "contain" pads. */
  fit?: "fill" | "cover" | "contain" | "inside" | "outside";
  /** Resampling kernel (sharp's `kernel`, default "lanczos3"). */
  kernel?: "nearest" | "linear" | "cubic" | "mitchell" | "lanczos2" | "lanczos3";
  /** One channel, from RGB by ITU-R 601-2 luma as PIL's `convert("L")`. Default false: three channels (alpha dropped). */
  grayscale?: boolean;
  /** Accepted file extensions; other files are listed in `skipped`. */
  extensions?: readonly string[];
  /**
   * Applied to each image tensor [C, H, W] (float32 in [0, 1]): a function, a `tl.data.transforms`
   * pipeline, or `{ module, export }` naming one. The last two also run in DataLoader workers.
   */
  transform?: TransformSource<Tensor, unknown>;
}

/** Decoded pixels: bytes in height × width × channels order. */
export interface ImageBytes {
  data: Uint8Array;
  shape: [number, number, number];
}

type Sharp = typeof import("sharp").default;
let sharpModule: Promise<Sharp> | null = null;

/** sharp, imported on first use (it loads a native library). */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import("sharp").then((m) => m.default).catch((err) => {
    sharpModule = null;
    throw tensileError(WHERE, `could not load sharp, which decodes images (npm install sharp): ${err instanceof Error ? err.message : String(err)}`);
  });
  return sharpModule;
}

function checkSize(size: ImageFolderOptions["size"]): [number, number] | null {
  if (size === undefined) return null;
  const [h, w] = typeof size === "number" ? [size, size] : size;
  check(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0, WHERE, () => `size must be a whole number > 0 or [height, width] of such, got ${JSON.stringify(size)}`);
  return [h, w];
}

/**
 * Reads and decodes one image file into bytes (RGB, or luma with `grayscale`), resized when asked.
 * Errors name the file.
 */
export async function readImage(path: string, options: Pick<ImageFolderOptions, "size" | "fit" | "kernel" | "grayscale"> = {}): Promise<ImageBytes> {
  const sharp = await loadSharp();
  const size = checkSize(options.size);
  let raw: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    let img = sharp(path).removeAlpha().toColourspace("srgb");
    if (size) img = img.resize(size[1], size[0], { fit: options.fit ?? "fill", kernel: options.kernel });
    raw = await img.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw tensileError(WHERE, `could not decode the image ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { width, height, channels } = raw.info;
  const rgb = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  if (channels !== 3) throw tensileError(WHERE, `${path} decoded to ${channels} channels; expected 3 after conversion to sRGB`);
  if (!options.grayscale) return { data: rgb, shape: [height, width, 3] };
  const gray = new Uint8Array(width * height);
  // PIL's integer form of L = 0.299 R + 0.587 G + 0.114 B, rounded.
  for (let p = 0, q = 0; p < gray.length; p++, q += 3) gray[p] = (rgb[q] * 19595 + rgb[q + 1] * 38470 + rgb[q + 2] * 7471 + 0x8000) >> 16;
  return { data: gray, shape: [height, width, 1] };
}

/** Bytes [H, W, C] to a float32 tensor [C, H, W] in [0, 1], as `transforms.ToTensor`. */
export function imageToTensor(image: ImageBytes): Tensor {
  const [h, w, c] = image.shape;
  const out = new Float32Array(h * w * c);
  const plane = h * w;
  for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[k * plane + p] = image.data[p * c + k] / 255;
  return tensorFromTyped(out, [c, h, w], "float32");
}

/**
 * Images in class sub-folders, like `torchvision.datasets.ImageFolder`: sample i is
 * `[image [C, H, W] float32 in [0, 1] (after the transform), class index]`. Classes are the sorted
 * sub-folder names; files of other extensions are listed in `skipped`. `get` is async (use
 * `for await`), and the dataset rebuilds itself in DataLoader workers.
 * @example
 * const ds = new tl.data.ImageFolder("data/train", { size: [64, 64] });
 * ds.classes; // ["cat", "dog"]
 * const loader = new tl.data.DataLoader(ds, { batchSize: 32, shuffle: true, numWorkers: 2 });
 */
export class ImageFolder extends Dataset<[Tensor, number]> implements WorkerBuildable {
  readonly root: string;
  /** Class names, sorted; class i is label i. */
  readonly classes: readonly string[];
  /** Each class name's label. */
  readonly classToIdx: Readonly<Record<string, number>>;
  /** Every image file with its label, in sample order. */
  readonly samples: readonly LabelledFile[];
  /** The label of each sample. */
  readonly targets: readonly number[];
  /** Files left out because of their extension. */
  readonly skipped: readonly string[];
  private readonly options: ImageFolderOptions;
  private readonly transform: LazyTransform<Tensor, unknown> | null;

  constructor(root: string, options: ImageFolderOptions = {}) {
    super();
    check(typeof root === "string" && root.length > 0, WHERE, "root must be a folder path");
    checkSize(options.size);
    const scan = scanClassFolders(root, options.extensions ?? IMAGE_EXTENSIONS, WHERE);
    this.root = root;
    this.classes = scan.classes;
    this.classToIdx = Object.fromEntries(scan.classes.map((c, i) => [c, i]));
    this.samples = scan.samples;
    this.targets = scan.samples.map((s) => s.label);
    this.skipped = scan.skipped;
    this.options = { ...options };
    this.transform = options.transform === undefined ? null : new LazyTransform(options.transform, WHERE);
  }

  get length(): number {
    return this.samples.length;
  }

  /** The decoded bytes of sample i, before `ToTensor` and the transform. */
  async readBytes(index: number): Promise<ImageBytes> {
    check(Number.isInteger(index) && index >= 0 && index < this.samples.length, WHERE, () => `index ${index} is out of range for ${this.samples.length} images`);
    return readImage(this.samples[index].path, this.options);
  }

  async get(index: number): Promise<[Tensor, number]> {
    // Drawn before the first await: the sample's seed decides its augmentation (see DataLoader seed).
    const seed = this.transform ? captureSeed() : 0;
    const image = imageToTensor(await this.readBytes(index));
    const label = this.samples[index].label;
    return [this.transform ? ((await this.transform.apply(image, seed)) as Tensor) : image, label];
  }

  /** How a worker rebuilds this dataset (the transform must be a transforms pipeline or a spec). */
  workerSpec(): ModuleSpec {
    const { transform: _t, ...rest } = this.options;
    return { module: libraryUrl(), export: "data.ImageFolder", args: [this.root, { ...rest, ...(this.transform ? { transform: this.transform.toWire() } : {}) }] };
  }
}
