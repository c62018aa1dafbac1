/**
 * Where a ResNet-20 training step (BENCH.md W4, batch 64) spends its kernel time, by kernel name: wraps
 * every kernel of the active backend with a timer. Rough (noisy machine); run: npx tsx bench/norm-profile.ts
 */
import * as tl from "../src/index.js";
import type { KernelInfo } from "../src/backend/backend.js";

const spent = new Map<string, { ms: number; calls: number }>();
const kernels = tl.getBackend().kernels as Map<string, KernelInfo>;
for (const [name, info] of kernels) {
  const run = info.run;
  kernels.set(name, {
    strided: info.strided,
    run: (inputs, outputs, attrs) => {
      const t0 = performance.now();
      run(inputs, outputs, attrs);
      const e = spent.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      spent.set(name, e);
    },
  });
}

tl.manualSeed(0);
const model = tl.models.resnet20();
const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
const x = tl.randn([64, 3, 32, 32]).keep();
const y = tl.randint(0, 10, [64]).keep();
const step = (): void => tl.tidy(() => {
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
const rows = [...spent].map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps })).sort((a, b) => b.ms - a.ms);
console.log(`step ${total.toFixed(1)} ms (${((64 * 1000) / total).toFixed(0)} samples/s); kernels ${rows.reduce((s, r) => s + r.ms, 0).toFixed(1)} ms`);
for (const r of rows.slice(0, 16)) console.log(`${r.name.padEnd(20)} ${r.ms.toFixed(2).padStart(8)} ms  ${r.calls.toFixed(0).padStart(4)} calls`);
const norm = rows.filter((r) => r.name.startsWith("norm"));
console.log(`norm kernels: ${norm.reduce((s, r) => s + r.ms, 0).toFixed(2)} ms per step`);
