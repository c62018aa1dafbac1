/**
 * W2 (MLP 784-512-512-10, batch 128, cross-entropy + Adam) one training step, profiled:
 * `TENSILE_NUM_THREADS=2 npx tsx bench/micro/mlp-step.ts [backend] [steps]`. Prints wall and CPU
 * time per step, then the time spent in each kernel (wrapped around the backend's kernel table), so
 * the cost outside the kernels (dispatch, autograd, allocation) is the difference.
 */
import * as tl from "../../src/index.js";
import { getBackend } from "../../src/backend/registry.js";
import type { KernelInfo } from "../../src/backend/backend.js";

const backendName = process.argv[2] ?? "native";
const steps = Number(process.argv[3] ?? 200);
tl.setBackend(backendName);
tl.manualSeed(0);

const model = new tl.nn.Sequential(new tl.nn.Linear(784, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 10));
const x = tl.randn([128, 784]).keep();
const y = tl.randint(0, 10, [128]).keep();
const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
let last: tl.Tensor | null = null;
function step(): void {
  last?.dispose();
  last = tl.tidy(() => {
    opt.zeroGrad();
    const loss = tl.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.detach();
  });
}

function timeSteps(n: number): { wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) step();
  last?.item();
  const wallMs = (performance.now() - t0) / n;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 / n };
}

timeSteps(30);
const runs = [];
for (let r = 0; r < 5; r++) runs.push(timeSteps(Math.ceil(steps / 5)));
runs.sort((a, b) => a.wallMs - b.wallMs);
const med = runs[2];
console.log(`backend ${backendName}: ${med.wallMs.toFixed(3)} ms/step wall (min ${runs[0].wallMs.toFixed(3)}, max ${runs[4].wallMs.toFixed(3)}), ` +
  `${med.cpuMs.toFixed(3)} ms CPU/step, ${(128 / med.wallMs * 1000).toFixed(0)} samples/s; loss ${last!.item().toFixed(4)}`);

// Per-kernel time: wrap every kernel of the backend.
const kernels = getBackend(backendName).kernels as Map<string, KernelInfo>;
const stats = new Map<string, { calls: number; ms: number }>();
for (const [name, info] of [...kernels]) {
  const run = info.run;
  kernels.set(name, {
    ...info,
    run: (ins, outs, attrs) => {
      const t0 = performance.now();
      run(ins, outs, attrs);
      const key = process.env.SHAPES ? `${name} ${ins.map((t) => `${t.dtype}[${t.shape.join(",")}]/${t.strides.join(",")}`).join(" ")}` : name;
      const s = stats.get(key) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += performance.now() - t0;
      stats.set(key, s);
    },
  });
}
const prof = timeSteps(steps);
let total = 0;
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms);
for (const [, s] of rows) total += s.ms;
console.log(`with kernel timers: ${prof.wallMs.toFixed(3)} ms/step; kernels ${(total / steps).toFixed(3)} ms/step, outside kernels ${(prof.wallMs - total / steps).toFixed(3)} ms/step`);
for (const [name, s] of rows) {
  console.log(`  ${name.padEnd(process.env.SHAPES ? 90 : 28)} ${(s.calls / steps).toFixed(1).padStart(6)} calls/step ${(s.ms / steps * 1000).toFixed(1).padStart(9)} µs/step`);
}
