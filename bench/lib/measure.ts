/**
 * Measuring one cell across frameworks: every framework's worker builds and warms up the workload,
 * then repetitions run interleaved (A B C, B C A, C A B, ...) so that a noisy neighbour hits every
 * framework alike; a framework whose repetitions spread widely is measured again.
 */
import type { CellSpec } from "./protocol.js";
import type { Framework } from "./frameworks.js";
import { median, relativeSpread } from "./stats.js";
import type { WorkerProcess } from "./worker-host.js";
import { figureOf, type Cell } from "./workloads.js";

/** One framework's result for one cell. */
export interface Measurement {
  cell: string;
  unit: Cell["unit"];
  higherIsBetter: boolean;
  worker: string;
  column: string;
  setting?: string;
  spec: CellSpec;
  /** The figure of each repetition (GFLOP/s, samples/s or µs). */
  figures: number[];
  median: number;
  min: number;
  max: number;
  reps: number;
  /** Steps per repetition. */
  inner: number;
  note?: string;
  /** Why there is no figure: "cannot train: ...", "skipped: ...", a crash. */
  error?: string;
}

/** How hard to measure. */
export interface MeasureOptions {
  reps: number;
  warmupSec: number;
  repSec: number;
  /** A first step slower than this is not warmed up further. */
  slowSec: number;
  /** Most seconds of repetitions one framework spends on one cell (the slow ones get fewer). */
  budgetSec: number;
  /** Relative spread (max − min) / median above which a cell is measured again. */
  spreadLimit: number;
  /** Seconds a worker may take to build and warm up a workload before it is killed. */
  setupTimeoutSec: number;
  /**
   * Idle seconds before each repetition: OpenBLAS and OpenMP threads keep spinning for tens of
   * milliseconds after their framework's step returns, which would otherwise eat into the next
   * framework's repetition.
   */
  settleSec: number;
  log(line: string): void;
}

interface Active {
  fw: Framework;
  worker: WorkerProcess;
  m: Measurement;
  secs: number[];
  plannedReps: number;
  iterSec: number;
}

function finish(m: Measurement, cell: Cell, secs: number[]): void {
  m.figures = secs.map((s) => figureOf(cell, m.spec, s));
  m.median = median(m.figures);
  m.min = Math.min(...m.figures);
  m.max = Math.max(...m.figures);
  m.reps = m.figures.length;
}

const sleep = (sec: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, sec * 1000));

/** Runs `rounds` interleaved rounds over `group`, rotating who goes first, the machine idle `settleSec` before each. */
async function rounds(group: Active[], count: (a: Active) => number, into: (a: Active) => number[], settleSec: number): Promise<void> {
  const most = Math.max(0, ...group.map(count));
  for (let r = 0; r < most; r++) {
    for (let k = 0; k < group.length; k++) {
      const a = group[(k + r) % group.length];
      if (r >= count(a) || a.m.error) continue;
      // A repetition far slower than calibrated means a hung framework: kill it rather than wait forever.
      const timeout = Math.max(60, 20 * a.m.inner * a.iterSec);
      if (settleSec > 0) await sleep(settleSec);
      const reply = await a.worker.request({ op: "rep" }, timeout).catch((e: Error) => ({ ok: false as const, error: e.message }));
      if (!reply.ok) a.m.error = reply.error;
      else if ("secPerIter" in reply) into(a).push(reply.secPerIter);
    }
  }
}

/** Measures `cell` on every framework that runs it. */
export async function measureCell(cell: Cell, fws: readonly Framework[], workers: ReadonlyMap<string, WorkerProcess>,
  o: MeasureOptions): Promise<Measurement[]> {
  const results: Measurement[] = [];
  const active: Active[] = [];
  for (const fw of fws) {
    const plan = fw.plan(cell);
    if (plan === null) continue;
    const m: Measurement = {
      cell: cell.label, unit: cell.unit, higherIsBetter: cell.higherIsBetter, worker: fw.id, column: fw.column,
      ...(fw.setting ? { setting: fw.setting } : {}), spec: "spec" in plan ? plan.spec : cell.spec,
      figures: [], median: NaN, min: NaN, max: NaN, reps: 0, inner: 0,
    };
    results.push(m);
    if ("skip" in plan) {
      m.error = plan.skip;
      continue;
    }
    if (plan.note) m.note = plan.note;
    const worker = workers.get(fw.id);
    if (!worker?.alive) {
      m.error = "worker not running (it failed to start, hung or crashed earlier)";
      continue;
    }
    const reply = await worker.request({ op: "setup", cell: plan.spec, warmupSec: o.warmupSec, repSec: o.repSec, slowSec: o.slowSec },
      o.setupTimeoutSec)
      .catch((e: Error) => ({ ok: false as const, error: e.message }));
    if (!reply.ok) {
      m.error = reply.error;
      continue;
    }
    if (!("iterSec" in reply)) continue;
    m.inner = reply.inner;
    if (reply.note) m.note = [m.note, reply.note].filter(Boolean).join("; ");
    const repSec = reply.inner * reply.iterSec;
    const plannedReps = Math.max(1, Math.min(o.reps, Math.floor(o.budgetSec / repSec)));
    active.push({ fw, worker, m, secs: [], plannedReps, iterSec: reply.iterSec });
  }

  await rounds(active, (a) => a.plannedReps, (a) => a.secs, o.settleSec);
  // A wide spread means something else ran at the same time: measure those frameworks again, interleaved,
  // and keep whichever set of repetitions is tighter.
  const wide = active.filter((a) => !a.m.error && a.secs.length >= 3 && relativeSpread(a.secs) > o.spreadLimit
    && a.m.inner * median(a.secs) < 2);
  if (wide.length > 0) {
    const again = new Map<Active, number[]>(wide.map((a) => [a, []]));
    await rounds(wide, (a) => a.plannedReps, (a) => again.get(a)!, o.settleSec);
    for (const [a, secs] of again) {
      const first = relativeSpread(a.secs);
      const second = relativeSpread(secs);
      const keepSecond = secs.length === a.secs.length && second < first;
      if (keepSecond) a.secs = secs;
      const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
      a.m.note = [a.m.note, `re-measured (spread ${pct(first)} → ${pct(second)}${keepSecond ? "" : ", kept the first"})`].filter(Boolean).join("; ");
    }
  }
  for (const a of active) {
    if (a.secs.length > 0) finish(a.m, cell, a.secs);
    await a.worker.request({ op: "teardown" }).catch(() => undefined);
  }
  return results;
}
