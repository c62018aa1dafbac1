/**
 * The program a `DataLoader` worker thread runs: build the dataset from its spec, then answer batch
 * requests in the order they arrive, one at a time. Each answer is plain data (typed arrays,
 * transferred, not copied); the main thread turns it into tensors. Tensors a batch makes here are
 * freed when it is sent.
 */
import { parentPort, workerData } from "node:worker_threads";
// Light imports only: the library itself is loaded by the dataset's module when it makes tensors
// (built-in datasets name the library's entry as their module, so its backends are registered).
import { listBackends } from "../../backend/registry.js";
import { tidy } from "../../engine/scope.js";
import { encodeSample, packBatch } from "./encode.js";
import { fetchItems, hasGetItems } from "../items.js";
import { sampleSeed, withSeed } from "../seeding.js";
import { buildFromSpec, type ModuleSpec } from "./spec.js";
import type { TaskMessage, WorkerMessage } from "./protocol.js";

const port = parentPort;
if (port === null) throw new Error("[DataLoader] worker/entry runs only as a worker thread");
const { spec } = workerData as { spec: ModuleSpec };

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  (port as NonNullable<typeof parentPort>).postMessage(message, transfer);
}

function describeError(err: unknown): { message: string; stack?: string } {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}

interface DatasetShape {
  length: number;
  get(index: number): unknown;
}

async function build(): Promise<DatasetShape> {
  const ds = (await buildFromSpec(spec, "DataLoader worker")) as DatasetShape;
  if (ds === null || typeof ds !== "object" || typeof ds.get !== "function" || !Number.isInteger(ds.length)) {
    throw new Error(`the spec built ${ds === null ? "null" : typeof ds}, not a dataset with a length and a get(index) method`);
  }
  return ds;
}

/** Fetches one batch; a failing sample rejects with its index. */
async function runTask(ds: DatasetShape, task: TaskMessage): Promise<void> {
  let failed = -1;
  try {
    // tidy needs the library (its tensor check); a dataset that never loaded it makes no tensors.
    const scoped = listBackends().length > 0 ? tidy : <R>(fn: () => R): R => fn();
    const reply = await scoped(async () => {
      const samples = hasGetItems(ds) ? await fetchItems(ds, task.indices, task.epochSeed, "DataLoader worker") : await Promise.all(task.indices.map(async (i) => {
        try {
          return await withSeed(sampleSeed(task.epochSeed, i), () => ds.get(i));
        } catch (err) {
          if (failed < 0) failed = i;
          throw err;
        }
      }));
      const transfer: ArrayBuffer[] = [];
      const packed = task.pack ? packBatch(samples) : null;
      if (packed !== null) {
        for (const p of packed) transfer.push(p.data.buffer as ArrayBuffer);
        return { message: { type: "done", id: task.id, packed } satisfies WorkerMessage, transfer };
      }
      const encoded = samples.map((s) => encodeSample(s, transfer));
      return { message: { type: "done", id: task.id, samples: encoded } satisfies WorkerMessage, transfer };
    });
    post(reply.message, reply.transfer);
  } catch (err) {
    post({ type: "error", id: task.id, index: failed, ...describeError(err) });
  }
}

try {
  const ds = await build();
  let queue = Promise.resolve();
  port.on("message", (task: TaskMessage) => {
    queue = queue.then(() => runTask(ds, task));
  });
  post({ type: "ready", length: ds.length });
} catch (err) {
  post({ type: "init-error", ...describeError(err) });
}
