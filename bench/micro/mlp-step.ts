/**
 * W2 (MLP 784-512-512-10, batch 128, cross-entropy + Adam) one training step, profiled:
 * `TENSILE_NUM_THREADS=2 npx tsx bench/micro/mlp-step.ts [backend] [steps]` prints wall and CPU time
 * per step (median of 5 runs). With KERNELS=1 every kernel of the backend is wrapped in a timer first
 * (before any op runs, so cached kernel lookups see the wrappers) and the time per kernel is printed;
 * the rest of the step is dispatch, autograd and allocation. SHAPES=1 splits kernels by input shapes.
 */
import * as tl from "../../src/index.js";
import { timeKernels, type KernelTime } from "../lib/kernel-timer.js";
import { trainingStep } from "../workers/tensile-steps.js";

const backendName = process.argv[2] ?? "native";
const steps = Number(process.argv[3] ?? 200);
tl.setBackend(backendName);
tl.manualSeed(0);

const byShape = process.env.SHAPES !== undefined;
const stats: Map<string, KernelTime> = process.env.KERNELS || byShape
  ? timeKernels(backendName, byShape
    ? (name, ins) => [`${name} ${ins.map((t) => `${t.dtype}[${t.shape.join(",")}]/${t.strides.join(",")}`).join(" ")}`]
    : undefined)
  : new Map();
// With SHAPES the table lists each kernel by shape; the per-name totals are dropped from it below.
const isShapeKey = (key: string): boolean => !byShape || key.includes(" ");

const model = new tl.nn.Sequential(new tl.nn.Linear(784, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 10));
const x = tl.randn([128, 784]).keep();
const y = tl.randint(0, 10, [128]).keep();
const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
const step = trainingStep(model, opt, x, y);
let last: tl.Tensor | null = null;

function timeSteps(n: number): { wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) last = step();
  last?.item();
  const wallMs = (performance.now() - t0) / n;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 / n };
}

timeSteps(30);
stats.clear();
const runs = [];
for (let r = 0; r < 5; r++) runs.push(timeSteps(Math.ceil(steps / 5)));
const n = Math.ceil(steps / 5) * 5;
const wall = runs.map((r) => r.wallMs).sort((a, b) => a - b);
const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
console.log(`backend ${backendName}: ${wall[2].toFixed(3)} ms/step wall (min ${wall[0].toFixed(3)}, max ${wall[4].toFixed(3)}), ` +
  `${cpu[2].toFixed(3)} ms CPU/step (min ${cpu[0].toFixed(3)}), ${(128 / wall[2] * 1000).toFixed(0)} samples/s; loss ${last!.item().toFixed(4)}`);
if (stats.size > 0) {
  const rows = [...stats].filter(([key]) => isShapeKey(key)).sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, v]) => s + v.ms, 0);
  const meanWall = runs.reduce((s, r) => s + r.wallMs, 0) / runs.length;
  console.log(`kernels ${(total / n).toFixed(3)} ms/step of ${meanWall.toFixed(3)} (outside kernels ${(meanWall - total / n).toFixed(3)})`);
  for (const [name, s] of rows) {
    console.log(`  ${name.padEnd(process.env.SHAPES ? 90 : 28)} ${(s.calls / n).toFixed(1).padStart(6)} calls/step ${(s.ms / n * 1000).toFixed(1).padStart(9)} µs/step`);
  }
}
