/**
 * Reference kernels of the fused softmax family: softmax, logSoftmax, their backward ops, and the
 * class-index cross-entropy with its gradient. Inputs arrive contiguous (maybe with an offset); a
 * tensor is seen as [outer, C, inner] around the softmax dim, and every row (o, ·, j) is reduced in
 * float64, so these are the accuracy oracle of the native kernels.
 */
import type { TypedArray } from "../../core/dtype.js";
import type { Kernel, KernelInfo, TensorView } from "../../backend/backend.js";
import { dataOf } from "./storage.js";

/** outer × size × inner around `dim` of a contiguous view. */
function split(view: TensorView, dim: number): { outer: number; size: number; inner: number } {
  let outer = 1;
  let inner = 1;
  view.shape.forEach((d, i) => {
    if (i < dim) outer *= d;
    else if (i > dim) inner *= d;
  });
  return { outer, size: view.shape[dim], inner };
}

/** Calls `row(base, stride)` for every row along `dim`: element c of the row is at base + c·stride. */
function forRows(view: TensorView, dim: number, row: (base: number, size: number, stride: number) => void): void {
  const { outer, size, inner } = split(view, dim);
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) row(o * size * inner + j, size, inner);
}

/** max and Σ exp(x − max) of one row (max of an all −inf row stays −inf, giving NaN like PyTorch). */
function rowStats(x: ArrayLike<number>, base: number, size: number, stride: number): { m: number; s: number } {
  let m = -Infinity;
  for (let c = 0; c < size; c++) {
    const v = x[base + c * stride];
    if (v > m || Number.isNaN(v)) m = v;
    if (Number.isNaN(m)) break;
  }
  let s = 0;
  for (let c = 0; c < size; c++) s += Math.exp(x[base + c * stride] - m);
  return { m, s };
}

const softmax: Kernel = ([x], [y], attrs) => {
  const src = dataOf(x);
  const dst = dataOf(y);
  const xs = src.subarray(x.offset);
  forRows(x, attrs.dim as number, (base, size, stride) => {
    const { m, s } = rowStats(xs, base, size, stride);
    for (let c = 0; c < size; c++) dst[base + c * stride] = Math.exp(xs[base + c * stride] - m) / s;
  });
};

const logSoftmax: Kernel = ([x], [y], attrs) => {
  const src = dataOf(x);
  const dst = dataOf(y);
  const xs = src.subarray(x.offset);
  forRows(x, attrs.dim as number, (base, size, stride) => {
    const { m, s } = rowStats(xs, base, size, stride);
    const lse = m + Math.log(s);
    for (let c = 0; c < size; c++) dst[base + c * stride] = xs[base + c * stride] - lse;
  });
};

/** gx = y·(gy − Σ gy·y) along dim. */
const softmaxBackward: Kernel = ([y, gy], [gx], attrs) => {
  const yv = dataOf(y);
  const gv = dataOf(gy);
  const dst = dataOf(gx);
  forRows(y, attrs.dim as number, (base, size, stride) => {
    let dot = 0;
    for (let c = 0; c < size; c++) dot += gv[gy.offset + base + c * stride] * yv[y.offset + base + c * stride];
    for (let c = 0; c < size; c++) {
      const k = base + c * stride;
      dst[k] = yv[y.offset + k] * (gv[gy.offset + k] - dot);
    }
  });
};

/** gx = gy − exp(y)·Σ gy along dim. */
const logSoftmaxBackward: Kernel = ([y, gy], [gx], attrs) => {
  const yv = dataOf(y);
  const gv = dataOf(gy);
  const dst = dataOf(gx);
  forRows(y, attrs.dim as number, (base, size, stride) => {
    let total = 0;
    for (let c = 0; c < size; c++) total += gv[gy.offset + base + c * stride];
    for (let c = 0; c < size; c++) {
      const k = base + c * stride;
      dst[k] = gv[gy.offset + k] - Math.exp(yv[y.offset + k]) * total;
    }
  });
};

/** Reduction codes shared with the native kernels: 0 none, 1 sum, 2 mean. */
const NONE = 0;
const MEAN = 2;

interface CrossEntropyArgs {
  x: TensorView;
  target: TensorView;
  weight: TensorView | null;
  ignoreIndex: number;
  eps: number;
  reduction: number;
  /** x's elements from its first one; the class dim is `size` long with stride `inner`. */
  xs: TypedArray;
  outer: number;
  size: number;
  inner: number;
  /** The class weights (null: all 1), read at wOff + c, and their sum. */
  w: TypedArray | null;
  wOff: number;
  wSum: number;
}

function crossEntropyArgs(inputs: readonly TensorView[], attrs: Record<string, unknown>): CrossEntropyArgs {
  const x = inputs[0];
  const weight = attrs.weighted ? inputs[2] : null;
  const w = weight ? dataOf(weight) : null;
  const wOff = weight ? weight.offset : 0;
  const { outer, size, inner } = split(x, 1);
  let wSum = 0;
  for (let c = 0; c < size; c++) wSum += w ? w[wOff + c] : 1;
  return {
    x,
    target: inputs[1],
    weight,
    ignoreIndex: attrs.ignoreIndex as number,
    eps: attrs.labelSmoothing as number,
    reduction: attrs.reduction as number,
    xs: dataOf(x).subarray(x.offset),
    outer,
    size,
    inner,
    w,
    wOff,
    wSum,
  };
}

/** Σ over non-ignored targets of weight[target] (1 each without weights): the mean's denominator. */
function targetWeightSum(a: CrossEntropyArgs): number {
  const t = dataOf(a.target);
  const { w, wOff } = a;
  const count = a.target.shape.reduce((p, d) => p * d, 1);
  let total = 0;
  for (let k = 0; k < count; k++) {
    const cls = t[a.target.offset + k];
    if (cls !== a.ignoreIndex) total += w ? w[wOff + cls] : 1;
  }
  return total;
}

/**
 * Cross-entropy of logits x [N, C, d...] against class indices [N, d...] (int32, already checked):
 * per position (1 − ε)·w_t·(lse − x_t) + ε/C·(lse·Σw − Σ w_c·x_c), 0 where ignored; then none / sum /
 * mean (divided by the summed weight of the non-ignored targets, PyTorch's rule).
 */
const crossEntropy: Kernel = (inputs, [out], attrs) => {
  const a = crossEntropyArgs(inputs, attrs);
  const { xs, outer, size, inner, w, wOff, wSum } = a;
  const t = dataOf(a.target);
  const dst = dataOf(out);
  let total = 0;
  for (let n = 0; n < outer; n++) {
    for (let j = 0; j < inner; j++) {
      const pos = n * inner + j;
      const cls = t[a.target.offset + pos];
      let loss = 0;
      if (cls !== a.ignoreIndex) {
        const base = n * size * inner + j;
        const { m, s } = rowStats(xs, base, size, inner);
        const lse = m + Math.log(s);
        const wt = w ? w[wOff + cls] : 1;
        loss = (1 - a.eps) * wt * (lse - xs[base + cls * inner]);
        if (a.eps > 0) {
          let wx = 0;
          for (let c = 0; c < size; c++) wx += (w ? w[wOff + c] : 1) * xs[base + c * inner];
          loss += (a.eps / size) * (lse * wSum - wx);
        }
      }
      if (a.reduction === NONE) dst[pos] = loss;
      else total += loss;
    }
  }
  if (a.reduction !== NONE) dst[0] = a.reduction === MEAN ? total / targetWeightSum(a) : total;
};

/**
 * Gradient of crossEntropy wrt the logits, for upstream gradient g (shape [N, d...] for "none", [] else):
 * gx_c = ĝ·((1 − ε)·w_t·(p_c − [c = t]) + ε/C·(Σw·p_c − w_c)), ĝ = g (÷ the weight sum for mean), 0 where ignored.
 */
const crossEntropyBackward: Kernel = (inputs, [gx], attrs) => {
  const a = crossEntropyArgs(inputs, attrs);
  const gView = inputs[inputs.length - 1];
  const g = dataOf(gView);
  const { xs, outer, size, inner, w, wOff, wSum } = a;
  const t = dataOf(a.target);
  const dst = dataOf(gx);
  const scalarG = a.reduction === NONE ? 0 : g[gView.offset] / (a.reduction === MEAN ? targetWeightSum(a) : 1);
  for (let n = 0; n < outer; n++) {
    for (let j = 0; j < inner; j++) {
      const pos = n * inner + j;
      const cls = t[a.target.offset + pos];
      const base = n * size * inner + j;
      if (cls === a.ignoreIndex) {
        for (let c = 0; c < size; c++) dst[base + c * inner] = 0;
        continue;
      }
      const gn = a.reduction === NONE ? g[gView.offset + pos] : scalarG;
      const { m, s } = rowStats(xs, base, size, inner);
      const wt = w ? w[wOff + cls] : 1;
      const pScale = gn * ((1 - a.eps) * wt + (a.eps / size) * wSum);
      const smooth = gn * (a.eps / size);
      for (let c = 0; c < size; c++) {
        const p = Math.exp(xs[base + c * inner] - m) / s;
        let v = pScale * p - smooth * (w ? w[wOff + c] : 1);
        if (c === cls) v -= gn * (1 - a.eps) * wt;
        dst[base + c * inner] = v;
      }
    }
  }
};

const contiguousOnly = (run: Kernel): KernelInfo => ({ run, strided: false });

/** Kernels of src/ops/softmax.ts and src/ops/cross-entropy.ts. */
export const softmaxKernels: Record<string, KernelInfo> = {
  softmax: contiguousOnly(softmax),
  logSoftmax: contiguousOnly(logSoftmax),
  softmaxBackward: contiguousOnly(softmaxBackward),
  logSoftmaxBackward: contiguousOnly(logSoftmaxBackward),
  softmaxCrossEntropy: contiguousOnly(crossEntropy),
  softmaxCrossEntropyBackward: contiguousOnly(crossEntropyBackward),
};
