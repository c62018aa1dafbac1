import { check, fmtShape } from "../core/errors.js";
import { contiguousLayout, viewStrides, type Layout } from "../core/layout.js";
import { normalizeDim, normalizeDims, sizeOf } from "../core/shape.js";
import { defineOp, defineView, materialize } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { sum } from "./reduce.js";

/** Resolves one `-1` in a requested shape and checks the element count. */
function resolveShape(x: Tensor, shape: readonly number[], op: string): number[] {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  check(out.filter((d) => d === -1).length <= 1, op, () => `only one dimension can be -1, got ${fmtShape(shape)}`);
  for (const d of out) check(Number.isInteger(d) && d >= -1, op, () => `invalid shape ${fmtShape(shape)}`);
  if (unknown >= 0) {
    const known = sizeOf(out.filter((d) => d !== -1));
    check(known > 0 && x.size % known === 0, op, () => `shape ${fmtShape(shape)} is invalid for input of size ${x.size}`);
    out[unknown] = x.size / known;
  }
  check(sizeOf(out) === x.size, op, () => `shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(x.shape)} (size ${x.size})`);
  return out;
}

const viewOp = defineView<{ shape: readonly number[] }>({
  name: "view",
  view: (x, { shape }) => {
    const strides = viewStrides(x, shape);
    check(strides !== null, "view", () => `a view of shape ${fmtShape(shape)} is not possible for a tensor of shape ${fmtShape(x.shape)} ` +
      `and strides ${fmtShape(x.strides)}; use reshape(), which copies when it must`);
    return { shape, strides: strides as number[], offset: x.offset };
  },
  grad: (ctx, gy) => [reshape(gy, ctx.inputs[0].shape)],
});

/** A view with a new shape (one dim may be -1); throws when the strides do not allow it. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return viewOp([x], { shape: resolveShape(x, shape, "view") });
}

/** A tensor with a new shape: a free view when the layout allows, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape(x, shape, "reshape");
  if (viewStrides(x, s) !== null) return viewOp([x], { shape: s });
  return viewOp([contiguous(x)], { shape: s });
}

const contiguousOp = defineOp({
  name: "contiguous",
  infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  grad: (_ctx, gy) => [gy],
});

/** `x` itself when already contiguous, otherwise a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous ? x : contiguousOp([x], {});
}

/** A contiguous copy, recorded for autograd (like `x.clone()`). */
export function clone(x: Tensor): Tensor {
  return contiguousOp([x], {});
}

const expandOp = defineView<{ shape: readonly number[] }>({
  name: "expand",
  view: (x, { shape }) => {
    const lead = shape.length - x.ndim;
    const strides = shape.map((d, i) => {
      if (i < lead) return 0;
      const own = x.shape[i - lead];
      return own === d ? x.strides[i - lead] : 0;
    });
    return { shape, strides, offset: x.offset };
  },
  grad: (ctx, gy) => [sumTo(gy, ctx.inputs[0].shape)],
});

/** Broadcasts to `shape` without copying (size-1 dims repeat; -1 keeps a size), like PyTorch's expand. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  check(shape.length >= x.ndim, "expand", () => `cannot expand shape ${fmtShape(x.shape)} to fewer dimensions ${fmtShape(shape)}`);
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  target.forEach((d, i) => {
    const own = i >= lead ? x.shape[i - lead] : 1;
    check(Number.isInteger(d) && d >= 0 && (own === d || own === 1), "expand",
      () => `cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}: dimension ${i} is ${own} (must equal ${d} or be 1)`);
  });
  return expandOp([x], { shape: target });
}

/** Sums a broadcast gradient back to `shape` (the reverse of broadcasting). */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (x.ndim === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const lead = x.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) dims.push(i);
  const summed = dims.length > 0 ? sum(x, { dim: dims, keepdim: true }) : x;
  return reshape(summed, shape);
}

const permuteOp = defineView<{ dims: readonly number[] }>({
  name: "permute",
  view: (x, { dims }) => ({ shape: dims.map((d) => x.shape[d]), strides: dims.map((d) => x.strides[d]), offset: x.offset }),
  grad: (ctx, gy) => {
    const inverse = new Array<number>(ctx.attrs.dims.length);
    ctx.attrs.dims.forEach((d, i) => (inverse[d] = i));
    return [permute(gy, inverse)];
  },
});

/** Reorders dimensions without copying. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  check(dims.length === x.ndim, "permute", () => `dims ${fmtShape(dims)} must name each of the ${x.ndim} dimensions once`);
  const norm = dims.map((d) => normalizeDim(d, x.ndim, "permute"));
  check(new Set(norm).size === norm.length, "permute", () => `dims ${fmtShape(dims)} repeat a dimension`);
  return permuteOp([x], { dims: norm });
}

/** Swaps two dimensions without copying. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.ndim, "transpose");
  const b = normalizeDim(dim1, x.ndim, "transpose");
  const dims = Array.from({ length: x.ndim }, (_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return x.ndim < 2 ? x : permuteOp([x], { dims });
}

/** Transpose of a tensor with at most 2 dimensions, like PyTorch's `t()`. */
export function t(x: Tensor): Tensor {
  check(x.ndim <= 2, "t", () => `expects a tensor with at most 2 dimensions, got shape ${fmtShape(x.shape)}; use transpose(dim0, dim1)`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Removes size-1 dimensions (all of them, or the ones named). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : normalizeDims(dim, x.ndim, "squeeze");
  const keep = x.shape.map((d, i) => !(d === 1 && dims.includes(i)));
  const layout: Layout = {
    shape: x.shape.filter((_, i) => keep[i]),
    strides: x.strides.filter((_, i) => keep[i]),
    offset: x.offset,
  };
  return layout.shape.length === x.ndim ? x : viewOp([x], { shape: layout.shape });
}

/** Inserts a size-1 dimension at `dim` (negative counts from the end of the result). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return viewOp([x], { shape });
}

/** Flattens dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, "flatten");
  const e = normalizeDim(endDim, x.ndim, "flatten");
  check(s <= e, "flatten", () => `startDim (${startDim}) must not come after endDim (${endDim})`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Splits dimension `dim` into `sizes`, like `torch.unflatten`. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.ndim, "unflatten");
  const known = sizeOf(sizes.filter((s) => s !== -1));
  check(sizes.includes(-1) ? known > 0 && x.shape[d] % known === 0 : known === x.shape[d], "unflatten",
    () => `sizes ${fmtShape(sizes)} do not multiply to dimension ${dim} of shape ${fmtShape(x.shape)} (size ${x.shape[d]})`);
  return reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
}

const sliceOp = defineView<{ dim: number; start: number; length: number; step: number }>({
  name: "slice",
  view: (x, { dim, start, length, step }) => {
    const shape = [...x.shape];
    const strides = [...x.strides];
    shape[dim] = length;
    strides[dim] = x.strides[dim] * step;
    return { shape, strides, offset: x.offset + start * x.strides[dim] };
  },
  grad: (ctx, gy) => [sliceBackward(gy, ctx.inputs[0].shape, ctx.attrs)],
});

const sliceBackwardOp = defineOp<{ shape: readonly number[]; dim: number; start: number; length: number; step: number }>({
  name: "sliceBackward",
  infer: ([gy], a) => ({ shape: a.shape, dtype: gy.dtype, kernelAttrs: a }),
  grad: (ctx, g) => [sliceOp([g], ctx.attrs)],
});

/** Scatters a slice's gradient into zeros of the input's shape. */
function sliceBackward(gy: Tensor, shape: readonly number[], a: { dim: number; start: number; length: number; step: number }): Tensor {
  return sliceBackwardOp([gy], { shape, ...a });
}

/** Elements start..start+length-1 along `dim`, without copying, like `torch.narrow`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "narrow");
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  check(Number.isInteger(s) && s >= 0 && s <= size, "narrow", () => `start ${start} is out of range for dimension ${dim} of size ${size}`);
  check(Number.isInteger(length) && length >= 0 && s + length <= size, "narrow",
    () => `start (${start}) + length (${length}) exceeds dimension ${dim} of size ${size}`);
  return sliceOp([x], { dim: d, start: s, length, step: 1 });
}

/**
 * Python-style slice along `dim`: `start:end:step` with negative indices and clamping to the size,
 * as `x[start:end:step]` does in PyTorch. Only positive steps, like PyTorch.
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim, "slice");
  check(Number.isInteger(step) && step > 0, "slice", `step must be a positive whole number, got ${step}`);
  const size = x.shape[d];
  const clampIndex = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = start === undefined || start === null ? 0 : clampIndex(start);
  const e = end === undefined || end === null ? size : clampIndex(end);
  const length = e > s ? Math.ceil((e - s) / step) : 0;
  return sliceOp([x], { dim: d, start: s, length, step });
}

/** Element `index` along `dim`, removing that dimension (like `x[index]` on dim 0). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "select");
  const size = x.shape[d];
  check(Number.isInteger(index) && index >= -size && index < size, "select",
    () => `index ${index} is out of range for dimension ${dim} of size ${size}`);
  const i = index < 0 ? index + size : index;
  return squeeze(sliceOp([x], { dim: d, start: i, length: 1, step: 1 }), d);
}

/** @internal A layout for tests of the view machinery. */
export function layoutOf(x: Tensor): Layout {
  return { shape: x.shape, strides: x.strides, offset: x.offset };
}

export { contiguousLayout, materialize };
