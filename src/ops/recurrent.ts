/**
 * The fused LSTM recurrence: a whole layer-direction runs in one kernel (instead of ~10 small ops per
 * step), and its backward through time (BPTT) in another.
 *
 *   ws  = lstmSequence(xProj, h0, c0, wHh, bias)    the workspace [T, B, 6H], not differentiable
 *   out = lstmLayer(xProj, h0, c0, wHh, bias)       [T + 1, B, H]: h at every step, then the final c
 *   d   = lstmSequenceBackward(gOut, ws, h0, c0, wHh)   BPTT, packed gradients of the five inputs
 *
 * xProj [T, B, 4H] = x·W_ihᵀ, bias [4H] = b_ih + b_hh (added by the kernel: no [T, B, 4H] sum and
 * no reduction for its gradient outside), h0 and c0 [B, H], wHh [4H, H]; gates in PyTorch's order
 * (i, f, g, o). Row (t, b) of the workspace holds [h_t, c_t, i_t, f_t, g_t, o_t]. `lstmLayer` keeps
 * the workspace as an input of its graph node, so its own output (and gradient) stays small: the
 * caller's views of h and c scatter gradients into [T + 1, B, H] only.
 */
import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { isGradEnabled, noGrad } from "../engine/grad-mode.js";
import type { Tensor } from "../engine/tensor.js";
import { add, mul, sub } from "./binary.js";
import { zeros } from "./creation.js";
import { cat, stack } from "./join.js";
import { matmul } from "./matmul.js";
import { narrow, reshape, select, transpose } from "./movement.js";
import { sum } from "./reduce.js";
import { expectTensor } from "./scalar.js";
import { sigmoid, tanh } from "./unary.js";

interface LstmAttrs {
  /** Run from the last step to the first (the reverse direction of a bidirectional layer). */
  readonly reverse: boolean;
}

/** Values per (t, b) row of the workspace, in units of H: h, c, i, f, g, o. */
const SLOTS = 6;

const kernelAttrs = (a: LstmAttrs): Record<string, unknown> => ({ reverse: a.reverse ? 1 : 0 });

/** Checks xProj, h0, c0, wHh, bias and returns T, B, H. */
function checkLstmInputs(op: string, xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, bias: Tensor): { steps: number; batch: number; hidden: number } {
  check(isFloat(xProj.dtype), op, () => `xProj must be float32 or float64, got ${xProj.dtype}`);
  for (const [name, t] of [["h0", h0], ["c0", c0], ["wHh", wHh], ["bias", bias]] as const) {
    check(t.dtype === xProj.dtype, op, () => `${name} has dtype ${t.dtype} but xProj has dtype ${xProj.dtype}: all must have the same dtype`);
  }
  check(wHh.ndim === 2 && wHh.shape[1] > 0 && wHh.shape[0] === 4 * wHh.shape[1], op,
    () => `wHh must be [4H, H], got shape ${fmtShape(wHh.shape)}`);
  const hidden = wHh.shape[1];
  check(xProj.ndim === 3 && xProj.shape[0] > 0 && xProj.shape[2] === 4 * hidden, op,
    () => `xProj has shape ${fmtShape(xProj.shape)} but wHh has shape ${fmtShape(wHh.shape)}: xProj must be [T ≥ 1, B, 4H] = [T, B, ${4 * hidden}]`);
  check(bias.ndim === 1 && bias.shape[0] === 4 * hidden, op,
    () => `bias has shape ${fmtShape(bias.shape)} but wHh has shape ${fmtShape(wHh.shape)}: bias must be [4H] = [${4 * hidden}]`);
  const batch = xProj.shape[1];
  for (const [name, t] of [["h0", h0], ["c0", c0]] as const) {
    check(t.ndim === 2 && t.shape[0] === batch && t.shape[1] === hidden, op,
      () => `${name} has shape ${fmtShape(t.shape)} but xProj has shape ${fmtShape(xProj.shape)}: expected ${name} of shape [${batch}, ${hidden}]`);
  }
  return { steps: xProj.shape[0], batch, hidden };
}

function checkWorkspace(op: string, ws: Tensor, steps: number, batch: number, hidden: number): void {
  check(ws.ndim === 3 && ws.shape[0] === steps && ws.shape[1] === batch && ws.shape[2] === SLOTS * hidden, op,
    () => `workspace has shape ${fmtShape(ws.shape)}: expected [${steps}, ${batch}, ${SLOTS * hidden}] (the output of lstmSequence)`);
}

const lstmSequenceOp: Op<LstmAttrs> = defineOp<LstmAttrs>({
  name: "lstmSequence",
  infer: ([xProj, h0, c0, wHh, bias], a) => {
    const { steps, batch, hidden } = checkLstmInputs("lstmSequence", xProj, h0, c0, wHh, bias);
    return { shape: [steps, batch, SLOTS * hidden], dtype: xProj.dtype, kernelAttrs: kernelAttrs(a) };
  },
});

const lstmLayerOp: Op<LstmAttrs> = defineOp<LstmAttrs>({
  name: "lstmLayer",
  infer: ([xProj, h0, c0, wHh, bias, ws], a) => {
    const { steps, batch, hidden } = checkLstmInputs("lstmLayer", xProj, h0, c0, wHh, bias);
    checkWorkspace("lstmLayer", ws, steps, batch, hidden);
    check(ws.dtype === xProj.dtype, "lstmLayer", () => `workspace has dtype ${ws.dtype} but xProj has dtype ${xProj.dtype}`);
    return { shape: [steps + 1, batch, hidden], dtype: xProj.dtype, kernelAttrs: kernelAttrs(a) };
  },
  grad: (ctx, gOut) => {
    const [xProj, h0, c0, wHh, bias, ws] = ctx.inputs;
    // Grad mode is on inside a gradient function only under createGraph: the gradient must then be
    // differentiable itself, so it is composed of public ops (see lstmLayerGradComposed).
    if (isGradEnabled()) return [...lstmLayerGradComposed(xProj, h0, c0, wHh, bias, gOut, ctx.attrs.reverse), null];
    const { steps, batch, hidden } = checkLstmInputs("lstmLayer", xProj, h0, c0, wHh, bias);
    const packed = lstmSequenceBackward(gOut, ws, h0, c0, wHh, { reverse: ctx.attrs.reverse });
    const grads = unpackLstmGrads(packed, steps, batch, hidden);
    packed.dispose(); // the views keep its storage alive
    return [...grads.map((g, i) => {
      if (ctx.needsInputGrad[i]) return g;
      g.dispose();
      return null;
    }), null];
  },
});

const lstmSequenceBackwardOp: Op<LstmAttrs> = defineOp<LstmAttrs>({
  name: "lstmSequenceBackward",
  infer: ([gOut, ws, h0, c0, wHh], a) => {
    const op = "lstmSequenceBackward";
    check(wHh.ndim === 2 && wHh.shape[1] > 0 && wHh.shape[0] === 4 * wHh.shape[1], op, () => `wHh must be [4H, H], got shape ${fmtShape(wHh.shape)}`);
    const hidden = wHh.shape[1];
    check(ws.ndim === 3 && ws.shape[0] > 0, op, () => `workspace must be [T, B, 6H], got shape ${fmtShape(ws.shape)}`);
    const [steps, batch] = ws.shape;
    checkWorkspace(op, ws, steps, batch, hidden);
    check(gOut.ndim === 3 && gOut.shape[0] === steps + 1 && gOut.shape[1] === batch && gOut.shape[2] === hidden, op,
      () => `gradOutput has shape ${fmtShape(gOut.shape)}: expected [T + 1, B, H] = [${steps + 1}, ${batch}, ${hidden}]`);
    for (const [name, t] of [["h0", h0], ["c0", c0]] as const) {
      check(t.ndim === 2 && t.shape[0] === batch && t.shape[1] === hidden, op, () => `${name} has shape ${fmtShape(t.shape)}: expected [${batch}, ${hidden}]`);
    }
    for (const t of [gOut, h0, c0, wHh]) {
      check(t.dtype === ws.dtype && isFloat(t.dtype), op, () => `all inputs must have the workspace's float dtype ${ws.dtype}, got ${t.dtype}`);
    }
    return { shape: [steps * batch * 4 * hidden + 2 * batch * hidden + 4 * hidden * hidden + 4 * hidden], dtype: ws.dtype, kernelAttrs: kernelAttrs(a) };
  },
});

/** Views of a packed gradient: [dxProj [T, B, 4H], dh0 [B, H], dc0 [B, H], dwHh [4H, H], dbias [4H]]. */
function unpackLstmGrads(packed: Tensor, steps: number, batch: number, hidden: number): Tensor[] {
  const nx = steps * batch * 4 * hidden;
  const ns = batch * hidden;
  return [
    reshape(narrow(packed, 0, 0, nx), [steps, batch, 4 * hidden]),
    reshape(narrow(packed, 0, nx, ns), [batch, hidden]),
    reshape(narrow(packed, 0, nx + ns, ns), [batch, hidden]),
    reshape(narrow(packed, 0, nx + 2 * ns, 4 * hidden * hidden), [4 * hidden, hidden]),
    narrow(packed, 0, nx + 2 * ns + 4 * hidden * hidden, 4 * hidden),
  ];
}

/** Options of the LSTM recurrence ops. */
export interface LstmSequenceOptions {
  /** Run from the last step to the first, as the reverse direction of a bidirectional LSTM (default false). */
  reverse?: boolean;
  /** [4H], added to every step's gates: b_ih + b_hh (default none). */
  bias?: Tensor | null;
}

/** The inputs and attributes of the forward ops, with the bias filled in (zeros when absent). */
function forwardArgs(op: string, xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmSequenceOptions): { inputs: Tensor[]; attrs: LstmAttrs } {
  expectAll(op, [["xProj", xProj], ["h0", h0], ["c0", c0], ["wHh", wHh]]);
  const given = options.bias ?? null;
  if (given !== null) expectTensor(given, op, "bias");
  const bias = given ?? zeros([xProj.shape[xProj.ndim - 1] ?? 0], { dtype: xProj.dtype });
  return { inputs: [xProj, h0, c0, wHh, bias], attrs: { reverse: options.reverse ?? false } };
}

function expectAll(op: string, named: readonly (readonly [string, Tensor])[]): void {
  for (const [name, t] of named) expectTensor(t, op, name);
}

/**
 * One LSTM layer-direction over a whole sequence, from the input projection `xProj` [T, B, 4H]
 * (= x·W_ihᵀ, one big matmul beforehand), the initial states `h0`, `c0` [B, H], the recurrent weight
 * `wHh` [4H, H] and optionally `bias` [4H] (= b_ih + b_hh). Per step, gates in PyTorch's order:
 * (i, f, g, o) = (σ, σ, tanh, σ)(xProj_t + bias + h_{t−1}·W_hhᵀ), c_t = f ⊙ c_{t−1} + i ⊙ g,
 * h_t = o ⊙ tanh(c_t).
 * Returns [T + 1, B, H]: rows 0..T−1 are h_t, row T the final cell state (c at t = T−1, or t = 0 with
 * `reverse`). Differentiable: backward runs BPTT in one kernel; under `createGraph` the gradient is
 * composed of public ops instead, so it can be differentiated again.
 * @example
 * const out = tl.lstmLayer(tl.randn([5, 3, 8]), tl.zeros([3, 2]), tl.zeros([3, 2]), tl.randn([8, 2]));
 * const hs = tl.narrow(out, 0, 0, 5); // [5, 3, 2]: h at every step; tl.select(out, 0, 5) is the final c
 */
export function lstmLayer(xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmSequenceOptions = {}): Tensor {
  const { inputs, attrs } = forwardArgs("lstmLayer", xProj, h0, c0, wHh, options);
  const ws = noGrad(() => lstmSequenceOp(inputs, attrs));
  return lstmLayerOp([...inputs, ws], attrs);
}

/**
 * The forward kernel of `lstmLayer` on its own: the workspace [T, B, 6H] whose row (t, b) holds
 * h_t, c_t and the activated gates i_t, f_t, g_t, o_t (H each). Not differentiable (use `lstmLayer`).
 * @example
 * const ws = tl.lstmSequence(tl.randn([5, 3, 8]), tl.zeros([3, 2]), tl.zeros([3, 2]), tl.randn([8, 2])); // [5, 3, 12]
 */
export function lstmSequence(xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: LstmSequenceOptions = {}): Tensor {
  const { inputs, attrs } = forwardArgs("lstmSequence", xProj, h0, c0, wHh, options);
  return lstmSequenceOp(inputs, attrs);
}

/**
 * BPTT of `lstmLayer` in one kernel: from the gradient `gOut` [T + 1, B, H] of its output and the
 * workspace `ws` of `lstmSequence`, the packed gradient of its inputs, a 1-D tensor holding dxProj
 * [T, B, 4H], dh0 [B, H], dc0 [B, H], dwHh [4H, H] and dbias [4H] in that order. Not differentiable.
 * @example
 * const ws = tl.lstmSequence(x, h0, c0, w);
 * const packed = tl.lstmSequenceBackward(tl.ones([x.shape[0] + 1, ...h0.shape]), ws, h0, c0, w);
 */
export function lstmSequenceBackward(gOut: Tensor, ws: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, options: Pick<LstmSequenceOptions, "reverse"> = {}): Tensor {
  expectAll("lstmSequenceBackward", [["gradOutput", gOut], ["workspace", ws], ["h0", h0], ["c0", c0], ["wHh", wHh]]);
  return lstmSequenceBackwardOp([gOut, ws, h0, c0, wHh], { reverse: options.reverse ?? false });
}

/**
 * The gradient of `lstmLayer` composed of public ops: the forward recomputed step by step from the
 * inputs (so every saved activation is itself differentiable), then the kernel's BPTT formulas.
 * Used under `createGraph` (double backward); also the oracle the tests hold the kernel to.
 */
function lstmLayerGradComposed(xProj: Tensor, h0: Tensor, c0: Tensor, wHh: Tensor, bias: Tensor, gOut: Tensor, reverse: boolean): Tensor[] {
  const steps = xProj.shape[0];
  const hidden = wHh.shape[1];
  const order = Array.from({ length: steps }, (_, k) => (reverse ? steps - 1 - k : k));
  const wT = transpose(wHh, 0, 1);
  const part = (x: Tensor, s: number): Tensor => narrow(x, 1, s * hidden, hidden);
  // Forward: per step the previous h and c and the activated gates.
  const saved: { hp: Tensor; cp: Tensor; c: Tensor; i: Tensor; f: Tensor; g: Tensor; o: Tensor }[] = new Array(steps);
  let h = h0;
  let c = c0;
  for (const t of order) {
    const pre = add(add(select(xProj, 0, t), bias), matmul(h, wT)); // [B, 4H]
    const i = sigmoid(part(pre, 0)), f = sigmoid(part(pre, 1)), g = tanh(part(pre, 2)), o = sigmoid(part(pre, 3));
    const cNext = add(mul(f, c), mul(i, g));
    saved[t] = { hp: h, cp: c, c: cNext, i, f, g, o };
    h = mul(o, tanh(cNext));
    c = cNext;
  }
  // Backward, in the opposite order.
  let dh: Tensor | null = null;
  let dc: Tensor = select(gOut, 0, steps);
  let dW: Tensor | null = null;
  const dX: Tensor[] = new Array<Tensor>(steps);
  const sig = (d: Tensor, y: Tensor): Tensor => mul(d, mul(y, sub(1, y))); // d·σ'(a) = d·y(1 − y)
  for (let k = steps - 1; k >= 0; k--) {
    const t = order[k];
    const { hp, cp, c: ct, i, f, g, o } = saved[t];
    const tc = tanh(ct);
    const dhT = dh === null ? select(gOut, 0, t) : add(select(gOut, 0, t), dh);
    const dcT = add(dc, mul(mul(dhT, o), sub(1, mul(tc, tc))));
    const da = cat([sig(mul(dcT, g), i), sig(mul(dcT, cp), f), mul(mul(dcT, i), sub(1, mul(g, g))), sig(mul(dhT, tc), o)], 1); // [B, 4H]
    dc = mul(dcT, f);
    dX[t] = da;
    dh = matmul(da, wHh);
    const dWt = matmul(transpose(da, 0, 1), hp);
    dW = dW === null ? dWt : add(dW, dWt);
  }
  const dXProj = stack(dX, 0);
  return [dXProj, dh as Tensor, dc, dW as Tensor, sum(dXProj, { dim: [0, 1] })];
}
