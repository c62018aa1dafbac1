/**
 * The fused LSTM recurrence: one op runs a whole layer-direction over the time axis (one kernel call
 * instead of ~10 small ops per step), and one op runs its backward through time (BPTT).
 *
 *   packed = lstmSequence(xProj, h0, c0, wHh)     xProj [T, B, 4H], h0/c0 [B, H], wHh [4H, H] → [T, B, 6H]
 *
 * Row (t, b) of `packed` holds [h_t, c_t, i_t, f_t, g_t, o_t] (H each): the states the caller reads
 * as views, and the gate activations backward needs. Gates in PyTorch's order (i, f, g, o).
 */
import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { isGradEnabled } from "../engine/grad-mode.js";
import type { Tensor } from "../engine/tensor.js";
import { add, mul, sub } from "./binary.js";
import { cat, stack } from "./join.js";
import { matmul } from "./matmul.js";
import { narrow, reshape, select, transpose } from "./movement.js";
import { expectTensor } from "./scalar.js";
import { tanh } from "./unary.js";

interface LstmAttrs {
  /** Run from the last step to the first (the reverse direction of a bidirectional layer). */
  readonly reverse: boolean;
}

/** Slots of a packed row, in units of H. */
const H_SLOT = 0, C_SLOT = 1, I_SLOT = 2, F_SLOT = 3, G_SLOT = 4, O_SLOT = 5;
/** Values per (t, b) row of the packed output, in units of H. */
export const LSTM_PACKED_SLOTS = 6;

const kernelAttrs = (a: LstmAttrs): Record<string, unknown> => ({ reverse: a.reverse ? 1 : 0 });

function checkLstmInputs(op: string, xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor): { steps: number; batch: number; hidden: number } {
  check(isFloat(xProj.dtype), op, () => `xProj must be float32 or float64, got ${xProj.dtype}`);
  for (const [name, t] of [["h0", h0], ["c0", c0], ["wHh", wHh]] as const) {
    check(t.dtype === xProj.dtype, op, () => `${name} has dtype ${t.dtype} but xProj has dtype ${xProj.dtype}: all must have the same dtype`);
  }
  check(wHh.ndim === 2 && wHh.shape[0] === 4 * wHh.shape[1] && wHh.shape[1] > 0, op,
    () => `wHh must be [4H, H], got shape ${fmtShape(wHh.shape)}`);
  const hidden = wHh.shape[1];
  check(xProj.ndim === 3 && xProj.shape[2] === 4 * hidden && xProj.shape[0] > 0, op,
    () => `xProj has shape ${fmtShape(xProj.shape)} but wHh has shape ${fmtShape(wHh.shape)}: xProj must be [T ≥ 1, B, 4H] = [T, B, ${4 * hidden}]`);
  const batch = xProj.shape[1];
  for (const [name, t] of [["h0", h0], ["c0", c0]] as const) {
    check(t.ndim === 2 && t.shape[0] === batch && t.shape[1] === hidden, op,
      () => `${name} has shape ${fmtShape(t.shape)} but xProj has shape ${fmtShape(xProj.shape)}: expected ${name} of shape [${batch}, ${hidden}]`);
  }
  return { steps: xProj.shape[0], batch, hidden };
}

const lstmSequenceOp: Op<LstmAttrs> = defineOp<LstmAttrs>({
  name: "lstmSequence",
  infer: ([xProj, h0, c0, wHh], a) => {
    const { steps, batch, hidden } = checkLstmInputs("lstmSequence", xProj, h0, c0, wHh);
    return { shape: [steps, batch, LSTM_PACKED_SLOTS * hidden], dtype: xProj.dtype, kernelAttrs: kernelAttrs(a) };
  },
  grad: (ctx, gOut) => {
    const [xProj, h0, c0, wHh] = ctx.inputs;
    // Grad mode is on inside a gradient function only under createGraph: then the gradient must itself
    // be differentiable, so it is composed of public ops (which differentiate back through this op).
    if (isGradEnabled()) return lstmSequenceGradComposed(xProj, h0, c0, wHh, ctx.output, gOut, ctx.attrs.reverse);
    const { steps, batch, hidden } = checkLstmInputs("lstmSequence", xProj, h0, c0, wHh);
    const packed = lstmSequenceBackward(gOut, ctx.output, h0, c0, wHh, { reverse: ctx.attrs.reverse });
    const [dX, dH0, dC0, dW] = unpackLstmGrads(packed, steps, batch, hidden);
    packed.dispose(); // the views keep its storage alive
    const pick = (i: number, t: Tensor): Tensor | null => {
      if (ctx.needsInputGrad[i]) return t;
      t.dispose();
      return null;
    };
    return [pick(0, dX), pick(1, dH0), pick(2, dC0), pick(3, dW)];
  },
});

const lstmSequenceBackwardOp: Op<LstmAttrs> = defineOp<LstmAttrs>({
  name: "lstmSequenceBackward",
  infer: ([gOut, out, h0, c0, wHh], a) => {
    const op = "lstmSequenceBackward";
    check(wHh.ndim === 2 && wHh.shape[0] === 4 * wHh.shape[1] && wHh.shape[1] > 0, op,
      () => `wHh must be [4H, H], got shape ${fmtShape(wHh.shape)}`);
    const hidden = wHh.shape[1];
    check(out.ndim === 3 && out.shape[2] === LSTM_PACKED_SLOTS * hidden && out.shape[0] > 0, op,
      () => `output has shape ${fmtShape(out.shape)}: expected [T ≥ 1, B, ${LSTM_PACKED_SLOTS * hidden}] (6H) for wHh of shape ${fmtShape(wHh.shape)}`);
    check(gOut.ndim === 3 && gOut.shape.every((d, k) => d === out.shape[k]), op,
      () => `gradOutput has shape ${fmtShape(gOut.shape)} but output has shape ${fmtShape(out.shape)}: they must match`);
    const [steps, batch] = out.shape;
    for (const [name, t] of [["h0", h0], ["c0", c0]] as const) {
      check(t.ndim === 2 && t.shape[0] === batch && t.shape[1] === hidden, op,
        () => `${name} has shape ${fmtShape(t.shape)}: expected [${batch}, ${hidden}]`);
    }
    for (const t of [gOut, h0, c0, wHh]) {
      check(t.dtype === out.dtype && isFloat(t.dtype), op, () => `all inputs must have the output's float dtype ${out.dtype}, got ${t.dtype}`);
    }
    return { shape: [lstmGradSize(steps, batch, hidden)], dtype: out.dtype, kernelAttrs: kernelAttrs(a) };
  },
});

/** Elements of the packed gradient: dxProj [T·B·4H], dh0 [B·H], dc0 [B·H], dwHh [4H·H], in that order. */
function lstmGradSize(steps: number, batch: number, hidden: number): number {
  return steps * batch * 4 * hidden + 2 * batch * hidden + 4 * hidden * hidden;
}

/** Views of a packed gradient: [dxProj [T, B, 4H], dh0 [B, H], dc0 [B, H], dwHh [4H, H]]. */
export function unpackLstmGrads(packed: Tensor, steps: number, batch: number, hidden: number): [Tensor, Tensor, Tensor, Tensor] {
  const nx = steps * batch * 4 * hidden;
  const ns = batch * hidden;
  return [
    reshape(narrow(packed, 0, 0, nx), [steps, batch, 4 * hidden]),
    reshape(narrow(packed, 0, nx, ns), [batch, hidden]),
    reshape(narrow(packed, 0, nx + ns, ns), [batch, hidden]),
    reshape(narrow(packed, 0, nx + 2 * ns, 4 * hidden * hidden), [4 * hidden, hidden]),
  ];
}

/** Options of `lstmSequence`. */
export interface LstmSequenceOptions {
  /** Run from the last step to the first, as the reverse direction of a bidirectional LSTM (default false). */
  reverse?: boolean;
}

/**
 * Runs one LSTM layer-direction over a whole sequence in one kernel, from the input projection
 * `xProj` [T, B, 4H] (= x·W_ihᵀ + b_ih + b_hh, computed beforehand as one big matmul), the initial
 * states `h0`, `c0` [B, H] and the recurrent weight `wHh` [4H, H]. Per step, with gates in PyTorch's
 * order: (i, f, g, o) = (σ, σ, tanh, σ)(xProj_t + h_{t−1}·W_hhᵀ), c_t = f ⊙ c_{t−1} + i ⊙ g,
 * h_t = o ⊙ tanh(c_t). Returns the packed [T, B, 6H]: row (t, b) holds h_t, c_t, i_t, f_t, g_t, o_t
 * (take views, e.g. `narrow(out, 2, 0, H)` for every h). Its gradient runs BPTT in one kernel; under
 * `createGraph` it is composed of public ops instead, so it can be differentiated again.
 * @example
 * const out = tl.lstmSequence(tl.randn([5, 3, 8]), tl.zeros([3, 2]), tl.zeros([3, 2]), tl.randn([8, 2]));
 * const h = tl.narrow(out, 2, 0, 2); // [5, 3, 2]: h at every step
 */
export function lstmSequence(xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmSequenceOptions = {}): Tensor {
  expectTensor(xProj, "lstmSequence", "xProj");
  expectTensor(h0, "lstmSequence", "h0");
  expectTensor(c0, "lstmSequence", "c0");
  expectTensor(wHh, "lstmSequence", "wHh");
  return lstmSequenceOp([xProj, h0, c0, wHh], { reverse: options.reverse ?? false });
}

/**
 * The backward of `lstmSequence` in one kernel: from the gradient `gOut` of its packed output `out`
 * (every slot may carry gradient: h, c and the gates), returns the packed gradient of its inputs, a
 * 1-D tensor holding dxProj [T, B, 4H], dh0 [B, H], dc0 [B, H], dwHh [4H, H] (see `unpackLstmGrads`).
 * Not differentiable: under `createGraph` the gradient of `lstmSequence` is composed instead.
 * @example
 * const out = tl.lstmSequence(x, h0, c0, w);
 * const packed = tl.lstmSequenceBackward(tl.onesLike(out), out, h0, c0, w);
 */
export function lstmSequenceBackward(gOut: Tensor, out: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmSequenceOptions = {}): Tensor {
  for (const [name, t] of [["gradOutput", gOut], ["output", out], ["h0", h0], ["c0", c0], ["wHh", wHh]] as const) {
    expectTensor(t, "lstmSequenceBackward", name);
  }
  return lstmSequenceBackwardOp([gOut, out, h0, c0, wHh], { reverse: options.reverse ?? false });
}

/**
 * The gradient of `lstmSequence` written with public ops, step by step (the fused kernel's formulas):
 * differentiable, so it serves double backward; also the oracle the tests compare the kernel with.
 */
function lstmSequenceGradComposed(xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, out: Tensor, gOut: Tensor, reverse: boolean): Tensor[] {
  const steps = xProj.shape[0];
  const hidden = wHh.shape[1];
  const slot = (src: Tensor, t: number, s: number): Tensor => narrow(select(src, 0, t), 1, s * hidden, hidden); // [B, H]
  let dh: Tensor | null = null;
  let dc: Tensor | null = null;
  let dW: Tensor | null = null;
  const dX: Tensor[] = new Array<Tensor>(steps);
  for (let k = 0; k < steps; k++) {
    // Backward visits the steps in the opposite order of the forward pass.
    const t = reverse ? k : steps - 1 - k;
    const prev = reverse ? t + 1 : t - 1;
    const first = prev < 0 || prev >= steps;
    const cPrev = first ? c0 : slot(out, prev, C_SLOT);
    const hp = first ? h0 : slot(out, prev, H_SLOT);
    const [i, f, g, o] = [I_SLOT, F_SLOT, G_SLOT, O_SLOT].map((s) => slot(out, t, s));
    const tc = tanh(slot(out, t, C_SLOT));
    const dhT = dh === null ? slot(gOut, t, H_SLOT) : add(slot(gOut, t, H_SLOT), dh);
    let dcT = add(slot(gOut, t, C_SLOT), mul(mul(dhT, o), sub(1, mul(tc, tc))));
    if (dc !== null) dcT = add(dcT, dc);
    const dO = add(slot(gOut, t, O_SLOT), mul(dhT, tc));
    const dI = add(slot(gOut, t, I_SLOT), mul(dcT, g));
    const dG = add(slot(gOut, t, G_SLOT), mul(dcT, i));
    const dF = add(slot(gOut, t, F_SLOT), mul(dcT, cPrev));
    dc = mul(dcT, f);
    const sig = (d: Tensor, y: Tensor): Tensor => mul(d, mul(y, sub(1, y))); // d·σ' = d·y(1 − y)
    const da = cat([sig(dI, i), sig(dF, f), mul(dG, sub(1, mul(g, g))), sig(dO, o)], 1); // [B, 4H]
    dX[t] = da;
    dh = matmul(da, wHh);
    const dWt = matmul(transpose(da, 0, 1), hp);
    dW = dW === null ? dWt : add(dW, dWt);
  }
  return [stack(dX, 0), dh as Tensor, dc as Tensor, dW as Tensor];
}
