/**
 * Microbenchmark of square float32 matmul (`tl.matmul` of two contiguous [n, n]) on the backend in
 * use (native unless TENSILE_BACKEND=js), 2 threads unless TENSILE_NUM_THREADS says otherwise.
 * Prints, per n, the median and best GFLOP/s (2·n³ / t) over the reps and the fraction of the
 * 2-core fp32 FMA peak (234 GFLOP/s on the Zen 4 bench machine), plus the load average (a busy
 * machine shows as a low median with a high best), and GFLOP/s per CPU-second of the process
 * ("cpu": time the OS parked a thread does not count, time spent spinning does), the steadier
 * figure on a shared machine. Compare builds A/B with TENSILE_NATIVE_PATH,
 * interleaving runs. Run: `npx tsx bench/micro/sgemm.ts [reps] [n...]` (rough figures on a shared machine).
 */
import { loadavg } from "node:os";
import * as tl from "../../src/index.js";

tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));
const PEAK = 234;
const reps = Number(process.argv[2] ?? 15);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1024, 2048];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const line: string[] = [];
for (const n of sizes) {
  const a = tl.randn([n, n]).keep();
  const b = tl.randn([n, n]).keep();
  const once = () => {
    const t0 = process.hrtime.bigint();
    tl.tidy(() => void tl.matmul(a, b));
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  for (let i = 0; i < 3; i++) once();
  // Smaller products repeat more so every n gets a similar amount of wall time.
  const count = Math.max(3, Math.round((reps * 2048 ** 3) / n ** 3 / 4));
  const c0 = process.cpuUsage();
  const gf = Array.from({ length: count }, () => (2 * n ** 3) / once() / 1e9);
  const cu = process.cpuUsage(c0);
  const cpuGf = (count * 2 * n ** 3) / ((cu.user + cu.system) / 1e6) / 1e9;
  const med = median(gf);
  line.push(
    `n=${n} ${med.toFixed(0)} GF/s (${((100 * med) / PEAK).toFixed(0)}%) best ${Math.max(...gf).toFixed(0)} cpu ${cpuGf.toFixed(0)} [${count}]`,
  );
  a.dispose();
  b.dispose();
}
console.log(`${tl.getNumThreads()}t load ${loadavg()[0].toFixed(1)}  ${line.join("  ")}`);
