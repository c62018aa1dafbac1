/** Per-kernel timings of the fused normalization ops (rough; see bench/micro/norm.ts). Run: npx tsx bench/micro/norm-kernels.ts */
import * as tl from "../../src/index.js";

const shapes = [[64, 16, 32, 32], [64, 64, 8, 8]];
const time = (f: () => void, n = 20): number => {
  for (let i = 0; i < 3; i++) f();
  const ts: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    ts.push((performance.now() - t0) / n);
  }
  return Math.min(...ts); // the least disturbed run: the machine is shared
};
for (const shape of shapes) {
  const c = shape[1];
  const x = tl.randn(shape).keep();
  const gy = tl.randn(shape).keep();
  const w = tl.randn([c]).keep();
  const b = tl.randn([c]).keep();
  const stats = tl.normStats(x).keep();
  const o = { batchStats: true };
  const sums = tl.normAffineGrad(gy, x, stats).keep();
  const row = (name: string, f: () => tl.Tensor): void => console.log(`${JSON.stringify(shape)} ${name.padEnd(16)} ${(time(() => f().dispose()) * 1000).toFixed(0)} µs`);
  row("normStats", () => tl.normStats(x));
  row("normApply", () => tl.normApply(x, stats, w, b, o));
  row("normAffineGrad", () => tl.normAffineGrad(gy, x, stats));
  row("normInputGrad", () => tl.normInputGrad(gy, x, stats, sums, w));
  row("add (reference)", () => tl.add(x, gy));
  row("copy (reference)", () => x.clone());
}
