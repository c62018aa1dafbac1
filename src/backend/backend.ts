import type { DType, TypedArray } from "../core/dtype.js";
import type { Layout } from "../core/layout.js";

/**
 * The bookkeeping of a storage kept in an object of its own, so it outlives the storage: when a
 * program drops tensors without disposing them, the engine's safety net (a FinalizationRegistry on
 * the storage object) gets only the lease, settles `memory()` with it and hands it to
 * `Backend.reclaim`. A backend may extend it with what it needs to free the memory (never with a
 * reference to the storage itself, which would keep it alive).
 */
export interface StorageLease {
  /** Tensors (views included) that use the storage and are not disposed. */
  refs: number;
  /** Bytes `memory()` counts for the storage while it is live. */
  bytes: number;
  /** True once the engine registered the storage object with its safety net (backends reuse storage objects). */
  tracked: boolean;
}

/**
 * A block of memory owned by one backend. The front end never reads it directly: it asks the
 * backend to read or write it. A backend may hand a freed storage object out again from a later
 * `alloc` (registering an object with the GC safety net costs more than a small op), so nothing may
 * use the storage of a disposed tensor.
 */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  readonly lease: StorageLease;
  /** Bumped by every in-place write, so autograd can tell a saved tensor was modified. */
  version: number;
}

/** What a kernel sees of a tensor: its storage and layout. Output views are always contiguous. */
export interface TensorView extends Layout {
  readonly storage: Storage;
  readonly dtype: DType;
}

/**
 * A kernel computes one op on one backend. Shapes and dtypes were decided by the op before
 * dispatch; the outputs are already allocated. Kernels never allocate tensors and never throw for
 * user errors (the op has checked the arguments).
 */
export type Kernel = (inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: Record<string, unknown>) => void;

export interface KernelInfo {
  readonly run: Kernel;
  /** True when the kernel handles any strides; otherwise the dispatcher passes contiguous inputs. */
  readonly strided: boolean;
  /** True when the kernel writes every element of its outputs, so the dispatcher need not zero them first. */
  readonly overwrites?: boolean;
}

export interface Backend {
  readonly name: string;
  /** Allocates `size` zeroed elements (or, with `zero` false, elements a kernel is about to overwrite). */
  alloc(dtype: DType, size: number, zero?: boolean): Storage;
  /** Frees a storage no tensor uses any more; the backend may reuse the object for a later alloc. */
  free(storage: Storage): void;
  /** Frees what a storage held after the GC collected the storage object without `free` (the lease is what is left of it). */
  reclaim(lease: StorageLease): void;
  /** Copies `size` elements from `offset` into a new typed array. */
  read(storage: Storage, offset: number, size: number): TypedArray;
  /** Copies `data` into the storage, starting at element 0. */
  write(storage: Storage, data: TypedArray): void;
  readonly kernels: ReadonlyMap<string, KernelInfo>;
}
