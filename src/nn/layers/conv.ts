/** Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose2d`, with PyTorch's options, shapes and initialization. */
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { conv1d, conv2d, conv2dRelu, convTranspose2d } from "../../ops/conv.js";
import { zeros } from "../../ops/creation.js";
import { pad } from "../../ops/join.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";

/** How a convolution pads its input: zeros, a mirror without the edge, the edge repeated, or wrapped around. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** One number for every spatial dim, or one per dim. */
export type ConvSize = number | readonly number[];

/** Options of `Conv1d` and `Conv2d`, like PyTorch's keyword arguments. */
export interface ConvOptions {
  /** Step between kernel positions (default 1). */
  stride?: ConvSize;
  /** Padding on each side (default 0), "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: ConvSize | "same" | "valid";
  /** Spacing between kernel taps (default 1). */
  dilation?: ConvSize;
  /** Channels split into groups convolved separately; groups = inChannels is a depthwise convolution (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** What the padding holds (default "zeros"); other modes pad explicitly, then convolve without padding. */
  paddingMode?: PaddingMode;
  /** dtype of the parameters (default float32; float64 for gradient checks). */
  dtype?: "float32" | "float64";
}

/** Options of `ConvTranspose2d`, like PyTorch's keyword arguments. */
export interface ConvTransposeOptions {
  /** Step between input positions in the output (default 1). */
  stride?: ConvSize;
  /** dilation·(k − 1) − padding zeros are added to each side of the input (default 0). */
  padding?: ConvSize;
  /** Extra rows/columns on the bottom/right of the output, to pick among the sizes a stride allows (default 0). */
  outputPadding?: ConvSize;
  /** Split channels into groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Spacing between kernel taps (default 1). */
  dilation?: ConvSize;
  /** Only "zeros" is supported, as in PyTorch. */
  paddingMode?: "zeros";
  /** dtype of the parameters (default float32). */
  dtype?: "float32" | "float64";
}

const MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

/** `value` as one whole number ≥ `min` per spatial dim. */
function perDim(layer: string, name: string, value: ConvSize | undefined, dims: number, fallback: number, min: number): number[] {
  const list = value === undefined ? new Array<number>(dims).fill(fallback)
    : typeof value === "number" ? new Array<number>(dims).fill(value) : Array.isArray(value) ? [...value] : [];
  check(list.length === dims && list.every((v) => Number.isInteger(v) && v >= min), layer,
    () => `${name} must be a whole number ≥ ${min} or a list of ${dims}, got ${JSON.stringify(value)}`);
  return list;
}

/**
 * Shared state of the convolution layers, like PyTorch's `_ConvNd`: sizes, options, `weight` and
 * `bias`, and the default initialization.
 */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  declare bias: Parameter | null;

  protected constructor(layer: string, dims: number, transposed: boolean, inChannels: number, outChannels: number,
    kernelSize: ConvSize, options: ConvOptions) {
    super();
    for (const [name, v] of [["inChannels", inChannels], ["outChannels", outChannels]] as const) {
      check(Number.isInteger(v) && v > 0, layer, () => `${name} must be a whole number > 0, got ${v}`);
    }
    const groups = options.groups ?? 1;
    check(Number.isInteger(groups) && groups > 0, layer, () => `groups must be a whole number > 0, got ${groups}`);
    check(inChannels % groups === 0, layer, () => `inChannels (${inChannels}) must be divisible by groups (${groups})`);
    check(outChannels % groups === 0, layer, () => `outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const paddingMode = options.paddingMode ?? "zeros";
    check(MODES.includes(paddingMode), layer, () => `paddingMode must be one of ${MODES.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(paddingMode)}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = perDim(layer, "kernelSize", kernelSize, dims, 1, 1);
    this.stride = perDim(layer, "stride", options.stride, dims, 1, 1);
    this.dilation = perDim(layer, "dilation", options.dilation, dims, 1, 1);
    const p = options.padding;
    if (p === "same" || p === "valid") {
      check(!transposed, layer, () => `padding "${p}" is not supported for transposed convolutions`);
      check(p === "valid" || this.stride.every((s) => s === 1), layer,
        () => `padding "same" is not supported for strided convolutions (stride ${fmtShape(this.stride)})`);
      this.padding = p;
    } else {
      this.padding = perDim(layer, "padding", p, dims, 0, 0);
    }
    this.groups = groups;
    this.paddingMode = paddingMode;
    const dtype = options.dtype ?? "float32";
    // Like PyTorch: [out, in/groups, ...k] for a convolution, [in, out/groups, ...k] for a transposed one.
    const wShape = transposed ? [inChannels, outChannels / groups, ...this.kernelSize] : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = parameterFrom(zeros(wShape, { dtype }));
    this.registerParameter("bias", options.bias ?? true ? parameterFrom(zeros([outChannels], { dtype })) : null);
    this.resetParameters();
  }

  /**
   * Draws fresh initial values, exactly like PyTorch's `reset_parameters`: weight ~ kaimingUniform(a = √5),
   * i.e. U(±1/√fanIn), and bias ~ U(±1/√fanIn), with fanIn = weight.shape[1] · kernel area.
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /**
   * PyTorch's `_reversed_padding_repeated_twice`: (before, after) per spatial dim, last dim first, as
   * `tl.pad` takes them. "same" puts the odd extra element after, like PyTorch.
   */
  protected explicitPads(): number[] {
    const pads: number[] = [];
    for (let i = this.kernelSize.length - 1; i >= 0; i--) {
      if (this.padding === "valid") {
        pads.push(0, 0);
      } else if (this.padding === "same") {
        const total = this.dilation[i] * (this.kernelSize[i] - 1);
        pads.push(total >> 1, total - (total >> 1));
      } else {
        pads.push(this.padding[i], this.padding[i]);
      }
    }
    return pads;
  }

  /** The input padded explicitly for a non-zero padding mode (then convolved with padding 0), or as it is. */
  protected padded(x: Tensor): Tensor {
    if (this.paddingMode === "zeros") return x;
    return pad(x, this.explicitPads(), { mode: this.paddingMode });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}`, `kernelSize=${fmtShape(this.kernelSize)}`, `stride=${fmtShape(this.stride)}`];
    if (this.padding === "same" || this.padding === "valid") parts.push(`padding="${this.padding}"`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${fmtShape(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${fmtShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push("bias=false");
    if (this.paddingMode !== "zeros") parts.push(`paddingMode="${this.paddingMode}"`);
    return parts.join(", ");
  }
}

/**
 * 1-D convolution over [N, C, L] (or unbatched [C, L]), like `torch.nn.Conv1d`: weight
 * [outChannels, inChannels/groups, k], bias [outChannels].
 * @example new tl.nn.Conv1d(16, 33, 3, { stride: 2 }).call(tl.randn([20, 16, 50])).shape // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSize, options: ConvOptions = {}) {
    super("Conv1d", 1, false, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const padding = this.paddingMode !== "zeros" ? 0 : this.padding === "same" || this.padding === "valid" ? this.padding : this.padding[0];
    return conv1d(this.padded(x), this.weight, this.bias, { stride: this.stride[0], padding, dilation: this.dilation[0], groups: this.groups });
  }
}

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]), like `torch.nn.Conv2d`: weight
 * [outChannels, inChannels/groups, kh, kw], bias [outChannels]. `groups: inChannels` makes it depthwise.
 * @example
 * new tl.nn.Conv2d(3, 16, 3, { padding: "same", paddingMode: "reflect" }).call(tl.randn([1, 3, 32, 32])).shape // [1, 16, 32, 32]
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: ConvSize, options: ConvOptions = {}) {
    super("Conv2d", 2, false, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    return this.convolve(conv2d, x);
  }

  /**
   * relu(this.forward(x)) as one fused op (conv2dRelu: the ReLU applied as each output is stored), bit-identical
   * to the two calls; `Sequential` runs a Conv2d followed by a ReLU this way. Hooks are not run.
   */
  forwardRelu(x: Tensor): Tensor {
    return this.convolve(conv2dRelu, x);
  }

  private convolve(op: typeof conv2d, x: Tensor): Tensor {
    const padding = this.paddingMode !== "zeros" ? 0 : this.padding === "same" || this.padding === "valid" ? this.padding : [this.padding[0], this.padding[1]] as const;
    return op(this.padded(x), this.weight, this.bias, {
      stride: [this.stride[0], this.stride[1]], padding, dilation: [this.dilation[0], this.dilation[1]], groups: this.groups,
    });
  }
}

/**
 * Transposed 2-D convolution (a "deconvolution": the gradient of Conv2d with respect to its input), like
 * `torch.nn.ConvTranspose2d`: weight [inChannels, outChannels/groups, kh, kw], bias [outChannels]. The
 * output size is (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1; `forward`'s
 * `outputSize` picks the outputPadding that reaches a given size, as in PyTorch.
 * @example new tl.nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }).call(tl.randn([1, 16, 5, 5])).shape // [1, 8, 10, 10]
 */
export class ConvTranspose2d extends ConvNd {
  readonly outputPadding: number[];

  constructor(inChannels: number, outChannels: number, kernelSize: ConvSize, options: ConvTransposeOptions = {}) {
    check(options.paddingMode === undefined || options.paddingMode === "zeros", "ConvTranspose2d",
      () => `only paddingMode "zeros" is supported, got ${JSON.stringify(options.paddingMode)}`);
    super("ConvTranspose2d", 2, true, inChannels, outChannels, kernelSize, options);
    this.outputPadding = perDim("ConvTranspose2d", "outputPadding", options.outputPadding, 2, 0, 0);
    for (let i = 0; i < 2; i++) {
      check(this.outputPadding[i] < Math.max(this.stride[i], this.dilation[i]), "ConvTranspose2d",
        () => `outputPadding ${fmtShape(this.outputPadding)} must be smaller than stride ${fmtShape(this.stride)} or dilation ${fmtShape(this.dilation)}`);
    }
  }

  /** The outputPadding that makes the output `outputSize` (its last two entries), like PyTorch's `_output_padding`. */
  private outputPaddingFor(x: Tensor, outputSize: readonly number[] | undefined): number[] {
    if (outputSize === undefined) return this.outputPadding;
    check(Array.isArray(outputSize) && outputSize.length >= 2, "ConvTranspose2d",
      () => `outputSize must list at least the 2 spatial sizes, got ${JSON.stringify(outputSize)}`);
    const wanted = outputSize.slice(-2);
    const pads = this.padding as number[];
    return wanted.map((size, i) => {
      const inSize = x.shape[x.ndim - 2 + i];
      const min = (inSize - 1) * this.stride[i] - 2 * pads[i] + this.dilation[i] * (this.kernelSize[i] - 1) + 1;
      const max = min + this.stride[i] - 1;
      check(Number.isInteger(size) && size >= min && size <= max, "ConvTranspose2d",
        () => `requested an output size of ${fmtShape(wanted)}, but valid sizes range from ${min} to ${max} along spatial dim ${i} ` +
          `(for an input of shape ${fmtShape(x.shape)})`);
      return size - min;
    });
  }

  forward(x: Tensor, outputSize?: readonly number[]): Tensor {
    const outputPadding = this.outputPaddingFor(x, outputSize);
    const pads = this.padding as number[];
    return convTranspose2d(x, this.weight, this.bias, {
      stride: [this.stride[0], this.stride[1]], padding: [pads[0], pads[1]], outputPadding: [outputPadding[0], outputPadding[1]],
      dilation: [this.dilation[0], this.dilation[1]], groups: this.groups,
    });
  }

  override extraRepr(): string {
    const extra = this.outputPadding.some((p) => p !== 0) ? `, outputPadding=${fmtShape(this.outputPadding)}` : "";
    return super.extraRepr() + extra;
  }
}
