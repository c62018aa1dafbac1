import { bytesPerElement } from "../core/dtype.js";
import type { Storage } from "../backend/backend.js";

/** Live counters behind `tl.memory()`. */
const counters = { tensors: 0, storages: 0, bytes: 0 };

export function storageAllocated(storage: Storage): void {
  counters.storages++;
  counters.bytes += storage.size * bytesPerElement(storage.dtype);
}

/** Drops one reference to `storage`, freeing it when no tensor uses it any more. */
export function releaseStorage(storage: Storage): void {
  storage.refs--;
  if (storage.refs === 0) {
    counters.storages--;
    counters.bytes -= storage.size * bytesPerElement(storage.dtype);
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

/** Live tensors and bytes, like `tf.memory()`; tests assert a training step returns it to its start. */
export function memory(): MemoryInfo {
  return { numTensors: counters.tensors, numStorages: counters.storages, numBytes: counters.bytes };
}
