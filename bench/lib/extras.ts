/** The measurements that need a fresh process each: W3's peak RSS, and W8 (`npm start`, end to end). */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Framework } from "./frameworks.js";
import type { RssResult, W8Result } from "./report.js";
import { WorkerProcess } from "./worker-host.js";
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

/**
 * W8: the whole `npm start` job (train on MNIST, report test accuracy) on each Tensile backend, timed
 * from outside. Output goes to stderr as it comes.
 */
export async function runW8(root: string, backends: readonly string[], threads: number, extra: readonly string[]): Promise<W8Result[]> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const hasStart = pkg.scripts?.start !== undefined;
  const out: W8Result[] = [];
  for (const backend of backends) {
    const args = ["--backend", backend, ...extra];
    const [command, argv] = hasStart
      ? ["npm", ["start", "--silent", "--", ...args]]
      : [process.execPath, ["--import", "tsx", join(root, "src/cli/mnist.ts"), ...args]];
    const shown = hasStart ? `npm start -- ${args.join(" ")}` : `tsx src/cli/mnist.ts ${args.join(" ")} (no start script in package.json)`;
    const t0 = performance.now();
    const text = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(command, argv, { cwd: root, env: { ...process.env, TENSILE_NUM_THREADS: String(threads) } });
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
    const r: W8Result = { column: `tensile-${backend}`, command: shown };
    if (text.code !== 0 || !acc) r.error = `exit code ${text.code}${acc ? "" : ", no 'test accuracy' line"}: ${text.text.trim().split("\n").slice(-2).join(" | ")}`;
    else Object.assign(r, { wallSec, accuracy: Number(acc[1]), ...(epochs ? { epochs: Number(epochs[1]) } : {}) });
    out.push(r);
  }
  return out;
}
