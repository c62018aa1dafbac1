/**
 * Rough microbenchmark of the fused normalization kernels against the composed form they replaced
 * (mean/variance/sub/mul/rsqrt/add, kept here as `composed*`): batchNorm2d in training and layerNorm,
 * forward + backward, interleaved, median of several runs. Run: `npx tsx bench/micro/norm.ts` with
 * TENSILE_NUM_THREADS=2. Compare with bench/micro/norm_torch.py.
 */
import * as tl from "../../src/index.js";

const F = tl.nn.functional;

function composedBatchNorm(x: tl.Tensor, w: tl.Tensor, b: tl.Tensor): tl.Tensor {
  const c = x.shape[1];
  const shape = [1, c, 1, 1];
  const mu = tl.mean(x, { dim: [0, 2, 3], keepdim: true });
  const v = tl.variance(x, { dim: [0, 2, 3], keepdim: true, unbiased: false });
  const y = tl.mul(tl.sub(x, mu), tl.rsqrt(tl.add(v, 1e-5)));
  return tl.add(tl.mul(y, w.reshape(shape)), b.reshape(shape));
}

function composedLayerNorm(x: tl.Tensor, w: tl.Tensor, b: tl.Tensor): tl.Tensor {
  const mu = tl.mean(x, { dim: -1, keepdim: true });
  const v = tl.variance(x, { dim: -1, keepdim: true, unbiased: false });
  return tl.add(tl.mul(tl.mul(tl.sub(x, mu), tl.rsqrt(tl.add(v, 1e-5))), w), b);
}

interface Case {
  name: string;
  shape: number[];
  params: number;
  run: (x: tl.Tensor, w: tl.Tensor, b: tl.Tensor, rm: tl.Tensor, rv: tl.Tensor) => tl.Tensor;
}

const cases: Case[] = [
  { name: "batchNorm2d fused   [64,16,32,32]", shape: [64, 16, 32, 32], params: 16, run: (x, w, b, rm, rv) => F.batchNorm(x, rm, rv, w, b, { training: true }) },
  { name: "batchNorm2d composed [64,16,32,32]", shape: [64, 16, 32, 32], params: 16, run: (x, w, b) => composedBatchNorm(x, w, b) },
  { name: "batchNorm2d fused   [64,64,8,8]", shape: [64, 64, 8, 8], params: 64, run: (x, w, b, rm, rv) => F.batchNorm(x, rm, rv, w, b, { training: true }) },
  { name: "batchNorm2d composed [64,64,8,8]", shape: [64, 64, 8, 8], params: 64, run: (x, w, b) => composedBatchNorm(x, w, b) },
  { name: "layerNorm fused     [64,64,128]", shape: [64, 64, 128], params: 128, run: (x, w, b) => F.layerNorm(x, [128], w, b) },
  { name: "layerNorm composed  [64,64,128]", shape: [64, 64, 128], params: 128, run: (x, w, b) => composedLayerNorm(x, w, b) },
];

function step(c: Case, x: tl.Tensor, gy: tl.Tensor, w: tl.Tensor, b: tl.Tensor, rm: tl.Tensor, rv: tl.Tensor): void {
  tl.tidy(() => {
    const y = c.run(x, w, b, rm, rv);
    y.backward(gy);
    w.grad?.dispose();
    b.grad?.dispose();
    x.grad?.dispose();
    w.grad = null;
    b.grad = null;
    x.grad = null;
  });
}

const reps = Number(process.env.REPS ?? 7);
const inner = Number(process.env.INNER ?? 10);
tl.manualSeed(0);
const state = cases.map((c) => ({
  x: tl.randn(c.shape).mul(2).add(3).keep().requiresGrad_(true),
  gy: tl.randn(c.shape).keep(),
  w: tl.randn([c.params]).keep().requiresGrad_(true),
  b: tl.randn([c.params]).keep().requiresGrad_(true),
  rm: tl.zeros([c.params]).keep(),
  rv: tl.ones([c.params]).keep(),
}));
const times: number[][] = cases.map(() => []);
for (let i = 0; i < cases.length; i++) for (let k = 0; k < 3; k++) step(cases[i], state[i].x, state[i].gy, state[i].w, state[i].b, state[i].rm, state[i].rv);
for (let r = 0; r < reps; r++) {
  for (let i = 0; i < cases.length; i++) {
    const s = state[i];
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) step(cases[i], s.x, s.gy, s.w, s.b, s.rm, s.rv);
    times[i].push((performance.now() - t0) / inner);
  }
}
console.log(`backend ${tl.getBackend().name}, threads ${tl.getNumThreads()}; forward+backward, ms per call: median (min-max) of ${reps}×${inner}`);
cases.forEach((c, i) => {
  const t = [...times[i]].sort((a, b) => a - b);
  console.log(`${c.name.padEnd(36)} ${t[t.length >> 1].toFixed(3)} (${t[0].toFixed(3)}-${t[t.length - 1].toFixed(3)})`);
});
