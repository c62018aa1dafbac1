/**
 * The worker side of the protocol for Node workers (Tensile, TF.js, ONNX Runtime): reads requests on
 * stdin, times a framework's step the same way for every framework, writes replies on stdout.
 * bench/peers/torch_bench.py implements the same loop in Python.
 */
import { createInterface } from "node:readline";
import { MARK, type CellSpec, type Reply, type Request, type WorkerInfo } from "./protocol.js";

/** One prepared workload: `step` runs one iteration, `sync` waits for it and returns a value to check. */
export interface Runner {
  step(): void | Promise<void>;
  /** Makes sure every step has finished; returns a number from the last one (a loss, an element). */
  sync(): number | Promise<number>;
  /** Frees what setup made. */
  dispose(): void;
  /** Said next to the figure (how the model was built, what was substituted). */
  note?: string;
}

/** A framework as the worker loop sees it. */
export interface Suite {
  info(): WorkerInfo | Promise<WorkerInfo>;
  /** Builds the workload; throws `cannot ...` errors for what the framework cannot do. */
  setup(cell: CellSpec): Runner | Promise<Runner>;
}

/** Peak resident set size of this process so far, in KiB. */
export function maxRssKb(): number {
  return process.resourceUsage().maxRSS;
}

function send(reply: Reply): void {
  process.stdout.write(`${MARK}${JSON.stringify(reply)}\n`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Warm-up, then calibration: the first step is untimed (compilation, allocation); later steps run
 * for `warmupSec` and give the time per step, from which the number of steps per repetition
 * (`inner`, about `repSec` of work) follows. A step slower than `slowSec` is timed once and not warmed
 * up further: the slowest frameworks would otherwise spend minutes warming up.
 */
async function calibrate(runner: Runner, warmupSec: number, repSec: number, slowSec: number): Promise<{ iterSec: number; inner: number }> {
  let t0 = performance.now();
  const first = runner.step();
  if (first) await first;
  check(await runner.sync());
  let iterSec = (performance.now() - t0) / 1000;
  if (iterSec < slowSec) {
    let count = 0;
    t0 = performance.now();
    while (count < 2 || performance.now() - t0 < warmupSec * 1000) {
      const pending = runner.step();
      if (pending) await pending;
      count++;
    }
    check(await runner.sync());
    iterSec = (performance.now() - t0) / 1000 / count;
  }
  return { iterSec, inner: Math.max(1, Math.round(repSec / iterSec)) };
}

function check(value: number): void {
  if (!Number.isFinite(value)) throw new Error(`the step produced a non-finite value (${value})`);
}

/** Serves requests until stdin closes or `exit` arrives. */
export async function serve(suite: Suite): Promise<void> {
  let runner: Runner | null = null;
  let inner = 1;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as Request;
    try {
      switch (request.op) {
        case "hello":
          send({ ok: true, info: await suite.info() });
          break;
        case "setup": {
          runner?.dispose();
          runner = null;
          runner = await suite.setup(request.cell);
          const c = await calibrate(runner, request.warmupSec, request.repSec, request.slowSec);
          inner = c.inner;
          send({ ok: true, iterSec: c.iterSec, inner, ...(runner.note ? { note: runner.note } : {}) });
          break;
        }
        case "rep": {
          if (!runner) throw new Error("rep before setup");
          const t0 = performance.now();
          // A step is awaited only when it is asynchronous (ONNX Runtime's run): an `await` on a
          // synchronous one still costs a microtask turn (~0.1 µs, a quarter of W7's 1-element add)
          // that a user calling the op in a loop does not pay.
          for (let i = 0; i < inner; i++) {
            const pending = runner.step();
            if (pending) await pending;
          }
          const value = await runner.sync();
          const secPerIter = (performance.now() - t0) / 1000 / inner;
          check(value);
          send({ ok: true, secPerIter, check: value });
          break;
        }
        case "teardown":
          runner?.dispose();
          runner = null;
          send({ ok: true });
          break;
        case "rss":
          send({ ok: true, maxRssKb: maxRssKb() });
          break;
        case "exit":
          send({ ok: true });
          lines.close();
          return;
      }
    } catch (error) {
      // A failed setup leaves nothing behind to time.
      try {
        runner?.dispose();
      } catch {
        // already broken; the error below is the one that matters
      }
      runner = null;
      send({ ok: false, error: message(error) });
    }
  }
}
