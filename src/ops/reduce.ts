import { isFloat, type DType } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { normalizeDim, normalizeDims } from "../core/shape.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { add, div, eq, mul, sub, where } from "./binary.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import { expand, reshape, unsqueeze } from "./movement.js";
import { exp, isfinite, log, sqrt, square } from "./unary.js";

/** Options of every reduction: `dim` a number or list (negative allowed; omitted = all), `keepdim`. */
export interface ReduceOptions {
  dim?: number | readonly number[];
  keepdim?: boolean;
}

interface ReduceAttrs {
  dims: readonly number[];
  keepdim: boolean;
}

function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

function attrsOf(x: Tensor, options: ReduceOptions, op: string): ReduceAttrs {
  // A 0-d tensor accepts dim 0 / -1 (like PyTorch) but has no dimension to reduce.
  const dims = normalizeDims(options.dim, x.ndim, op).filter((d) => d < x.ndim);
  return { dims, keepdim: options.keepdim ?? false };
}

/** Puts back the reduced dims as size 1 so a gradient broadcasts over the input. */
function unreduce(g: Tensor, x: Tensor, a: ReduceAttrs): Tensor {
  const kept = reshape(g, reducedShape(x.shape, a.dims, true));
  return expand(kept, x.shape);
}

function reduceOp(name: string, dtype: (d: DType) => DType, grad?: (x: Tensor, y: Tensor, gy: Tensor, a: ReduceAttrs) => Tensor) {
  return defineOp<ReduceAttrs>({
    name,
    infer: ([x], a) => {
      check(name === "sum" || name === "all" || name === "any" || name === "prod" || x.size > 0 || a.dims.every((d) => x.shape[d] > 0), name,
        () => `cannot reduce an empty dimension of shape ${fmtShape(x.shape)}`);
      return { shape: reducedShape(x.shape, a.dims, a.keepdim), dtype: dtype(x.dtype), kernelAttrs: { dims: a.dims } };
    },
    grad: grad && ((ctx, gy) => [grad(ctx.inputs[0], ctx.output, gy, ctx.attrs)]),
  });
}

const sumDType = (d: DType): DType => (d === "bool" ? "int32" : d);
const sumOp = reduceOp("sum", sumDType, (x, _y, gy, a) => unreduce(gy, x, a));

/** Sum over `dim` (all dims when omitted). */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  return sumOp([x], attrsOf(x, options, "sum"));
}

/** Mean over `dim`; integer inputs give float32. */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const a = attrsOf(x, options, "mean");
  const n = a.dims.reduce((p, d) => p * x.shape[d], 1);
  const xf = isFloat(x.dtype) ? x : cast(x, "float32");
  return div(sumOp([xf], a), n);
}

const prodOp = reduceOp("prod", sumDType, (x, y, gy, a) => {
  // ∂(Πx)/∂xᵢ = Π_{j≠i} xⱼ: exact when x has no zeros; with zeros, use the product of the others.
  const yb = unreduce(a.keepdim ? y : reshape(y, reducedShape(x.shape, a.dims, true)), x, a);
  const g = unreduce(gy, x, a);
  const zero = eq(x, 0);
  const others = prodOfOthers(x, a);
  return mul(g, where(zero, others, div(yb, x)));
});

/** Product of all elements in each reduced group except the element itself (no division, zeros safe). */
function prodOfOthers(x: Tensor, a: ReduceAttrs): Tensor {
  const zero = eq(x, 0);
  const nonzero = where(zero, 1, x); // zeros → 1
  const pNonzero = unreduce(prodOp([nonzero], { dims: a.dims, keepdim: true }), x, a);
  const zeros = unreduce(sumOp([cast(zero, x.dtype)], { dims: a.dims, keepdim: true }), x, a);
  // Only an element that is the single zero of its group has a non-zero product of others.
  return mul(pNonzero, cast(eq(zeros, 1), x.dtype));
}

/** Product over `dim`. */
export function prod(x: Tensor, options: ReduceOptions = {}): Tensor {
  return prodOp([x], attrsOf(x, options, "prod"));
}

/** Gradient of an all-dims max/min: split evenly among the elements equal to the result, like amax. */
const extremumGrad = (x: Tensor, y: Tensor, gy: Tensor, a: ReduceAttrs): Tensor => {
  const yb = unreduce(y, x, a);
  const mask = cast(eq(x, yb), x.dtype);
  const count = unreduce(sumOp([mask], { dims: a.dims, keepdim: true }), x, a);
  return div(mul(unreduce(gy, x, a), mask), count);
};
const maxOp = reduceOp("max", (d) => d, extremumGrad);
const minOp = reduceOp("min", (d) => d, extremumGrad);
const argmaxOp = reduceOp("argmax", () => "int32");
const argminOp = reduceOp("argmin", () => "int32");

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** The element of x at `indices` along `dim` (the values of max/min with dim); its gradient goes to that index. */
const selectedOp = defineOp<{ dim: number; keepdim: boolean }>({
  name: "takeAlongDim",
  infer: ([x], { dim, keepdim }) => ({ shape: reducedShape(x.shape, [dim], keepdim), dtype: x.dtype, kernelAttrs: { dim } }),
  grad: (ctx, gy) => {
    const [x, idx] = ctx.inputs;
    const { dim, keepdim } = ctx.attrs;
    const positions = reshape(arange(x.shape[dim]), x.shape.map((d, i) => (i === dim ? d : 1)));
    const chosen = keepdim ? idx : unsqueeze(idx, dim);
    const mask = cast(eq(positions, chosen), gy.dtype);
    return [mul(keepdim ? gy : unsqueeze(gy, dim), mask), null];
  },
});

function extremum(x: Tensor, options: ReduceOptions, name: "max" | "min"): Tensor | ValuesIndices {
  if (options.dim === undefined) return (name === "max" ? maxOp : minOp)([x], attrsOf(x, options, name));
  check(typeof options.dim === "number", name, () => `with indices, dim must be a single number, got ${JSON.stringify(options.dim)}`);
  const dim = normalizeDim(options.dim, x.ndim, name);
  if (x.ndim === 0) return extremum(reshape(x, [1]), { dim: 0 }, name); // 0-d in, 0-d out
  const keepdim = options.keepdim ?? false;
  const indices = (name === "max" ? argmaxOp : argminOp)([x], { dims: [dim], keepdim });
  const values = selectedOp([x, indices], { dim, keepdim });
  return { values, indices };
}

/**
 * Maximum. Without `dim` returns a tensor; with `dim` returns `{ values, indices }` like PyTorch.
 * @example x.max({ dim: -1 }).values
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, options: ReduceOptions & { dim: number }): ValuesIndices;
export function max(x: Tensor, options?: ReduceOptions): Tensor | ValuesIndices;
export function max(x: Tensor, options: ReduceOptions = {}): Tensor | ValuesIndices {
  return extremum(x, options, "max");
}

/** Minimum; with `dim` returns `{ values, indices }`. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, options: ReduceOptions & { dim: number }): ValuesIndices;
export function min(x: Tensor, options?: ReduceOptions): Tensor | ValuesIndices;
export function min(x: Tensor, options: ReduceOptions = {}): Tensor | ValuesIndices {
  return extremum(x, options, "min");
}

/** Max over several dims at once (no indices), like `torch.amax`. */
export function amax(x: Tensor, options: ReduceOptions = {}): Tensor {
  return maxOp([x], attrsOf(x, options, "amax"));
}

/** Min over several dims at once (no indices), like `torch.amin`. */
export function amin(x: Tensor, options: ReduceOptions = {}): Tensor {
  return minOp([x], attrsOf(x, options, "amin"));
}

function argExtremum(x: Tensor, options: { dim?: number; keepdim?: boolean }, name: "argmax" | "argmin"): Tensor {
  const op = name === "argmax" ? argmaxOp : argminOp;
  if (options.dim === undefined) {
    const flat = reshape(x, [-1]);
    return op([flat], { dims: [0], keepdim: false });
  }
  const dim = normalizeDim(options.dim, x.ndim, name);
  if (x.ndim === 0) return op([reshape(x, [1])], { dims: [0], keepdim: false });
  return op([x], { dims: [dim], keepdim: options.keepdim ?? false });
}

/** Index of the maximum (of the flattened tensor when `dim` is omitted); int32. */
export function argmax(x: Tensor, options: { dim?: number; keepdim?: boolean } = {}): Tensor {
  return argExtremum(x, options, "argmax");
}

/** Index of the minimum; int32. */
export function argmin(x: Tensor, options: { dim?: number; keepdim?: boolean } = {}): Tensor {
  return argExtremum(x, options, "argmin");
}

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction (divide by n − 1); default true, like PyTorch. */
  unbiased?: boolean;
}

/** Variance over `dim`. */
export function variance(x: Tensor, options: VarOptions = {}): Tensor {
  const a = attrsOf(x, options, "var");
  const n = a.dims.reduce((p, d) => p * x.shape[d], 1);
  const unbiased = options.unbiased ?? true;
  const m = mean(x, { dim: a.dims, keepdim: true });
  const ss = sum(square(sub(x, m)), { dim: a.dims, keepdim: a.keepdim });
  return div(ss, unbiased ? n - 1 : n);
}

/** Standard deviation over `dim`. */
export function std(x: Tensor, options: VarOptions = {}): Tensor {
  return sqrt(variance(x, options));
}

/** log Σ exp(x) over `dim`, computed stably (the max is subtracted first). */
export function logsumexp(x: Tensor, options: ReduceOptions = {}): Tensor {
  const a = attrsOf(x, options, "logsumexp");
  const m = maxOp([x], { dims: a.dims, keepdim: true }).detach();
  // A row of -inf would give nan from (-inf) - (-inf); shift such rows by 0 instead.
  const shift = where(isfinite(m), m, 0);
  const s = sum(exp(sub(x, shift)), { dim: a.dims, keepdim: true });
  const out = add(log(s), shift);
  return a.keepdim ? out : reshape(out, reducedShape(x.shape, a.dims, false));
}

const allOp = reduceOp("all", () => "bool");
const anyOp = reduceOp("any", () => "bool");

/** True where every element (over `dim`) is non-zero. */
export function all(x: Tensor, options: ReduceOptions = {}): Tensor {
  return allOp([x], attrsOf(x, options, "all"));
}

/** True where some element (over `dim`) is non-zero. */
export function any(x: Tensor, options: ReduceOptions = {}): Tensor {
  return anyOp([x], attrsOf(x, options, "any"));
}

const cumsumOp: Op<{ dim: number }> = defineOp<{ dim: number }>({
  name: "cumsum",
  infer: ([x], { dim }) => ({ shape: x.shape, dtype: sumDType(x.dtype), kernelAttrs: { dim } }),
  // The gradient of a running sum is the reversed running sum of the gradient.
  grad: (ctx, gy) => {
    const d = ctx.attrs.dim;
    const total = sum(gy, { dim: d, keepdim: true });
    return [add(sub(total, cumsumOp([gy], { dim: d })), gy)];
  },
});

/** Running sum along `dim`. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "cumsum");
  return x.ndim === 0 ? reshape(cumsumOp([reshape(x, [1])], { dim: 0 }), []) : cumsumOp([x], { dim: d });
}
