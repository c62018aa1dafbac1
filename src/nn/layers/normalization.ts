/**
 * Normalization layers: `BatchNorm1d/2d`, `InstanceNorm2d`, `LayerNorm`, `GroupNorm`, `RMSNorm`, with
 * PyTorch's options, semantics and state-dict keys (`weight`, `bias`, `running_mean`, `running_var`,
 * `num_batches_tracked`), so torchvision checkpoints load as they are.
 */
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import { noGrad } from "../../engine/grad-mode.js";
import type { Tensor } from "../../engine/tensor.js";
import { mul, add } from "../../ops/binary.js";
import { ones, tensor, zeros } from "../../ops/creation.js";
import { mean, variance } from "../../ops/reduce.js";
import { rsqrt, square } from "../../ops/unary.js";
import { batchNorm, groupNorm, layerNorm } from "../functional/normalization.js";
import { ones_, zeros_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";

/** Options of `BatchNorm1d`, `BatchNorm2d` and `InstanceNorm2d`. */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /**
   * Weight of each new batch in the running statistics, r ← (1 − m)·r + m·batch (default 0.1); null for a
   * cumulative (equal-weight) average over the batches seen, as in PyTorch.
   */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` and shift `bias` (default true; false for InstanceNorm2d). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true; false for InstanceNorm2d). Without them the batch's are always used. */
  trackRunningStats?: boolean;
  /** dtype of the parameters and running statistics (default float32). */
  dtype?: "float32" | "float64";
}

function checkPositive(layer: string, name: string, v: number): void {
  check(Number.isInteger(v) && v > 0, layer, () => `${name} must be a whole number > 0, got ${v}`);
}

function checkEps(layer: string, eps: number): void {
  check(typeof eps === "number" && eps >= 0, layer, () => `eps must be a number ≥ 0, got ${eps}`);
}

/**
 * What BatchNorm and InstanceNorm share, like PyTorch's `_NormBase`: the affine parameters and the
 * running statistics, registered under PyTorch's names (read them as `runningMean`, `runningVar`,
 * `numBatchesTracked`).
 */
abstract class NormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  /** The running mean under PyTorch's state-dict key; `runningMean` is the same tensor. */
  declare running_mean: Tensor | null;
  /** The running variance under PyTorch's state-dict key; `runningVar` is the same tensor. */
  declare running_var: Tensor | null;
  /** The count of training batches under PyTorch's state-dict key; `numBatchesTracked` is the same tensor. */
  declare num_batches_tracked: Tensor | null;

  protected constructor(protected readonly layer: string, numFeatures: number, options: BatchNormOptions, defaults: { affine: boolean; track: boolean }) {
    super();
    checkPositive(layer, "numFeatures", numFeatures);
    const eps = options.eps ?? 1e-5;
    checkEps(layer, eps);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    check(momentum === null || (typeof momentum === "number" && momentum >= 0 && momentum <= 1), layer,
      () => `momentum must be a number between 0 and 1 or null (cumulative average), got ${momentum}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = options.affine ?? defaults.affine;
    this.trackRunningStats = options.trackRunningStats ?? defaults.track;
    const dtype = options.dtype ?? "float32";
    this.registerParameter("weight", this.affine ? parameterFrom(ones([numFeatures], { dtype })) : null);
    this.registerParameter("bias", this.affine ? parameterFrom(zeros([numFeatures], { dtype })) : null);
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", track ? ones([numFeatures], { dtype }) : null);
    // PyTorch's is int64; int32 holds any realistic count and loads from int64 checkpoints.
    this.registerBuffer("num_batches_tracked", track ? tensor(0, { dtype: "int32" }) : null);
  }

  /** The running mean per channel (null without `trackRunningStats`). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  set runningMean(t: Tensor | null) {
    this.running_mean = t;
  }

  /** The running variance per channel (null without `trackRunningStats`). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  set runningVar(t: Tensor | null) {
    this.running_var = t;
  }

  /** How many training batches updated the running statistics (a scalar int32 tensor, or null). */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  set numBatchesTracked(t: Tensor | null) {
    this.num_batches_tracked = t;
  }

  /** Running mean back to 0, variance to 1, batch count to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  /** Resets the running statistics, weight to 1 and bias to 0, like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /**
   * Counts a training batch and returns the weight it gets in the running averages: the momentum, or
   * 1/count for momentum null (a cumulative average), as PyTorch's `_BatchNorm.forward` does.
   */
  protected countBatch(): number {
    const count = this.num_batches_tracked;
    if (count === null) return this.momentum ?? 0;
    noGrad(() => count.add_(1));
    return this.momentum ?? 1 / count.item();
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** BatchNorm over channel dim 1, shared by the 1-D and 2-D layers (they differ in the ranks they accept). */
abstract class BatchNormNd extends NormBase {
  protected constructor(layer: string, numFeatures: number, options: BatchNormOptions, private readonly ranks: readonly number[], private readonly expected: string) {
    super(layer, numFeatures, options, { affine: true, track: true });
  }

  forward(x: Tensor): Tensor {
    check(this.ranks.includes(x.ndim), this.layer, () => `expected ${this.expected} input, got shape ${fmtShape(x.shape)}`);
    check(x.shape[1] === this.numFeatures, this.layer,
      () => `input of shape ${fmtShape(x.shape)} has ${x.shape[1]} channels (dim 1), expected numFeatures = ${this.numFeatures}`);
    const momentum = this.training && this.trackRunningStats ? this.countBatch() : this.momentum ?? 0;
    // In eval mode without running statistics, PyTorch normalizes with the batch's own.
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const updateStats = !this.training || this.trackRunningStats;
    return batchNorm(x, updateStats ? this.running_mean : null, updateStats ? this.running_var : null, this.weight, this.bias,
      { training: useBatchStats, momentum, eps: this.eps });
  }
}

/**
 * Batch normalization of [N, C] or [N, C, L], like `torch.nn.BatchNorm1d`: in training, each channel is
 * normalized with the batch's mean and variance and the running statistics are updated; in eval mode
 * the running statistics are used.
 * @example const bn = new tl.nn.BatchNorm1d(64); bn.call(tl.randn([32, 64])).shape // [32, 64]
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super("BatchNorm1d", numFeatures, options, [2, 3], "a 2-D [N, C] or 3-D [N, C, L]");
  }
}

/**
 * Batch normalization of [N, C, H, W], like `torch.nn.BatchNorm2d` (see `BatchNorm1d`). Its state dict
 * has PyTorch's keys: `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
 * @example const bn = new tl.nn.BatchNorm2d(16); bn.eval(); bn.call(tl.randn([2, 16, 8, 8]))
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super("BatchNorm2d", numFeatures, options, [4], "a 4-D [N, C, H, W]");
  }
}

/**
 * Instance normalization of [N, C, H, W] or [C, H, W], like `torch.nn.InstanceNorm2d`: each sample's
 * channel is normalized over its own H·W positions. By default it has no parameters (affine false) and
 * no running statistics (trackRunningStats false); with them, training updates the running averages
 * (averaged over the batch) and eval mode uses them.
 * @example new tl.nn.InstanceNorm2d(3, { affine: true }).call(tl.randn([2, 3, 8, 8]))
 */
export class InstanceNorm2d extends NormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super("InstanceNorm2d", numFeatures, options, { affine: false, track: false });
  }

  forward(input: Tensor): Tensor {
    check(input.ndim === 3 || input.ndim === 4, this.layer, () => `expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${fmtShape(input.shape)}`);
    const x = input.ndim === 3 ? input.unsqueeze(0) : input;
    check(!(this.affine || this.trackRunningStats) || x.shape[1] === this.numFeatures, this.layer,
      () => `input of shape ${fmtShape(input.shape)} has ${x.shape[1]} channels, expected numFeatures = ${this.numFeatures}`);
    let y: Tensor;
    if (this.training || !this.trackRunningStats) {
      y = groupNorm(x, x.shape[1], this.weight, this.bias, this.eps); // one group per channel = instance norm
      const rm = this.running_mean;
      const rv = this.running_var;
      if (this.training && rm !== null && rv !== null) {
        // PyTorch updates each channel with the mean over the batch of its per-instance statistics
        // (the variance with Bessel's correction over H·W); num_batches_tracked is left alone.
        const m = this.momentum ?? 0;
        noGrad(() => {
          const mu = mean(mean(x, { dim: [2, 3] }), { dim: 0 });
          const v = mean(variance(x, { dim: [2, 3], unbiased: true }), { dim: 0 });
          rm.mul_(1 - m).add_(mul(mu, m));
          rv.mul_(1 - m).add_(mul(v, m));
        });
      }
    } else {
      y = batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, { training: false, eps: this.eps });
    }
    return input.ndim === 3 ? y.squeeze(0) : y;
  }
}

/** A normalized shape as a list of sizes > 0. */
function shapeList(layer: string, normalizedShape: number | readonly number[]): number[] {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : [];
  check(shape.length >= 1 && shape.every((d) => Number.isInteger(d) && d > 0), layer,
    () => `normalizedShape must be a size > 0 or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
  return shape;
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn `weight` (and `bias`) of the normalized shape (default true). */
  elementwiseAffine?: boolean;
  /** Learn `bias` when elementwiseAffine is on (default true; PyTorch 2.1+). */
  bias?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: "float32" | "float64";
}

/**
 * Layer normalization over the trailing `normalizedShape` dims, like `torch.nn.LayerNorm`: each sample
 * is normalized with its own mean and variance, then scaled by `weight` and shifted by `bias`.
 * @example new tl.nn.LayerNorm(512).call(tl.randn([8, 20, 512])).shape // [8, 20, 512]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = shapeList("LayerNorm", normalizedShape);
    this.eps = options.eps ?? 1e-5;
    checkEps("LayerNorm", this.eps);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const dtype = options.dtype ?? "float32";
    const affine = this.elementwiseAffine;
    this.registerParameter("weight", affine ? parameterFrom(ones(this.normalizedShape, { dtype })) : null);
    this.registerParameter("bias", affine && (options.bias ?? true) ? parameterFrom(zeros(this.normalizedShape, { dtype })) : null);
  }

  /** weight back to 1 and bias to 0, like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

/** Options of `GroupNorm`. */
export interface GroupNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-channel `weight` and `bias` (default true). */
  affine?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: "float32" | "float64";
}

/**
 * Group normalization of [N, C, ...], like `torch.nn.GroupNorm`: the channels are split into `numGroups`
 * groups, each normalized per sample over its channels and positions, then scaled and shifted per channel.
 * @example new tl.nn.GroupNorm(8, 32).call(tl.randn([4, 32, 16, 16]))
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkPositive("GroupNorm", "numGroups", numGroups);
    checkPositive("GroupNorm", "numChannels", numChannels);
    check(numChannels % numGroups === 0, "GroupNorm", () => `numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    checkEps("GroupNorm", this.eps);
    this.affine = options.affine ?? true;
    const dtype = options.dtype ?? "float32";
    this.registerParameter("weight", this.affine ? parameterFrom(ones([numChannels], { dtype })) : null);
    this.registerParameter("bias", this.affine ? parameterFrom(zeros([numChannels], { dtype })) : null);
  }

  /** weight back to 1 and bias to 0, like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(x: Tensor): Tensor {
    check(x.ndim >= 2 && x.shape[1] === this.numChannels, "GroupNorm",
      () => `expected an input [N, ${this.numChannels}, ...], got shape ${fmtShape(x.shape)}`);
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

/** Options of `RMSNorm`. */
export interface RMSNormOptions {
  /** Added to the mean square before the square root; null (default) is the machine epsilon of the input's dtype. */
  eps?: number | null;
  /** Learn a `weight` of the normalized shape (default true). */
  elementwiseAffine?: boolean;
  /** dtype of the parameters (default float32). */
  dtype?: "float32" | "float64";
}

/** Machine epsilon of a float dtype, like `torch.finfo(dtype).eps`. */
const MACHINE_EPS: Record<string, number> = { float32: 2 ** -23, float64: Number.EPSILON };

/**
 * Root-mean-square normalization over the trailing `normalizedShape` dims, like PyTorch 2.4's
 * `torch.nn.RMSNorm`: y = x / √(mean(x²) + eps) · weight, with no mean subtraction and no bias.
 * @example new tl.nn.RMSNorm(4096).call(tl.randn([1, 8, 4096]))
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  declare weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: RMSNormOptions = {}) {
    super();
    this.normalizedShape = shapeList("RMSNorm", normalizedShape);
    this.eps = options.eps ?? null;
    if (this.eps !== null) checkEps("RMSNorm", this.eps);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.registerParameter("weight", this.elementwiseAffine ? parameterFrom(ones(this.normalizedShape, { dtype: options.dtype ?? "float32" })) : null);
  }

  /** weight back to 1, like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    check(x.ndim >= k && shapesEqual(x.shape.slice(x.ndim - k), this.normalizedShape), "RMSNorm",
      () => `input of shape ${fmtShape(x.shape)} does not end with normalizedShape ${fmtShape(this.normalizedShape)}`);
    check(x.dtype === "float32" || x.dtype === "float64", "RMSNorm", () => `input must be float32 or float64, got ${x.dtype}`);
    const eps = this.eps ?? MACHINE_EPS[x.dtype];
    const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const y = mul(x, rsqrt(add(mean(square(x), { dim: dims, keepdim: true }), eps)));
    return this.weight ? mul(y, this.weight) : y;
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
