import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { broadcastShapes, normalizeDim, shapesEqual } from "../core/shape.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { where } from "./binary.js";
import { cast } from "./cast.js";
import { zerosLike } from "./creation.js";
import { pad } from "./join.js";
import { expand, reshape } from "./movement.js";
import { expectTensor } from "./scalar.js";

/**
 * Checks an index tensor and returns it as int32. Indices may come as int32 or as float tensors holding
 * whole numbers (what `tl.tensor([0, 2])` makes); each must lie in 0..size-1 (`size` < 0 skips the range check).
 */
function asIndex(index: unknown, op: string, size: number, what: string): Tensor {
  const t = expectTensor(index, op, "index");
  check(t.dtype === "int32" || isFloat(t.dtype), op,
    () => `index must be an int32 tensor or a float tensor of whole numbers, got dtype ${t.dtype}`);
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    check(Number.isInteger(v), op, () => `index holds ${v}, which is not a whole number`);
    check(size < 0 || (v >= 0 && v < size), op, () => size === 0
      ? `index ${v} is out of range: ${what} is 0, so no index is valid`
      : `index ${v} is out of range for ${what} (valid indices are 0..${size - 1})`);
  }
  return cast(t, "int32");
}

function sameRank(op: string, x: Tensor, index: Tensor, other?: Tensor): void {
  check(index.ndim === x.ndim && (other === undefined || other.ndim === x.ndim), op,
    () => `x ${fmtShape(x.shape)}, index ${fmtShape(index.shape)}${other ? ` and src ${fmtShape(other.shape)}` : ""} must have the same number of dimensions`);
}

const gatherOp: Op<{ dim: number }> = defineOp<{ dim: number }>({
  name: "gather",
  infer: ([x, index], { dim }) => {
    sameRank("gather", x, index);
    check(index.shape.every((n, k) => k === dim || n <= x.shape[k]), "gather",
      () => `index has shape ${fmtShape(index.shape)} but x has shape ${fmtShape(x.shape)}: index sizes must not exceed x's except in dimension ${dim}`);
    return { shape: index.shape, dtype: x.dtype };
  },
  grad: (ctx, gy) => {
    const [x, index] = ctx.inputs;
    return [scatterAddOp([zerosLike(x), index, gy], ctx.attrs), null];
  },
});

/**
 * Picks values along `dim` by index, like `torch.gather`: `out[i][j] = x[index[i][j]][j]` for dim 0.
 * `index` has x's number of dimensions; the result has index's shape.
 * @example tl.gather(tl.tensor([[1, 2], [3, 4]]), 1, tl.tensor([[1], [0]])) // [[2], [3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  expectTensor(x, "gather", "x");
  check(x.ndim > 0, "gather", "x must have at least one dimension");
  const d = normalizeDim(dim, x.ndim, "gather");
  return gatherOp([x, asIndex(index, "gather", x.shape[d], `dimension ${dim} of x with size ${x.shape[d]}`)], { dim: d });
}

const scatterAddOp: Op<{ dim: number }> = defineOp<{ dim: number }>({
  name: "scatterAdd",
  infer: ([x, index, src], { dim }) => {
    sameRank("scatterAdd", x, index, src);
    check(index.shape.every((n, k) => n <= src.shape[k] && (k === dim || n <= x.shape[k])), "scatterAdd",
      () => `index has shape ${fmtShape(index.shape)}, x ${fmtShape(x.shape)}, src ${fmtShape(src.shape)}: index sizes must not exceed ` +
        `src's, nor x's except in dimension ${dim}`);
    check(src.dtype === x.dtype, "scatterAdd", () => `src has dtype ${src.dtype} but x has dtype ${x.dtype}; they must match`);
    return { shape: x.shape, dtype: x.dtype };
  },
  grad: (ctx, gy) => {
    const [, index, src] = ctx.inputs;
    let gsrc: Tensor | null = null;
    if (ctx.needsInputGrad[2]) {
      // Only src's first index.shape block is read; the rest of src gets zero gradient.
      gsrc = gatherOp([gy, index], ctx.attrs);
      if (!shapesEqual(gsrc.shape, src.shape)) gsrc = pad(gsrc, index.shape.map((n, k) => [0, src.shape[k] - n]).reverse().flat());
    }
    return [ctx.needsInputGrad[0] ? gy : null, null, gsrc];
  },
});

/**
 * `x` with `src` added at `index` along `dim`, like `torch.scatter_add` (out of place): for dim 0,
 * `out[index[i][j]][j] += src[i][j]`. Repeated indices accumulate.
 * @example tl.scatterAdd(tl.zeros([3]), 0, tl.tensor([0, 0, 2]), tl.tensor([1, 2, 3])) // [3, 0, 3]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  expectTensor(x, "scatterAdd", "x");
  expectTensor(src, "scatterAdd", "src");
  check(x.ndim > 0, "scatterAdd", "x must have at least one dimension");
  const d = normalizeDim(dim, x.ndim, "scatterAdd");
  return scatterAddOp([x, asIndex(index, "scatterAdd", x.shape[d], `dimension ${dim} of x with size ${x.shape[d]}`), src], { dim: d });
}

const indexSelectOp = defineOp<{ dim: number }>({
  name: "indexSelect",
  infer: ([x, index], { dim }) => {
    check(index.ndim <= 1, "indexSelect", () => `index must be a 1-D tensor, got shape ${fmtShape(index.shape)}`);
    const shape = [...x.shape];
    shape[dim] = index.size;
    return { shape, dtype: x.dtype };
  },
  // Index-add: each selected slice's gradient adds into the slice it came from (repeats accumulate).
  grad: (ctx, gy) => {
    const [x, index] = ctx.inputs;
    const { dim } = ctx.attrs;
    const spread = expand(reshape(index, x.shape.map((_, k) => (k === dim ? index.size : 1))), gy.shape);
    return [scatterAddOp([zerosLike(x), spread, gy], { dim }), null];
  },
});

/**
 * The slices of `x` at `index` along `dim`, like `torch.index_select`; `index` is 1-D and may repeat.
 * @example tl.indexSelect(x, 0, tl.tensor([2, 0])) // rows 2 and 0
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  expectTensor(x, "indexSelect", "x");
  check(x.ndim > 0, "indexSelect", "x must have at least one dimension");
  const d = normalizeDim(dim, x.ndim, "indexSelect");
  return indexSelectOp([x, asIndex(index, "indexSelect", x.shape[d], `dimension ${dim} of x with size ${x.shape[d]}`)], { dim: d });
}

const maskedFillOp = defineOp<{ value: number }>({
  name: "maskedFill",
  infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  grad: (ctx, gy) => [where(ctx.inputs[1], 0, gy), null],
});

/**
 * `value` where `mask` is true, `x` elsewhere, like `torch.masked_fill`; mask is bool and broadcasts with x.
 * `value` may be a number or a 0-d tensor (which then receives a gradient).
 * @example tl.maskedFill(scores, causalMask, -Infinity)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  expectTensor(x, "maskedFill", "x");
  expectTensor(mask, "maskedFill", "mask");
  check(mask.dtype === "bool", "maskedFill", () => `mask must be a bool tensor, got dtype ${mask.dtype}; compare first (e.g. x.gt(0))`);
  const shape = broadcastShapes("maskedFill", x.shape, mask.shape);
  if (value instanceof Tensor) {
    check(value.ndim === 0, "maskedFill", () => `a tensor value must be 0-dimensional, got shape ${fmtShape(value.shape)}`);
    return where(mask, cast(value, x.dtype), x);
  }
  check(typeof value === "number" || typeof value === "boolean", "maskedFill", () => `value must be a number or a 0-d tensor, got ${typeof value}`);
  const v = Number(value);
  check(isFloat(x.dtype) || (x.dtype === "bool" ? v === 0 || v === 1 : Number.isInteger(v)), "maskedFill",
    () => `value ${v} does not fit x's dtype ${x.dtype}`);
  const fit = (t: Tensor): Tensor => (shapesEqual(t.shape, shape) ? t : expand(t, shape));
  return maskedFillOp([fit(x), fit(mask)], { value: v });
}

const oneHotOp = defineOp<{ numClasses: number }>({
  name: "oneHot",
  infer: ([indices], { numClasses }) => ({ shape: [...indices.shape, numClasses], dtype: "int32" }),
});

/**
 * One-hot encoding, like `torch.nn.functional.one_hot`: shape `[...indices.shape, numClasses]`, int32 (PyTorch
 * gives int64). `numClasses = -1` uses the largest index + 1.
 * @example tl.oneHot(tl.tensor([0, 2]), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  check(numClasses === -1 || (Number.isInteger(numClasses) && numClasses > 0), "oneHot",
    () => `numClasses must be -1 (infer) or a positive whole number, got ${numClasses}`);
  const idx = asIndex(indices, "oneHot", numClasses, `numClasses ${numClasses}`);
  if (numClasses === -1) {
    check(idx.size > 0, "oneHot", "cannot infer numClasses from an empty tensor; pass numClasses");
    const values = idx.dataSync();
    let max = 0;
    for (let i = 0; i < values.length; i++) {
      check(values[i] >= 0, "oneHot", () => `index ${values[i]} is negative; class indices must be ≥ 0`);
      max = Math.max(max, values[i]);
    }
    numClasses = max + 1;
  }
  return oneHotOp([idx], { numClasses });
}

function triangle(name: "tril" | "triu"): (x: Tensor, diagonal?: number) => Tensor {
  const op: Op<{ diagonal: number }> = defineOp<{ diagonal: number }>({
    name,
    infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
    // Keeping or zeroing fixed positions is linear: the gradient keeps the same positions.
    grad: (ctx, gy) => [op([gy], ctx.attrs)],
  });
  return (x, diagonal = 0) => {
    expectTensor(x, name, "x");
    check(x.ndim >= 2, name, () => `expects a tensor with at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
    check(Number.isInteger(diagonal), name, () => `diagonal must be a whole number, got ${diagonal}`);
    return op([x], { diagonal });
  };
}

/**
 * The lower triangle of the last two dims (elements with col − row ≤ diagonal), zeros elsewhere, like `torch.tril`.
 * @example tl.tril(tl.ones([3, 3])) // ones on and below the diagonal
 */
export const tril = triangle("tril");

/**
 * The upper triangle of the last two dims (elements with col − row ≥ diagonal), zeros elsewhere, like `torch.triu`.
 * @example tl.triu(tl.ones([3, 3]), 1) // ones strictly above the diagonal
 */
export const triu = triangle("triu");
