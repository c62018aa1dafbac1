/** Shared checks of the functional losses and layers: reductions, class-index targets, shapes. */
import { isFloat } from "../../core/dtype.js";
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import type { Tensor } from "../../engine/tensor.js";
import { cast, mean, sum } from "../../ops/index.js";

/** How a loss combines its per-element values, like PyTorch's `reduction`. */
export type Reduction = "mean" | "sum" | "none";

/** Checks `reduction` is one of `allowed` and returns it (the default when undefined). */
export function checkReduction<R extends string>(reduction: R | undefined, fallback: R, allowed: readonly R[], op: string): R {
  const r = reduction ?? fallback;
  check(allowed.includes(r), op, () => `reduction must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(reduction)}`);
  return r;
}

/** Applies a "mean" | "sum" | "none" reduction to per-element losses. */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : mean(loss);
}

/** Throws unless `x` is a floating-point tensor (losses and normalization need real values and gradients). */
export function checkFloat(x: Tensor, op: string, arg: string): void {
  check(isFloat(x.dtype), op, () => `${arg} must be a floating-point tensor (float32 or float64), got dtype ${x.dtype}`);
}

/** Throws unless `a` and `b` have equal shapes; `what` names them in the message. */
export function checkSameShape(a: Tensor, b: Tensor, op: string, what = "input and target"): void {
  const [an, bn] = what.split(" and ");
  check(shapesEqual(a.shape, b.shape), op,
    () => `${an} has shape ${fmtShape(a.shape)} but ${bn} has shape ${fmtShape(b.shape)}: they must have the same shape`);
}

/** Shape [1, C, 1, ..., 1] of rank `ndim`: puts a per-channel vector on dim 1 for broadcasting. */
export function channelShape(ndim: number, channels: number): number[] {
  return Array.from({ length: ndim }, (_, i) => (i === 1 ? channels : 1));
}

/** How `classIndices` names things in its errors. */
export interface IndexCheckOptions {
  /** Values equal to this are allowed (and skipped by the caller), e.g. a loss's ignoreIndex. */
  ignoreIndex?: number | null;
  /** The argument's name (default "target"). */
  arg?: string;
  /** What the indices count (default "classes"). */
  unit?: string;
}

/**
 * Validates class indices and returns them as int32. Indices may be int32 or float tensors holding
 * whole numbers (JS users write `tl.tensor([0, 2, 1])`); each must lie in [0, count) or equal
 * `ignoreIndex`. The check reads the values, so a wrong label fails here and not as a silent zero.
 */
export function classIndices(indices: Tensor, count: number, op: string, options: IndexCheckOptions = {}): Tensor {
  const { ignoreIndex = null, arg = "target", unit = "classes" } = options;
  check(indices.dtype !== "bool", op, () => `${arg} must hold indices (int32, or float with whole numbers), got dtype bool`);
  const values = indices.dataSync();
  const ignoreNote = ignoreIndex === null ? "" : ` (or equal ignoreIndex ${ignoreIndex})`;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) continue;
    check(Number.isInteger(v), op, () => `${arg} holds ${v} at flat position ${i}, which is not a whole number: indices must be whole numbers`);
    check(v >= 0 && v < count, op,
      () => `${arg} holds index ${v} at flat position ${i}, out of range for ${count} ${unit}: valid indices are 0..${count - 1}${ignoreNote}`);
  }
  return cast(indices, "int32");
}
