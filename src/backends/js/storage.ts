import { typedArrayFor, type DType, type TypedArray } from "../../core/dtype.js";
import type { Backend, Storage, StorageLease, TensorView } from "../../backend/backend.js";

/** js storage: a typed array of the tensor's dtype. */
export interface JsStorage extends Storage {
  data: TypedArray;
}

/** A class rather than object literals: one hidden class; its fields change when the object is reused. */
class JsStore implements JsStorage {
  version = 0;
  readonly lease: StorageLease = { refs: 0, bytes: 0, tracked: false };
  constructor(readonly backend: Backend, public dtype: DType, public size: number, public data: TypedArray) {}
}

/** Freed storage objects, handed out again (they stay registered with the engine's GC safety net). */
const spare: JsStore[] = [];
/** The most freed objects kept; beyond it they go to the GC. */
const SPARE_LIMIT = 1 << 16;
const EMPTY = new Uint8Array(0);

export function allocJs(backend: Backend, dtype: DType, size: number): JsStorage {
  const data = typedArrayFor(dtype, size);
  const s = spare.pop();
  if (s === undefined) return new JsStore(backend, dtype, size, data);
  s.dtype = dtype;
  s.size = size;
  s.data = data;
  return s;
}

/** Drops the array now (its memory goes even if a disposed Tensor object is still referenced) and keeps the object for reuse. */
export function freeJs(storage: Storage): void {
  const s = storage as JsStore;
  s.data = EMPTY;
  if (s instanceof JsStore && spare.length < SPARE_LIMIT) spare.push(s);
}

/**
 * The typed array behind a view: element i of the storage is data[i]. Works on js storage and on
 * native storage (whose `data` is a view of its native memory), so js kernels also serve as the
 * native backend's fallback without copies.
 */
export function dataOf(view: TensorView): TypedArray {
  return (view.storage as JsStorage).data;
}
