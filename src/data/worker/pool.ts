/**
 * The worker threads of a `DataLoader`: each builds the dataset from a spec and answers batch
 * requests. The pool hands each batch to the least busy worker; the loader restores the order.
 * A worker holds the process open only while it has work, so a forgotten loader never hangs Node.
 */
import { Worker } from "node:worker_threads";
import { TensileError, tensileError } from "../../core/errors.js";
import { listBackends, getBackend } from "../../backend/registry.js";
import type { EncodedTensor } from "./encode.js";
import type { TaskMessage, WorkerMessage } from "./protocol.js";
import { normalizeSpec, type ModuleSpec } from "./spec.js";

const WHERE = "DataLoader";

/** What a worker sends back for one batch: stacked fields, or the samples when they do not stack. */
export type BatchResult = { packed: EncodedTensor[] } | { samples: unknown[] };

interface Pending {
  indices: number[];
  resolve(result: BatchResult): void;
  reject(err: Error): void;
}

interface Slot {
  id: number;
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
}

/** Worker threads started and not yet exited, across all pools. */
let live = 0;

/** @internal Worker threads of all loaders that have not exited yet (tests check shutdown with it). */
export function liveWorkerCount(): number {
  return live;
}

/** Running from TypeScript sources (tests, tsx): the worker must register tsx before importing the entry. */
function workerScript(): { script: string | URL; eval: boolean } {
  const isTs = import.meta.url.endsWith(".ts");
  const entry = new URL(isTs ? "./entry.ts" : "./entry.js", import.meta.url);
  if (!isTs) return { script: entry, eval: false };
  const tsx = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { require("node:worker_threads").parentPort.postMessage({ type: "init-error", message: String(e && e.stack || e) }); });`;
  return { script: code, eval: true };
}

/**
 * The workers' environment: the main thread's backend (native when it is loaded: each worker gets
 * its own addon instance with one kernel thread, so workers and the main thread's pool share the
 * cores without waiting on each other). Random kernels give the same bits on every backend, so the
 * samples do not depend on where they are made.
 */
function workerEnv(): NodeJS.ProcessEnv {
  const backend = listBackends().length > 0 ? getBackend().name : process.env.TENSILE_BACKEND;
  return { ...process.env, ...(backend ? { TENSILE_BACKEND: backend } : {}) };
}

function errorWithStack(message: string, stack: string | undefined): TensileError {
  const e = tensileError(WHERE, message);
  if (stack) e.cause = Object.assign(new Error(stack.split("\n")[0]), { stack });
  return e;
}

function fmtIndices(indices: number[]): string {
  return indices.length <= 8 ? `[${indices.join(", ")}]` : `[${indices.slice(0, 8).join(", ")}, ... (${indices.length} samples)]`;
}

/** A set of worker threads, each holding its own copy of the dataset. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextTask = 1;
  private closing = false;

  private constructor() {}

  /**
   * Starts `count` workers building the dataset from `spec` and waits until all are ready; checks
   * that each built the same number of samples as the main thread's dataset.
   */
  static async start(spec: ModuleSpec, count: number, expectedLength: number): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const normalized = normalizeSpec(spec, WHERE);
    const { script, eval: isEval } = workerScript();
    const env = workerEnv();
    const ready: Promise<void>[] = [];
    for (let id = 0; id < count; id++) {
      const worker = new Worker(script, { eval: isEval, workerData: { spec: normalized }, env });
      live++;
      worker.once("exit", () => live--);
      const slot: Slot = { id, worker, pending: new Map(), dead: false };
      pool.slots.push(slot);
      ready.push(new Promise<void>((resolve, reject) => {
        const onReady = (m: WorkerMessage) => {
          if (m.type === "ready") {
            worker.off("message", onReady);
            if (m.length !== expectedLength) {
              reject(tensileError(WHERE, `worker ${id} built a dataset of ${m.length} samples from ${normalized.module} (export ${normalized.export}) but the loader's dataset has ${expectedLength}; workerDataset must describe the same dataset`));
            } else resolve();
          } else if (m.type === "init-error") {
            reject(errorWithStack(`worker ${id} could not build its dataset from ${normalized.module} (export ${normalized.export}): ${m.message}`, m.stack));
          }
        };
        worker.on("message", onReady);
        worker.once("exit", (code) => reject(tensileError(WHERE, `worker ${id} exited with code ${code} before its dataset was ready`)));
        worker.once("error", (err) => reject(errorWithStack(`worker ${id} failed while starting: ${err.message}`, err.stack)));
      }));
      pool.listen(slot);
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    for (const s of pool.slots) s.worker.unref();
    return pool;
  }

  private listen(slot: Slot): void {
    slot.worker.on("message", (m: WorkerMessage) => {
      if (m.type !== "done" && m.type !== "error") return;
      const task = slot.pending.get(m.id);
      if (!task) return;
      this.settle(slot, m.id);
      if (m.type === "done") task.resolve("packed" in m ? { packed: m.packed } : { samples: m.samples });
      else if (m.index >= 0) task.reject(errorWithStack(`worker ${slot.id} failed on sample ${m.index}: ${m.message}`, m.stack));
      else task.reject(errorWithStack(`worker ${slot.id} failed on the batch of samples ${fmtIndices(task.indices)}: ${m.message}`, m.stack));
    });
    slot.worker.on("error", (err) => this.fail(slot, `worker ${slot.id} crashed: ${err.message}`, err.stack));
    slot.worker.on("exit", (code) => {
      if (!this.closing) this.fail(slot, `worker ${slot.id} exited with code ${code}`);
    });
  }

  /** Rejects every task of a worker that died, naming the samples it was loading. */
  private fail(slot: Slot, message: string, stack?: string): void {
    slot.dead = true;
    for (const [id, task] of slot.pending) {
      this.settle(slot, id);
      task.reject(errorWithStack(`${message} while loading samples ${fmtIndices(task.indices)}`, stack));
    }
  }

  private settle(slot: Slot, id: number): void {
    slot.pending.delete(id);
    // An idle worker does not keep the process alive.
    if (slot.pending.size === 0 && !slot.dead) slot.worker.unref();
  }

  /** Fetches one batch of samples in a worker. */
  run(indices: number[], epochSeed: number, pack: boolean): Promise<BatchResult> {
    if (this.closing) return Promise.reject(tensileError(WHERE, "the loader's workers were shut down"));
    let slot: Slot | null = null;
    for (const s of this.slots) if (!s.dead && (slot === null || s.pending.size < slot.pending.size)) slot = s;
    if (slot === null) return Promise.reject(tensileError(WHERE, "every worker has exited"));
    const chosen = slot;
    const id = this.nextTask++;
    return new Promise<BatchResult>((resolve, reject) => {
      chosen.pending.set(id, { indices, resolve, reject });
      chosen.worker.ref();
      chosen.worker.postMessage({ id, indices, epochSeed, pack } satisfies TaskMessage);
    });
  }

  /** Stops every worker (outstanding requests are rejected) and waits until they have exited. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const slot of this.slots) {
      for (const [id, task] of slot.pending) {
        slot.pending.delete(id);
        task.reject(tensileError(WHERE, "the loader's workers were shut down"));
      }
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Number of workers that have not exited. */
  get alive(): number {
    return this.slots.filter((s) => !s.dead).length;
  }
}
