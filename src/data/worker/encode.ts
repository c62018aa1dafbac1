/**
 * Samples as plain data that can cross threads. This module imports no engine code: a worker whose
 * dataset makes no tensors never loads the library. Tensors are recognised by shape (`shape`,
 * `dtype`, `dataSync()`), so tensors from another copy of the library count too.
 */
import type { DType, TypedArray } from "../../core/dtype.js";

/** A tensor as plain data that can cross threads: its dtype, shape and elements in row-major order. */
export interface EncodedTensor {
  $tensor: true;
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** Float32Array, Float64Array and Int32Array samples batch like tensors of their type. */
export type FieldArray = Float32Array | Float64Array | Int32Array;

/** A tensor from this or another copy of the library (a worker's user module may import either). */
export interface TensorLike {
  shape: readonly number[];
  dtype: DType;
  dataSync(): TypedArray;
}

/** Whether a value looks like a tensor (of any copy of the library). */
export function isTensorLike(v: unknown): v is TensorLike {
  return (typeof v === "object" && v !== null && typeof (v as TensorLike).dataSync === "function" &&
    Array.isArray((v as TensorLike).shape) && typeof (v as TensorLike).dtype === "string");
}

/** Whether a value is a typed array that batches like a tensor. */
export function isFieldArray(v: unknown): v is FieldArray {
  return v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array;
}

function arrayDType(v: FieldArray): DType {
  return v instanceof Float32Array ? "float32" : v instanceof Float64Array ? "float64" : "int32";
}

/** Whether a value is an `EncodedTensor`. */
export function isEncodedTensor(v: unknown): v is EncodedTensor {
  return typeof v === "object" && v !== null && (v as EncodedTensor).$tensor === true;
}

function concat(parts: ArrayLike<number>[], make: (n: number) => TypedArray): TypedArray {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = make(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const MAKERS: Record<DType, (n: number) => TypedArray> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int32: (n) => new Int32Array(n),
  bool: (n) => new Uint8Array(n),
};

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Stacks one field across the samples of a batch into plain data: tensors of one shape and dtype along
 * a new first dimension, numbers into float32 (as `tl.tensor`), booleans into bool, typed arrays of
 * one type and length into [B, length]. Null when the values cannot be stacked.
 */
export function stackField(values: unknown[]): EncodedTensor | null {
  const b = values.length;
  if (b === 0) return null;
  const first = values[0];
  if (isEncodedTensor(first) && values.every((v) => isEncodedTensor(v) && v.dtype === first.dtype && sameShape(v.shape, first.shape))) {
    return { $tensor: true, dtype: first.dtype, shape: [b, ...first.shape], data: concat(values.map((v) => (v as EncodedTensor).data), MAKERS[first.dtype]) };
  }
  if (isTensorLike(first) && values.every((v) => isTensorLike(v) && v.dtype === first.dtype && sameShape(v.shape, first.shape))) {
    return { $tensor: true, dtype: first.dtype, shape: [b, ...first.shape], data: concat(values.map((v) => (v as TensorLike).dataSync()), MAKERS[first.dtype]) };
  }
  if (values.every((v) => typeof v === "number")) return { $tensor: true, dtype: "float32", shape: [b], data: Float32Array.from(values as number[]) };
  if (values.every((v) => typeof v === "boolean")) return { $tensor: true, dtype: "bool", shape: [b], data: Uint8Array.from(values as boolean[], Number) };
  if (isFieldArray(first) && values.every((v) => isFieldArray(v) && v.constructor === first.constructor && v.length === first.length)) {
    const dtype = arrayDType(first);
    return { $tensor: true, dtype, shape: [b, first.length], data: concat(values as FieldArray[], MAKERS[dtype]) };
  }
  return null;
}

/** The fields of each sample: an array sample is its fields, anything else is one field. Null when widths differ. */
function fieldsOf(samples: unknown[]): unknown[][] | null {
  if (!Array.isArray(samples[0])) return [samples];
  const width = (samples[0] as unknown[]).length;
  if (!samples.every((s) => Array.isArray(s) && s.length === width)) return null;
  return Array.from({ length: width }, (_, j) => samples.map((s) => (s as unknown[])[j]));
}

/** The worker side of the default collate: every field stacked into plain data, or null when one cannot be. */
export function packBatch(samples: unknown[]): EncodedTensor[] | null {
  if (samples.length === 0) return null;
  const fields = fieldsOf(samples);
  if (fields === null) return null;
  const packed: EncodedTensor[] = [];
  for (const f of fields) {
    const s = stackField(f);
    if (s === null) return null;
    packed.push(s);
  }
  return packed;
}

/** Replaces tensors by `EncodedTensor`s, through arrays and plain objects, so a sample can cross threads. */
export function encodeSample(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (isTensorLike(value)) {
    const data = value.dataSync(); // a fresh copy: safe to transfer
    transfer.push(data.buffer as ArrayBuffer);
    return { $tensor: true, dtype: value.dtype, shape: [...value.shape], data } satisfies EncodedTensor;
  }
  if (Array.isArray(value)) return value.map((v) => encodeSample(v, transfer));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeSample(v, transfer)]));
  }
  return value;
}

