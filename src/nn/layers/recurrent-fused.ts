/**
 * The fused path of `nn.LSTM`: per layer and direction, one big input projection (x·W_ihᵀ over every
 * step at once) and one `lstmLayer` op for the whole recurrence (adding b_ih + b_hh), instead of ~10 small
 * ops per step. The layer's outputs and final states are views of each op's result.
 */
import type { Tensor } from "../../engine/tensor.js";
import { cat } from "../../ops/join.js";
import { linear } from "../../ops/matmul.js";
import { narrow, select } from "../../ops/movement.js";
import { lstmLayer } from "../../ops/recurrent.js";

/** The weights of one layer-direction: W_ih [4H, in], W_hh [4H, H] and the summed bias [4H] (or null). */
export interface FusedLstmWeights {
  readonly wIh: Tensor;
  readonly wHh: Tensor;
  readonly bias: Tensor | null;
}

/**
 * Runs a stack of LSTM layers over x [T, B, F] (time first) from per-layer-direction initial states
 * (h0s[k], c0s[k]: [B, H], k = layer·D + dir). `between` is applied to the input of every layer after
 * the first (inter-layer dropout). Returns the last layer's output [T, B, D·H] and the final states.
 * @internal
 */
export function fusedLstm(
  x: Tensor,
  h0s: readonly Tensor[],
  c0s: readonly Tensor[],
  weights: readonly (readonly FusedLstmWeights[])[],
  between: ((t: Tensor) => Tensor) | null,
): { output: Tensor; hN: Tensor[]; cN: Tensor[] } {
  const steps = x.shape[0];
  const hN: Tensor[] = [];
  const cN: Tensor[] = [];
  let input = x;
  weights.forEach((layer, l) => {
    if (l > 0 && between !== null) input = between(input);
    const outs = layer.map((w, dir) => {
      const k = l * layer.length + dir;
      const out = lstmLayer(linear(input, w.wIh), h0s[k], c0s[k], w.wHh, { reverse: dir === 1, bias: w.bias }); // [T + 1, B, H]
      const hs = narrow(out, 0, 0, steps); // [T, B, H]: h at every step
      // The reverse direction ends at t = 0; row T is the final c.
      hN.push(select(hs, 0, dir === 1 ? 0 : steps - 1));
      cN.push(select(out, 0, steps));
      return hs;
    });
    input = outs.length === 1 ? outs[0] : cat(outs, 2);
  });
  return { output: input, hN, cN };
}
