/**
 * Case rows for the fused LSTM ops (lstmLayer, lstmSequence, lstmSequenceBackward): forward values
 * against a plain-loop reference of the LSTM equations, float64 central-difference gradients of every
 * input of lstmLayer, the BPTT kernel against autograd through a composition of public ops, and (on
 * native) every row against the js kernels.
 */
import * as tl from "../../../src/index.js";
import type { NestedArray } from "../../../src/core/nested.js";
import { assertClose, runCases, type OpCase } from "../../harness.js";

/** Deterministic values in about [-scale, scale]. */
const flat = (n: number, seed: number, scale = 1): number[] =>
  Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed * 5.1 + i * 2.3) * 1000) / 1000 * scale);
const nested = (data: number[], shape: number[]): NestedArray => tl.tensor(data, { shape, dtype: "float64" }).toArray();

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * The LSTM by its definition: returns the workspace rows [h, c, i, f, g, o] per (t, b), flat, for
 * xProj [T, B, 4H], h0/c0 [B, H], w [4H, H], bias [4H].
 */
function reference(T: number, B: number, H: number, x: number[], h0: number[], c0: number[], w: number[], bias: number[], reverse: boolean): number[] {
  const ws = new Array<number>(T * B * 6 * H).fill(0);
  let h = h0.slice();
  let c = c0.slice();
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const hNext = new Array<number>(B * H).fill(0);
    const cNext = new Array<number>(B * H).fill(0);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const pre = [0, 1, 2, 3].map((q) => {
          const r = q * H + j;
          let s = x[(t * B + b) * 4 * H + r] + bias[r];
          for (let m = 0; m < H; m++) s += h[b * H + m] * w[r * H + m];
          return s;
        });
        const [i, f, g, o] = [sig(pre[0]), sig(pre[1]), Math.tanh(pre[2]), sig(pre[3])];
        const cn = f * c[b * H + j] + i * g;
        const hn = o * Math.tanh(cn);
        hNext[b * H + j] = hn;
        cNext[b * H + j] = cn;
        const row = (t * B + b) * 6 * H;
        [hn, cn, i, f, g, o].forEach((v, s) => { ws[row + s * H + j] = v; });
      }
    }
    h = hNext;
    c = cNext;
  }
  return ws;
}

/** lstmLayer's output from a workspace: every h, then the final c. */
function layerOutput(T: number, B: number, H: number, ws: number[], reverse: boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < T * B; r++) out.push(...ws.slice(r * 6 * H, r * 6 * H + H));
  const last = reverse ? 0 : T - 1;
  for (let b = 0; b < B; b++) out.push(...ws.slice((last * B + b) * 6 * H + H, (last * B + b) * 6 * H + 2 * H));
  return out;
}

interface Problem { T: number; B: number; H: number; x: number[]; h0: number[]; c0: number[]; w: number[]; bias: number[] }

function problem(T: number, B: number, H: number, seed: number): Problem {
  return {
    T, B, H,
    x: flat(T * B * 4 * H, seed),
    h0: flat(B * H, seed + 1, 0.5),
    c0: flat(B * H, seed + 2, 0.5),
    w: flat(4 * H * H, seed + 3, 0.6),
    bias: flat(4 * H, seed + 4, 0.3),
  };
}

const inputsOf = (p: Problem): NestedArray[] => [
  nested(p.x, [p.T, p.B, 4 * p.H]), nested(p.h0, [p.B, p.H]), nested(p.c0, [p.B, p.H]), nested(p.w, [4 * p.H, p.H]), nested(p.bias, [4 * p.H]),
];

/**
 * lstmLayer composed of public ops, step by step: the oracle for the BPTT kernel (its gradient comes
 * from autograd through sigmoid, tanh, matmul, ... rather than from the kernel's formulas).
 */
function composedLayer(x: tl.Tensor, h0: tl.Tensor, c0: tl.Tensor, w: tl.Tensor, bias: tl.Tensor, reverse: boolean): tl.Tensor {
  const [T, , g4] = x.shape;
  const H = g4 / 4;
  let h = h0;
  let c = c0;
  const hs: tl.Tensor[] = new Array<tl.Tensor>(T);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const pre = x.select(0, t).add(bias).add(tl.matmul(h, w.t()));
    const [i, f, g, o] = [0, 1, 2, 3].map((q) => pre.narrow(1, q * H, H));
    c = tl.sigmoid(f).mul(c).add(tl.sigmoid(i).mul(tl.tanh(g)));
    h = tl.sigmoid(o).mul(tl.tanh(c));
    hs[t] = h;
  }
  return tl.stack([...hs, c], 0);
}

/** The packed gradient lstmSequenceBackward should return for upstream gradient `g` [T + 1, B, H]. */
function packedGradReference(g: tl.Tensor, x: tl.Tensor, h0: tl.Tensor, c0: tl.Tensor, w: tl.Tensor, bias: tl.Tensor, reverse: boolean): tl.Tensor {
  const leaves = [x, h0, c0, w, bias].map((t) => t.detach().requiresGrad_());
  const grads = tl.autograd.grad(composedLayer(leaves[0], leaves[1], leaves[2], leaves[3], leaves[4], reverse), leaves, { gradOutputs: [g] });
  return tl.cat(grads.map((d) => (d as tl.Tensor).reshape([-1])));
}

const small = problem(3, 2, 2, 1);
const wide = problem(4, 3, 5, 7); // H = 5: vector tails and a column split that does not divide evenly

const layerCase = (p: Problem, reverse: boolean): OpCase => ({
  op: "lstmLayer",
  name: `lstmLayer T=${p.T} B=${p.B} H=${p.H}${reverse ? " reverse" : ""}`,
  inputs: inputsOf(p),
  fn: (x, h0, c0, w, bias) => tl.lstmLayer(x, h0, c0, w, { bias, reverse }),
  expected: nested(layerOutput(p.T, p.B, p.H, reference(p.T, p.B, p.H, p.x, p.h0, p.c0, p.w, p.bias, reverse), reverse), [p.T + 1, p.B, p.H]),
  atol: 1e-12,
  rtol: 1e-10,
});

const cases: OpCase[] = [
  layerCase(small, false),
  layerCase(small, true),
  layerCase(wide, false),
  layerCase(wide, true),
  {
    op: "lstmLayer",
    name: "lstmLayer without bias equals a zero bias; float32 keeps float32",
    inputs: inputsOf(small).slice(0, 4),
    fn: (x, h0, c0, w) => tl.lstmLayer(x.float(), h0.float(), c0.float(), w.float()),
    expected: nested(layerOutput(3, 2, 2, reference(3, 2, 2, small.x, small.h0, small.c0, small.w, [0, 0, 0, 0, 0, 0, 0, 0], false), false), [4, 2, 2]),
    atol: 1e-6,
    rtol: 1e-5,
    gradInputs: [],
    check: (out) => {
      if (out.dtype !== "float32") throw new Error(`expected float32, got ${out.dtype}`);
    },
  },
  {
    op: "lstmSequence",
    name: "lstmSequence workspace rows [h, c, i, f, g, o]",
    inputs: inputsOf(wide),
    fn: (x, h0, c0, w, bias) => tl.lstmSequence(x, h0, c0, w, { bias }),
    expected: nested(reference(wide.T, wide.B, wide.H, wide.x, wide.h0, wide.c0, wide.w, wide.bias, false), [wide.T, wide.B, 6 * wide.H]),
    gradInputs: [],
    atol: 1e-12,
    rtol: 1e-10,
  },
  ...[false, true].map((reverse): OpCase => ({
    op: "lstmSequenceBackward",
    name: `lstmSequenceBackward equals autograd through the composed step${reverse ? " (reverse)" : ""}`,
    inputs: [nested(flat((wide.T + 1) * wide.B * wide.H, 11), [wide.T + 1, wide.B, wide.H]), ...inputsOf(wide)],
    fn: (g, x, h0, c0, w, bias) => tl.lstmSequenceBackward(g, tl.lstmSequence(x, h0, c0, w, { bias, reverse }), h0, c0, w, { reverse }),
    gradInputs: [],
    check: (out, [g, x, h0, c0, w, bias]) => {
      assertClose(out, packedGradReference(g, x, h0, c0, w, bias, reverse), { atol: 1e-11, rtol: 1e-9, message: "packed gradient" });
    },
  })),
];

runCases("recurrent", cases);
