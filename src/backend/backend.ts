import type { DType, TypedArray } from "../core/dtype.js";
import type { Layout } from "../core/layout.js";

/**
 * A block of memory owned by one backend. The front end never reads it directly: it asks the
 * backend to read or write it. `refs` counts the tensors (views included) that use it.
 */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  refs: number;
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
}

export interface Backend {
  readonly name: string;
  /** Allocates `size` zeroed elements. */
  alloc(dtype: DType, size: number): Storage;
  free(storage: Storage): void;
  /** Copies `size` elements from `offset` into a new typed array. */
  read(storage: Storage, offset: number, size: number): TypedArray;
  /** Copies `data` into the storage, starting at element 0. */
  write(storage: Storage, data: TypedArray): void;
  readonly kernels: ReadonlyMap<string, KernelInfo>;
}
