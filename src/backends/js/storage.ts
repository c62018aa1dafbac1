import { typedArrayFor, type DType, type TypedArray } from "../../core/dtype.js";
import type { Backend, Storage, TensorView } from "../../backend/backend.js";

/** js storage: a typed array of the tensor's dtype. */
export interface JsStorage extends Storage {
  data: TypedArray;
}

export function allocJs(backend: Backend, dtype: DType, size: number): JsStorage {
  return { backend, dtype, size, refs: 0, version: 0, data: typedArrayFor(dtype, size) };
}

/**
 * The typed array behind a view: element i of the storage is data[i]. Works on js storage and on
 * native storage (whose `data` is a view of its native memory), so js kernels also serve as the
 * native backend's fallback without copies.
 */
export function dataOf(view: TensorView): TypedArray {
  return (view.storage as JsStorage).data;
}
