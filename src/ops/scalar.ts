import { promoteTypes, promoteWithScalar, type DType } from "../core/dtype.js";
import { tensileError } from "../core/errors.js";
import { Tensor } from "../engine/tensor.js";

/** A tensor, or a JavaScript number or boolean standing for a scalar (like a Python scalar in PyTorch). */
export type TensorLike = Tensor | number | boolean;

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

export function expectTensor(x: unknown, op: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  throw tensileError(op, `${arg} must be a Tensor, got ${x === null ? "null" : typeof x}`);
}

/**
 * The dtype of an elementwise op's result, following PyTorch: tensors with dimensions decide it;
 * numbers and 0-d tensors only lift it to a higher category (bool → integer → float).
 */
export function resultType(operands: readonly TensorLike[], op: string): DType {
  let dimensioned: DType | null = null;
  let zeroDim: DType | null = null;
  const scalars: (number | boolean)[] = [];
  for (const x of operands) {
    if (x instanceof Tensor) {
      if (x.ndim > 0) dimensioned = dimensioned === null ? x.dtype : promoteTypes(dimensioned, x.dtype);
      else zeroDim = zeroDim === null ? x.dtype : promoteTypes(zeroDim, x.dtype);
    } else if (typeof x === "number" || typeof x === "boolean") scalars.push(x);
    else throw tensileError(op, `operands must be tensors or numbers, got ${x === null ? "null" : typeof x}`);
  }
  let result: DType | null = dimensioned;
  if (zeroDim !== null) {
    if (result === null) result = zeroDim;
    else if (category(zeroDim) > category(result)) result = zeroDim;
  }
  for (const s of scalars) result = result === null ? scalarDType(s) : promoteWithScalar(result, s);
  return result ?? "float32";
}

function category(d: DType): number {
  return d === "bool" ? 0 : d === "int32" ? 1 : 2;
}

/** The dtype a lone number gets: bool, int32 for whole numbers, else float32. */
export function scalarDType(s: number | boolean): DType {
  return typeof s === "boolean" ? "bool" : Number.isInteger(s) ? "int32" : "float32";
}
