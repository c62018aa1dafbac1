/**
 * The fused normalization ops against a plain reference written here from the definitions (mean and
 * biased variance per statistic, the affine pass, and the textbook batch-norm input gradient), with
 * float64 central-difference gradients through normStats and normApply, and double backward through
 * batchNorm, layerNorm and groupNorm.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { NestedArray } from "../../../src/core/nested.js";
import { assertClose, gradcheck, runCases, type OpCase } from "../../harness.js";

const F = tl.nn.functional;

const flat = (shape: number[], seed: number): number[] =>
  Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => Math.round(Math.sin(seed * 3.7 + i * 1.9) * 1000) / 1000 + 0.3 * seed);
const nested = (data: number[], shape: number[]): NestedArray => tl.tensor(data, { shape, dtype: "float64" }).toArray();

interface Grouping {
  groups: number;
  perSample: boolean;
}

/** Statistic index of every element of x [N, C, S...]. */
function statIndex(shape: number[], o: Grouping): { index: number[]; m: number } {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((p, d) => p * d, 1);
  const cg = c / o.groups;
  const index: number[] = [];
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let k = 0; k < s; k++) index.push((o.perSample ? i * o.groups : 0) + Math.floor(ch / cg));
  return { index, m: o.perSample ? n * o.groups : o.groups };
}

const channelOf = (shape: number[], i: number): number => Math.floor(i / shape.slice(2).reduce((p, d) => p * d, 1)) % shape[1];

function refStats(x: number[], shape: number[], o: Grouping): { mean: number[]; variance: number[] } {
  const { index, m } = statIndex(shape, o);
  const sum = new Array<number>(m).fill(0);
  const cnt = new Array<number>(m).fill(0);
  x.forEach((v, i) => { sum[index[i]] += v; cnt[index[i]]++; });
  const mean = sum.map((s, k) => s / cnt[k]);
  const ss = new Array<number>(m).fill(0);
  x.forEach((v, i) => { ss[index[i]] += (v - mean[index[i]]) ** 2; });
  return { mean, variance: ss.map((s, k) => s / cnt[k]) };
}

function refApply(x: number[], shape: number[], o: Grouping, st: { mean: number[]; variance: number[] }, eps: number, w?: number[], b?: number[]): number[] {
  const { index } = statIndex(shape, o);
  return x.map((v, i) => {
    const c = channelOf(shape, i);
    return ((v - st.mean[index[i]]) / Math.sqrt(st.variance[index[i]] + eps)) * (w ? w[c] : 1) + (b ? b[c] : 0);
  });
}

/** The gradients of normalization with batch statistics: dx, [Σgy·x̂; Σgy] per channel, [Σgy·w·x̂; Σgy·w] per statistic. */
function refBackward(gy: number[], x: number[], shape: number[], o: Grouping, eps: number, w?: number[]) {
  const { index, m } = statIndex(shape, o);
  const st = refStats(x, shape, o);
  const c = shape[1];
  const r = st.variance.map((v) => 1 / Math.sqrt(v + eps));
  const xhat = x.map((v, i) => (v - st.mean[index[i]]) * r[index[i]]);
  const affine = [new Array<number>(c).fill(0), new Array<number>(c).fill(0)];
  const sums = [new Array<number>(m).fill(0), new Array<number>(m).fill(0)];
  const cnt = new Array<number>(m).fill(0);
  gy.forEach((g, i) => {
    const ch = channelOf(shape, i);
    const gw = g * (w ? w[ch] : 1);
    affine[0][ch] += g * xhat[i];
    affine[1][ch] += g;
    sums[0][index[i]] += gw * xhat[i];
    sums[1][index[i]] += gw;
    cnt[index[i]]++;
  });
  const dx = gy.map((g, i) => {
    const k = index[i];
    const gw = g * (w ? w[channelOf(shape, i)] : 1);
    return r[k] * (gw - sums[1][k] / cnt[k] - (xhat[i] * sums[0][k]) / cnt[k]);
  });
  return { st, dx, affine, sums };
}

interface Setup {
  name: string;
  shape: number[];
  o: Grouping;
  affine: boolean;
  eps: number;
}

const setups: Setup[] = [
  { name: "per channel (BatchNorm) [3,4,19]", shape: [3, 4, 19], o: { groups: 4, perSample: false }, affine: true, eps: 1e-5 },
  { name: "per sample and group (GroupNorm) [2,6,2,3]", shape: [2, 6, 2, 3], o: { groups: 3, perSample: true }, affine: true, eps: 1e-3 },
  { name: "per row (LayerNorm) [5,37]", shape: [5, 37], o: { groups: 1, perSample: true }, affine: true, eps: 1e-5 },
  { name: "per channel [N, C] (BatchNorm1d) [6,5], no affine", shape: [6, 5], o: { groups: 5, perSample: false }, affine: false, eps: 0.1 },
];

const cases: OpCase[] = setups.flatMap((u, k): OpCase[] => {
  const x = flat(u.shape, k + 1);
  const c = u.shape[1];
  const w = u.affine ? flat([c], k + 5).map((v) => v + 1) : undefined;
  const b = u.affine ? flat([c], k + 9) : undefined;
  const gy = flat(u.shape, k + 13);
  const st = refStats(x, u.shape, u.o);
  const back = refBackward(gy, x, u.shape, u.o, u.eps, w);
  const opts = { ...u.o, eps: u.eps };
  const xIn = nested(x, u.shape);
  const params = u.affine ? [w as number[], b as number[]] : [];
  return [
    {
      op: "normStats", name: `normStats ${u.name}`, inputs: [xIn], fn: (xt) => tl.normStats(xt, u.o),
      expected: [st.mean, st.variance],
    },
    {
      op: "normApply", name: `normApply with batch statistics ${u.name}`, inputs: [xIn, ...params],
      fn: (xt, wt, bt) => tl.normApply(xt, tl.noGrad(() => tl.normStats(xt, u.o)), wt, bt, { ...opts, batchStats: true }),
      expected: nested(refApply(x, u.shape, u.o, st, u.eps, w, b), u.shape),
    },
    {
      op: "normApply", name: `normApply with fixed statistics ${u.name}`, inputs: [xIn, [st.mean.map((v) => v + 0.1), st.variance.map((v) => v + 0.5)], ...params],
      fn: (xt, s, wt, bt) => tl.normApply(xt, s, wt, bt, opts),
      expected: nested(refApply(x, u.shape, u.o, { mean: st.mean.map((v) => v + 0.1), variance: st.variance.map((v) => v + 0.5) }, u.eps, w, b), u.shape),
    },
    {
      op: "normAffineGrad", name: `normAffineGrad ${u.name}`, inputs: [nested(gy, u.shape), xIn], gradInputs: [],
      fn: (g, xt) => tl.normAffineGrad(g, xt, tl.normStats(xt, u.o), opts), expected: back.affine,
    },
    {
      op: "normGroupGrad", name: `normGroupGrad ${u.name}`, inputs: [nested(gy, u.shape), xIn, ...(w ? [w] : [])], gradInputs: [],
      fn: (g, xt, wt) => tl.normGroupGrad(g, xt, tl.normStats(xt, u.o), wt, opts), expected: back.sums,
    },
    {
      op: "normInputGrad", name: `normInputGrad ${u.name}`, inputs: [nested(gy, u.shape), xIn, ...(w ? [w] : [])], gradInputs: [],
      fn: (g, xt, wt) => {
        const s = tl.normStats(xt, u.o);
        return tl.normInputGrad(g, xt, s, tl.normGroupGrad(g, xt, s, wt, opts), wt, opts);
      },
      expected: nested(back.dx, u.shape),
    },
  ];
});

// float32, sizes that exercise the vector bodies and tails of the native kernels.
const f32 = (data: number[], shape: number[]): tl.Tensor => tl.tensor(data, { shape, dtype: "float32" });
for (const [shape, o] of [[[4, 3, 45], { groups: 3, perSample: false }], [[7, 70], { groups: 1, perSample: true }]] as [number[], Grouping][]) {
  const x = Array.from(f32(flat(shape, 7), shape).dataSync());
  const c = shape[1];
  const w = Array.from(f32(flat([c], 8), [c]).dataSync());
  const b = Array.from(f32(flat([c], 9), [c]).dataSync());
  const st = refStats(x, shape, o);
  cases.push({
    op: "normApply", name: `normApply float32 ${JSON.stringify(shape)} ${o.perSample ? "per row" : "per channel"}`,
    inputs: [f32(x, shape), f32(w, [c]), f32(b, [c])], atol: 1e-5, rtol: 1e-5,
    fn: (xt, wt, bt) => tl.normApply(xt, tl.normStats(xt, o), wt, bt, { ...o, batchStats: true }),
    expected: nested(refApply(x, shape, o, st, 1e-5, w, b), shape),
  });
}

cases.push({
  op: "normStats", name: "normStats float32 with |mean| ≫ std keeps the variance (two passes, float64 sums)",
  inputs: [f32(flat([4, 2, 3000], 3).map((v) => 10000 + v * 0.01), [4, 2, 3000])], rtol: 1e-4, atol: 0,
  fn: (xt) => tl.normStats(xt),
  check: (out, [xt]) => {
    const ref = refStats(Array.from(xt.dataSync()), [4, 2, 3000], { groups: 2, perSample: false });
    assertClose(tl.select(out, 0, 1), ref.variance, { rtol: 1e-4, atol: 0, message: "variance" });
    assertClose(tl.select(out, 0, 0), ref.mean, { rtol: 1e-6, atol: 0, message: "mean" });
  },
});

runCases("normalization", cases);

test("normalization ops reject mismatched shapes, dtypes and groups", () => {
  const x = tl.randn([2, 6, 3]);
  assert.throws(() => tl.normStats(x, { groups: 4 }), /\[normStats\].*divide into groups/);
  assert.throws(() => tl.normApply(x, tl.zeros([2, 5]), null, null), /\[normApply\] stats must have shape \[2,6\]/);
  assert.throws(() => tl.normApply(x, tl.normStats(x), tl.ones([6], { dtype: "float64" })), /\[normApply\] weight has dtype float64/);
  assert.throws(() => tl.normStats(tl.zeros([2, 3], { dtype: "int32" })), /\[normStats\] input must be float32 or float64/);
  assert.throws(() => tl.normInputGrad(tl.randn([2, 6, 4]), x, tl.normStats(x), tl.zeros([2, 6])), /\[normInputGrad\] gradOutput must have shape/);
});

/** dx of Σ f(x, w)·r with createGraph, as a function of (x, w): its gradient is a second derivative. */
function inputGradOf(f: (x: tl.Tensor, w: tl.Tensor, b: tl.Tensor) => tl.Tensor, shape: number[]) {
  tl.manualSeed(5);
  const r = tl.randn(shape, { dtype: "float64" });
  return (x: tl.Tensor, w: tl.Tensor, b: tl.Tensor): tl.Tensor => {
    const leaves = [x, w].map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
    const [dx] = tl.autograd.grad(f(leaves[0], leaves[1], b).mul(r).sum(), [leaves[0]], { createGraph: true });
    // Squared so that the second derivative does not vanish for the bias-like directions.
    return (dx as tl.Tensor).square();
  };
}

test("double backward through batchNorm, layerNorm and groupNorm matches finite differences", () => {
  const bn = [3, 2, 5];
  gradcheck(inputGradOf((x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }), bn),
    [tl.tensor(flat(bn, 1), { shape: bn, dtype: "float64" }), tl.tensor([1.5, -0.7], { dtype: "float64" }), tl.tensor([0.1, 0.2], { dtype: "float64" })],
    [0, 1], { name: "batchNorm double backward" });
  const ln = [4, 6];
  gradcheck(inputGradOf((x, w, b) => F.layerNorm(x, [6], w, b), ln),
    [tl.tensor(flat(ln, 2), { shape: ln, dtype: "float64" }), tl.tensor(flat([6], 3), { dtype: "float64" }), tl.tensor(flat([6], 4), { dtype: "float64" })],
    [0, 1], { name: "layerNorm double backward" });
  const gn = [2, 4, 3];
  gradcheck(inputGradOf((x, w, b) => F.groupNorm(x, 2, w, b), gn),
    [tl.tensor(flat(gn, 5), { shape: gn, dtype: "float64" }), tl.tensor(flat([4], 6), { dtype: "float64" }), tl.tensor(flat([4], 7), { dtype: "float64" })],
    [0, 1], { name: "groupNorm double backward" });
  const ev = [3, 2, 4];
  gradcheck(inputGradOf((x, w, b) => F.batchNorm(x, tl.tensor([0.1, -0.2], { dtype: "float64" }), tl.tensor([0.5, 2], { dtype: "float64" }), w, b).square(), ev),
    [tl.tensor(flat(ev, 8), { shape: ev, dtype: "float64" }), tl.tensor([1.5, -0.7], { dtype: "float64" }), tl.tensor([0.1, 0.2], { dtype: "float64" })],
    [0, 1], { name: "batchNorm eval double backward" });
});

test("the fused backward and the composed one (grad mode) give the same gradients", () => {
  const shape = [4, 3, 5];
  const x = tl.tensor(flat(shape, 11), { shape, dtype: "float64" });
  const w = tl.tensor([0.5, -1, 2], { dtype: "float64" });
  const b = tl.tensor([0.1, 0, -0.1], { dtype: "float64" });
  const gy = tl.tensor(flat(shape, 12), { shape, dtype: "float64" });
  const grads = (createGraph: boolean): tl.Tensor[] => {
    const leaves = [x, w, b].map((t) => t.detach().requiresGrad_());
    const out = tl.autograd.grad(F.batchNorm(leaves[0], null, null, leaves[1], leaves[2], { training: true }), leaves, { gradOutputs: [gy], createGraph });
    return out as tl.Tensor[];
  };
  const fused = grads(false);
  const composed = grads(true);
  fused.forEach((g, i) => assertClose(g, composed[i].detach(), { atol: 1e-12, rtol: 1e-10, message: `input ${i}` }));
});

/** The normalization composed from public ops, in float64: the oracle for the float32 kernels below. */
function composedNorm(x: tl.Tensor, w: tl.Tensor, b: tl.Tensor, o: Grouping, eps: number): tl.Tensor {
  const [n, c] = x.shape;
  const s = x.size / (n * c);
  const x4 = x.reshape([n, o.groups, c / o.groups, s]);
  const dims = o.perSample ? [2, 3] : [0, 2, 3];
  const mu = tl.mean(x4, { dim: dims, keepdim: true });
  const v = tl.variance(x4, { dim: dims, keepdim: true, unbiased: false });
  const shape = [1, o.groups, c / o.groups, 1];
  return x4.sub(mu).mul(tl.rsqrt(v.add(eps))).mul(w.reshape(shape)).add(b.reshape(shape)).reshape(x.shape);
}

test("float32 kernels agree with the float64 composition (several tiles, vector tails, all threads)", () => {
  const layouts: [string, number[], Grouping, (x: tl.Tensor, w: tl.Tensor, b: tl.Tensor) => tl.Tensor][] = [
    ["batchNorm1d [33,300]", [33, 300], { groups: 300, perSample: false }, (x, w, b) => F.batchNorm(x, null, null, w, b, { training: true })],
    ["batchNorm2d [4,5,7,9]", [4, 5, 7, 9], { groups: 5, perSample: false }, (x, w, b) => F.batchNorm(x, null, null, w, b, { training: true })],
    ["layerNorm [17,300]", [17, 300], { groups: 1, perSample: true }, (x, w, b) => F.layerNorm(x, [300], w, b)],
    ["layerNorm [3,5000] (rows of several chunks)", [3, 5000], { groups: 1, perSample: true }, (x, w, b) => F.layerNorm(x, [5000], w, b)],
    ["groupNorm [3,6,5,5]", [3, 6, 5, 5], { groups: 3, perSample: true }, (x, w, b) => F.groupNorm(x, 3, w, b)],
  ];
  for (const [name, shape, o, fused] of layouts) {
    tl.manualSeed(3);
    const c = shape[1];
    const values = [tl.randn(shape).mul(3).add(5), tl.randn([c]), tl.randn([c]), tl.randn(shape)].map((t) => t.dataSync());
    const run = (dtype: "float32" | "float64", f: typeof fused): tl.Tensor[] => {
      const [x, w, b] = [shape, [c], [c]].map((sh, i) => tl.tensor(values[i], { shape: sh, dtype, requiresGrad: true }));
      const y = f(x, w, b);
      const grads = tl.autograd.grad(y, [x, w, b], { gradOutputs: [tl.tensor(values[3], { shape, dtype })] }) as tl.Tensor[];
      return [y, ...grads].map((t) => t.to("float64"));
    };
    const got = run("float32", fused);
    const want = run("float64", (x, w, b) => composedNorm(x, w, b, o, 1e-5));
    ["y", "dx", "dweight", "dbias"].forEach((what, i) => assertClose(got[i], want[i], { atol: 2e-4, rtol: 2e-4, message: `${name} ${what}` }));
  }
});
