import { bytesPerElement } from "../core/dtype.js";
import type { Backend, Storage, StorageLease } from "../backend/backend.js";

/** Live counters behind `tl.memory()`. */
const counters = { tensors: 0, storages: 0, bytes: 0 };

/** What the safety net keeps of a storage: its lease and where to give the memory back. */
class Held {
  constructor(readonly lease: StorageLease, readonly backend: Backend) {}
}

/**
 * The safety net for storages a program drops without disposing their tensors: when the GC collects
 * the storage object, the tensors still counted on it and its bytes leave `memory()` and the
 * backend frees the memory. One registration per storage object, not per tensor: backends reuse
 * freed storage objects, so in a loop that disposes what it makes nothing is registered at all
 * (a register/unregister pair costs more than a small op).
 */
const safetyNet = new FinalizationRegistry<Held>((held) => {
  const lease = held.lease;
  // No tensor left: released before the object went (e.g. dropped from a backend's spare list).
  if (lease.refs === 0) return;
  counters.tensors -= lease.refs;
  counters.storages--;
  counters.bytes -= lease.bytes;
  lease.refs = 0;
  lease.bytes = 0;
  held.backend.reclaim(lease);
});

/**
 * The safety net for aliases: tensors made over a storage that already had one (views, detach,
 * parameters). A view dropped without dispose while its base lives on leaves `memory()` when the
 * GC takes the view, as it would without aliases; the last one to go frees the storage. Op
 * results (a fresh storage each) are not registered: the storage's own net covers them.
 */
const aliasNet = new FinalizationRegistry<Held>((held) => {
  const lease = held.lease;
  if (lease.refs === 0) return; // the storage's own net (or a release) settled it first
  counters.tensors--;
  if (--lease.refs === 0) {
    counters.storages--;
    counters.bytes -= lease.bytes;
    held.backend.reclaim(lease);
  }
});

/** @internal Puts an alias tensor under its own safety net (`token` unregisters it at dispose). */
export function aliasCreated(tensor: object, storage: Storage): void {
  aliasNet.register(tensor, new Held(storage.lease, storage.backend), tensor);
}

/** @internal Takes a disposed alias off the safety net. */
export function aliasDisposed(tensor: object): void {
  aliasNet.unregister(tensor);
}

/** Counts a storage fresh from `backend.alloc` (before its first tensor) and puts it under the safety net. */
export function storageAllocated(storage: Storage): void {
  const bytes = storage.size * bytesPerElement(storage.dtype);
  counters.storages++;
  counters.bytes += bytes;
  const lease = storage.lease;
  lease.bytes = bytes;
  if (!lease.tracked) {
    lease.tracked = true;
    safetyNet.register(storage, new Held(lease, storage.backend));
  }
}

/** Drops one reference to `storage`, freeing it when no tensor uses it any more. */
export function releaseStorage(storage: Storage): void {
  const lease = storage.lease;
  if (--lease.refs === 0) {
    counters.storages--;
    counters.bytes -= lease.bytes;
    lease.bytes = 0;
    storage.backend.free(storage);
  }
}

export function tensorCreated(): void {
  counters.tensors++;
}

export function tensorReleased(): void {
  counters.tensors--;
}

export interface MemoryInfo {
  /** Tensors not yet disposed (views count as tensors of their own). */
  numTensors: number;
  /** Distinct storages alive (views share their base's storage). */
  numStorages: number;
  /** Bytes held by live storages. */
  numBytes: number;
}

/**
 * Live tensors and bytes, like `tf.memory()`; tests assert a training step returns it to its start.
 * Tensors dropped without `dispose()` leave it when the GC collects them.
 */
export function memory(): MemoryInfo {
  return { numTensors: counters.tensors, numStorages: counters.storages, numBytes: counters.bytes };
}
