import { typedArrayFor, type DType, type TypedArray } from "../../core/dtype.js";
import type { Backend, Storage, TensorView } from "../../backend/backend.js";

/** js storage: a typed array of the tensor's dtype. */
export interface JsStorage extends Storage {
  data: TypedArray;
}

export function allocJs(backend: Backend, dtype: DType, size: number): JsStorage {
  return { backend, dtype, size, refs: 0, version: 0, data: typedArrayFor(dtype, size) };
}

/** The typed array behind a view (js backend only). */
export function dataOf(view: TensorView): TypedArray {
  return (view.storage as JsStorage).data;
}
