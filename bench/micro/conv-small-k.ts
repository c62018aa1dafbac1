/**
 * Microbenchmark of conv2d forwards with a short reduction (input channels × kernel taps ≤ ~36),
 * the layers native/src/kernels/conv_small_k.cc serves: W3's first conv (1 → 32, 3 × 3, bias, fused
 * ReLU: what W3 and W6 run) and a few neighbours to place the path's bound. Times the op (output
 * allocated per call, as a model runs it) and the bare kernel into one kept output, median ms and
 * GB/s of output written. Run: `TENSILE_NUM_THREADS=2 npx tsx bench/micro/conv-small-k.ts [reps]`
 * (CONV_ONLY=<substring> picks cases; rough figures on a shared machine).
 */
import * as tl from "../../src/index.js";
import { getOp } from "../../src/engine/dispatch.js";

tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));

interface Shape {
  name: string;
  n: number; c: number; h: number; o: number; k: number; p: number;
}

const shapes: Shape[] = [
  { name: "W3 c1 1→32 28", n: 64, c: 1, h: 28, o: 32, k: 3, p: 0 },
  { name: "2→32 28", n: 64, c: 2, h: 28, o: 32, k: 3, p: 0 },
  { name: "W4 stem 3→16 32 p1", n: 64, c: 3, h: 32, o: 16, k: 3, p: 1 },
  { name: "3→32 32", n: 64, c: 3, h: 32, o: 32, k: 3, p: 0 },
  { name: "4→32 28", n: 64, c: 4, h: 28, o: 32, k: 3, p: 0 },
  { name: "1→32 5x5 28", n: 64, c: 1, h: 28, o: 32, k: 5, p: 0 },
  { name: "1→6 5x5 32 (LeNet)", n: 64, c: 1, h: 32, o: 6, k: 5, p: 0 },
];

const only = process.env.CONV_ONLY;
const reps = Number(process.argv[2] ?? 50);
const convRelu = getOp<Record<string, unknown>>("conv2dRelu");
const kernel = tl.getBackend().kernels.get("conv2d");

function median(fn: () => void): number {
  for (let i = 0; i < 5; i++) tl.tidy(fn);
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    tl.tidy(fn);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[reps >> 1];
}

console.log(`backend ${tl.getBackend().name}, ${tl.getNumThreads()} threads, reps ${reps}`);
console.log("case                    op-ms  kernel-ms   GB/s (kernel)");
for (const s of shapes) {
  if (only !== undefined && !s.name.includes(only)) continue;
  tl.manualSeed(1);
  const ho = s.h + 2 * s.p - s.k + 1;
  const x = tl.randn([s.n, s.c, s.h, s.h]).keep();
  const w = tl.randn([s.o, s.c, s.k, s.k]).keep();
  const b = tl.randn([s.o]).keep();
  const y = tl.zeros([s.n, s.o, ho, ho]).keep();
  const attrs = { stride: [1, 1], padding: [s.p, s.p, s.p, s.p], dilation: [1, 1], groups: 1 };
  const op = median(() => void convRelu([x, w, b], attrs));
  const bare = kernel === undefined ? NaN : median(() => kernel.run([x, w, b], [y], { ...attrs, relu: true }));
  const gbs = (y.size * 4) / bare / 1e6;
  console.log(`${s.name.padEnd(22)} ${op.toFixed(3).padStart(7)} ${bare.toFixed(3).padStart(9)} ${gbs.toFixed(1).padStart(8)}`);
  x.dispose(); w.dispose(); b.dispose(); y.dispose();
}
