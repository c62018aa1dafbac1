/**
 * Recurrent cells: the one-step functions shared with the sequence layers (`lstmStep`, `gruStep`,
 * `rnnStep`) and the single-step modules `RNNCell`, `LSTMCell`, `GRUCell`, with PyTorch's parameter
 * names, shapes, gate order and default initialization.
 */
import { check, fmtShape } from "../../core/errors.js";
import { shapesEqual } from "../../core/shape.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, mul, sub } from "../../ops/binary.js";
import { zeros } from "../../ops/creation.js";
import { linear, matmul } from "../../ops/matmul.js";
import { narrow, squeeze, transpose, unsqueeze } from "../../ops/movement.js";
import { relu, sigmoid, tanh } from "../../ops/unary.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";

/** The nonlinearity of a plain (Elman) RNN: h' = act(W_ih·x + b_ih + W_hh·h + b_hh). */
export type RnnNonlinearity = "tanh" | "relu";

/** h·W_hhᵀ (+ b_hh): the only matmul a recurrent step needs once the input projection is done. */
function hiddenProjection(h: Tensor, wHh: Tensor, bHh: Tensor | null): Tensor {
  const y = matmul(h, transpose(wHh, 0, 1));
  return bHh === null ? y : add(y, bHh);
}

/**
 * One LSTM step with PyTorch's gate order (i, f, g, o), on an input projection computed beforehand.
 * `xProj` [B, 4H] = x·W_ihᵀ + b_ih (callers may fold b_hh into it and pass `bHh` null), `h` [B, P]
 * (P = H, or the projection size), `c` [B, H], `wHh` [4H, P]. Returns [h', c'] with h' = o ⊙ tanh(c')
 * (before any projection) and c' = f ⊙ c + i ⊙ g. Kept as one function so a fused kernel can replace it.
 * @internal
 */
export function lstmStep(xProj: Tensor, h: Tensor, c: Tensor, wHh: Tensor, bHh: Tensor | null): [Tensor, Tensor] {
  const hidden = c.shape[c.ndim - 1];
  const gates = add(xProj, hiddenProjection(h, wHh, bHh)); // [B, 4H]
  // i and f are adjacent, so one sigmoid covers both.
  const ifGates = sigmoid(narrow(gates, 1, 0, 2 * hidden));
  const i = narrow(ifGates, 1, 0, hidden);
  const f = narrow(ifGates, 1, hidden, hidden);
  const g = tanh(narrow(gates, 1, 2 * hidden, hidden));
  const o = sigmoid(narrow(gates, 1, 3 * hidden, hidden));
  const cNext = add(mul(f, c), mul(i, g));
  return [mul(o, tanh(cNext)), cNext];
}

/**
 * One GRU step with PyTorch's gate order (r, z, n): r = σ(x_r + h_r), z = σ(x_z + h_z),
 * n = tanh(x_n + r ⊙ (W_hn·h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h. `xProj` [B, 3H] = x·W_ihᵀ + b_ih;
 * b_hh stays separate because b_hn sits inside the reset gate's product.
 * @internal
 */
export function gruStep(xProj: Tensor, h: Tensor, wHh: Tensor, bHh: Tensor | null): Tensor {
  const hidden = h.shape[h.ndim - 1];
  const hProj = hiddenProjection(h, wHh, bHh); // [B, 3H]
  const rz = sigmoid(add(narrow(xProj, 1, 0, 2 * hidden), narrow(hProj, 1, 0, 2 * hidden)));
  const r = narrow(rz, 1, 0, hidden);
  const z = narrow(rz, 1, hidden, hidden);
  const n = tanh(add(narrow(xProj, 1, 2 * hidden, hidden), mul(r, narrow(hProj, 1, 2 * hidden, hidden))));
  return add(n, mul(z, sub(h, n))); // (1 − z)·n + z·h, with one product fewer
}

/**
 * One Elman RNN step: h' = act(xProj + h·W_hhᵀ (+ b_hh)), `xProj` [B, H] = x·W_ihᵀ + b_ih.
 * @internal
 */
export function rnnStep(xProj: Tensor, h: Tensor, wHh: Tensor, bHh: Tensor | null, nonlinearity: RnnNonlinearity): Tensor {
  const pre = add(xProj, hiddenProjection(h, wHh, bHh));
  return nonlinearity === "relu" ? relu(pre) : tanh(pre);
}

/** Options shared by the cells. */
export interface RNNCellOptions {
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** dtype of the parameters (default float32; float64 for gradient checks). */
  dtype?: "float32" | "float64";
}

/** Options of `RNNCell`. */
export interface ElmanCellOptions extends RNNCellOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: RnnNonlinearity;
}

/** @internal Checks a size argument of a recurrent layer. */
export function checkSize(where: string, name: string, value: number, min = 1): void {
  check(Number.isInteger(value) && value >= min, where, () => `${name} must be a whole number ≥ ${min}, got ${value}`);
}

/** @internal Checks `nonlinearity` is "tanh" or "relu". */
export function checkNonlinearity(where: string, value: unknown): RnnNonlinearity {
  check(value === "tanh" || value === "relu", where, () => `nonlinearity must be "tanh" or "relu", got ${JSON.stringify(value)}`);
  return value as RnnNonlinearity;
}

/**
 * Parameters and input handling shared by the three cells: weight_ih [G·H, inputSize],
 * weight_hh [G·H, H], bias_ih and bias_hh [G·H], all drawn from U(±1/√H) like PyTorch.
 */
abstract class RNNCellBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Size of the hidden (and cell) state. */
  readonly hiddenSize: number;
  /** [G·H, inputSize], G = 1 (RNN), 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o). */
  weight_ih: Parameter;
  /** [G·H, H]. */
  weight_hh: Parameter;
  /** [G·H], or null without bias. */
  declare bias_ih: Parameter | null;
  /** [G·H], or null without bias. */
  declare bias_hh: Parameter | null;

  constructor(protected readonly kind: string, inputSize: number, hiddenSize: number, gates: number, options: RNNCellOptions) {
    super();
    checkSize(kind, "inputSize", inputSize, 0);
    checkSize(kind, "hiddenSize", hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const dtype = options.dtype ?? "float32";
    const bias = options.bias ?? true;
    this.weight_ih = parameterFrom(zeros([gates * hiddenSize, inputSize], { dtype }));
    this.weight_hh = parameterFrom(zeros([gates * hiddenSize, hiddenSize], { dtype }));
    this.registerParameter("bias_ih", bias ? parameterFrom(zeros([gates * hiddenSize], { dtype })) : null);
    this.registerParameter("bias_hh", bias ? parameterFrom(zeros([gates * hiddenSize], { dtype })) : null);
    this.resetParameters();
  }

  /** Draws fresh initial values, exactly like PyTorch: every parameter from U(±1/√hiddenSize). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -bound, bound);
  }

  /**
   * Validates input [B, inputSize] (or [inputSize], unbatched) and returns it batched, whether to
   * drop the batch dim again, and `state(s, name)`, which checks a state of shape [B, H] (or [H])
   * and returns it batched, or zeros when it is missing.
   */
  protected prepare(input: Tensor): { x: Tensor; batched: boolean; state: (s: Tensor | null | undefined, name: string) => Tensor } {
    const where = this.kind;
    check(input.ndim === 1 || input.ndim === 2, where, () => `input must be [batch, ${this.inputSize}] or [${this.inputSize}], got shape ${fmtShape(input.shape)}`);
    check(input.shape[input.ndim - 1] === this.inputSize, where,
      () => `input has shape ${fmtShape(input.shape)}: its last dim must be inputSize ${this.inputSize}`);
    check(input.dtype === this.weight_ih.dtype, where,
      () => `input has dtype ${input.dtype} but the parameters have dtype ${this.weight_ih.dtype}`);
    const batched = input.ndim === 2;
    const x = batched ? input : unsqueeze(input, 0);
    const batch = x.shape[0];
    const state = (s: Tensor | null | undefined, name: string): Tensor => {
      if (s === undefined || s === null) return zeros([batch, this.hiddenSize], { dtype: x.dtype });
      const expected = batched ? [batch, this.hiddenSize] : [this.hiddenSize];
      check(shapesEqual(s.shape, expected), where,
        () => `${name} has shape ${fmtShape(s.shape)} but input has shape ${fmtShape(input.shape)}: expected ${name} of shape ${fmtShape(expected)}`);
      check(s.dtype === x.dtype, where, () => `${name} has dtype ${s.dtype} but input has dtype ${x.dtype}`);
      return batched ? s : unsqueeze(s, 0);
    };
    return { x, batched, state };
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, bias=${this.bias_ih !== null}`;
  }
}

/** Removes the batch dim added for an unbatched call. */
function unbatch(t: Tensor, batched: boolean): Tensor {
  return batched ? t : squeeze(t, 0);
}

/**
 * One step of an Elman RNN, like `torch.nn.RNNCell`: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) with
 * act tanh (default) or relu. Input [B, inputSize] or [inputSize]; state [B, H] (zeros if omitted).
 * @example const cell = new tl.nn.RNNCell(10, 20); const h = cell.call(tl.randn([3, 10])); // [3, 20]
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: RnnNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: ElmanCellOptions = {}) {
    const nonlinearity = checkNonlinearity("RNNCell", options.nonlinearity ?? "tanh");
    super("RNNCell", inputSize, hiddenSize, 1, options);
    this.nonlinearity = nonlinearity;
  }

  /** h' from input [B, inputSize] and hx [B, H] (zeros if omitted). */
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, batched, state } = this.prepare(input);
    const h = rnnStep(linear(x, this.weight_ih, this.bias_ih), state(hx, "hx"), this.weight_hh, this.bias_hh, this.nonlinearity);
    return unbatch(h, batched);
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, nonlinearity=${this.nonlinearity}`;
  }
}

/**
 * One LSTM step, like `torch.nn.LSTMCell`: gates (i, f, g, o) from x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh,
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'). Takes `[h, c]` (zeros if omitted), returns `[h', c']`.
 * @example const cell = new tl.nn.LSTMCell(10, 20); const [h, c] = cell.call(tl.randn([3, 10]));
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super("LSTMCell", inputSize, hiddenSize, 4, options);
  }

  /** [h', c'] from input [B, inputSize] and [h, c] (zeros if omitted). */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    check(hx === undefined || hx === null || (Array.isArray(hx) && hx.length === 2), "LSTMCell", "hx must be a pair [h, c] (or omitted)");
    const { x, batched, state } = this.prepare(input);
    const h = state(hx?.[0], "h");
    const c = state(hx?.[1], "c");
    const [h1, c1] = lstmStep(linear(x, this.weight_ih, this.bias_ih), h, c, this.weight_hh, this.bias_hh);
    return [unbatch(h1, batched), unbatch(c1, batched)];
  }
}

/**
 * One GRU step, like `torch.nn.GRUCell`: gates (r, z, n) with n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))
 * and h' = (1 − z) ⊙ n + z ⊙ h. State [B, H] (zeros if omitted).
 * @example const cell = new tl.nn.GRUCell(10, 20); const h = cell.call(tl.randn([3, 10]));
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super("GRUCell", inputSize, hiddenSize, 3, options);
  }

  /** h' from input [B, inputSize] and hx [B, H] (zeros if omitted). */
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, batched, state } = this.prepare(input);
    const h = gruStep(linear(x, this.weight_ih, this.bias_ih), state(hx, "hx"), this.weight_hh, this.bias_hh);
    return unbatch(h, batched);
  }
}
