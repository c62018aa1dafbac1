/**
 * Deterministic preprocessing transforms, like torchvision's: ToTensor, Normalize, Resize, CenterCrop,
 * Grayscale and Pad. Each is a thin class over its functional form with a plain spec for workers.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { registerTransform, type JsonValue, type Transform, type TransformSpec } from "./base.js";
import { centerCrop, normalize, pad, paddingLtrb, sizePair, toTensor, type ImageBytes, type PadOptions } from "./functional/basic.js";
import { rgbToGrayscale } from "./functional/color.js";
import { resize, resizedSize, type ResizeOptions } from "./functional/resize.js";

/**
 * Decoded bytes `{ data, shape: [H, W, C] }` (or sharp's `{ data, info }`) to a float32 `[C, H, W]` tensor in
 * [0, 1], like `transforms.ToTensor`.
 * @example new tl.data.transforms.ToTensor().forward({ data: bytes, shape: [32, 32, 3] }) // [3, 32, 32]
 */
export class ToTensor implements Transform<ImageBytes, Tensor> {
  forward(image: ImageBytes): Tensor {
    return toTensor(image);
  }

  toSpec(): TransformSpec {
    return { name: "ToTensor", args: [] };
  }
}

/**
 * (x − mean) / std per channel, like `transforms.Normalize`.
 * @example new tl.data.transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
 */
export class Normalize implements Transform {
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(mean: readonly number[] | number, std: readonly number[] | number) {
    this.mean = typeof mean === "number" ? [mean] : [...mean];
    this.std = typeof std === "number" ? [std] : [...std];
    const [m, sd] = [this.mean.length, this.std.length];
    check(m > 0 && sd > 0 && (m === sd || m === 1 || sd === 1), "Normalize",
      () => `mean and std need matching lengths (or one value), got ${this.mean.length} and ${this.std.length}`);
    check(this.std.every((s) => typeof s === "number" && s !== 0), "Normalize", () => `std must hold non-zero numbers, got ${JSON.stringify(std)}`);
  }

  forward(x: Tensor): Tensor {
    return normalize(x, this.mean, this.std);
  }

  toSpec(): TransformSpec {
    return { name: "Normalize", args: [[...this.mean], [...this.std]] };
  }
}

/**
 * Resizes to `size`, like `transforms.Resize`: a number sets the shorter side (keeping the aspect ratio),
 * [h, w] both. Bilinear by default, antialiased when shrinking (torchvision ≥ 0.17's default).
 * @example new tl.data.transforms.Resize(256)
 */
export class Resize implements Transform {
  readonly size: number | readonly number[];
  readonly options: ResizeOptions;

  constructor(size: number | readonly number[], options: ResizeOptions = {}) {
    resizedSize(64, 64, size, options.maxSize); // validates size and maxSize
    this.size = typeof size === "number" ? size : [...size];
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    return resize(x, this.size, this.options);
  }

  toSpec(): TransformSpec {
    return { name: "Resize", args: [this.size as JsonValue, { ...this.options }] };
  }
}

/**
 * The central `size` window (zero-padded if the image is smaller), like `transforms.CenterCrop`.
 * @example new tl.data.transforms.CenterCrop(224)
 */
export class CenterCrop implements Transform {
  readonly size: [number, number];

  constructor(size: number | readonly number[]) {
    this.size = sizePair(size, "CenterCrop");
  }

  forward(x: Tensor): Tensor {
    return centerCrop(x, this.size);
  }

  toSpec(): TransformSpec {
    return { name: "CenterCrop", args: [[...this.size]] };
  }
}

/**
 * Converts RGB to luma (0.2989 R + 0.587 G + 0.114 B), like `transforms.Grayscale`.
 * @example new tl.data.transforms.Grayscale({ numOutputChannels: 3 })
 */
export class Grayscale implements Transform {
  readonly numOutputChannels: 1 | 3;

  constructor(options: { numOutputChannels?: 1 | 3 } = {}) {
    this.numOutputChannels = options.numOutputChannels ?? 1;
    check(this.numOutputChannels === 1 || this.numOutputChannels === 3, "Grayscale",
      () => `numOutputChannels must be 1 or 3, got ${String(options.numOutputChannels)}`);
  }

  forward(x: Tensor): Tensor {
    return rgbToGrayscale(x, this.numOutputChannels);
  }

  toSpec(): TransformSpec {
    return { name: "Grayscale", args: [{ numOutputChannels: this.numOutputChannels }] };
  }
}

/**
 * Pads the borders, like `transforms.Pad`: n, [left/right, top/bottom] or [left, top, right, bottom], with
 * constant (fill), edge, reflect or symmetric padding.
 * @example new tl.data.transforms.Pad(4, { paddingMode: "reflect" })
 */
export class Pad implements Transform {
  readonly padding: [number, number, number, number];
  readonly options: PadOptions;

  constructor(padding: number | readonly number[], options: PadOptions = {}) {
    this.padding = paddingLtrb(padding, "Pad");
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    return pad(x, this.padding, this.options);
  }

  toSpec(): TransformSpec {
    return { name: "Pad", args: [[...this.padding], { ...this.options }] };
  }
}

registerTransform("ToTensor", () => new ToTensor());
registerTransform("Normalize", (a) => new Normalize(a[0] as number[], a[1] as number[]));
registerTransform("Resize", (a) => new Resize(a[0] as number | number[], a[1] as ResizeOptions));
registerTransform("CenterCrop", (a) => new CenterCrop(a[0] as number[]));
registerTransform("Grayscale", (a) => new Grayscale(a[0] as { numOutputChannels?: 1 | 3 }));
registerTransform("Pad", (a) => new Pad(a[0] as number[], a[1] as PadOptions));
