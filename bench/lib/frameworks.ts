/**
 * The frameworks the driver can run, how to start each one's worker, and what each runs for a cell:
 * the spec as is, a smaller one for the slowest backend (said in the table), a reason to skip, or
 * null for a workload it does not do (ONNX Runtime trains nothing).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CellSpec } from "./protocol.js";
import type { WorkerCommand } from "./worker-host.js";
import type { Cell } from "./workloads.js";

/** One worker configuration; several may share a table column (PyTorch's thread settings). */
export interface Framework {
  /** Unique id, e.g. "tensile-js", "torch:passive". */
  id: string;
  /** Table column, e.g. "pytorch". */
  column: string;
  /** The thread setting that tells configurations of one column apart. */
  setting?: string;
  command: WorkerCommand;
  plan(cell: Cell): { spec: CellSpec; note?: string } | { skip: string } | null;
}

/** What the user asked for and what this machine has. */
export interface FrameworkOptions {
  benchDir: string;
  threads: number;
  /** Names from --frameworks (tensile, tensile-<backend>, torch, torch-default, torch-1t, tfjs-cpu, tfjs-wasm, ort). */
  selected: ReadonlySet<string>;
  tensileBackends: readonly string[];
  /** Run every cell at full size, the slow TF.js cpu backend too. */
  full: boolean;
  /** Directory holding an OpenBLAS libblas.so.3 for PyTorch, or null. */
  openblasDir: string | null;
  onnxModel: string | null;
}

export const PYTHON = "/usr/bin/python3";

/** Whether /usr/bin/python3 can import torch. */
export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

/**
 * Where a local OpenBLAS lives: bench/setup-openblas.sh unpacks Debian's libopenblas0-pthread into
 * bench/.cache, for machines whose system BLAS is the slow reference one.
 */
export function findOpenblas(benchDir: string): string | null {
  const dir = join(benchDir, ".cache/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread");
  return existsSync(join(dir, "libblas.so.3")) ? dir : null;
}

function tsx(script: string, args: string[], env: Record<string, string> = {}): WorkerCommand {
  return { command: process.execPath, args: ["--import", "tsx", script, ...args], env };
}

const asIs = (cell: Cell): { spec: CellSpec } => ({ spec: cell.spec });

/** TF.js's cpu backend is 100–1000× slower than the rest: smaller batches unless --full. */
function tfjsCpuPlan(full: boolean) {
  return (cell: Cell): { spec: CellSpec; note?: string } | { skip: string } => {
    if (full) return asIs(cell);
    const w = cell.spec.workload;
    if (w === "W1" && cell.spec.n === 2048) return { skip: "skipped: ~20 s per product (--full runs it)" };
    const small: Partial<Record<string, number>> = { W3: 8, W4: 1, W5: 16 };
    const batch = small[w];
    return batch === undefined ? asIs(cell) : { spec: { ...cell.spec, batch }, note: `batch ${batch} (slow backend; --full for the real size)` };
  };
}

/** The frameworks to run, in column order. */
export function frameworks(o: FrameworkOptions): Framework[] {
  const out: Framework[] = [];
  const wants = (name: string): boolean => o.selected.has(name);
  const threadEnv = String(o.threads);
  for (const backend of o.tensileBackends) {
    if (!wants(`tensile-${backend}`) && !wants("tensile")) continue;
    out.push({
      id: `tensile-${backend}`, column: `tensile-${backend}`,
      command: tsx(join(o.benchDir, "workers/tensile.ts"), [backend], { TENSILE_NUM_THREADS: threadEnv }),
      plan: asIs,
    });
  }
  const torchEnv = (env: Record<string, string>): Record<string, string> =>
    o.openblasDir ? { ...env, LD_LIBRARY_PATH: [o.openblasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") } : env;
  const torch = (id: string, setting: string, env: Record<string, string>, threads = o.threads, column = "pytorch"): void => {
    out.push({
      id, column, setting,
      command: { command: PYTHON, args: [join(o.benchDir, "peers/torch_bench.py"), String(threads)], env: torchEnv(env) },
      plan: asIs,
    });
  };
  if (wants("torch")) {
    torch("torch:passive", "OMP_WAIT_POLICY=PASSIVE", { OMP_WAIT_POLICY: "PASSIVE" });
    torch("torch:blas1", "OPENBLAS_NUM_THREADS=1", { OPENBLAS_NUM_THREADS: "1" });
  }
  if (wants("torch-default")) torch("torch:default", "default", {}, o.threads, "pytorch-default");
  if (wants("torch-1t")) torch("torch:1t", "1 thread", { OMP_WAIT_POLICY: "PASSIVE" }, 1, "pytorch-1-thread");
  if (wants("tfjs-cpu")) {
    out.push({ id: "tfjs-cpu", column: "tfjs-cpu", command: tsx(join(o.benchDir, "workers/tfjs.ts"), ["cpu"]), plan: tfjsCpuPlan(o.full) });
  }
  if (wants("tfjs-wasm")) {
    out.push({ id: "tfjs-wasm", column: "tfjs-wasm", command: tsx(join(o.benchDir, "workers/tfjs.ts"), ["wasm"]), plan: asIs });
  }
  if (wants("ort") && o.onnxModel) {
    out.push({
      id: "onnxruntime", column: "onnxruntime",
      command: tsx(join(o.benchDir, "workers/ort.ts"), [o.onnxModel, String(o.threads)]),
      plan: (cell) => (cell.spec.workload === "W6" ? asIs(cell) : null),
    });
  }
  return out;
}
