/**
 * Multi-layer recurrent layers `RNN`, `LSTM` and `GRU`, like PyTorch's: the same options, parameter
 * names (`weight_ih_l0`, `bias_hh_l1_reverse`, ...), shapes, gate order and initialization, plus
 * variable-length batches through a `lengths` argument instead of packed sequences.
 */
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, where } from "../../ops/binary.js";
import { zeros } from "../../ops/creation.js";
import { cat, stack } from "../../ops/join.js";
import { linear, matmul } from "../../ops/matmul.js";
import { contiguous, select, squeeze, transpose, unsqueeze } from "../../ops/movement.js";
import { dropout } from "../functional/activation.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";
import { checkNonlinearity, checkSize, gruStep, lstmStep, rnnStep, type RnnNonlinearity } from "./recurrent-cells.js";
import { fusedLstm, type FusedLstmWeights } from "./recurrent-fused.js";
import { parseLengths, stepMasks, unbindSteps, type StepMask } from "./recurrent-sequence.js";

/** Options shared by `RNN`, `LSTM` and `GRU`. */
export interface RecurrentOptions {
  /** Stacked recurrent layers; each after the first reads the previous one's output (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (default false). States are not affected. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, while training (default 0). */
  dropout?: number;
  /** Run a second, reversed pass per layer and concatenate both outputs (default false). */
  bidirectional?: boolean;
  /** dtype of the parameters (default float32; float64 for gradient checks). */
  dtype?: "float32" | "float64";
}

/** Options of `RNN`. */
export interface RNNOptions extends RecurrentOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: RnnNonlinearity;
}

/** Options of `LSTM`. */
export interface LSTMOptions extends RecurrentOptions {
  /** When > 0, h is projected to this size by `weight_hr_l{k}` [projSize, hiddenSize] (default 0: off). */
  projSize?: number;
}

/** Per-call options of the recurrent layers' `forward`. */
export interface RecurrentForwardOptions {
  /**
   * Valid length of each sequence in the batch (a tensor or array of B whole numbers in [0, T]). Steps at
   * or past a sequence's length leave its state unchanged and output zeros, and the reverse direction
   * starts at its last valid step: the results equal PyTorch's on a packed sequence (`enforce_sorted`
   * false) padded back to T steps.
   */
  lengths?: Tensor | readonly number[];
}

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** One layer-direction's step: the state in, the new state out; state[0] is also the step's output. */
type Step = (x: Tensor, state: Tensor[]) => Tensor[];

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const NAMES: Record<Mode, string> = { RNN_TANH: "RNN", RNN_RELU: "RNN", LSTM: "LSTM", GRU: "GRU" };

/**
 * The machinery shared by `RNN`, `LSTM` and `GRU`: parameters per layer and direction, input and state
 * checks, and the time loop (with masks for variable lengths).
 */
abstract class RNNBase extends Module {
  /** Features of each input step. */
  readonly inputSize: number;
  /** Size of the hidden (and cell) state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layers learn b_ih and b_hh. */
  readonly bias: boolean;
  /** Whether input and output are [batch, seq, feature]. */
  readonly batchFirst: boolean;
  /** Dropout probability between layers while training. */
  readonly dropout: number;
  /** Whether each layer also runs backwards in time. */
  readonly bidirectional: boolean;
  /** Size of LSTM's projected h (0: no projection). */
  readonly projSize: number;

  constructor(protected readonly mode: Mode, inputSize: number, hiddenSize: number, options: RecurrentOptions & { projSize?: number }) {
    super();
    const op = NAMES[mode];
    checkSize(op, "inputSize", inputSize, 0);
    checkSize(op, "hiddenSize", hiddenSize);
    const numLayers = options.numLayers ?? 1;
    checkSize(op, "numLayers", numLayers);
    const p = options.dropout ?? 0;
    check(typeof p === "number" && p >= 0 && p <= 1, op, () => `dropout must be a probability in [0, 1], got ${p}`);
    const projSize = options.projSize ?? 0;
    check(Number.isInteger(projSize) && projSize >= 0 && projSize < hiddenSize, op,
      () => `projSize must be a whole number ≥ 0 and smaller than hiddenSize (${hiddenSize}), got ${projSize}`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = options.bidirectional ?? false;
    this.projSize = projSize;
    const dtype = options.dtype ?? "float32";
    const gates = GATES[mode] * hiddenSize;
    const outSize = projSize > 0 ? projSize : hiddenSize;
    // PyTorch's registration order, so parameters() lines up with PyTorch's.
    for (let layer = 0; layer < numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : outSize * this.numDirections;
      for (let dir = 0; dir < this.numDirections; dir++) {
        const suffix = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
        const make = (shape: number[]): Parameter => parameterFrom(zeros(shape, { dtype }));
        this.registerParameter(`weight_ih${suffix}`, make([gates, inSize]));
        this.registerParameter(`weight_hh${suffix}`, make([gates, outSize]));
        if (this.bias) {
          this.registerParameter(`bias_ih${suffix}`, make([gates]));
          this.registerParameter(`bias_hh${suffix}`, make([gates]));
        }
        if (projSize > 0) this.registerParameter(`weight_hr${suffix}`, make([projSize, hiddenSize]));
      }
    }
    this.resetParameters();
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Size of each direction's output and of h: projSize when set, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** Draws fresh initial values, exactly like PyTorch: every parameter from U(±1/√hiddenSize). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -bound, bound);
  }

  /**
   * The parameters of each layer and direction (layer 0, layer 0 reverse, layer 1, ...), each list in
   * PyTorch's order: weight_ih, weight_hh, then bias_ih, bias_hh and weight_hr where present.
   */
  get allWeights(): Parameter[][] {
    const out: Parameter[][] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < this.numDirections; dir++) {
        const suffix = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
        const names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"].map((n) => n + suffix);
        out.push(names.map((n) => this.param(n)).filter((p): p is Parameter => p !== null));
      }
    }
    return out;
  }

  private param(name: string): Parameter | null {
    return ((this as unknown as Record<string, Parameter | null | undefined>)[name]) ?? null;
  }

  /** The step function of one layer and direction, with its weights prepared once per call. */
  private stepOf(layer: number, dir: number): Step {
    const suffix = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
    const wIh = this.param(`weight_ih${suffix}`) as Parameter;
    const wHh = this.param(`weight_hh${suffix}`) as Parameter;
    const bIh = this.param(`bias_ih${suffix}`);
    const bHh = this.param(`bias_hh${suffix}`);
    const mode = this.mode;
    if (mode === "GRU") return (x, [h]) => [gruStep(linear(x, wIh, bIh), h, wHh, bHh)];
    // b_ih + b_hh folded into the input projection: one add per step fewer.
    const bias = bIh !== null && bHh !== null ? add(bIh, bHh) : bIh ?? bHh;
    if (mode === "LSTM") {
      const wHr = this.param(`weight_hr${suffix}`);
      const wHrT = wHr === null ? null : transpose(wHr, 0, 1);
      return (x, [h, c]) => {
        const [h1, c1] = lstmStep(linear(x, wIh, bias), h, c, wHh, null);
        return [wHrT === null ? h1 : matmul(h1, wHrT), c1];
      };
    }
    const nonlinearity = mode === "RNN_RELU" ? "relu" : "tanh";
    return (x, [h]) => [rnnStep(linear(x, wIh, bias), h, wHh, null, nonlinearity)];
  }

  /**
   * Runs every layer and direction over `input` from the initial states `hx` (each [L·D, B, size], or
   * [L·D, size] for an unbatched input; null for zeros) and returns the last layer's output and the
   * final states stacked like `hx`.
   */
  protected run(input: Tensor, hx: readonly Tensor[] | null, options: RecurrentForwardOptions): { output: Tensor; finals: Tensor[] } {
    const op = NAMES[this.mode];
    check(input.ndim === 2 || input.ndim === 3, op, () => `input must be 3-D ${this.batchFirst ? "[batch, seq, feature]" : "[seq, batch, feature]"}` +
      ` (or 2-D [seq, feature] unbatched), got shape ${fmtShape(input.shape)}`);
    check(input.shape[input.ndim - 1] === this.inputSize, op,
      () => `input has shape ${fmtShape(input.shape)}: its last dim must be inputSize ${this.inputSize}`);
    check(input.dtype === this.weight0.dtype, op, () => `input has dtype ${input.dtype} but the parameters have dtype ${this.weight0.dtype}`);
    const batched = input.ndim === 3;
    // An unbatched [T, F] input is a batch of one; batchFirst does not apply to it (as in PyTorch).
    const timeDim = batched && this.batchFirst ? 1 : 0;
    const x = batched ? input : unsqueeze(input, 1);
    const steps = x.shape[timeDim];
    const batch = x.shape[1 - timeDim];
    check(steps > 0, op, () => `input has shape ${fmtShape(input.shape)}: the sequence must have at least one step`);
    const lengths = parseLengths(options.lengths, batch, steps, op);
    const masks = lengths === null ? null : stepMasks(lengths, steps);
    const sizes = this.mode === "LSTM" ? [this.outputSize, this.hiddenSize] : [this.hiddenSize];
    const states = this.initialStates(hx, sizes, batch, batched, x.dtype);
    const finish = (output: Tensor, stacked: Tensor[]): { output: Tensor; finals: Tensor[] } => ({
      output: batched ? output : squeeze(output, 1),
      finals: batched ? stacked : stacked.map((s) => squeeze(s, 1)),
    });
    if (this.mode === "LSTM" && this.projSize === 0 && masks === null) {
      // The fused path: one input projection and one recurrence op per layer-direction. Variable
      // lengths and projections take the per-step path below.
      const between = this.dropout > 0 && this.training ? (t: Tensor) => dropout(t, this.dropout, true) : null;
      const xt = timeDim === 1 ? contiguous(transpose(x, 0, 1)) : x; // [T, B, F]
      const { output, hN, cN } = fusedLstm(xt, states[0], states[1], this.fusedWeights(), between);
      return finish(timeDim === 1 ? transpose(output, 0, 1) : output, [stack(hN, 0), stack(cN, 0)]);
    }
    const zeroOut = masks?.includes("skip") ? zeros([batch, this.outputSize], { dtype: x.dtype }) : null;

    // Each step projects its own input slice (x_t·W_ihᵀ, same total work as one [T·B, F] matmul): slicing
    // one big projection T times costs O(T²) in backward, since each slice's gradient is a full-size
    // scatter; on W5 (T = 64) that doubled the backward time.
    let layerInput = unbindSteps(x, timeDim); // T × [B, F]
    const finals: Tensor[][] = sizes.map(() => []);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[][] = [];
      for (let dir = 0; dir < this.numDirections; dir++) {
        const idx = layer * this.numDirections + dir;
        let state = states.map((s) => s[idx]);
        const step = this.stepOf(layer, dir);
        const out: Tensor[] = new Array<Tensor>(steps);
        for (let k = 0; k < steps; k++) {
          const t = dir === 1 ? steps - 1 - k : k;
          const mask: StepMask = masks === null ? "all" : masks[t];
          if (mask === "skip") {
            // No sequence is still running: states stay, outputs are zero.
            out[t] = zeroOut as Tensor;
            continue;
          }
          const next = step(layerInput[t], state);
          if (mask === "all") {
            state = next;
            out[t] = next[0];
          } else {
            const previous = state;
            state = next.map((s, i) => where(mask, s, previous[i]));
            out[t] = where(mask, next[0], 0);
          }
        }
        state.forEach((s, i) => finals[i].push(s));
        outs.push(out);
      }
      layerInput = outs.length === 1 ? outs[0] : outs[0].map((f, t) => cat([f, outs[1][t]], 1));
      if (layer < this.numLayers - 1 && this.dropout > 0 && this.training) {
        layerInput = layerInput.map((s) => dropout(s, this.dropout, true));
      }
    }
    return finish(stack(layerInput, timeDim), finals.map((f) => stack(f, 0)));
  }

  /** W_ih, W_hh and b_ih + b_hh of every layer and direction, for the fused LSTM path. */
  private fusedWeights(): FusedLstmWeights[][] {
    return Array.from({ length: this.numLayers }, (_, layer) => Array.from({ length: this.numDirections }, (_, dir) => {
      const suffix = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
      const bIh = this.param(`bias_ih${suffix}`);
      const bHh = this.param(`bias_hh${suffix}`);
      return {
        wIh: this.param(`weight_ih${suffix}`) as Parameter,
        wHh: this.param(`weight_hh${suffix}`) as Parameter,
        bias: bIh !== null && bHh !== null ? add(bIh, bHh) : bIh ?? bHh,
      };
    }));
  }

  private get weight0(): Parameter {
    return this.param("weight_ih_l0") as Parameter;
  }

  /** Checks the given initial states and splits them per layer and direction ([B, size] each); zeros when absent. */
  private initialStates(hx: readonly Tensor[] | null, sizes: number[], batch: number, batched: boolean, dtype: Tensor["dtype"]): Tensor[][] {
    const op = NAMES[this.mode];
    const count = this.numLayers * this.numDirections;
    const names = this.mode === "LSTM" ? ["h0", "c0"] : ["hx"];
    return sizes.map((size, i) => {
      const s = hx?.[i];
      if (s === undefined || s === null) {
        const zero = zeros([batch, size], { dtype });
        return Array.from({ length: count }, () => zero);
      }
      const expected = batched ? [count, batch, size] : [count, size];
      check(shapesEqual(s.shape, expected), op,
        () => `${names[i]} has shape ${fmtShape(s.shape)}, expected ${fmtShape(expected)} ([numLayers·numDirections, ${batched ? "batch, " : ""}size])`);
      check(s.dtype === dtype, op, () => `${names[i]} has dtype ${s.dtype} but input has dtype ${dtype}`);
      const b = batched ? s : unsqueeze(s, 1);
      return Array.from({ length: count }, (_, k) => select(b, 0, k));
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.projSize > 0) parts.push(`projSize=${this.projSize}`);
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push("bias=false");
    if (this.batchFirst) parts.push("batchFirst=true");
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push("bidirectional=true");
    return parts.join(", ");
  }
}

/**
 * Multi-layer Elman RNN, like `torch.nn.RNN`: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) with act
 * tanh or relu. Input [T, B, inputSize] ([B, T, inputSize] with batchFirst); `hx` [L·D, B, H] (zeros if
 * omitted). Returns `[output, hN]`: output [T, B, D·H] (the last layer's h at every step, both directions
 * concatenated), hN [L·D, B, H].
 * @example
 * const rnn = new tl.nn.RNN(10, 20, { numLayers: 2 });
 * const [out, hN] = rnn.call(tl.randn([5, 3, 10])); // out [5, 3, 20], hN [2, 3, 20]
 */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = checkNonlinearity("RNN", options.nonlinearity ?? "tanh");
    super(nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, { ...options, projSize: 0 });
  }

  /** "tanh" or "relu". */
  get nonlinearity(): RnnNonlinearity {
    return this.mode === "RNN_RELU" ? "relu" : "tanh";
  }

  /**
   * Runs the sequence `input` from `hx` (zeros if omitted), with optional per-sequence `lengths`;
   * returns `[output, hN]`.
   */
  forward(input: Tensor, hx?: Tensor | null, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const { output, finals } = this.run(input, hx ? [hx] : null, options);
    return [output, finals[0]];
  }

  override extraRepr(): string {
    return this.nonlinearity === "relu" ? `${super.extraRepr()}, nonlinearity=relu` : super.extraRepr();
  }
}

/**
 * Multi-layer LSTM, like `torch.nn.LSTM`: gates (i, f, g, o), c_t = f ⊙ c_{t−1} + i ⊙ g,
 * h_t = o ⊙ tanh(c_t) (then ·W_hrᵀ with projSize). Input [T, B, inputSize] ([B, T, inputSize] with
 * batchFirst); `hx` is `[h0, c0]` with h0 [L·D, B, P] and c0 [L·D, B, H] (P = projSize or H; zeros if
 * omitted). Returns `[output, [hN, cN]]` with output [T, B, D·P].
 * @example
 * const lstm = new tl.nn.LSTM(32, 128, { batchFirst: true });
 * const [out, [hN, cN]] = lstm.call(tl.randn([64, 20, 32]), null, { lengths: seqLengths });
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options);
  }

  /**
   * Runs the sequence `input` from `[h0, c0]` (zeros if omitted), with optional per-sequence `lengths`;
   * returns `[output, [hN, cN]]`.
   */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null, options: RecurrentForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    check(hx === undefined || hx === null || (Array.isArray(hx) && hx.length === 2), "LSTM", "hx must be a pair [h0, c0] (or omitted)");
    const { output, finals } = this.run(input, hx ?? null, options);
    return [output, [finals[0], finals[1]]];
  }
}

/**
 * Multi-layer GRU, like `torch.nn.GRU`: gates (r, z, n), n_t = tanh(W_in·x_t + b_in + r ⊙ (W_hn·h + b_hn)),
 * h_t = (1 − z) ⊙ n_t + z ⊙ h_{t−1}. Shapes as for `RNN`; returns `[output, hN]`.
 * @example
 * const gru = new tl.nn.GRU(10, 20, { bidirectional: true });
 * const [out, hN] = gru.call(tl.randn([5, 3, 10])); // out [5, 3, 40], hN [2, 3, 20]
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("GRU", inputSize, hiddenSize, options);
  }

  /**
   * Runs the sequence `input` from `hx` (zeros if omitted), with optional per-sequence `lengths`;
   * returns `[output, hN]`.
   */
  forward(input: Tensor, hx?: Tensor | null, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const { output, finals } = this.run(input, hx ? [hx] : null, options);
    return [output, finals[0]];
  }
}
