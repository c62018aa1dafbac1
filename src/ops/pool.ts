/**
 * Pooling over the last one or two dimensions, with PyTorch's options and output sizes.
 * 1-D pools run as 2-D pools over a height of 1. Max pooling is one values kernel whose backward
 * rescans the input for the winners (or, when indices are asked for, an index kernel plus a pick
 * whose gradient scatters to them); average pooling is a linear kernel paired with its transpose.
 */
import { check, fmtShape } from "../core/errors.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { reshape } from "./movement.js";
import type { ValuesIndices } from "./reduce.js";
import { expectTensor } from "./scalar.js";

/** A size for each pooled dimension: one number for all, or one per dimension (`[h, w]` in 2-D). */
export type PoolSize = number | readonly number[];

/** Options of `maxPool1d` / `maxPool2d`, as in PyTorch. */
export interface MaxPoolOptions {
  kernelSize: PoolSize;
  /** Default: `kernelSize`. */
  stride?: PoolSize;
  /** Implicit -∞ padding on both sides; at most half the kernel size. Default 0. */
  padding?: PoolSize;
  /** Spacing between kernel taps. Default 1. */
  dilation?: PoolSize;
  /** Round the output size up (a last, partial window) instead of down. Default false. */
  ceilMode?: boolean;
  /** Also return the argmax of each window, as a flat index into its input plane. Default false. */
  returnIndices?: boolean;
}

/** Options of `avgPool1d` / `avgPool2d`, as in PyTorch. */
export interface AvgPoolOptions {
  kernelSize: PoolSize;
  /** Default: `kernelSize`. */
  stride?: PoolSize;
  /** Implicit zero padding on both sides; at most half the kernel size. Default 0. */
  padding?: PoolSize;
  /** Round the output size up instead of down. Default false. */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor. Default true. */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size. */
  divisorOverride?: number;
}

/** Output size of an adaptive pool: one number for all dims, or one per dim (null keeps the input size). */
export type AdaptiveSize = number | readonly (number | null)[];

/** Input and output plane sizes, shared by every pooling op's attributes. */
interface PlaneAttrs {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

interface WindowAttrs extends PlaneAttrs {
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
}

interface MaxAttrs extends WindowAttrs {
  dH: number;
  dW: number;
}

interface AvgAttrs extends WindowAttrs {
  countIncludePad: boolean;
  /** 0 when there is no divisor override. */
  divisor: number;
}

const planeShape = (x: Tensor, h: number, w: number): number[] => [...x.shape.slice(0, -2), h, w];

// ---- max pooling: indices, then a differentiable pick ----

const maxIndicesOp = defineOp<MaxAttrs>({
  name: "maxPool2dIndices",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: "int32" }),
});

const adaptiveMaxIndicesOp = defineOp<PlaneAttrs>({
  name: "adaptiveMaxPool2dIndices",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: "int32" }),
});

/**
 * A max pool's values alone, for callers that do not ask for indices: one scan of the input and no
 * index tensor kept for the backward, which scans the saved input again.
 */
const maxValuesOp: Op<MaxAttrs> = defineOp<MaxAttrs>({
  name: "maxPool2dValues",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: x.dtype }),
  grad: (ctx, gy) => [maxBackwardOp([gy, ctx.inputs[0]], ctx.attrs)],
});

/** gy scattered to each window's argmax in x (zeros elsewhere); its gradient in gy picks at those argmaxes. */
const maxBackwardOp: Op<MaxAttrs> = defineOp<MaxAttrs>({
  name: "maxPool2dBackward",
  infer: ([gy], a) => ({ shape: planeShape(gy, a.inH, a.inW), dtype: gy.dtype }),
  grad: (ctx, g) => [pickOp([g, maxIndicesOp([ctx.inputs[1]], ctx.attrs)], {}), null],
});

/** x[..., idx] per plane: the values of a max pool. Its gradient scatters to the chosen positions. */
const pickOp: Op<Record<string, never>> = defineOp({
  name: "maxPoolPick",
  infer: ([x, idx]) => ({ shape: idx.shape, dtype: x.dtype }),
  grad: (ctx, gy) => {
    const [x, idx] = ctx.inputs;
    return [backwardOp([gy, idx], { inH: x.shape[x.ndim - 2], inW: x.shape[x.ndim - 1] }), null];
  },
});

/** Scatter-adds gy into zeros of the input plane at idx; linear in gy, so its own gradient is the pick. */
const backwardOp: Op<{ inH: number; inW: number }> = defineOp<{ inH: number; inW: number }>({
  name: "maxPoolBackward",
  infer: ([gy], a) => ({ shape: planeShape(gy, a.inH, a.inW), dtype: gy.dtype }),
  grad: (ctx, g) => [pickOp([g, ctx.inputs[1]], {}), null],
});

// ---- average pooling: forward and backward, each the other's gradient ----

const avgOp: Op<AvgAttrs> = defineOp<AvgAttrs>({
  name: "avgPool2d",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: x.dtype }),
  grad: (ctx, gy) => [avgBackwardOp([gy], ctx.attrs)],
});

const avgBackwardOp: Op<AvgAttrs> = defineOp<AvgAttrs>({
  name: "avgPool2dBackward",
  infer: ([gy], a) => ({ shape: planeShape(gy, a.inH, a.inW), dtype: gy.dtype }),
  grad: (ctx, g) => [avgOp([g], ctx.attrs)],
});

const adaptiveAvgOp: Op<PlaneAttrs> = defineOp<PlaneAttrs>({
  name: "adaptiveAvgPool2d",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: x.dtype }),
  grad: (ctx, gy) => [adaptiveAvgBackwardOp([gy], ctx.attrs)],
});

const adaptiveAvgBackwardOp: Op<PlaneAttrs> = defineOp<PlaneAttrs>({
  name: "adaptiveAvgPool2dBackward",
  infer: ([gy], a) => ({ shape: planeShape(gy, a.inH, a.inW), dtype: gy.dtype }),
  grad: (ctx, g) => [adaptiveAvgOp([g], ctx.attrs)],
});

// ---- argument checks ----

/**
 * Checks the input of a `dims`-D pool (`[C, ...]` or `[N, C, ...]`) and returns it as 4-D-compatible
 * planes: the input itself for 2-D, with a height of 1 inserted for 1-D.
 */
function poolInput(op: string, input: unknown, dims: 1 | 2, allowInt: boolean): Tensor {
  const x = expectTensor(input, op, "input");
  const layout = dims === 1 ? "[C, L] or [N, C, L]" : "[C, H, W] or [N, C, H, W]";
  check(x.ndim === dims + 1 || x.ndim === dims + 2, op, () => `expects an input of shape ${layout}, got shape ${fmtShape(x.shape)}`);
  check(x.dtype === "float32" || x.dtype === "float64" || (allowInt && x.dtype === "int32"), op,
    () => `expects a ${allowInt ? "float or int32" : "float"} input, got ${x.dtype}`);
  check(x.shape.slice(x.ndim - dims - 1).every((d) => d > 0), op,
    () => `expects non-zero channel and spatial sizes (only the batch may be empty), got shape ${fmtShape(x.shape)}`);
  return dims === 1 ? reshape(x, [...x.shape.slice(0, -1), 1, x.shape[x.ndim - 1]]) : x;
}

/** One value per pooled dim from a number or a list, checked to be whole numbers ≥ `min`. */
function perDim(op: string, arg: string, value: PoolSize | undefined, dims: 1 | 2, fallback: readonly number[], min: number): number[] {
  if (value === undefined) return [...fallback];
  const list = typeof value === "number" ? new Array<number>(dims).fill(value) : [...value];
  check(Array.isArray(value) ? list.length === dims : typeof value === "number", op,
    () => `${arg} must be a number or a list of ${dims}, got ${JSON.stringify(value)}`);
  for (const v of list) {
    check(Number.isInteger(v) && v >= min, op, () => `${arg} must hold whole numbers ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return list;
}

/** Output length along one axis, with PyTorch's checks and ceil-mode rule. */
function pooledLength(op: string, axis: string, inSize: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  check(p <= Math.floor(k / 2), op, () => `padding ${p} must be at most half the kernel size ${k} along ${axis}`);
  const span = d * (k - 1) + 1;
  const padded = inSize + 2 * p;
  check(span <= padded, op, () => `kernel size ${k}${d > 1 ? ` with dilation ${d} (spanning ${span})` : ""} is larger than ` +
    `the padded input (${inSize} + 2·${p} = ${padded}) along ${axis}`);
  let out = Math.floor((padded - span + (ceilMode ? s - 1 : 0)) / s) + 1;
  // PyTorch's rule: with ceilMode the last window must start inside the input or its left padding.
  if (ceilMode && (out - 1) * s >= inSize + p) out -= 1;
  return out;
}

/** Kernel, stride, padding, dilation and output size for a `dims`-D pool over planes `x` (4-D-compatible). */
function windowAttrs(op: string, x: Tensor, dims: 1 | 2, o: MaxPoolOptions | AvgPoolOptions, dilation?: PoolSize): MaxAttrs {
  check(o !== null && typeof o === "object" && o.kernelSize !== undefined, op, "options.kernelSize is required");
  const k = perDim(op, "kernelSize", o.kernelSize, dims, [], 1);
  const s = perDim(op, "stride", o.stride, dims, k, 1);
  const p = perDim(op, "padding", o.padding, dims, new Array<number>(dims).fill(0), 0);
  const d = perDim(op, "dilation", dilation, dims, new Array<number>(dims).fill(1), 1);
  const ceilMode = o.ceilMode ?? false;
  // 1-D pools are 2-D pools with a 1-tall kernel over a 1-tall plane.
  const [kH, sH, pH, dH] = dims === 1 ? [1, 1, 0, 1] : [k[0], s[0], p[0], d[0]];
  const [kW, sW, pW, dW] = [k[dims - 1], s[dims - 1], p[dims - 1], d[dims - 1]];
  const inH = x.shape[x.ndim - 2];
  const inW = x.shape[x.ndim - 1];
  const outH = pooledLength(op, "height", inH, kH, sH, pH, dH, ceilMode);
  const outW = pooledLength(op, dims === 1 ? "length" : "width", inW, kW, sW, pW, dW, ceilMode);
  return { kH, kW, sH, sW, pH, pW, dH, dW, inH, inW, outH, outW };
}

/** Back from planes to the caller's rank: drops the height of 1 that a 1-D pool added. */
function unplane(y: Tensor, dims: 1 | 2): Tensor {
  return dims === 1 ? reshape(y, [...y.shape.slice(0, -2), y.shape[y.ndim - 1]]) : y;
}

function maxPool(op: string, input: Tensor, options: MaxPoolOptions, dims: 1 | 2): Tensor | ValuesIndices {
  const x = poolInput(op, input, dims, true);
  const a = windowAttrs(op, x, dims, options, options.dilation);
  if (options.returnIndices !== true) return unplane(maxValuesOp([x], a), dims);
  const indices = maxIndicesOp([x], a);
  const values = unplane(pickOp([x, indices], {}), dims);
  return { values, indices: unplane(indices, dims) };
}

function avgPool(op: string, input: Tensor, options: AvgPoolOptions, dims: 1 | 2): Tensor {
  const x = poolInput(op, input, dims, false);
  check(!("dilation" in options), op, "average pooling has no dilation option");
  const a = windowAttrs(op, x, dims, options);
  const divisor = options.divisorOverride ?? 0;
  check(options.divisorOverride === undefined || (Number.isFinite(divisor) && divisor !== 0), op,
    () => `divisorOverride must be a non-zero number, got ${String(options.divisorOverride)}`);
  const { dH: _dH, dW: _dW, ...window } = a;
  return unplane(avgOp([x], { ...window, countIncludePad: options.countIncludePad ?? true, divisor }), dims);
}

/** The adaptive output plane for `outputSize` (null entries keep the input size). */
function adaptiveAttrs(op: string, x: Tensor, dims: 1 | 2, outputSize: AdaptiveSize): PlaneAttrs {
  const list = typeof outputSize === "number" ? new Array<number>(dims).fill(outputSize) : Array.isArray(outputSize) ? [...outputSize] : [];
  check(list.length === dims, op, () => `outputSize must be a number or a list of ${dims}, got ${JSON.stringify(outputSize)}`);
  const inH = x.shape[x.ndim - 2];
  const inW = x.shape[x.ndim - 1];
  const ins = dims === 1 ? [inW] : [inH, inW];
  const outs = list.map((v, i) => (v === null ? ins[i] : v));
  for (const v of outs) check(Number.isInteger(v) && v >= 1, op, () => `outputSize must hold whole numbers ≥ 1, got ${JSON.stringify(outputSize)}`);
  return { inH, inW, outH: dims === 1 ? 1 : outs[0], outW: outs[dims - 1] };
}

// ---- public API ----

/**
 * 2-D max pooling over the last two dims of `[C, H, W]` or `[N, C, H, W]`, like `F.max_pool2d`.
 * With `returnIndices: true` returns `{ values, indices }`, indices flat into each H·W plane (int32).
 * @example tl.maxPool2d(x, { kernelSize: 2 }) // [N, C, H/2, W/2]
 */
export function maxPool2d(x: Tensor, options: MaxPoolOptions & { returnIndices: true }): ValuesIndices;
export function maxPool2d(x: Tensor, options: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, options: MaxPoolOptions): Tensor | ValuesIndices;
export function maxPool2d(x: Tensor, options: MaxPoolOptions): Tensor | ValuesIndices {
  return maxPool("maxPool2d", x, options, 2);
}

/**
 * 1-D max pooling over the last dim of `[C, L]` or `[N, C, L]`, like `F.max_pool1d`.
 * @example tl.maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1 })
 */
export function maxPool1d(x: Tensor, options: MaxPoolOptions & { returnIndices: true }): ValuesIndices;
export function maxPool1d(x: Tensor, options: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(x: Tensor, options: MaxPoolOptions): Tensor | ValuesIndices;
export function maxPool1d(x: Tensor, options: MaxPoolOptions): Tensor | ValuesIndices {
  return maxPool("maxPool1d", x, options, 1);
}

/**
 * 2-D average pooling over the last two dims of `[C, H, W]` or `[N, C, H, W]`, like `F.avg_pool2d`.
 * @example tl.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false })
 */
export function avgPool2d(x: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool("avgPool2d", x, options, 2);
}

/**
 * 1-D average pooling over the last dim of `[C, L]` or `[N, C, L]`, like `F.avg_pool1d`.
 * @example tl.avgPool1d(x, { kernelSize: 2 })
 */
export function avgPool1d(x: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool("avgPool1d", x, options, 1);
}

/**
 * Average over PyTorch's adaptive windows (`[floor(i·in/out), ceil((i+1)·in/out))`) so the output
 * has `outputSize`, like `F.adaptive_avg_pool2d`.
 * @example tl.adaptiveAvgPool2d(x, 1) // global average pooling: [N, C, 1, 1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const planes = poolInput("adaptiveAvgPool2d", x, 2, false);
  return adaptiveAvgOp([planes], adaptiveAttrs("adaptiveAvgPool2d", planes, 2, outputSize));
}

/**
 * 1-D adaptive average pooling of `[C, L]` or `[N, C, L]`, like `F.adaptive_avg_pool1d`.
 * @example tl.adaptiveAvgPool1d(x, 4)
 */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | readonly [number]): Tensor {
  const planes = poolInput("adaptiveAvgPool1d", x, 1, false);
  return unplane(adaptiveAvgOp([planes], adaptiveAttrs("adaptiveAvgPool1d", planes, 1, outputSize)), 1);
}

/**
 * Max over PyTorch's adaptive windows, like `F.adaptive_max_pool2d`; `returnIndices` as in `maxPool2d`.
 * @example tl.adaptiveMaxPool2d(x, [2, 3])
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, options: { returnIndices: true }): ValuesIndices;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, options?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, options?: { returnIndices?: boolean }): Tensor | ValuesIndices;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, options: { returnIndices?: boolean } = {}): Tensor | ValuesIndices {
  const planes = poolInput("adaptiveMaxPool2d", x, 2, true);
  const indices = adaptiveMaxIndicesOp([planes], adaptiveAttrs("adaptiveMaxPool2d", planes, 2, outputSize));
  const values = pickOp([planes, indices], {});
  return options.returnIndices ? { values, indices } : values;
}
