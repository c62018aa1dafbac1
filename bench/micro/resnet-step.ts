/**
 * Per-kernel time of one ResNet-20 training step (BENCH.md W4, batch 64) on the active backend:
 * every kernel is wrapped with a timer (bench/lib/kernel-timer.ts); convolutions are also keyed by their shapes. Rough (noisy
 * machine). Run: TENSILE_NUM_THREADS=2 npx tsx bench/micro/resnet-step.ts
 */
import * as tl from "../../src/index.js";
import { timeKernels } from "../lib/kernel-timer.js";

const spent = timeKernels(undefined, (name, inputs, outputs, attrs) => {
  if (!name.startsWith("conv2d")) return [];
  const shapes = [...inputs, ...outputs].map((t) => t.shape.join("x"));
  return [`  ${name} ${shapes.join(" ")} s${String((attrs.stride as readonly number[])[0])}`];
});

tl.manualSeed(0);
const model = tl.models.resnet20();
const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
const x = tl.randn([64, 3, 32, 32]).keep();
const y = tl.randint(0, 10, [64]).keep();
const step = (): void =>
  tl.tidy(() => {
    opt.zeroGrad();
    tl.nn.functional.crossEntropy(model.call(x), y).backward();
    opt.step();
  });
for (let i = 0; i < 2; i++) step();
spent.clear();
const steps = Number(process.env.STEPS ?? 5);
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const total = (performance.now() - t0) / steps;
const rows = [...spent].map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps }));
const top = rows.filter((r) => !r.name.startsWith(" ")).sort((a, b) => b.ms - a.ms);
console.log(`step ${total.toFixed(1)} ms (${((64 * 1000) / total).toFixed(0)} samples/s); kernels ${top.reduce((s, r) => s + r.ms, 0).toFixed(1)} ms`);
for (const r of top.slice(0, 20)) console.log(`${r.name.padEnd(24)} ${r.ms.toFixed(2).padStart(8)} ms  ${r.calls.toFixed(0).padStart(4)} calls`);
console.log("convolutions by shape:");
for (const r of rows.filter((r) => r.name.startsWith(" ")).sort((a, b) => b.ms - a.ms)) {
  console.log(`${r.name.padEnd(72)} ${r.ms.toFixed(2).padStart(8)} ms  ${r.calls.toFixed(0).padStart(4)} calls`);
}
