/**
 * Microbenchmark of the native thread pool's overhead: mid-size kernels run back to back with a
 * small JavaScript gap between them (as in a training step), reporting wall time and process CPU
 * time (all threads) per op. Compare addons with TENSILE_NATIVE_PATH, thread counts with
 * TENSILE_NUM_THREADS (default 2), the gap with GAP_US (default 5 µs).
 * Run: `npx tsx bench/micro/threadpool.ts` (rough figures on a shared machine: interleave runs).
 */
import { loadavg } from "node:os";
import * as tl from "../../src/index.js";

tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));
const gapMicros = Number(process.env.GAP_US ?? 5);
const rounds = Number(process.env.ROUNDS ?? 7);

/** Busy JavaScript for about `us` µs (what the code between two ops costs). */
function jsGap(us: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < until);
}

interface Case {
  name: string;
  reps: number;
  make: () => tl.Tensor[];
  step: (t: tl.Tensor[]) => tl.Tensor;
}

const cases: Case[] = [
  { name: "add [64,16,32,32]", reps: 200, make: () => [tl.randn([64, 16, 32, 32]), tl.randn([64, 16, 32, 32])], step: ([a, b]) => tl.add(a, b) },
  { name: "normStats [64,16,32,32]", reps: 200, make: () => [tl.randn([64, 16, 32, 32])], step: ([x]) => tl.normStats(x) },
  { name: "matmul 256x256", reps: 200, make: () => [tl.randn([256, 256]), tl.randn([256, 256])], step: ([a, b]) => tl.matmul(a, b) },
  { name: "add [64,256] (small)", reps: 2000, make: () => [tl.randn([64, 256]), tl.randn([64, 256])], step: ([a, b]) => tl.add(a, b) },
];

console.log(`backend ${tl.getBackend().name}, ${tl.getNumThreads()} threads, gap ${gapMicros} µs, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
const inputs = cases.map((c) => c.make().map((t) => t.keep()));
const results = cases.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
// Rounds interleave the cases so a burst of load on the machine hits them all alike.
for (let r = 0; r < rounds; r++) {
  cases.forEach((c, k) => {
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        tl.tidy(() => void c.step(inputs[k]));
        jsGap(gapMicros);
      }
    };
    run(Math.max(5, c.reps / 10));
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    run(c.reps);
    const wall = Number(process.hrtime.bigint() - t0) / 1e3 / c.reps;
    const cu = process.cpuUsage(c0);
    results[k].wall.push(wall);
    results[k].cpu.push((cu.user + cu.system) / c.reps);
  });
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
cases.forEach((c, k) => {
  const w = results[k].wall;
  console.log(
    `${c.name.padEnd(26)} wall median ${median(w).toFixed(1).padStart(7)} µs/op (min ${Math.min(...w).toFixed(1)})  cpu median ${median(results[k].cpu).toFixed(1).padStart(7)} µs/op (gap included)`,
  );
});
