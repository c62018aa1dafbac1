/**
 * The native backend inside worker_threads: each thread loads its own addon instance (frame, ISA
 * level, thread count and pool, allocator accounting), kernels run concurrently in several threads
 * with the results of a single thread, a worker without the addon falls back to js, and a worker
 * that exits gives its native memory back.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import * as tl from "../../../src/index.js";
import { requireNative } from "./helpers.js";

const addon = requireNative();

const ENTRY = JSON.stringify(new URL("../../../src/index.ts", import.meta.url).href);
const NATIVE = JSON.stringify(new URL("../../../src/backends/native/index.ts", import.meta.url).href);

/**
 * Starts a worker thread that loads the library (from TypeScript, so it registers tsx first) and
 * runs `body`, an async function body with `tl`, `addon` (this thread's addon or null), `port` and
 * `data` in scope; whatever it returns is posted back as { result }. Messages it posts itself
 * arrive on the worker's "message" event.
 */
function startWorker(body: string, options: { data?: unknown; env?: NodeJS.ProcessEnv; stderr?: boolean } = {}): { worker: Worker; result: Promise<unknown> } {
  const code = `const { parentPort: port, workerData: data } = require("node:worker_threads");
    (async () => {
      (await import("tsx/esm/api")).register();
      const tl = await import(${ENTRY});
      const addon = (await import(${NATIVE})).nativeAddon();
      const result = await (async () => { ${body} })();
      port.postMessage({ result });
    })().catch((e) => port.postMessage({ error: String((e && e.stack) || e) }));`;
  const worker = new Worker(code, { eval: true, workerData: options.data, env: options.env ?? process.env, stderr: options.stderr ?? false });
  const result = new Promise<unknown>((resolve, reject) => {
    worker.on("message", (m: { result?: unknown; error?: string } | string) => {
      if (typeof m !== "object" || m === null) return; // the body's own messages
      if (m.error !== undefined) reject(new Error(`worker failed: ${m.error}`));
      else if ("result" in m) resolve(m.result);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`worker exited with code ${code} before answering`)));
  });
  return { worker, result };
}

/** The work every thread repeats: a matmul and a conv on inputs from seed s; their elements. */
const WORK = `(tl, s) => {
  tl.manualSeed(s);
  const a = tl.randn([192, 160]), b = tl.randn([160, 200]);
  const x = tl.randn([2, 8, 20, 20]), w = tl.randn([16, 8, 3, 3]);
  const out = [tl.matmul(a, b).dataSync(), tl.conv2d(x, w, null, { padding: 1 }).dataSync(), tl.matmul(a.t(), a).sum({ dim: 0 }).dataSync()];
  for (const t of [a, b, x, w]) t.dispose();
  return out;
}`;
const SEEDS = 4;
const ROUNDS = 12;

/** Indices of the seeds whose outputs differ from the reference (bit for bit). */
const COMPARE = `(got, want) => got.some((g, k) => g.length !== want[k].length || g.some((v, i) => !Object.is(v, want[k][i])))`;

const work = new Function(`return ${WORK}`)() as (t: typeof tl, s: number) => Float32Array[];
const differs = new Function(`return ${COMPARE}`)() as (got: Float32Array[], want: Float32Array[]) => boolean;

test("native in workers: two workers and the main thread run matmuls and convs at once, results as single-threaded", { timeout: 240_000 }, async () => {
  const before = tl.getNumThreads();
  try {
    const reference = (threads: number) => {
      tl.setNumThreads(threads);
      return Array.from({ length: SEEDS }, (_, s) => work(tl, s));
    };
    const one = reference(1);
    const two = reference(2);
    // Worker A keeps the default (1 thread, no pool); worker B runs a pool of its own with 2 threads.
    const body = (threads: number) => `
      const work = ${WORK};
      const differs = ${COMPARE};
      if (${threads} > 1) tl.setNumThreads(${threads});
      const threads = tl.getNumThreads();
      const want = data[threads === 1 ? "one" : "two"];
      await new Promise((r) => { port.once("message", r); port.postMessage("ready"); });
      let bad = 0;
      for (let round = 0; round < ${ROUNDS}; round++) for (let s = 0; s < ${SEEDS}; s++) if (differs(work(tl, s), want[s])) bad++;
      return { backend: tl.getBackend().name, threads, bad };`;
    const workers = [startWorker(body(1), { data: { one, two } }), startWorker(body(2), { data: { one, two } })];
    await Promise.all(workers.map(({ worker }) => once(worker, "message")));
    tl.setNumThreads(2);
    for (const { worker } of workers) worker.postMessage("go");
    let bad = 0;
    for (let round = 0; round < ROUNDS; round++) for (let s = 0; s < SEEDS; s++) if (differs(work(tl, s), two[s])) bad++;
    const results = (await Promise.all(workers.map((w) => w.result))) as { backend: string; threads: number; bad: number }[];
    assert.equal(bad, 0, "main thread results changed while workers ran");
    assert.deepEqual(results, [{ backend: "native", threads: 1, bad: 0 }, { backend: "native", threads: 2, bad: 0 }]);
    assert.equal(tl.getNumThreads(), 2, "the workers' setNumThreads left the main thread's alone");
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  } finally {
    tl.setNumThreads(before);
  }
});

test("native in workers: a worker loads its own instance (1 thread, own ISA level) or falls back to js without the addon", { timeout: 120_000 }, async () => {
  const mainIsa = addon.isa();
  const mainThreads = tl.getNumThreads();
  const body = `
    const seen = { backend: tl.getBackend().name, defaultThreads: tl.getNumThreads() };
    if (addon) {
      tl.setNumThreads(3);
      seen.threads = tl.getNumThreads();
      seen.generic = addon.setIsa("generic");
      seen.isa = addon.isa();
    }
    seen.value = Array.from(tl.add(tl.tensor([1, 2]), 1).exp().dataSync()).map((v) => v.toFixed(3)).join(" ");
    return seen;`;
  const native = await startWorker(body).result;
  assert.deepEqual(native, { backend: "native", defaultThreads: 1, threads: 3, generic: true, isa: "generic", value: "7.389 20.086" });
  assert.equal(addon.isa(), mainIsa, "the worker's setIsa left the main thread's level alone");
  assert.equal(tl.getNumThreads(), mainThreads, "the worker's setNumThreads left the main thread's alone");

  // No addon: the worker prints one warning (to its stderr) and runs js.
  const missing = startWorker(body, { env: { ...process.env, TENSILE_NATIVE_PATH: "/nonexistent/tensile_native.node" }, stderr: true });
  const stderr: string[] = [];
  const { worker } = missing;
  // stderr: true keeps the worker's stderr to itself (not piped to this process's): read it here.
  worker.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  assert.deepEqual(await missing.result, { backend: "js", defaultThreads: 1, value: "7.389 20.086" });
  await once(worker, "exit");
  const warnings = stderr.join("").split("\n").filter((l) => l.includes("Tensile"));
  assert.equal(warnings.length, 1, stderr.join(""));
  assert.match(warnings[0], /native backend unavailable \(no addon at \/nonexistent/);
});

test("native in workers: a worker's blocks count in its own stats and go back when it exits", { timeout: 120_000 }, async () => {
  const before = addon.memoryStats();
  const { worker, result } = startWorker(`
    globalThis.keep = tl.zeros([4_000_000]); // 16 MB, still referenced when the worker is terminated
    const s = addon.memoryStats();
    await new Promise((r) => { port.once("message", r); port.postMessage(s); });
    return null;`);
  const [during] = (await once(worker, "message")) as [{ liveBytes: number; processLiveBytes: number }];
  assert.ok(during.liveBytes >= 16e6, `the worker's own live bytes ${during.liveBytes}`);
  assert.ok(during.processLiveBytes >= before.processLiveBytes + 16e6, "the process counts the worker's blocks");
  assert.equal(addon.memoryStats().liveBytes, before.liveBytes, "the main thread's own count does not see them");
  result.catch(() => undefined);
  await worker.terminate();
  assert.equal(addon.memoryStats().processLiveBytes, before.processLiveBytes, "the exited worker's blocks went back");
});
