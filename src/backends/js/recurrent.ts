import type { Kernel, KernelInfo } from "../../backend/backend.js";
import { sigmoid } from "./math.js";
import { dataOf } from "./storage.js";

/**
 * lstmSequence: xProj [T, B, 4H], h0 [B, H], c0 [B, H], wHh [4H, H], bias [4H] → out [T, B, 6H], row (t, b) =
 * [h, c, i, f, g, o] (see src/ops/recurrent.ts). Plain loops, sums in doubles: the reference.
 */
const lstmSequence: Kernel = ([xv, h0v, c0v, wv, bv], [ov], attrs) => {
  const [steps, batch, g4] = xv.shape;
  const hidden = g4 / 4;
  const row = 6 * hidden;
  const x = dataOf(xv), h0 = dataOf(h0v), c0 = dataOf(c0v), w = dataOf(wv), bias = dataOf(bv), out = dataOf(ov);
  const reverse = attrs.reverse === 1;
  let prev = -1;
  for (let k = 0; k < steps; k++) {
    const t = reverse ? steps - 1 - k : k;
    for (let b = 0; b < batch; b++) {
      // h_{t−1} and c_{t−1}: the previous step's row, or the initial states.
      const hp = prev < 0 ? h0 : out, hOff = prev < 0 ? h0v.offset + b * hidden : ov.offset + (prev * batch + b) * row;
      const cp = prev < 0 ? c0 : out, cOff = prev < 0 ? c0v.offset + b * hidden : ov.offset + (prev * batch + b) * row + hidden;
      const xOff = xv.offset + (t * batch + b) * g4;
      const oOff = ov.offset + (t * batch + b) * row;
      for (let j = 0; j < hidden; j++) {
        const pre = [0, 0, 0, 0];
        for (let q = 0; q < 4; q++) {
          const r = q * hidden + j;
          let s = (x[xOff + r] as number) + (bias[bv.offset + r] as number);
          const wOff = wv.offset + r * hidden;
          for (let m = 0; m < hidden; m++) s += (hp[hOff + m] as number) * (w[wOff + m] as number);
          pre[q] = s;
        }
        const i = sigmoid(pre[0]), f = sigmoid(pre[1]), g = Math.tanh(pre[2]), o = sigmoid(pre[3]);
        const c = f * (cp[cOff + j] as number) + i * g;
        out[oOff + j] = o * Math.tanh(c);
        out[oOff + hidden + j] = c;
        out[oOff + 2 * hidden + j] = i;
        out[oOff + 3 * hidden + j] = f;
        out[oOff + 4 * hidden + j] = g;
        out[oOff + 5 * hidden + j] = o;
      }
    }
    prev = t;
  }
};

/**
 * lstmLayer: xProj, h0, c0, wHh, bias, ws [T, B, 6H] → out [T + 1, B, H]: h of every step from the
 * workspace, then the final c (of the last step processed).
 */
const lstmLayer: Kernel = ([, , , , , wv], [ov], attrs) => {
  const [steps, batch, row] = wv.shape;
  const hidden = row / 6;
  const ws = dataOf(wv), out = dataOf(ov);
  const last = attrs.reverse === 1 ? 0 : steps - 1;
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const src = wv.offset + (t * batch + b) * row;
      const dst = ov.offset + (t * batch + b) * hidden;
      for (let j = 0; j < hidden; j++) out[dst + j] = ws[src + j];
      if (t === last) {
        const cDst = ov.offset + (steps * batch + b) * hidden;
        for (let j = 0; j < hidden; j++) out[cDst + j] = ws[src + hidden + j];
      }
    }
  }
};

/**
 * lstmSequenceBackward: gOut [T + 1, B, H] (of every h, then of the final c), ws [T, B, 6H], h0, c0
 * [B, H], wHh [4H, H] → one 1-D output holding dxProj [T, B, 4H], dh0 [B, H], dc0 [B, H], dwHh
 * [4H, H], dbias [4H] (the sum of dxProj over t and b). The running dh and dc of the recurrence live in the dh0/dc0 slots, which end holding the
 * gradients of h0 and c0.
 */
const lstmSequenceBackward: Kernel = ([gv, ov, h0v, c0v, wv], [dv], attrs) => {
  const [steps, batch, row] = ov.shape;
  const hidden = row / 6;
  const g4 = 4 * hidden;
  const gOut = dataOf(gv), out = dataOf(ov), h0 = dataOf(h0v), c0 = dataOf(c0v), w = dataOf(wv), d = dataOf(dv);
  const reverse = attrs.reverse === 1;
  const base = dv.offset;
  const dhAt = base + steps * batch * g4;
  const dcAt = dhAt + batch * hidden;
  const dwAt = dcAt + batch * hidden;
  const dbAt = dwAt + g4 * hidden;
  d.fill(0, dhAt, dbAt + g4);
  // The final c's gradient starts the running dc.
  for (let e = 0; e < batch * hidden; e++) d[dcAt + e] = gOut[gv.offset + steps * batch * hidden + e];
  for (let k = steps - 1; k >= 0; k--) {
    const t = reverse ? steps - 1 - k : k;
    const prev = k === 0 ? -1 : reverse ? t + 1 : t - 1;
    for (let b = 0; b < batch; b++) {
      const oOff = ov.offset + (t * batch + b) * row;
      const gOff = gv.offset + (t * batch + b) * hidden;
      const dOff = base + (t * batch + b) * g4;
      const cp = prev < 0 ? c0 : out, cOff = prev < 0 ? c0v.offset + b * hidden : ov.offset + (prev * batch + b) * row + hidden;
      for (let j = 0; j < hidden; j++) {
        const c = out[oOff + hidden + j] as number;
        const i = out[oOff + 2 * hidden + j] as number, f = out[oOff + 3 * hidden + j] as number;
        const g = out[oOff + 4 * hidden + j] as number, o = out[oOff + 5 * hidden + j] as number;
        const tc = Math.tanh(c);
        const dh = (gOut[gOff + j] as number) + (d[dhAt + b * hidden + j] as number);
        const dc = (d[dcAt + b * hidden + j] as number) + dh * o * (1 - tc * tc);
        const dI = dc * g, dF = dc * (cp[cOff + j] as number), dG = dc * i, dO = dh * tc;
        d[dcAt + b * hidden + j] = dc * f;
        d[dOff + j] = dI * i * (1 - i);
        d[dOff + hidden + j] = dF * f * (1 - f);
        d[dOff + 2 * hidden + j] = dG * (1 - g * g);
        d[dOff + 3 * hidden + j] = dO * o * (1 - o);
      }
    }
    // dh_{t−1} = da_t · W_hh, and dW_hh += da_tᵀ · h_{t−1}.
    for (let b = 0; b < batch; b++) {
      const dOff = base + (t * batch + b) * g4;
      const hp = prev < 0 ? h0 : out, hOff = prev < 0 ? h0v.offset + b * hidden : ov.offset + (prev * batch + b) * row;
      for (let m = 0; m < hidden; m++) {
        let s = 0;
        for (let r = 0; r < g4; r++) s += (d[dOff + r] as number) * (w[wv.offset + r * hidden + m] as number);
        d[dhAt + b * hidden + m] = s;
      }
      for (let r = 0; r < g4; r++) {
        const a = d[dOff + r] as number;
        const wOff = dwAt + r * hidden;
        for (let m = 0; m < hidden; m++) d[wOff + m] = (d[wOff + m] as number) + a * (hp[hOff + m] as number);
        d[dbAt + r] = (d[dbAt + r] as number) + a;
      }
    }
  }
};

/** The reference kernels of the fused recurrent ops (contiguous inputs). */
export const recurrentKernels: Record<string, KernelInfo> = {
  lstmSequence: { run: lstmSequence, strided: false },
  lstmLayer: { run: lstmLayer, strided: false },
  lstmSequenceBackward: { run: lstmSequenceBackward, strided: false },
};
