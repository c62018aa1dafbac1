import { tensileError } from "./errors.js";

/** The element types a tensor can hold. */
export type DType = "float32" | "float64" | "int32" | "bool";

export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

/** The typed array that stores each dtype; bool is stored as one byte per element. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(size);
    case "float64": return new Float64Array(size);
    case "int32": return new Int32Array(size);
    case "bool": return new Uint8Array(size);
  }
}

export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function assertDType(value: unknown, where: string): DType {
  if (value === "float32" || value === "float64" || value === "int32" || value === "bool") return value;
  throw tensileError(where, `dtype must be one of ${DTYPES.join(", ")}, got ${String(value)}`);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion between two tensors: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a JavaScript number, as PyTorch treats a Python scalar:
 * the scalar only moves the result to a higher category (bool → integer → float), never to float64.
 */
export function promoteWithScalar(dtype: DType, scalar: number | boolean): DType {
  if (typeof scalar === "boolean") return dtype;
  if (!Number.isInteger(scalar) && !isFloat(dtype)) return "float32";
  if (dtype === "bool") return Number.isInteger(scalar) ? "int32" : "float32";
  return dtype;
}
