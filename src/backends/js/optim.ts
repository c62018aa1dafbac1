import type { Kernel, KernelInfo, TensorView } from "../../backend/backend.js";
import type { TypedArray } from "../../core/dtype.js";
import { dataOf } from "./storage.js";

/**
 * Reference kernels of the fused optimizer updates (src/ops/optimizer-updates.ts). Inputs are the n
 * gradients; outputs are, per parameter, its m tensors (the parameter, then its state), updated in
 * place; everything contiguous. Each operation is rounded to the dtype on its own, in PyTorch 1.13's
 * single-tensor order (float32: Math.fround after every step; a double result of float32 operands
 * rounded once to float32 is the correctly rounded float32 result), so native kernels match bit for bit.
 */

type Round = (x: number) => number;
const same: Round = (x) => x;

/** A parameter's arrays and the offset of its first element in each. */
interface Slot {
  data: TypedArray;
  at: number;
}

function slot(v: TensorView): Slot {
  return { data: dataOf(v), at: v.offset };
}

function roundFor(v: TensorView): Round {
  return v.dtype === "float32" ? Math.fround : same;
}

function sizeOfView(v: TensorView): number {
  let n = 1;
  for (const d of v.shape) n *= d;
  return n;
}

/** Runs `update(k, n, grad, outs)` for each parameter k of the call (m outputs per parameter). */
function eachParam(inputs: readonly TensorView[], outputs: readonly TensorView[], update: (k: number, n: number, g: Slot, outs: Slot[], r: Round) => void): void {
  const count = inputs.length;
  if (count === 0) return;
  const m = outputs.length / count;
  for (let k = 0; k < count; k++) {
    const outs: Slot[] = [];
    for (let j = 0; j < m; j++) outs.push(slot(outputs[k * m + j]));
    update(k, sizeOfView(inputs[k]), slot(inputs[k]), outs, roundFor(inputs[k]));
  }
}

/** NaN wins, as in the maximum op. */
function maxNaN(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b;
}

/**
 * SGD. Attrs: lr, momentum, dampening, weightDecay, nesterov, maximize, fresh[k] (a new momentum
 * buffer takes d, as PyTorch's clone). Outputs per parameter: param (and the momentum buffer when
 * momentum ≠ 0).
 */
const sgdStep: Kernel = (inputs, outputs, attrs) => {
  const { momentum, dampening, weightDecay, nesterov, maximize } = attrs as Record<string, number & boolean>;
  const fresh = attrs.fresh as readonly boolean[];
  eachParam(inputs, outputs, (k, n, g, [p, buf], r) => {
    const lr = r(attrs.lr as number);
    const mom = r(momentum);
    const damp1 = r(1 - dampening);
    const wd = r(weightDecay);
    const sign = maximize ? -1 : 1;
    const first = fresh[k];
    for (let i = 0; i < n; i++) {
      let d = g.data[g.at + i] * sign;
      const pv = p.data[p.at + i];
      if (weightDecay !== 0) d = r(d + r(pv * wd));
      if (momentum !== 0) {
        const b = first ? d : r(r(buf.data[buf.at + i] * mom) + r(d * damp1));
        buf.data[buf.at + i] = b;
        d = nesterov ? r(d + r(b * mom)) : b;
      }
      p.data[p.at + i] = r(pv - r(d * lr));
    }
  });
};

/**
 * Adam and AdamW. Attrs: beta1, beta2, eps, weightDecay, decoupled (AdamW), amsgrad, maximize, decay
 * (1 − lr·weightDecay), stepSizes[k] (lr / (1 − beta1^t)), bias2Sqrts[k] (√(1 − beta2^t)). Outputs per
 * parameter: param, expAvg, expAvgSq (and maxExpAvgSq with amsgrad).
 */
const adamStep: Kernel = (inputs, outputs, attrs) => {
  const { beta1, beta2, weightDecay, decoupled, amsgrad, maximize } = attrs as Record<string, number & boolean>;
  const stepSizes = attrs.stepSizes as readonly number[];
  const bias2Sqrts = attrs.bias2Sqrts as readonly number[];
  eachParam(inputs, outputs, (k, n, g, [p, m, v, vmax], r) => {
    const b1 = r(beta1);
    const c1 = r(1 - beta1);
    const b2 = r(beta2);
    const c2 = r(1 - beta2);
    const eps = r(attrs.eps as number);
    const wd = r(weightDecay);
    const decay = r(attrs.decay as number);
    const negStep = r(-stepSizes[k]);
    const bc2 = r(bias2Sqrts[k]);
    const l2 = !decoupled && weightDecay !== 0;
    const decoupledDecay = decoupled && weightDecay !== 0;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let gv = g.data[g.at + i] * sign;
      let pv = p.data[p.at + i];
      if (l2) gv = r(gv + r(pv * wd));
      if (decoupledDecay) pv = r(pv * decay);
      const mv = r(r(m.data[m.at + i] * b1) + r(gv * c1));
      const vv = r(r(v.data[v.at + i] * b2) + r(r(gv * c2) * gv));
      m.data[m.at + i] = mv;
      v.data[v.at + i] = vv;
      let second = vv;
      if (amsgrad) {
        second = maxNaN(vmax.data[vmax.at + i], vv);
        vmax.data[vmax.at + i] = second;
      }
      const denom = r(r(r(Math.sqrt(second)) / bc2) + eps);
      p.data[p.at + i] = r(pv + r(r(mv * negStep) / denom));
    }
  });
};

/**
 * RMSprop. Attrs: lr, alpha, eps, weightDecay, momentum, centered, maximize. Outputs per parameter:
 * param, squareAvg, then gradAvg when centered, then the momentum buffer when momentum > 0.
 */
const rmspropStep: Kernel = (inputs, outputs, attrs) => {
  const { alpha, weightDecay, momentum, centered, maximize } = attrs as Record<string, number & boolean>;
  eachParam(inputs, outputs, (_k, n, g, outs, r) => {
    const [p, sa] = outs;
    const ga = centered ? outs[2] : null;
    const buf = momentum > 0 ? outs[centered ? 3 : 2] : null;
    const lr = r(attrs.lr as number);
    const a = r(alpha);
    const c = r(1 - alpha);
    const eps = r(attrs.eps as number);
    const wd = r(weightDecay);
    const mom = r(momentum);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let gv = g.data[g.at + i] * sign;
      const pv = p.data[p.at + i];
      if (weightDecay !== 0) gv = r(gv + r(pv * wd));
      const sv = r(r(sa.data[sa.at + i] * a) + r(r(gv * c) * gv));
      sa.data[sa.at + i] = sv;
      let avg: number;
      if (ga !== null) {
        const av = r(r(ga.data[ga.at + i] * a) + r(gv * c));
        ga.data[ga.at + i] = av;
        avg = r(Math.sqrt(r(sv - r(av * av))));
      } else {
        avg = r(Math.sqrt(sv));
      }
      avg = r(avg + eps);
      if (buf !== null) {
        const bv = r(r(buf.data[buf.at + i] * mom) + r(gv / avg));
        buf.data[buf.at + i] = bv;
        p.data[p.at + i] = r(pv - r(bv * lr));
      } else {
        p.data[p.at + i] = r(pv - r(r(gv * lr) / avg));
      }
    }
  });
};

/** Adagrad. Attrs: weightDecay, eps, maximize, clrs[k] (lr / (1 + (t−1)·lrDecay)). Outputs per parameter: param, sum. */
const adagradStep: Kernel = (inputs, outputs, attrs) => {
  const { weightDecay, maximize } = attrs as Record<string, number & boolean>;
  const clrs = attrs.clrs as readonly number[];
  eachParam(inputs, outputs, (k, n, g, [p, sum], r) => {
    const clr = r(clrs[k]);
    const eps = r(attrs.eps as number);
    const wd = r(weightDecay);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let gv = g.data[g.at + i] * sign;
      const pv = p.data[p.at + i];
      if (weightDecay !== 0) gv = r(gv + r(pv * wd));
      const sv = r(sum.data[sum.at + i] + r(gv * gv));
      sum.data[sum.at + i] = sv;
      const std = r(r(Math.sqrt(sv)) + eps);
      p.data[p.at + i] = r(pv - r(r(gv * clr) / std));
    }
  });
};

const contiguousOnly = (run: Kernel): KernelInfo => ({ run, strided: false });

/** The fused optimizer kernels, registered in the js backend. */
export const optimKernels: Record<string, KernelInfo> = {
  sgdStep: contiguousOnly(sgdStep),
  adamStep: contiguousOnly(adamStep),
  rmspropStep: contiguousOnly(rmspropStep),
  adagradStep: contiguousOnly(adagradStep),
};
