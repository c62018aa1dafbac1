/**
 * Pooling layers: `MaxPool1d/2d`, `AvgPool1d/2d`, `AdaptiveAvgPool1d/2d`, `AdaptiveMaxPool2d`, thin
 * modules over the pooling ops with PyTorch's constructor arguments.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  type AdaptiveSize, type PoolSize,
} from "../../ops/pool.js";
import type { ValuesIndices } from "../../ops/reduce.js";
import { Module } from "../module.js";

/** Options of `MaxPool1d` and `MaxPool2d` (the kernel size is the first constructor argument). */
export interface MaxPoolLayerOptions<R extends boolean = boolean> {
  /** Step between windows (default: the kernel size). */
  stride?: PoolSize;
  /** Implicit −∞ padding on each side, at most half the kernel (default 0). */
  padding?: PoolSize;
  /** Spacing between window taps (default 1). */
  dilation?: PoolSize;
  /** Return `{ values, indices }` (indices flat into each plane; default false). */
  returnIndices?: R;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}

/** Options of `AvgPool1d` and `AvgPool2d` (the kernel size is the first constructor argument). */
export interface AvgPoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: PoolSize;
  /** Implicit zero padding on each side, at most half the kernel (default 0). */
  padding?: PoolSize;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window by this instead of its size. */
  divisorOverride?: number;
}

/** What a max-pooling layer returns: the values, or `{ values, indices }` with `returnIndices: true`. */
export type MaxPoolResult<R extends boolean> = R extends true ? ValuesIndices : Tensor;

const describe = (v: unknown): string => JSON.stringify(v);

abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: PoolSize;
  readonly stride: PoolSize;
  readonly padding: PoolSize;
  readonly dilation: PoolSize;
  readonly returnIndices: R;
  readonly ceilMode: boolean;

  protected constructor(kernelSize: PoolSize, options: MaxPoolLayerOptions<R>) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = (options.returnIndices ?? false) as R;
    this.ceilMode = options.ceilMode ?? false;
  }

  protected get poolOptions(): { kernelSize: PoolSize; stride: PoolSize; padding: PoolSize; dilation: PoolSize; ceilMode: boolean; returnIndices: boolean } {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices };
  }

  override extraRepr(): string {
    return `kernelSize=${describe(this.kernelSize)}, stride=${describe(this.stride)}, padding=${describe(this.padding)}, ` +
      `dilation=${describe(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/**
 * Max over sliding windows of the last two dims of [N, C, H, W] or [C, H, W], like `torch.nn.MaxPool2d`.
 * @example new tl.nn.MaxPool2d(2).call(tl.randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: PoolSize, options: MaxPoolLayerOptions<R> = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): MaxPoolResult<R> {
    return maxPool2d(x, this.poolOptions) as MaxPoolResult<R>;
  }
}

/**
 * Max over sliding windows of the last dim of [N, C, L] or [C, L], like `torch.nn.MaxPool1d`.
 * @example new tl.nn.MaxPool1d(3, { stride: 2 }).call(tl.randn([2, 4, 9])).shape // [2, 4, 4]
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: PoolSize, options: MaxPoolLayerOptions<R> = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): MaxPoolResult<R> {
    return maxPool1d(x, this.poolOptions) as MaxPoolResult<R>;
  }
}

abstract class AvgPoolNd extends Module {
  readonly kernelSize: PoolSize;
  readonly stride: PoolSize;
  readonly padding: PoolSize;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;

  protected constructor(kernelSize: PoolSize, options: AvgPoolLayerOptions) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride;
  }

  protected get poolOptions(): AvgPoolLayerOptions & { kernelSize: PoolSize } {
    const o = { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
    return this.divisorOverride === undefined ? o : { ...o, divisorOverride: this.divisorOverride };
  }

  override extraRepr(): string {
    return `kernelSize=${describe(this.kernelSize)}, stride=${describe(this.stride)}, padding=${describe(this.padding)}`;
  }
}

/**
 * Mean over sliding windows of the last two dims of [N, C, H, W] or [C, H, W], like `torch.nn.AvgPool2d`.
 * @example new tl.nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false })
 */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: PoolSize, options: AvgPoolLayerOptions = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.poolOptions);
  }
}

/**
 * Mean over sliding windows of the last dim of [N, C, L] or [C, L], like `torch.nn.AvgPool1d`.
 * @example new tl.nn.AvgPool1d(2).call(tl.randn([1, 3, 8])).shape // [1, 3, 4]
 */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: PoolSize, options: AvgPoolLayerOptions = {}) {
    super(kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.poolOptions);
  }
}

function checkOutputSize(layer: string, outputSize: unknown): void {
  const ok = typeof outputSize === "number" || (Array.isArray(outputSize) && outputSize.length > 0);
  check(ok, layer, () => `outputSize must be a number or a list of sizes, got ${describe(outputSize)}`);
}

/**
 * Averages PyTorch's adaptive windows so the last two dims become `outputSize` (null keeps a size),
 * like `torch.nn.AdaptiveAvgPool2d`; `1` is global average pooling.
 * @example new tl.nn.AdaptiveAvgPool2d(1).call(tl.randn([2, 512, 7, 7])).shape // [2, 512, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    checkOutputSize("AdaptiveAvgPool2d", outputSize);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${describe(this.outputSize)}`;
  }
}

/**
 * Averages PyTorch's adaptive windows so the last dim becomes `outputSize`, like `torch.nn.AdaptiveAvgPool1d`.
 * @example new tl.nn.AdaptiveAvgPool1d(4).call(tl.randn([2, 3, 10])).shape // [2, 3, 4]
 */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number | readonly [number]) {
    super();
    checkOutputSize("AdaptiveAvgPool1d", outputSize);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${describe(this.outputSize)}`;
  }
}

/**
 * Max over PyTorch's adaptive windows so the last two dims become `outputSize`, like
 * `torch.nn.AdaptiveMaxPool2d`; `returnIndices: true` returns `{ values, indices }`.
 * @example new tl.nn.AdaptiveMaxPool2d([2, 3]).call(tl.randn([1, 4, 9, 9])).shape // [1, 4, 2, 3]
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module {
  readonly returnIndices: R;

  constructor(readonly outputSize: AdaptiveSize, options: { returnIndices?: R } = {}) {
    super();
    checkOutputSize("AdaptiveMaxPool2d", outputSize);
    this.returnIndices = (options.returnIndices ?? false) as R;
  }

  forward(x: Tensor): MaxPoolResult<R> {
    return adaptiveMaxPool2d(x, this.outputSize, { returnIndices: this.returnIndices }) as MaxPoolResult<R>;
  }

  override extraRepr(): string {
    return `outputSize=${describe(this.outputSize)}`;
  }
}
