/**
 * Microbenchmark of the pooling kernels on the backend in use (native unless TENSILE_BACKEND=js):
 * maxPool2d forward, and forward + backward, on the two pooling shapes of BENCH.md's W3 CNN
 * (batch 64), plus ResNet-20's global average pool. Median and min–max of repeated runs, 2 threads.
 * Run: `npx tsx bench/micro/pool.ts` (rough figures on a shared machine).
 */
import * as tl from "../../src/index.js";

tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));

interface Case {
  name: string;
  shape: number[];
  step: (x: tl.Tensor) => void;
}

const sumBackward = (y: tl.Tensor): void => y.sum().backward();

const cases: Case[] = [
  { name: "maxPool2d k2 fwd", shape: [64, 32, 26, 26], step: (x) => void tl.maxPool2d(x, { kernelSize: 2 }) },
  { name: "maxPool2d k2 fwd+bwd", shape: [64, 32, 26, 26], step: (x) => sumBackward(tl.maxPool2d(x, { kernelSize: 2 })) },
  { name: "maxPool2d k2 fwd", shape: [64, 64, 11, 11], step: (x) => void tl.maxPool2d(x, { kernelSize: 2 }) },
  { name: "maxPool2d k2 fwd+bwd", shape: [64, 64, 11, 11], step: (x) => sumBackward(tl.maxPool2d(x, { kernelSize: 2 })) },
  { name: "adaptiveAvgPool2d 1 fwd+bwd", shape: [64, 64, 8, 8], step: (x) => sumBackward(tl.adaptiveAvgPool2d(x, 1)) },
];

function time(fn: () => void, reps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    tl.tidy(fn);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

console.log(`backend ${tl.getBackend().name}, ${tl.getNumThreads()} threads`);
for (const c of cases) {
  tl.manualSeed(1);
  const x = tl.randn(c.shape).requiresGrad_().keep();
  const reps = 30;
  time(() => c.step(x), 5);
  const t = time(() => {
    c.step(x);
    x.grad?.dispose();
    x.grad = null;
  }, reps);
  const med = t[Math.floor(reps / 2)];
  console.log(`${c.name.padEnd(28)} [${c.shape.join(",")}]`.padEnd(50) + `median ${med.toFixed(3)} ms  (min ${t[0].toFixed(3)}, max ${t[reps - 1].toFixed(3)})`);
  x.dispose();
}
