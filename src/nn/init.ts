/**
 * `tl.nn.init`: in-place parameter initializers with PyTorch's names, formulas and defaults. They
 * write under `noGrad` (so they work on parameters that require grad), draw from the seeded
 * generator (`tl.manualSeed` makes them repeatable), and return the tensor.
 */
import { check, fmtShape } from "../core/errors.js";
import { noGrad } from "../engine/grad-mode.js";
import { tidy } from "../engine/scope.js";
import type { Tensor } from "../engine/tensor.js";
import { eye, normal, tensor as makeTensor, uniform } from "../ops/creation.js";
import { isTensor } from "../ops/scalar.js";

/** Nonlinearities known to `calculateGain`; PyTorch's snake_case spellings are accepted too. */
export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "convTranspose1d" | "convTranspose2d" | "convTranspose3d"
  | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "leaky_relu" | "selu";

/** Which fan `kaiming*_` preserves: forward activations ("fanIn") or backward gradients ("fanOut"). */
export type FanMode = "fanIn" | "fanOut";

/** Options of `kaimingUniform_` and `kaimingNormal_`. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (used with leaky ReLU); default 0. */
  a?: number;
  /** Default "fanIn". */
  mode?: FanMode;
  /** Default "leakyRelu" (PyTorch's default), which with a = 0 equals ReLU's gain √2. */
  nonlinearity?: Nonlinearity;
}

function float(t: Tensor, op: string): void {
  check(isTensor(t), op, "expected a Tensor");
  t.assertAlive(op);
  check(t.dtype === "float32" || t.dtype === "float64", op, () => `can only initialize floating-point tensors, got dtype ${t.dtype}`);
}

/** Writes `make()` (a fresh tensor of t's shape) into `t` without recording gradients. */
function fill(t: Tensor, op: string, make: () => Tensor): Tensor {
  float(t, op);
  tidy(() => noGrad(() => {
    t.copy_(make());
  }));
  return t;
}

/**
 * The recommended gain for a nonlinearity, like `torch.nn.init.calculate_gain`: 1 for linear, conv
 * and sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky ReLU (slope = `param`,
 * default 0.01), 3/4 for SELU.
 * @example tl.nn.init.calculateGain("leakyRelu", 0.2) // 1.3867...
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d": case "convTranspose1d": case "convTranspose2d":
    case "convTranspose3d": case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": case "leaky_relu": {
      const slope = param ?? 0.01;
      check(typeof slope === "number" && Number.isFinite(slope), "calculateGain", () => `negative slope ${String(param)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new Error(`[calculateGain] unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * fan in = size(1) · receptive field, fan out = size(0) · receptive field, where the receptive field
 * is the product of the dims after the first two (conv kernels). Needs at least 2 dims.
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  check(t.ndim >= 2, "init", () => `fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape ${fmtShape(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Fills `t` with U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  check(a <= b, "uniform_", () => `a (${a}) must not exceed b (${b})`);
  return fill(t, "uniform_", () => uniform(t.shape, a, b, { dtype: t.dtype }));
}

/** Fills `t` with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  check(std >= 0, "normal_", () => `std must be ≥ 0, got ${std}`);
  return fill(t, "normal_", () => normal(t.shape, mean, std, { dtype: t.dtype }));
}

/** Fills `t` with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  float(t, "constant_");
  noGrad(() => t.fill_(value));
  return t;
}

/** Fills `t` with zeros. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills `t` with ones. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fills a 2-D `t` with the identity matrix (ones on the main diagonal of a rectangular one). */
export function eye_(t: Tensor): Tensor {
  check(t.ndim === 2, "eye_", () => `only 2-D tensors are supported, got shape ${fmtShape(t.shape)}`);
  return fill(t, "eye_", () => eye(t.shape[0], t.shape[1], { dtype: t.dtype }));
}

/**
 * Glorot/Xavier uniform: U(−a, a) with a = gain · √(6 / (fanIn + fanOut)).
 * @example tl.nn.init.xavierUniform_(layer.weight, tl.nn.init.calculateGain("tanh"));
 */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  if (t.size === 0) return t;
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

/** Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  if (t.size === 0) return t;
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

function kaimingStd(t: Tensor, options: KaimingOptions, op: string): number {
  const mode = options.mode ?? "fanIn";
  check(mode === "fanIn" || mode === "fanOut", op, () => `mode must be "fanIn" or "fanOut", got ${JSON.stringify(mode)}`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = mode === "fanIn" ? fanIn : fanOut;
  return calculateGain(options.nonlinearity ?? "leakyRelu", options.a ?? 0) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(−bound, bound) with bound = gain · √(3 / fan), gain from
 * `calculateGain(nonlinearity, a)`.
 * @example tl.nn.init.kaimingUniform_(conv.weight, { mode: "fanOut", nonlinearity: "relu" });
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  // Like PyTorch, initializing a zero-element tensor is a no-op (Linear(0, n) is legal).
  if (t.size === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd(t, options, "kaimingUniform_");
  return uniform_(t, -bound, bound);
}

/** He/Kaiming normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  if (t.size === 0) return t;
  return normal_(t, 0, kaimingStd(t, options, "kaimingNormal_"));
}

/**
 * Fills `t` with a (semi-)orthogonal matrix times `gain` (Saxe et al. 2013), like PyTorch: the QR
 * factorization of a normal random [rows, numel/rows] matrix, with Q's columns signed by R's diagonal
 * so the result is uniformly distributed. Done in float64 JavaScript: initialization is not hot.
 */
export function orthogonal_(t: Tensor, gain = 1): Tensor {
  check(t.ndim >= 2, "orthogonal_", () => `only tensors with 2 or more dimensions are supported, got shape ${fmtShape(t.shape)}`);
  if (t.size === 0) return t;
  const rows = t.shape[0];
  const cols = t.size / rows;
  const draws = normal([rows, cols], 0, 1, { dtype: "float64" });
  const flat = Float64Array.from(draws.dataSync());
  draws.dispose();
  // QR needs a tall matrix: factor the transpose of a wide one.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[tall ? i * n + j : j * n + i] = flat[i * cols + j];
  const q = householderQ(a, m, n);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (tall ? q[i * n + j] : q[j * n + i]);
  return fill(t, "orthogonal_", () => makeTensor(out, { dtype: t.dtype, shape: t.shape }));
}

/**
 * Thin Q (m × n, m ≥ n) of the QR factorization of row-major `a` by Householder reflections, with
 * column j multiplied by sign(R[j][j]) as PyTorch does (so the result does not depend on QR's sign
 * convention). Returns row-major Q.
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = r[k * n + k] >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    let vnorm = 0;
    for (let i = k; i < m; i++) vnorm += v[i] * v[i];
    if (vnorm > 0) {
      // R ← (I − 2vvᵀ/vᵀv) R
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i] * r[i * n + j];
        const s = (2 * dot) / vnorm;
        for (let i = k; i < m; i++) r[i * n + j] -= s * v[i];
      }
    }
    vs.push(v);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity, last reflection first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vnorm = 0;
    for (let i = k; i < m; i++) vnorm += v[i] * v[i];
    if (vnorm === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i] * q[i * n + j];
      const s = (2 * dot) / vnorm;
      for (let i = k; i < m; i++) q[i * n + j] -= s * v[i];
    }
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}

/** Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Fills `t` with N(mean, std²) truncated to [a, b], by inverse-CDF sampling as PyTorch does (no
 * rejection loop, so any interval works). Values are clamped to [a, b] against rounding.
 * @example tl.nn.init.truncNormal_(vitEmbedding, 0, 0.02, -0.04, 0.04);
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  check(std > 0, "truncNormal_", () => `std must be > 0, got ${std}`);
  check(a < b, "truncNormal_", () => `need a < b, got a = ${a} and b = ${b}`);
  const lo = normalCdf((a - mean) / std);
  const hi = normalCdf((b - mean) / std);
  check(hi - lo > 0, "truncNormal_", () => `the interval [${a}, ${b}] has no probability mass under N(${mean}, ${std}²)`);
  return fill(t, "truncNormal_", () => {
    const u = uniform(t.shape, lo, hi, { dtype: "float64" }).dataSync();
    const out = new Float64Array(u.length);
    for (let i = 0; i < u.length; i++) {
      const p = Math.min(Math.max(u[i], Number.MIN_VALUE), 1 - Number.EPSILON);
      out[i] = Math.min(Math.max(mean + std * normalQuantile(p), a), b);
    }
    return makeTensor(out, { dtype: t.dtype, shape: t.shape });
  });
}
