/** Messages between a `DataLoader` and its worker threads. */
import type { EncodedTensor } from "./encode.js";

/** Main → worker: fetch the samples at `indices` (one batch). */
export interface TaskMessage {
  id: number;
  indices: number[];
  /** The epoch's seed; sample i runs under `sampleSeed(epochSeed, i)`. */
  epochSeed: number;
  /** Stack the batch in the worker (default collate); otherwise send the samples one by one. */
  pack: boolean;
}

/** Worker → main. */
export type WorkerMessage =
  | { type: "ready"; length: number }
  | { type: "init-error"; message: string; stack?: string }
  | { type: "done"; id: number; packed: EncodedTensor[] }
  | { type: "done"; id: number; samples: unknown[] }
  | { type: "error"; id: number; index: number; message: string; stack?: string };
