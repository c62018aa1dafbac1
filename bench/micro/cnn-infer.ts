/**
 * Per-kernel time of BENCH.md's W6 (W3's CNN, inference, batch 64, eval, no grad) on the active
 * backend, as bench/workers/tensile.ts runs it: every kernel wrapped with a timer
 * (bench/lib/kernel-timer.ts), or with `--plain` only the wall time per forward, without the timer.
 * Run: `TENSILE_NUM_THREADS=2 npx tsx bench/micro/cnn-infer.ts [reps] [--plain]` (rough on a busy machine).
 */
import * as tl from "../../src/index.js";
import { timeKernels } from "../lib/kernel-timer.js";
import { smallCnn } from "../workers/tensile-models.js";
import { inferenceStep } from "../workers/tensile-steps.js";

const plain = process.argv.includes("--plain");
// Installed before any op runs: dispatch caches kernel lookups.
const spent = plain ? null : timeKernels();
tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));
tl.manualSeed(0);
const reps = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const { model } = smallCnn();
model.eval();
const x = tl.randn([64, 1, 28, 28]).keep();
// As bench/workers/tensile.ts runs W6.
const forward = inferenceStep(model, x);

for (let i = 0; i < 20; i++) forward();
spent?.clear();
const t0 = performance.now();
for (let i = 0; i < reps; i++) forward();
const ms = (performance.now() - t0) / reps;
let total = 0;
for (const v of spent?.values() ?? []) total += v.ms;
console.log(`forward ${ms.toFixed(3)} ms (${Math.round((64 / ms) * 1000)} samples/s)${spent ? `; kernels ${(total / reps).toFixed(3)} ms` : ""}`);
for (const [name, v] of [...(spent ?? [])].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${name.padEnd(24)} ${(v.ms / reps).toFixed(3).padStart(8)} ms ${String(v.calls / reps).padStart(4)} calls`);
}
