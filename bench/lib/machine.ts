/**
 * The machine itself, measured in the same run: the CPU line from lscpu, the fp32 FMA peak
 * (bench/machine/peak.c) and STREAM-triad bandwidth (bench/machine/stream.c) on 1 and 2 threads,
 * both compiled here with the system's `cc`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

/** What the run knows about the machine. */
export interface Machine {
  model: string;
  cores: number;
  memoryGiB: number;
  /** lscpu's line, e.g. "AMD EPYC (family 25, model 17), 2 cores, 1 thread per core". */
  line: string;
  /** fp32 FMA peak in GFLOP/s by thread count, and the ISA it was measured with. */
  peak: { isa: string; gflops: Record<string, number> } | { error: string };
  /** STREAM triad in GB/s by thread count. */
  stream: { gbs: Record<string, number> } | { error: string };
  load: string;
}

function lscpuFields(): Record<string, string> {
  try {
    const out = execFileSync("lscpu", { encoding: "utf8" });
    const fields: Record<string, string> = {};
    for (const line of out.split("\n")) {
      const i = line.indexOf(":");
      if (i > 0) fields[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    return fields;
  } catch {
    return {};
  }
}

function hasFlag(flag: string): boolean {
  try {
    return new RegExp(`^flags\\s*:.*\\b${flag}\\b`, "m").test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

/** Compiles `source` to `out` with the first flag set that works; returns the flags used or null. */
function compile(source: string, out: string, flagSets: string[][]): string[] | null {
  for (const flags of flagSets) {
    const r = spawnSync("cc", [...flags, "-o", out, source, "-lpthread"], { encoding: "utf8" });
    if (r.status === 0) return flags;
  }
  return null;
}

function runLines(bin: string, args: string[]): string {
  return execFileSync(bin, args, { encoding: "utf8", timeout: 120_000 }).trim();
}

/**
 * Measures the peak and the bandwidth. `threads` lists the thread counts (1 and the benchmark's);
 * `workDir` receives the binaries.
 */
export function measureMachine(benchDir: string, workDir: string, threads: number[]): Machine {
  const f = lscpuFields();
  const model = f["Model name"] ?? cpus()[0]?.model ?? "unknown CPU";
  const cores = Number(f["CPU(s)"] ?? cpus().length);
  const detail = [f["CPU family"] ? `family ${f["CPU family"]}` : "", f["Model"] ? `model ${f["Model"]}` : ""].filter(Boolean).join(", ");
  const tpc = f["Thread(s) per core"] ? `, ${f["Thread(s) per core"]} thread(s) per core` : "";
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  const line = `${model}${detail ? ` (${detail})` : ""}, ${cores} cores${tpc}, ${memoryGiB} GiB${f["Hypervisor vendor"] ? `, ${f["Hypervisor vendor"]} VM` : ""}`;

  let peak: Machine["peak"];
  const peakBin = join(workDir, "peak");
  const sets = [...(hasFlag("avx512f") ? [["-O2", "-mavx512f", "-mfma"]] : []), ...(hasFlag("avx2") ? [["-O2", "-mavx2", "-mfma"]] : [])];
  const flags = sets.length ? compile(join(benchDir, "machine/peak.c"), peakBin, sets) : null;
  if (flags === null) {
    peak = { error: sets.length ? "peak.c did not compile" : "no AVX2/AVX-512 FMA on this CPU" };
  } else {
    const gflops: Record<string, number> = {};
    let isa = "";
    for (const t of threads) {
      const [name, , value] = runLines(peakBin, [String(t), "50000000"]).split(/\s+/);
      isa = name;
      gflops[String(t)] = Number(value);
    }
    peak = { isa: `${isa} (cc ${flags.join(" ")})`, gflops };
  }

  let stream: Machine["stream"];
  const streamBin = join(workDir, "stream");
  if (compile(join(benchDir, "machine/stream.c"), streamBin, [["-O2"]]) === null) {
    stream = { error: "stream.c did not compile" };
  } else {
    const gbs: Record<string, number> = {};
    for (const t of threads) gbs[String(t)] = Number(runLines(streamBin, [String(t), String(1 << 25)]).split(/\s+/)[1]);
    stream = { gbs };
  }
  let load = "";
  try {
    load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    load = "unknown";
  }
  return { model, cores, memoryGiB, line, peak, stream, load };
}
