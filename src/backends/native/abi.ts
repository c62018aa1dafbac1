/**
 * The TypeScript half of the native ABI (native/include/tensile/abi.h): dtype and status codes,
 * and the addon's exports. Keep the numbers in step with abi.h.
 */
import type { DType } from "../../core/dtype.js";

/** dtype codes of tl_dtype. */
export const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/** tl_status codes. */
export const Status = {
  ok: 0,
  args: 1,
  dtype: 2,
  handle: 3,
  bounds: 4,
  noMemory: 5,
  kernel: 6,
  /** A valid call the kernel does not implement (e.g. an int32 input): the wrapper runs the js kernel. */
  unsupported: 7,
} as const;

const MESSAGES: Record<number, string> = {
  [Status.args]: "wrong number or kind of tensors or attributes",
  [Status.dtype]: "unsupported dtype combination",
  [Status.handle]: "a storage handle is unknown or was already freed",
  [Status.bounds]: "a view reaches outside its storage",
  [Status.noMemory]: "out of memory",
  [Status.kernel]: "unknown kernel index",
  [Status.unsupported]: "call not supported by the native kernel",
};

export function statusMessage(status: number): string {
  return MESSAGES[status] ?? `status ${status}`;
}

/** Allocator counters of the addon. */
export interface NativeMemoryStats {
  /** Bytes in blocks this thread (Node environment) holds. */
  liveBytes: number;
  liveBlocks: number;
  /** Bytes in blocks all threads of the process hold (the allocator is shared; the counters below are too). */
  processLiveBytes: number;
  processLiveBlocks: number;
  cachedBytes: number;
  cachedBlocks: number;
  cacheLimit: number;
}

/** What build/Release/tensile_native.node exports (native/src/addon/addon.cc). */
export interface NativeAddon {
  /** Kernel arguments: n_in, n_out, per tensor (handle, dtype, ndim, offset, shape…, strides…), n_attrs, attrs…. */
  readonly frame: Float64Array;
  /** Replies of alloc: [0] the handle, [1] the bytes reserved. */
  readonly reply: Float64Array;
  /** Runs kernel `index` on the frame's arguments; returns a status code. */
  run(index: number): number;
  /** A zeroed native block of at least `bytes` bytes, as an ArrayBuffer; its handle is in reply[0]. */
  alloc(bytes: number): ArrayBuffer;
  /** Returns a block to the cache now and detaches its buffer; returns the bytes freed (0 if already free). */
  free(handle: number, buffer?: ArrayBuffer): number;
  listKernels(): string[];
  /** Threads of this thread's (environment's) kernels; each worker_thread has its own count and pool. */
  getNumThreads(): number;
  setNumThreads(n: number): number;
  /**
   * Test hook of the thread pool alone: runs `reps` parallel loops of `nth` slices, each busy for
   * `sliceMicros` µs (and, with `nested`, running a 3-slice loop inside). Returns [every slice ran
   * exactly once per loop, slices that ran off the calling thread]. Absent from older addons.
   */
  poolProbe?(nth: number, reps: number, sliceMicros: number, nested: boolean): [boolean, number];
  /** The ISA level this thread's kernels run. */
  isa(): string;
  setIsa(name: string): boolean;
  availableIsas(): string[];
  /**
   * Whether conv2d may take its Winograd path in this environment (default on, off with env
   * TENSILE_CONV_WINOGRAD=0); returns the previous setting. Tests use it to reach the direct engines.
   */
  setConvWinograd(on: boolean): boolean;
  memoryStats(): NativeMemoryStats;
  emptyCache(): void;
  setCacheLimit(bytes: number): void;
  readonly abiVersion: number;
  readonly maxDims: number;
  /** Most tensors (inputs + outputs) in one call (TL_MAX_TENSORS); absent from addons built before it was exported (8). */
  readonly maxTensors?: number;
  /** Most attributes in one call (TL_MAX_ATTRS; 64 when absent). */
  readonly maxAttrs?: number;
}

/** The ABI version this TypeScript code speaks; a different addon is refused. */
export const ABI_VERSION = 1;
