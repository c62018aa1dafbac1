/**
 * The line protocol between the benchmark driver and its workers. Each framework runs in its own child
 * process (its own threads, its own memory, its own max RSS); the driver sends one JSON request per
 * line on stdin and reads one reply per line on stdout, prefixed with {@link MARK} so that anything
 * a framework prints on its own (banners, warnings) is told apart from replies.
 */

/** Prefix of every reply line a worker writes. */
export const MARK = "@@bench ";

/** Workload ids, as in /work/shared/BENCH.md. */
export type WorkloadId = "W1" | "W2" | "W3" | "W4" | "W5" | "W6" | "W7";

/** One measured cell of the table: a workload with its parameters. */
export interface CellSpec {
  workload: WorkloadId;
  /** W1: matrix size. */
  n?: number;
  /** W2–W6: batch size. */
  batch?: number;
  /** W7: which op. */
  op?: "add" | "mm64";
}

/** Requests the driver sends. */
export type Request =
  | { op: "hello" }
  | { op: "setup"; cell: CellSpec; warmupSec: number; repSec: number; slowSec: number }
  | { op: "rep" }
  | { op: "teardown" }
  | { op: "rss" }
  | { op: "exit" };

/** What a worker says about itself: versions and thread settings. */
export interface WorkerInfo {
  framework: string;
  version: string;
  threads: string;
  /** Peak RSS right after the framework was loaded, in KiB. */
  baseRssKb: number;
  [key: string]: unknown;
}

/** Replies; `ok: false` carries an error message (a framework that cannot run a workload says why). */
export type Reply =
  | { ok: true; info: WorkerInfo }
  | { ok: true; iterSec: number; inner: number; note?: string }
  | { ok: true; secPerIter: number; check: number }
  | { ok: true; maxRssKb: number }
  | { ok: true }
  | { ok: false; error: string };

/** The default numbers of the step for each workload. */
export const DEFAULTS = { w2Batch: 128, w3Batch: 64, w4Batch: 64, w5Batch: 64, w6Batch: 64 } as const;

/** The batch size a cell runs with (its own, else the workload's default). */
export function batchOf(cell: CellSpec): number {
  if (cell.batch !== undefined) return cell.batch;
  switch (cell.workload) {
    case "W2": return DEFAULTS.w2Batch;
    case "W3": return DEFAULTS.w3Batch;
    case "W4": return DEFAULTS.w4Batch;
    case "W5": return DEFAULTS.w5Batch;
    case "W6": return DEFAULTS.w6Batch;
    default: return 1;
  }
}
