/**
 * Reference kernels of the fused normalization ops (src/ops/normalization.ts) over contiguous
 * inputs. x [N, C, ...] is walked as N·C runs of S values; channel c of sample n uses statistic
 * m = (perSample ? n·G : 0) + ⌊c / (C/G)⌋. Sums accumulate in float64 (JS numbers); the variance
 * takes two passes (mean first, then squared deviations), which stays accurate when |mean| ≫ std.
 */
import type { KernelInfo, TensorView } from "../../backend/backend.js";
import type { TypedArray } from "../../core/dtype.js";
import { dataOf } from "./storage.js";

type Attrs = Record<string, unknown>;

interface Geo {
  n: number;
  c: number;
  s: number;
  cg: number;
  g: number;
  m: number;
  perSample: boolean;
  /** Values per statistic. */
  count: number;
  eps: number;
}

function geo(x: TensorView, a: Attrs): Geo {
  const [n, c] = x.shape;
  const s = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const g = a.groups as number;
  const perSample = a.perSample as boolean;
  const m = perSample ? n * g : g;
  return { n, c, s, g, cg: c / g, m, perSample, count: (n * c * s) / m, eps: (a.eps as number) ?? 0 };
}

const statOf = (q: Geo, n: number, c: number): number => (q.perSample ? n * q.g : 0) + Math.floor(c / q.cg);

/** Element reader of a contiguous view (its offset applied). */
function reader(v: TensorView): { d: TypedArray; o: number } {
  return { d: dataOf(v), o: v.offset };
}

/** 1/√(var + eps) of every statistic, from stats [2, M]. */
function invStd(stats: { d: TypedArray; o: number }, q: Geo): Float64Array {
  const r = new Float64Array(q.m);
  for (let m = 0; m < q.m; m++) r[m] = 1 / Math.sqrt(stats.d[stats.o + q.m + m] + q.eps);
  return r;
}

function normStats(inputs: readonly TensorView[], outputs: readonly TensorView[], a: Attrs): void {
  const q = geo(inputs[0], a);
  const x = reader(inputs[0]);
  const out = reader(outputs[0]);
  const mu = new Float64Array(q.m);
  const ss = new Float64Array(q.m);
  for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) {
    const m = statOf(q, n, c);
    const base = x.o + (n * q.c + c) * q.s;
    let acc = 0;
    for (let i = 0; i < q.s; i++) acc += x.d[base + i];
    mu[m] += acc;
  }
  for (let m = 0; m < q.m; m++) mu[m] /= q.count;
  for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) {
    const m = statOf(q, n, c);
    const base = x.o + (n * q.c + c) * q.s;
    const mean = mu[m];
    let acc = 0;
    for (let i = 0; i < q.s; i++) acc += (x.d[base + i] - mean) ** 2;
    ss[m] += acc;
  }
  for (let m = 0; m < q.m; m++) {
    out.d[out.o + m] = mu[m];
    out.d[out.o + q.m + m] = ss[m] / q.count;
  }
}

function normApply(inputs: readonly TensorView[], outputs: readonly TensorView[], a: Attrs): void {
  const q = geo(inputs[0], a);
  const x = reader(inputs[0]);
  const stats = reader(inputs[1]);
  const w = a.hasWeight ? reader(inputs[2]) : null;
  const b = a.hasBias ? reader(inputs[a.hasWeight ? 3 : 2]) : null;
  const y = reader(outputs[0]);
  const r = invStd(stats, q);
  for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) {
    const m = statOf(q, n, c);
    const mean = stats.d[stats.o + m];
    const scale = (w === null ? 1 : w.d[w.o + c]) * r[m];
    const shift = b === null ? 0 : b.d[b.o + c];
    const base = (n * q.c + c) * q.s;
    for (let i = 0; i < q.s; i++) y.d[y.o + base + i] = (x.d[x.o + base + i] - mean) * scale + shift;
  }
}

/** Calls f(c, m, Σ gy, Σ gy·(x − mean)) for every run (sample n, channel c) of S values. */
function eachRun(inputs: readonly TensorView[], q: Geo, f: (c: number, m: number, sg: number, sgx: number) => void): void {
  const gy = reader(inputs[0]);
  const x = reader(inputs[1]);
  const stats = reader(inputs[2]);
  for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) {
    const m = statOf(q, n, c);
    const mean = stats.d[stats.o + m];
    const base = (n * q.c + c) * q.s;
    let sg = 0;
    let sgx = 0;
    for (let i = 0; i < q.s; i++) {
      const g = gy.d[gy.o + base + i];
      sg += g;
      sgx += g * (x.d[x.o + base + i] - mean);
    }
    f(c, m, sg, sgx);
  }
}

function normAffineGrad(inputs: readonly TensorView[], outputs: readonly TensorView[], a: Attrs): void {
  const q = geo(inputs[1], a);
  const r = invStd(reader(inputs[2]), q);
  const dw = new Float64Array(q.c);
  const db = new Float64Array(q.c);
  eachRun(inputs, q, (c, m, sg, sgx) => {
    dw[c] += sgx * r[m];
    db[c] += sg;
  });
  const out = reader(outputs[0]);
  for (let c = 0; c < q.c; c++) {
    out.d[out.o + c] = dw[c];
    out.d[out.o + q.c + c] = db[c];
  }
}

function normGroupGrad(inputs: readonly TensorView[], outputs: readonly TensorView[], a: Attrs): void {
  const q = geo(inputs[1], a);
  const r = invStd(reader(inputs[2]), q);
  const w = a.hasWeight ? reader(inputs[3]) : null;
  const s0 = new Float64Array(q.m);
  const s1 = new Float64Array(q.m);
  eachRun(inputs, q, (c, m, sg, sgx) => {
    const wc = w === null ? 1 : w.d[w.o + c];
    s0[m] += wc * sgx * r[m];
    s1[m] += wc * sg;
  });
  const out = reader(outputs[0]);
  for (let m = 0; m < q.m; m++) {
    out.d[out.o + m] = s0[m];
    out.d[out.o + q.m + m] = s1[m];
  }
}

function normInputGrad(inputs: readonly TensorView[], outputs: readonly TensorView[], a: Attrs): void {
  const q = geo(inputs[1], a);
  const gy = reader(inputs[0]);
  const x = reader(inputs[1]);
  const stats = reader(inputs[2]);
  const sums = reader(inputs[3]);
  const w = a.hasWeight ? reader(inputs[4]) : null;
  const dx = reader(outputs[0]);
  const r = invStd(stats, q);
  for (let n = 0; n < q.n; n++) for (let c = 0; c < q.c; c++) {
    const m = statOf(q, n, c);
    const mean = stats.d[stats.o + m];
    // dx = gy·A + (x − mean)·B + C with A = w·r, B = −r²·Σgy·w·x̂/n, C = −r·Σgy·w/n.
    const A = (w === null ? 1 : w.d[w.o + c]) * r[m];
    const B = (-r[m] * r[m] * sums.d[sums.o + m]) / q.count;
    const C = (-r[m] * sums.d[sums.o + q.m + m]) / q.count;
    const base = (n * q.c + c) * q.s;
    for (let i = 0; i < q.s; i++) dx.d[dx.o + base + i] = gy.d[gy.o + base + i] * A + (x.d[x.o + base + i] - mean) * B + C;
  }
}

const contiguous = (run: KernelInfo["run"]): KernelInfo => ({ run, strided: false });

/** The reference kernels of the normalization ops, by op name. */
export const normKernels: Record<string, KernelInfo> = {
  normStats: contiguous(normStats),
  normApply: contiguous(normApply),
  normAffineGrad: contiguous(normAffineGrad),
  normGroupGrad: contiguous(normGroupGrad),
  normInputGrad: contiguous(normInputGrad),
};
