/**
 * W7 dispatch-overhead microbenchmark: `tsx bench/micro/dispatch.ts [rounds]`. Times a 1-element add and
 * a 64×64 matmul in a loop (the result of the previous step disposed, as bench/workers/tensile.ts
 * does), and the same add inside a tidy; prints the median and min–max of wall and CPU µs per op
 * (process.cpuUsage: user + system) over `rounds` repetitions, and the load average, because the
 * machine is shared and wall time alone is noisy.
 */
import { loadavg } from "node:os";
import * as tl from "../../src/index.js";

const rounds = Number(process.argv[2] ?? 7);
tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));

interface Case {
  label: string;
  iters: number;
  step: () => void;
}

function loop(a: tl.Tensor, b: tl.Tensor, op: (a: tl.Tensor, b: tl.Tensor) => tl.Tensor): () => void {
  let last: tl.Tensor | null = null;
  return () => {
    last?.dispose();
    last = op(a, b);
  };
}

const a1 = tl.randn([1]).keep();
const b1 = tl.randn([1]).keep();
const a64 = tl.randn([64, 64]).keep();
const b64 = tl.randn([64, 64]).keep();
const cases: Case[] = [
  { label: "add 1-element", iters: 200_000, step: loop(a1, b1, tl.add) },
  { label: "matmul 64×64", iters: 20_000, step: loop(a64, b64, tl.matmul) },
  { label: "add 1-element in tidy", iters: 200_000, step: () => tl.tidy(() => void tl.add(a1, b1)) },
  { label: "add x10 in one tidy", iters: 20_000, step: () => void tl.tidy(() => { for (let i = 0; i < 10; i++) tl.add(a1, b1); }) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

const fmt = (x: number): string => x.toFixed(2);
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const results = new Map<string, { wall: number[]; cpu: number[] }>(cases.map((c) => [c.label, { wall: [], cpu: [] }]));
for (const c of cases) for (let i = 0; i < c.iters; i++) c.step(); // warm up
for (let r = 0; r < rounds; r++) {
  // Interleave the cases round by round so load changes hit them alike.
  for (const c of cases) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < c.iters; i++) c.step();
    const wall = Number(process.hrtime.bigint() - t0) / 1e3 / c.iters;
    const cpuDelta = process.cpuUsage(cpu0);
    const res = results.get(c.label) as { wall: number[]; cpu: number[] };
    res.wall.push(wall);
    res.cpu.push((cpuDelta.user + cpuDelta.system) / c.iters);
  }
}
for (const c of cases) {
  const { wall, cpu } = results.get(c.label) as { wall: number[]; cpu: number[] };
  console.log(`${c.label.padEnd(24)} wall ${fmt(median(wall))} µs (${fmt(Math.min(...wall))}–${fmt(Math.max(...wall))})  ` +
    `cpu ${fmt(median(cpu))} µs (${fmt(Math.min(...cpu))}–${fmt(Math.max(...cpu))})`);
}
const mem = tl.memory();
console.log(`memory after: ${mem.numTensors} tensors, ${mem.numStorages} storages`);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
