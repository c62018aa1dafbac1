/**
 * Collating samples into batches, on the main thread or in a worker. Workers cannot send Tensor
 * objects, so a worker stacks each field of a batch into one typed array (`EncodedTensor`) and the
 * main thread only wraps it; `defaultCollate` and the worker path give the same batches.
 */
import { check, tensileError } from "../core/errors.js";
import { Tensor } from "../engine/tensor.js";
import { tensor } from "../ops/creation.js";
import { stack } from "../ops/join.js";
import { tensorFromTyped } from "./idx.js";
import { isEncodedTensor, isFieldArray, sameShape, stackField, type EncodedTensor } from "./worker/encode.js";

export { type EncodedTensor } from "./worker/encode.js";

const WHERE = "DataLoader";

/** Turns a list of samples into one batch. */
export type Collate<T, B> = (samples: T[]) => B;

/** Makes a tensor from encoded data (a copy into the active backend). */
export function decodeTensor(e: EncodedTensor): Tensor {
  return tensorFromTyped(e.data, e.shape, e.dtype);
}

/** Turns `EncodedTensor`s back into tensors, through arrays and plain objects. */
export function decodeSample(value: unknown): unknown {
  if (isEncodedTensor(value)) return decodeTensor(value);
  if (Array.isArray(value)) return value.map(decodeSample);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeSample(v)]));
  }
  return value;
}

function describe(values: unknown[]): string {
  const kinds = values.map((v) => (v instanceof Tensor ? "Tensor" : isFieldArray(v) ? v.constructor.name : v === null ? "null" : typeof v));
  return kinds.filter((t, i) => kinds.indexOf(t) === i).join(" and ");
}

/** Stacks one field across samples, or explains why it cannot. */
function collateField(values: unknown[], field: string): Tensor {
  if (values.every((v) => v instanceof Tensor)) {
    const first = values[0] as Tensor;
    values.forEach((v, i) => check(sameShape((v as Tensor).shape, first.shape) && (v as Tensor).dtype === first.dtype, WHERE,
      () => `cannot batch ${field}: sample ${i} of the batch has shape [${(v as Tensor).shape}] ${(v as Tensor).dtype} but sample 0 has [${first.shape}] ${first.dtype}`));
    return stack(values as Tensor[]);
  }
  if (values.every((v) => typeof v === "number")) return tensor(values as number[]);
  if (values.every((v) => typeof v === "boolean")) return tensor(values as boolean[]);
  const packed = stackField(values);
  if (packed !== null) return decodeTensor(packed);
  throw tensileError(WHERE, `cannot batch ${field}: the default collate stacks tensors, numbers, booleans or typed arrays of one type and length, got ${describe(values)}; pass a collate function`);
}

/**
 * The default collate: samples that are arrays (e.g. `[x, y]`) give an array of stacked fields;
 * samples that are a tensor, a number or a typed array give a one-element array. Tensors are stacked
 * along a new first dimension; numbers become a float32 tensor, booleans a bool tensor, and
 * Float32Array/Float64Array/Int32Array samples of one length a [B, length] tensor of their type.
 */
export function defaultCollate(samples: unknown[]): Tensor[] {
  check(samples.length > 0, WHERE, "cannot collate an empty batch");
  if (!Array.isArray(samples[0])) return [collateField(samples, "the samples")];
  const width = (samples[0] as unknown[]).length;
  samples.forEach((s, i) => check(Array.isArray(s) && s.length === width, WHERE,
    () => `sample ${i} of the batch has ${Array.isArray(s) ? `${s.length} fields` : "no fields"} but the first has ${width}`));
  return Array.from({ length: width }, (_, j) => collateField(samples.map((s) => (s as unknown[])[j]), `field ${j}`));
}
