/**
 * The augmentation pipeline of bench/data-loader.ts, in its own module so DataLoader workers can import
 * it by spec: random crop with padding, horizontal flip, rotation (bilinear, ±15°), color jitter
 * (brightness, contrast, saturation) and Gaussian noise on a [C, H, W] float image. Loops over typed
 * arrays, like the per-sample work of torchvision's PIL transforms; randomness from the global
 * generator, so the DataLoader's per-sample seeds decide it.
 */
import * as tl from "../src/index.js";

/** Augments one image [C, H, W] in [0, 1]. */
export function augment(x: tl.Tensor): tl.Tensor {
  const [c, h, w] = x.shape;
  const src = x.dataSync() as Float32Array;
  const rng = new tl.Random();
  const pad = 4;
  const dx = rng.int(-pad, pad + 1);
  const dy = rng.int(-pad, pad + 1);
  const flip = rng.next() < 0.5;
  const angle = ((rng.next() * 30 - 15) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const brightness = 0.8 + 0.4 * rng.next();
  const contrast = 0.8 + 0.4 * rng.next();
  const saturation = 0.8 + 0.4 * rng.next();
  const out = new Float32Array(c * h * w);
  const plane = h * w;
  const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
  // Geometry: output pixel → source position (inverse rotation, shift, flip), bilinear, zero outside.
  for (let y = 0; y < h; y++) {
    for (let xo = 0; xo < w; xo++) {
      const xr = (flip ? w - 1 - xo : xo) - cx;
      const yr = y - cy;
      const sx = cos * xr + sin * yr + cx + dx;
      const sy = -sin * xr + cos * yr + cy + dy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const in00 = x0 >= 0 && x0 < w && y0 >= 0 && y0 < h;
      const in10 = x0 + 1 >= 0 && x0 + 1 < w && y0 >= 0 && y0 < h;
      const in01 = x0 >= 0 && x0 < w && y0 + 1 >= 0 && y0 + 1 < h;
      const in11 = x0 + 1 >= 0 && x0 + 1 < w && y0 + 1 >= 0 && y0 + 1 < h;
      for (let k = 0; k < c; k++) {
        const at = k * plane + y0 * w + x0;
        const v00 = in00 ? src[at] : 0;
        const v10 = in10 ? src[at + 1] : 0;
        const v01 = in01 ? src[at + w] : 0;
        const v11 = in11 ? src[at + w + 1] : 0;
        out[k * plane + y * w + xo] = (1 - fy) * ((1 - fx) * v00 + fx * v10) + fy * ((1 - fx) * v01 + fx * v11);
      }
    }
  }
  // Color: brightness, contrast around the mean luma, saturation toward the per-pixel gray; then noise.
  let mean = 0;
  for (let p = 0; p < plane; p++) mean += 0.299 * out[p] + 0.587 * out[plane + p] + 0.114 * out[2 * plane + p];
  mean = (mean / plane) * brightness;
  for (let p = 0; p < plane; p++) {
    const r = out[p] * brightness;
    const g = out[plane + p] * brightness;
    const b = out[2 * plane + p] * brightness;
    const gray = 0.299 * r + 0.587 * g + 0.114 * b;
    out[p] = clamp01(((gray + (r - gray) * saturation) - mean) * contrast + mean + 0.02 * rng.normal());
    out[plane + p] = clamp01(((gray + (g - gray) * saturation) - mean) * contrast + mean + 0.02 * rng.normal());
    out[2 * plane + p] = clamp01(((gray + (b - gray) * saturation) - mean) * contrast + mean + 0.02 * rng.normal());
  }
  return tl.tensor(out, { shape: [c, h, w] });
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * The heavy augmentation of `--source memory`, from the library's transforms: affine warp (rotation,
 * translation, scale, shear; bilinear), horizontal flip, brightness/contrast jitter, Gaussian noise,
 * Normalize, then random erasing, as a Fashion-MNIST/CIFAR training recipe would stack them.
 */
export function heavyAugment(mean: number, std: number): tl.data.transforms.Compose {
  const T = tl.data.transforms;
  return new T.Compose([
    new T.RandomAffine({ degrees: 15, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 10, interpolation: "bilinear" }),
    new T.RandomHorizontalFlip(),
    new T.ColorJitter({ brightness: 0.3, contrast: 0.3 }),
    new T.GaussianNoise({ std: 0.03 }),
    new T.Normalize([mean], [std]),
    new T.RandomErasing({ p: 0.5 }),
  ]);
}

/**
 * In-memory Fashion-MNIST training images (the first `limit`; [N, 1, 28, 28] in [0, 1]) with
 * `heavyAugment`: sample i is [augmented image, label]. `get` augments one image; `getItems` (which
 * the DataLoader prefers) augments the whole batch at once, the transforms drawing per image; with
 * `perSample` it is left out, to measure the per-sample path. A worker rebuilds the dataset from
 * `workerSpec()`: the pixels travel as bytes (0.8 KB an image), so workers do not read the package.
 */
export class AugmentedFashionMnist extends tl.data.Dataset<[tl.Tensor, number]> {
  private readonly images: tl.Tensor;
  private readonly labels: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly transform: tl.data.transforms.Compose;

  constructor(limit: number, options: { perSample?: boolean; bytes?: Uint8Array; labels?: Int32Array } = {}) {
    super();
    if (options.bytes && options.labels) {
      this.bytes = options.bytes;
      this.labels = options.labels;
    } else {
      const { images, labels } = tl.datasets.fashionMnist({ limit });
      this.bytes = Uint8Array.from(images.dataSync() as Float32Array, (v) => Math.round(v * 255));
      this.labels = labels.dataSync() as Int32Array;
      tl.dispose([images, labels]);
    }
    const n = this.labels.length;
    this.images = tl.tensor(Float32Array.from(this.bytes, (v) => v / 255), { shape: [n, 1, 28, 28] }).keep();
    this.transform = heavyAugment(tl.datasets.FASHION_MNIST_MEAN, tl.datasets.FASHION_MNIST_STD);
    if (options.perSample) this.getItems = undefined;
  }

  get length(): number {
    return this.labels.length;
  }

  get(index: number): [tl.Tensor, number] {
    return [tl.tidy(() => this.transform.forward(this.images.select(0, index))), this.labels[index]];
  }

  getItems?: (indices: number[]) => [tl.Tensor, number][] = (indices) => {
    const images = tl.tidy(() => {
      const batch = this.transform.forward(this.images.indexSelect(0, tl.tensor(Int32Array.from(indices))));
      return indices.map((_, k) => batch.select(0, k));
    });
    return indices.map((i, k) => [images[k], this.labels[i]]);
  };

  workerSpec(): tl.data.ModuleSpec {
    return { module: import.meta.url, export: "AugmentedFashionMnist", args: [this.labels.length, { perSample: this.getItems === undefined, bytes: this.bytes, labels: this.labels }] };
  }
}
