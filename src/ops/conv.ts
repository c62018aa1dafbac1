import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { defineOp, type GradContext, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { add } from "./binary.js";
import { narrow, reshape, squeeze, unsqueeze } from "./movement.js";
import { sum } from "./reduce.js";
import { reluBackward } from "./relu-backward.js";
import { expectTensor } from "./scalar.js";

/**
 * Attributes shared by the three conv primitives. Padding is [top, bottom, left, right] so that
 * "same" with an even kernel can pad one more on the bottom/right, as PyTorch does.
 */
interface ConvAttrs {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** conv2dInputGrad also needs the spatial size of the result (several sizes share one output size). */
interface InputGradAttrs extends ConvAttrs {
  readonly inputSize: readonly [number, number];
}

/** conv2dWeightGrad also needs the kernel size of the result. */
interface WeightGradAttrs extends ConvAttrs {
  readonly kernelSize: readonly [number, number];
}

const conv = (a: ConvAttrs): ConvAttrs => ({ stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups });

/** Output length along one axis: ⌊(size + pads − dilation·(k − 1) − 1) / stride⌋ + 1. */
function outSize(size: number, k: number, a: ConvAttrs, axis: 0 | 1): number {
  const pads = a.padding[2 * axis] + a.padding[2 * axis + 1];
  return Math.floor((size + pads - a.dilation[axis] * (k - 1) - 1) / a.stride[axis]) + 1;
}

/**
 * The three primitives below are closed under differentiation: each one's gradient is written with
 * the other two (and itself), so double backward through a convolution works.
 *
 *   y  = conv2d(x, w)              x [N,C,H,W], w [O,C/g,kh,kw] → [N,O,Ho,Wo]
 *   dx = conv2dInputGrad(gy, w)    the transposed convolution   → [N,C,H,W]
 *   dw = conv2dWeightGrad(x, gy)                                 → [O,C/g,kh,kw]
 *
 * All three are bilinear, so for the pairing ⟨y, G⟩ = ⟨gy, conv2d(x, w)⟩ each gradient is one of them.
 */
/** conv2d's (and conv2dRelu's) argument checks and output shape. */
function conv2dInfer([x, w, bias]: readonly Tensor[], a: ConvAttrs): { shape: number[]; dtype: Tensor["dtype"] } {
  const [n, c, h, wd] = x.shape;
  const [o, cg, kh, kw] = w.shape;
  check(c === cg * a.groups && o % a.groups === 0, "conv2d",
    () => `input has shape ${fmtShape(x.shape)} but weight has shape ${fmtShape(w.shape)}: input channels (${c}) must equal ` +
      `weight.shape[1] (${cg}) × groups (${a.groups}), and weight.shape[0] (${o}) must be divisible by groups`);
  const ho = outSize(h, kh, a, 0);
  const wo = outSize(wd, kw, a, 1);
  check(ho > 0 && wo > 0, "conv2d",
    () => `input of spatial size ${h}x${wd} (padded ${h + a.padding[0] + a.padding[1]}x${wd + a.padding[2] + a.padding[3]}) ` +
      `is smaller than the dilated kernel ${a.dilation[0] * (kh - 1) + 1}x${a.dilation[1] * (kw - 1) + 1} (weight shape ${fmtShape(w.shape)})`);
  check(bias === undefined || (bias.ndim === 1 && bias.shape[0] === o && bias.dtype === x.dtype), "conv2d",
    () => `bias has shape ${fmtShape(bias.shape)} and dtype ${bias.dtype} but the output has ${o} channels of ${x.dtype}: bias must be [${o}]`);
  return { shape: [n, o, ho, wo], dtype: x.dtype };
}

/** conv2d's gradients for the output gradient gy: input, weight and (if given) bias. */
function conv2dGrads(ctx: GradContext<ConvAttrs>, gy: Tensor): (Tensor | null)[] {
  const [x, w] = ctx.inputs;
  const a = ctx.attrs;
  const grads = [
    ctx.needsInputGrad[0] ? inputGradOp([gy, w], { ...conv(a), inputSize: [x.shape[2], x.shape[3]] }) : null,
    ctx.needsInputGrad[1] ? weightGradOp([x, gy], { ...conv(a), kernelSize: [w.shape[2], w.shape[3]] }) : null,
  ];
  if (ctx.inputs.length > 2) grads.push(ctx.needsInputGrad[2] ? sum(gy, { dim: [0, 2, 3] }) : null);
  return grads;
}

const conv2dOp: Op<ConvAttrs> = defineOp<ConvAttrs>({
  name: "conv2d",
  // An optional third input, bias [O], is added to every output position in the kernel (one pass
  // over y instead of a broadcast add after it); its gradient is gy summed over batch and space.
  infer: (inputs, a) => ({ ...conv2dInfer(inputs, a), kernelAttrs: conv(a) as unknown as Record<string, unknown> }),
  grad: conv2dGrads,
});

/**
 * relu(conv2d(x, w, bias)) in one pass: the conv2d kernel applies the ReLU as it stores each output
 * (the same select as the relu kernel, so the result is bit-identical to the two ops), which saves
 * writing and re-reading the pre-activation. Its gradient is conv2d's for reluBackward(gy, y): the
 * output y is positive exactly where the pre-activation is.
 */
const conv2dReluOp: Op<ConvAttrs> = defineOp<ConvAttrs>({
  name: "conv2dRelu",
  kernel: "conv2d",
  infer: (inputs, a) => ({ ...conv2dInfer(inputs, a), kernelAttrs: { ...conv(a), relu: true } as unknown as Record<string, unknown> }),
  grad: (ctx, gy) => conv2dGrads(ctx, reluBackward(gy, ctx.output)),
});

/** conv2d(x, w) cut to `size`: a transposed conv's output may be longer than its input maps back to. */
function conv2dTo(x: Tensor, w: Tensor, a: ConvAttrs, size: readonly number[]): Tensor {
  let y = conv2dOp([x, w], conv(a));
  if (y.shape[2] > size[0]) y = narrow(y, 2, 0, size[0]);
  if (y.shape[3] > size[1]) y = narrow(y, 3, 0, size[1]);
  return y;
}

const inputGradOp: Op<InputGradAttrs> = defineOp<InputGradAttrs>({
  name: "conv2dInputGrad",
  infer: ([gy, w], a) => {
    const [n, o, ho, wo] = gy.shape;
    const [wo0, cg, kh, kw] = w.shape;
    const [h, wd] = a.inputSize;
    check(o === wo0 && o % a.groups === 0, "conv2dInputGrad",
      () => `input has shape ${fmtShape(gy.shape)} but weight has shape ${fmtShape(w.shape)}: input channels (${o}) must equal ` +
        `weight.shape[0] (${wo0}) and be divisible by groups (${a.groups})`);
    check(h > 0 && wd > 0 && outSize(h, kh, a, 0) >= ho && outSize(wd, kw, a, 1) >= wo, "conv2dInputGrad",
      () => `output size ${h}x${wd} is too small for an input of spatial size ${ho}x${wo} with weight shape ${fmtShape(w.shape)}`);
    return { shape: [n, cg * a.groups, h, wd], dtype: gy.dtype, kernelAttrs: conv(a) as unknown as Record<string, unknown> };
  },
  grad: (ctx, gz) => {
    const [gy, w] = ctx.inputs;
    const a = ctx.attrs;
    return [
      ctx.needsInputGrad[0] ? conv2dTo(gz, w, a, gy.shape.slice(2)) : null,
      ctx.needsInputGrad[1] ? weightGradOp([gz, gy], { ...conv(a), kernelSize: [w.shape[2], w.shape[3]] }) : null,
    ];
  },
});

const weightGradOp: Op<WeightGradAttrs> = defineOp<WeightGradAttrs>({
  name: "conv2dWeightGrad",
  infer: ([x, gy], a) => {
    const [n, c, h, wd] = x.shape;
    const [ng, o, ho, wo] = gy.shape;
    const [kh, kw] = a.kernelSize;
    check(n === ng && c % a.groups === 0 && o % a.groups === 0, "conv2dWeightGrad",
      () => `input has shape ${fmtShape(x.shape)} but grad has shape ${fmtShape(gy.shape)}: batch sizes must match and channels be divisible by groups (${a.groups})`);
    check(outSize(h, kh, a, 0) >= ho && outSize(wd, kw, a, 1) >= wo, "conv2dWeightGrad",
      () => `grad of spatial size ${ho}x${wo} does not fit an input of size ${h}x${wd} with kernel ${kh}x${kw}`);
    return { shape: [o, c / a.groups, kh, kw], dtype: x.dtype, kernelAttrs: conv(a) as unknown as Record<string, unknown> };
  },
  grad: (ctx, gw) => {
    const [x, gy] = ctx.inputs;
    const a = ctx.attrs;
    return [
      ctx.needsInputGrad[0] ? inputGradOp([gy, gw], { ...conv(a), inputSize: [x.shape[2], x.shape[3]] }) : null,
      ctx.needsInputGrad[1] ? conv2dTo(x, gw, a, gy.shape.slice(2)) : null,
    ];
  },
});

type Pair = number | readonly [number, number];

/** Options of conv2d (and conv1d, with single numbers), like `torch.nn.functional.conv2d`. */
export interface Conv2dOptions {
  /** Step between kernel positions; default 1. */
  stride?: Pair;
  /** Zeros added on each side (a number, [ph, pw]), "valid" (none) or "same" (output size = input size; stride 1 only). Default 0. */
  padding?: Pair | "same" | "valid";
  /** Spacing between kernel taps; default 1. */
  dilation?: Pair;
  /** Split channels into groups convolved separately; in and out channels must be divisible by it. Default 1. */
  groups?: number;
}

/** Options of convTranspose2d, like `torch.nn.functional.conv_transpose2d`. */
export interface ConvTranspose2dOptions {
  /** Step between input positions in the output (the stride of the conv this transposes); default 1. */
  stride?: Pair;
  /** dilation·(k − 1) − padding zeros are added on each side of the input; default 0. */
  padding?: Pair;
  /** Extra size added on one side of the output (bottom/right) to pick among output sizes; default 0. */
  outputPadding?: Pair;
  /** Spacing between kernel taps; default 1. */
  dilation?: Pair;
  /** Split channels into groups; in and out channels must be divisible by it. Default 1. */
  groups?: number;
}

function pair(v: Pair | undefined, fallback: number, op: string, name: string, min: number): [number, number] {
  const p: readonly number[] = v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : v;
  check(Array.isArray(p) && p.length === 2 && p.every((d) => Number.isInteger(d) && d >= min), op,
    () => `${name} must be a whole number ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  return [p[0], p[1]];
}

function checkGroups(groups: number | undefined, op: string): number {
  const g = groups ?? 1;
  check(Number.isInteger(g) && g >= 1, op, () => `groups must be a whole number ≥ 1, got ${groups}`);
  return g;
}

function checkConvInputs(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, ndim: number): void {
  expectTensor(x, op, "input");
  expectTensor(weight, op, "weight");
  check(isFloat(x.dtype), op, () => `input must be float32 or float64, got ${x.dtype}`);
  check(weight.dtype === x.dtype, op, () => `input has dtype ${x.dtype} but weight has dtype ${weight.dtype}: both must have the same dtype`);
  check(weight.ndim === ndim + 2, op, () => `weight must have ${ndim + 2} dimensions, got shape ${fmtShape(weight.shape)}`);
  check(x.ndim === ndim + 2 || x.ndim === ndim + 1, op,
    () => `input must have ${ndim + 2} dimensions (batched) or ${ndim + 1} (unbatched), got shape ${fmtShape(x.shape)}`);
  if (bias !== undefined && bias !== null) {
    expectTensor(bias, op, "bias");
    check(bias.dtype === x.dtype, op, () => `bias has dtype ${bias.dtype} but input has dtype ${x.dtype}`);
  }
}

function addBias(y: Tensor, bias: Tensor | null | undefined, channels: number, op: string): Tensor {
  if (bias === undefined || bias === null) return y;
  check(bias.ndim === 1 && bias.shape[0] === channels, op,
    () => `bias has shape ${fmtShape(bias.shape)} but the output has ${channels} channels: bias must be [${channels}]`);
  return add(y, reshape(bias, [channels, 1, 1]));
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch) of x [N, C, H, W] (or unbatched [C, H, W]) with
 * weight [O, C/groups, kh, kw], plus an optional bias [O].
 * @example tl.conv2d(tl.randn([1, 3, 8, 8]), tl.randn([4, 3, 3, 3]), null, { padding: "same" }) // [1, 4, 8, 8]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return conv2dWith(conv2dOp, x, weight, bias, options);
}

/**
 * relu(conv2d(x, weight, bias, options)) as one op (see conv2dReluOp): what `Sequential` runs for a
 * Conv2d followed by a ReLU. Same arguments and result as the two calls, bit for bit.
 */
export function conv2dRelu(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return conv2dWith(conv2dReluOp, x, weight, bias, options);
}

function conv2dWith(op: Op<ConvAttrs>, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: Conv2dOptions): Tensor {
  checkConvInputs("conv2d", x, weight, bias, 2);
  if (x.ndim === 3) return squeeze(conv2dWith(op, unsqueeze(x, 0), weight, bias, options), 0);
  const stride = pair(options.stride, 1, "conv2d", "stride", 1);
  const dilation = pair(options.dilation, 1, "conv2d", "dilation", 1);
  const groups = checkGroups(options.groups, "conv2d");
  const kh = weight.shape[2];
  const kw = weight.shape[3];
  let padding: [number, number, number, number];
  if (options.padding === "same") {
    check(stride[0] === 1 && stride[1] === 1, "conv2d", () => `padding "same" needs stride 1, got stride ${fmtShape(stride)}`);
    // Total padding dilation·(k − 1); an odd total puts the extra zero at the bottom/right, like PyTorch.
    const th = dilation[0] * (kh - 1);
    const tw = dilation[1] * (kw - 1);
    padding = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  } else if (options.padding === "valid") {
    padding = [0, 0, 0, 0];
  } else {
    const [ph, pw] = pair(options.padding, 0, "conv2d", "padding", 0);
    padding = [ph, ph, pw, pw];
  }
  if (bias === undefined || bias === null) return op([x, weight], { stride, padding, dilation, groups });
  check(bias.ndim === 1 && bias.shape[0] === weight.shape[0], "conv2d",
    () => `bias has shape ${fmtShape(bias.shape)} but the output has ${weight.shape[0]} channels: bias must be [${weight.shape[0]}]`);
  return op([x, weight, bias], { stride, padding, dilation, groups });
}

/** Options of conv1d: the same as conv2d's with single numbers. */
export interface Conv1dOptions {
  /** Step between kernel positions; default 1. */
  stride?: number;
  /** Zeros on each side, "valid" (none) or "same" (output length = input length; stride 1 only). Default 0. */
  padding?: number | "same" | "valid";
  /** Spacing between kernel taps; default 1. */
  dilation?: number;
  /** Split channels into groups convolved separately. Default 1. */
  groups?: number;
}

/**
 * 1-D convolution of x [N, C, L] (or [C, L]) with weight [O, C/groups, k]: conv2d over a height of 1.
 * @example tl.conv1d(tl.randn([2, 3, 10]), tl.randn([5, 3, 3])) // [2, 5, 8]
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  checkConvInputs("conv1d", x, weight, bias, 1);
  for (const key of ["stride", "dilation"] as const) {
    const v = options[key];
    check(v === undefined || typeof v === "number", "conv1d", () => `${key} must be a number, got ${JSON.stringify(v)}`);
  }
  const p = options.padding;
  check(p === undefined || typeof p === "number" || p === "same" || p === "valid", "conv1d",
    () => `padding must be a number, "same" or "valid", got ${JSON.stringify(p)}`);
  const y = conv2d(unsqueeze(x, -2), unsqueeze(weight, -2), bias, {
    stride: [1, options.stride ?? 1],
    padding: typeof p === "number" ? [0, p] : p,
    dilation: [1, options.dilation ?? 1],
    groups: options.groups,
  });
  return squeeze(y, -2);
}

/**
 * Transposed 2-D convolution (the gradient of conv2d with respect to its input) of x [N, Cin, H, W]
 * with weight [Cin, Cout/groups, kh, kw]; output size (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 * @example tl.convTranspose2d(tl.randn([1, 4, 5, 5]), tl.randn([4, 2, 3, 3]), null, { stride: 2 }) // [1, 2, 11, 11]
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = "convTranspose2d";
  checkConvInputs(op, x, weight, bias, 2);
  if (x.ndim === 3) return squeeze(convTranspose2d(unsqueeze(x, 0), weight, bias, options), 0);
  const stride = pair(options.stride, 1, op, "stride", 1);
  const dilation = pair(options.dilation, 1, op, "dilation", 1);
  const [ph, pw] = pair(options.padding, 0, op, "padding", 0);
  const outputPadding = pair(options.outputPadding, 0, op, "outputPadding", 0);
  const groups = checkGroups(options.groups, op);
  for (const axis of [0, 1]) {
    check(outputPadding[axis] < Math.max(stride[axis], dilation[axis]), op,
      () => `outputPadding ${fmtShape(outputPadding)} must be smaller than stride ${fmtShape(stride)} or dilation ${fmtShape(dilation)}`);
  }
  const [cin, coutG, kh, kw] = weight.shape;
  check(x.shape[1] === cin && cin % groups === 0, op,
    () => `input has shape ${fmtShape(x.shape)} but weight has shape ${fmtShape(weight.shape)}: input channels (${x.shape[1]}) ` +
      `must equal weight.shape[0] (${cin}) and be divisible by groups (${groups})`);
  const size = [kh, kw].map((k, axis) => {
    const s = (x.shape[2 + axis] - 1) * stride[axis] - 2 * [ph, pw][axis] + dilation[axis] * (k - 1) + outputPadding[axis] + 1;
    check(s > 0, op, () => `output size would be ${s} along spatial axis ${axis} (input shape ${fmtShape(x.shape)}, ` +
      `weight shape ${fmtShape(weight.shape)}); reduce padding`);
    return s;
  });
  const y = inputGradOp([x, weight], { stride, padding: [ph, ph, pw, pw], dilation, groups, inputSize: [size[0], size[1]] });
  return addBias(y, bias, coutG * groups, op);
}
