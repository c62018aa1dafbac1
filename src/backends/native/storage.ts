import { bytesPerElement, type DType, type TypedArray } from "../../core/dtype.js";
import type { Backend, Storage, StorageLease } from "../../backend/backend.js";
import { DTYPE_CODE, type NativeAddon } from "./abi.js";

/**
 * Native storage: memory of the addon's caching allocator. `data` is a typed-array view of exactly
 * `size` elements over it, so js kernels (and read/write) work on native storage directly.
 */
export interface NativeStorage extends Storage {
  data: TypedArray;
  /** The dtype's ABI code (DTYPE_CODE). */
  readonly code: number;
  /** The allocator's handle of the block holding the tensor (-1 once freed). */
  handle: number;
  /** Element offset of element 0 within the block (small tensors share pooled blocks). */
  readonly base: number;
  readonly lease: NativeLease;
}

/** The lease of a native storage also holds its slot, so the GC safety net can give the memory back. */
export interface NativeLease extends StorageLease {
  /** Where the memory goes back when freed (null once it went). */
  slot: Slot | null;
}

/** A piece of native memory as the JavaScript side tracks it. */
interface Slot {
  handle: number;
  buffer: ArrayBuffer;
  byteOffset: number;
  /** Size class (bytes reserved). */
  bytes: number;
  /** True for a slot of a shared pool block; false for a block of its own. */
  pooled: boolean;
  /** The last view made over it, reused when the next tensor has the same dtype and size. */
  view: TypedArray | null;
  viewDType: DType | null;
}

/**
 * A class rather than object literals: one hidden class, cheap to create. Freed objects are reused
 * by later allocs (see NativeMemory.spare), so every field but the lease is rewritten then.
 */
class Native implements NativeStorage {
  version = 0;
  readonly lease: NativeLease;
  constructor(
    readonly backend: Backend,
    public dtype: DType,
    public code: number,
    public size: number,
    public data: TypedArray,
    public handle: number,
    public base: number,
    slot: Slot,
  ) {
    this.lease = { refs: 0, bytes: 0, tracked: false, slot };
  }
}

type ViewConstructor = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray };

const VIEW: Record<DType, ViewConstructor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

const EMPTY: Record<DType, TypedArray> = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
  int32: new Int32Array(0),
  bool: new Uint8Array(0),
};

/** Tensors up to this many bytes take a slot of a shared pool block. */
const SMALL_BYTES = 2048;
/** The most freed storage objects kept for reuse. */
const SPARE_LIMIT = 1 << 16;
/** Bytes of one pool block. */
const POOL_BYTES = 1 << 20;
/** Blocks up to this size are kept for reuse here when freed (no Node-API call on the next alloc, and no new
 * external ArrayBuffer: a training step that allocates a few 10 MB blocks would otherwise make V8 run a full
 * mark-compact about every step). */
const REUSE_BYTES = 1 << 25;
/** The most bytes of freed blocks kept here; beyond it blocks go back to the addon's cache. */
const REUSE_LIMIT = 1 << 28;

/**
 * What a kernel that claims to overwrite its outputs finds in them under TENSILE_POISON_OUTPUTS=1:
 * NaN for floats, a conspicuous value for integers, so a kernel that skips an element (or reads
 * its output before writing it) shows in the test suite instead of passing on zeroed memory.
 */
const POISON: Record<DType, number> = { float32: Number.NaN, float64: Number.NaN, int32: -0x2152411, bool: 0xa5 };

/**
 * New native memory within one turn of the event loop past which NativeMemory warns (once): the GC
 * safety net frees dropped tensors only when JavaScript returns to the event loop, so a synchronous
 * loop that never disposes grows until it ends (a W6 forward left to it leaves ~17 MiB per call).
 */
const TURN_WARN_BYTES = 2 ** 31;

/** Bytes reserved for a request: 64, then four classes per power of two (as the addon rounds). */
export function classBytes(bytes: number): number {
  if (bytes <= 64) return 64;
  // 2^k < bytes ≤ 2^(k+1)
  let k = 31 - Math.clz32(Math.min(bytes - 1, 0x7fffffff));
  while (2 ** (k + 1) < bytes) k++;
  const base = 2 ** k;
  const step = base / 4;
  const size = base + Math.ceil((bytes - base) / step) * step;
  return Math.ceil(size / 64) * 64;
}

/**
 * Allocates and frees native storages without a Node-API call in the common case:
 * - a tensor of up to 2 KiB takes a slot (a multiple of 64 bytes) of a shared 1 MiB block;
 * - a freed block (or slot) up to 32 MiB is kept on a free list by size class and handed to the
 *   next tensor of that class, zeroed (unless the caller overwrites it), with its old view reused
 *   when dtype and size match;
 * - larger blocks go straight back to the addon's caching allocator, and their buffer is detached.
 * A training step allocates the same shapes every iteration, so after the first step nearly every
 * allocation is a free-list pop.
 */
export class NativeMemory {
  /** Free slots of pool blocks, by size in 64-byte units (index (bytes − 1) >> 6). */
  private readonly smallFree: Slot[][] = Array.from({ length: SMALL_BYTES / 64 }, () => []);
  /** Freed blocks of their own, by size class in bytes. */
  private readonly free = new Map<number, Slot[]>();
  /**
   * The same blocks, oldest freed first (a Set iterates in insertion order). When the kept bytes
   * would pass REUSE_LIMIT, the oldest go back to the addon rather than the newest: a process that
   * multiplied 16 MiB matrices earlier would otherwise keep them here for good and send every
   * block of its next workload (a ResNet step) through the addon each step, zeroing and page-
   * faulting them again (measured: 1.5–1.8× slower steps).
   */
  private readonly freeOrder = new Set<Slot>();
  private reusableBytes = 0;
  /** Freed storage objects, reused by later allocs: registering a new object with the GC safety net costs more than a small op. */
  private readonly spare: Native[] = [];
  private pool: Slot | null = null;
  private poolTop = 0;

  private readonly poison: boolean;
  private readonly reuseLimit: number;
  private readonly turnWarnBytes: number;
  /** Bytes of new blocks since the event loop last ran (reset by a scheduled callback). */
  private turnBytes = 0;
  private turnPending = false;
  private warned = false;

  /**
   * @param options.poison fill memory handed out unzeroed (to kernels that overwrite their outputs)
   *   with POISON; the test runner turns it on (TENSILE_POISON_OUTPUTS=1) to prove those kernels' claim.
   * @param options.reuseLimit the most bytes of freed blocks kept (REUSE_LIMIT; tests lower it).
   * @param options.turnWarnBytes new bytes in one event-loop turn that trigger the warning (TURN_WARN_BYTES).
   */
  constructor(private readonly addon: NativeAddon, private readonly backend: Backend,
    options: { poison?: boolean; reuseLimit?: number; turnWarnBytes?: number } = {}) {
    this.poison = options.poison ?? false;
    this.reuseLimit = options.reuseLimit ?? REUSE_LIMIT;
    this.turnWarnBytes = options.turnWarnBytes ?? TURN_WARN_BYTES;
  }

  alloc(dtype: DType, size: number, zero = true): NativeStorage {
    const elsize = bytesPerElement(dtype);
    const requested = size * elsize;
    let slot: Slot | undefined;
    let bytes: number;
    if (requested <= SMALL_BYTES) {
      const unit = requested === 0 ? 0 : (requested - 1) >> 6;
      bytes = (unit + 1) << 6;
      slot = this.smallFree[unit].pop();
    } else {
      bytes = classBytes(requested);
      slot = this.free.get(bytes)?.pop();
      if (slot !== undefined) {
        this.reusableBytes -= bytes;
        this.freeOrder.delete(slot);
      }
    }
    let data: TypedArray;
    if (slot !== undefined) {
      // A reused slot: zero it unless the caller overwrites it all, and keep its old view if it fits.
      const old = slot.view;
      data = old !== null && slot.viewDType === dtype && old.length === size ? old : new VIEW[dtype](slot.buffer, slot.byteOffset, size);
      if (zero) {
        if (size === 1) data[0] = 0;
        else data.fill(0);
      }
      slot.view = null;
    } else {
      slot = bytes <= SMALL_BYTES ? this.poolSlot(bytes) : this.ownBlock(bytes);
      data = new VIEW[dtype](slot.buffer, slot.byteOffset, size);
    }
    if (!zero && this.poison) data.fill(POISON[dtype]);
    const base = slot.byteOffset / elsize;
    const s = this.spare.pop();
    if (s === undefined) return new Native(this.backend, dtype, DTYPE_CODE[dtype], size, data, slot.handle, base, slot);
    // A storage object freed earlier: already registered with the engine's safety net.
    s.dtype = dtype;
    s.code = DTYPE_CODE[dtype];
    s.size = size;
    s.data = data;
    s.handle = slot.handle;
    s.base = base;
    s.lease.slot = slot;
    return s;
  }

  release(storage: NativeStorage): void {
    const slot = storage.lease.slot;
    if (slot === null) return;
    storage.lease.slot = null;
    storage.handle = -1;
    const view = storage.data;
    storage.data = EMPTY[storage.dtype];
    this.putBack(slot, view, storage.dtype);
    if (storage instanceof Native && this.spare.length < SPARE_LIMIT) this.spare.push(storage);
  }

  /** Frees the slot of a storage the GC collected without release (its last view went with it). */
  reclaim(lease: NativeLease): void {
    const slot = lease.slot;
    if (slot === null) return;
    lease.slot = null;
    this.putBack(slot, null, null);
  }

  private putBack(slot: Slot, view: TypedArray | null, dtype: DType | null): void {
    if (slot.pooled) {
      slot.view = view;
      slot.viewDType = dtype;
      this.smallFree[(slot.bytes >> 6) - 1].push(slot);
    } else if (slot.bytes <= REUSE_BYTES && slot.bytes <= this.reuseLimit) {
      while (this.reusableBytes + slot.bytes > this.reuseLimit) this.evictOldest();
      slot.view = view;
      slot.viewDType = dtype;
      this.reusableBytes += slot.bytes;
      let list = this.free.get(slot.bytes);
      if (list === undefined) this.free.set(slot.bytes, (list = []));
      list.push(slot);
      this.freeOrder.add(slot);
    } else {
      this.addon.free(slot.handle, slot.buffer);
    }
  }

  /** Gives every kept free block back to the addon (its cache then decides what the OS gets). */
  trim(): void {
    for (const list of this.free.values()) for (const slot of list) this.addon.free(slot.handle, slot.buffer);
    this.free.clear();
    this.freeOrder.clear();
    this.reusableBytes = 0;
  }

  /** Gives the longest-kept free block back to the addon. Within its size class it is the first (lists pop from the end). */
  private evictOldest(): void {
    const oldest = this.freeOrder.values().next().value as Slot;
    this.freeOrder.delete(oldest);
    const list = this.free.get(oldest.bytes) as Slot[];
    list.splice(list.indexOf(oldest), 1);
    this.reusableBytes -= oldest.bytes;
    this.addon.free(oldest.handle, oldest.buffer);
  }

  private ownBlock(bytes: number): Slot {
    this.countTurn(bytes);
    const buffer = this.addon.alloc(bytes);
    return { handle: this.addon.reply[0], buffer, byteOffset: 0, bytes, pooled: false, view: null, viewDType: null };
  }

  /** Adds a new block to this turn's bytes and warns once when a synchronous stretch passes turnWarnBytes. */
  private countTurn(bytes: number): void {
    this.turnBytes += bytes;
    if (!this.turnPending) {
      this.turnPending = true;
      const later = typeof setImmediate === "function" ? setImmediate : (fn: () => void) => setTimeout(fn, 0);
      later(() => {
        this.turnBytes = 0;
        this.turnPending = false;
      });
    }
    if (this.turnBytes > this.turnWarnBytes && !this.warned) {
      this.warned = true;
      console.warn(`Tensile: ${(this.turnBytes / 2 ** 30).toFixed(1)} GiB of new native memory since JavaScript last returned to ` +
        "the event loop. Tensors dropped without dispose() are freed only when it does, so a synchronous loop keeps them " +
        "all until it ends; free each iteration's tensors with tl.tidy(() => ...) or dispose().");
    }
  }

  private poolSlot(bytes: number): Slot {
    if (this.pool === null || this.poolTop + bytes > POOL_BYTES) {
      this.pool = this.ownBlock(POOL_BYTES);
      this.poolTop = 0;
    }
    const slot: Slot = { handle: this.pool.handle, buffer: this.pool.buffer, byteOffset: this.poolTop, bytes, pooled: true, view: null, viewDType: null };
    this.poolTop += bytes;
    return slot;
  }
}
