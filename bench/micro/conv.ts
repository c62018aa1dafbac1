/**
 * Microbenchmark of the three conv primitives (conv2d, conv2dInputGrad, conv2dWeightGrad) on the
 * conv shapes of BENCH.md's W3 CNN and W4 ResNet-20 (batch 64), on the backend in use (native
 * unless TENSILE_BACKEND=js), 2 threads. Prints median ms, GFLOP/s (2·MACs / t) and % of the
 * 2-core fp32 peak (230 GFLOP/s), plus the process CPU time per call (a busy machine inflates
 * wall time more than CPU time). bench/micro/conv_torch.py times the same cases in PyTorch.
 * Run: `npx tsx bench/micro/conv.ts [reps]` (rough figures on a shared machine).
 */
import * as tl from "../../src/index.js";
import { getOp } from "../../src/engine/dispatch.js";

tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));
const PEAK = 230;

/** One conv layer: input [n, c, h, w], weight [o, c, k, k], stride, padding. */
interface Shape {
  name: string;
  n: number; c: number; h: number; o: number; k: number; s: number; p: number;
}

export const shapes: Shape[] = [
  { name: "W3 c1 1→32 28", n: 64, c: 1, h: 28, o: 32, k: 3, s: 1, p: 0 },
  { name: "W3 c2 32→64 13", n: 64, c: 32, h: 13, o: 64, k: 3, s: 1, p: 0 },
  { name: "W4 stem 3→16 32", n: 64, c: 3, h: 32, o: 16, k: 3, s: 1, p: 1 },
  { name: "W4 16→16 32", n: 64, c: 16, h: 32, o: 16, k: 3, s: 1, p: 1 },
  { name: "W4 16→32 s2", n: 64, c: 16, h: 32, o: 32, k: 3, s: 2, p: 1 },
  { name: "W4 32→32 16", n: 64, c: 32, h: 16, o: 32, k: 3, s: 1, p: 1 },
  { name: "W4 32→64 s2", n: 64, c: 32, h: 16, o: 64, k: 3, s: 2, p: 1 },
  { name: "W4 64→64 8", n: 64, c: 64, h: 8, o: 64, k: 3, s: 1, p: 1 },
  { name: "W4 1x1 16→32 s2", n: 64, c: 16, h: 32, o: 32, k: 1, s: 2, p: 0 },
  { name: "W4 1x1 32→64 s2", n: 64, c: 32, h: 16, o: 64, k: 1, s: 2, p: 0 },
];

const only = process.env.CONV_ONLY;
const reps = Number(process.argv[2] ?? 20);
const fwd = getOp<Record<string, unknown>>("conv2d");
const dxOp = getOp<Record<string, unknown>>("conv2dInputGrad");
const dwOp = getOp<Record<string, unknown>>("conv2dWeightGrad");

function median(fn: () => void): { ms: number; cpu: number } {
  for (let i = 0; i < 3; i++) tl.tidy(fn);
  const t: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    tl.tidy(fn);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const cu = process.cpuUsage(c0);
    c.push((cu.user + cu.system) / 1e3);
  }
  t.sort((a, b) => a - b);
  c.sort((a, b) => a - b);
  return { ms: t[reps >> 1], cpu: c[reps >> 1] };
}

console.log(`backend ${tl.getBackend().name}, ${tl.getNumThreads()} threads, reps ${reps}`);
console.log("case                   op     ms      GF/s  %peak  cpu-ms");
for (const s of shapes) {
  if (only !== undefined && !s.name.includes(only)) continue;
  tl.manualSeed(1);
  const ho = Math.floor((s.h + 2 * s.p - s.k) / s.s) + 1;
  const x = tl.randn([s.n, s.c, s.h, s.h]).keep();
  const w = tl.randn([s.o, s.c, s.k, s.k]).keep();
  const gy = tl.randn([s.n, s.o, ho, ho]).keep();
  const a = { stride: [s.s, s.s], padding: [s.p, s.p, s.p, s.p], dilation: [1, 1], groups: 1 };
  const flop = 2 * s.n * s.o * ho * ho * s.c * s.k * s.k;
  const runs: [string, () => void][] = [
    ["fwd", () => void fwd([x, w], a)],
    ["dx", () => void dxOp([gy, w], { ...a, inputSize: [s.h, s.h] })],
    ["dw", () => void dwOp([x, gy], { ...a, kernelSize: [s.k, s.k] })],
  ];
  for (const [op, fn] of runs) {
    const m = median(() => { const y = (fn as () => tl.Tensor | void)(); void y; });
    const gf = flop / m.ms / 1e6;
    console.log(`${s.name.padEnd(22)} ${op.padEnd(4)} ${m.ms.toFixed(3).padStart(7)} ${gf.toFixed(1).padStart(7)} ${(100 * gf / PEAK).toFixed(0).padStart(5)}% ${m.cpu.toFixed(2).padStart(7)}`);
  }
  x.dispose(); w.dispose(); gy.dispose();
}
