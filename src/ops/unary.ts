import { isFloat, type DType } from "../core/dtype.js";
import { check } from "../core/errors.js";
import { defineOp, type GradContext } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { add, div, gt, ge, le, logicalAnd, mul, sub, where } from "./binary.js";
import { reluBackward } from "./relu-backward.js";
import { expectTensor } from "./scalar.js";
import { zerosLike } from "./creation.js";

type Unary = (x: Tensor) => Tensor;
type UnaryGrad<A> = (x: Tensor, y: Tensor, gy: Tensor, attrs: A) => Tensor;

/** Result dtype of float math on any input: integers and bools compute in float32, like PyTorch. */
const toFloat = (d: DType): DType => (isFloat(d) ? d : "float32");
const same = (d: DType): DType => d;

function unaryOp<A extends object = Record<string, never>>(name: string, dtype: (d: DType) => DType, grad?: UnaryGrad<A>): (x: Tensor, attrs?: A) => Tensor {
  const op = defineOp<A>({
    name,
    infer: ([x]) => ({ shape: x.shape, dtype: dtype(x.dtype) }),
    grad: grad && ((ctx: GradContext<A>, gy: Tensor) => [grad(ctx.inputs[0], ctx.output, gy, ctx.attrs)]),
  });
  return (x: Tensor, attrs: A = {} as A): Tensor => op([expectTensor(x, name, "input")], attrs);
}

const zeroGrad = (x: Tensor): Tensor => zerosLike(x);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const neg: Unary = unaryOp("neg", same, (_x, _y, gy) => neg(gy));
export const abs = unaryOp("abs", same, (x, _y, gy) => mul(gy, sign(x)));
export const sign = unaryOp("sign", same, zeroGrad);
export const exp = unaryOp("exp", toFloat, (_x, y, gy) => mul(gy, y));
export const log = unaryOp("log", toFloat, (x, _y, gy) => div(gy, x));
export const log1p = unaryOp("log1p", toFloat, (x, _y, gy) => div(gy, add(x, 1)));
export const sqrt = unaryOp("sqrt", toFloat, (_x, y, gy) => div(gy, mul(y, 2)));
export const rsqrt = unaryOp("rsqrt", toFloat, (_x, y, gy) => mul(gy, mul(powScalarOp(y, { exponent: 3 }), -0.5)));
export const square = unaryOp("square", same, (x, _y, gy) => mul(gy, mul(x, 2)));
export const sin: Unary = unaryOp("sin", toFloat, (x, _y, gy) => mul(gy, cos(x)));
export const cos: Unary = unaryOp("cos", toFloat, (x, _y, gy) => neg(mul(gy, sin(x))));
export const tanh = unaryOp("tanh", toFloat, (_x, y, gy) => mul(gy, sub(1, square(y))));
export const sigmoid = unaryOp("sigmoid", toFloat, (_x, y, gy) => mul(gy, mul(y, sub(1, y))));
// One fused kernel; integer relu (no gradient in practice) keeps the compare-and-multiply form.
export const relu = unaryOp("relu", same, (x, _y, gy) => (isFloat(x.dtype) && gy.dtype === x.dtype ? reluBackward(gy, x) : mul(gy, gt(x, 0))));
export const erf = unaryOp("erf", toFloat, (x, _y, gy) => mul(gy, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));
export const silu = unaryOp("silu", toFloat, (x, _y, gy) => {
  const s = sigmoid(x);
  return mul(gy, mul(s, add(mul(x, sub(1, s)), 1)));
});
export const floor = unaryOp("floor", same, zeroGrad);
export const ceil = unaryOp("ceil", same, zeroGrad);
/** Rounds half to even, like PyTorch. */
export const round = unaryOp("round", same, zeroGrad);
export const reciprocal = unaryOp("reciprocal", toFloat, (_x, y, gy) => neg(mul(gy, square(y))));
export const logicalNot = unaryOp("logicalNot", () => "bool");
export const isnan = unaryOp("isnan", () => "bool");
export const isfinite = unaryOp("isfinite", () => "bool");

const leakyReluOp = unaryOp<{ negativeSlope: number }>("leakyRelu", same,
  (x, _y, gy, a) => where(gt(x, 0), gy, mul(gy, a.negativeSlope)));

/** max(0, x) + slope · min(0, x). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  check(typeof negativeSlope === "number", "leakyRelu", "negativeSlope must be a number");
  return leakyReluOp(x, { negativeSlope });
}

const eluOp = unaryOp<{ alpha: number }>("elu", toFloat,
  (x, y, gy, a) => where(gt(x, 0), gy, mul(gy, add(y, a.alpha))));

/** x for x > 0, α(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return eluOp(x, { alpha });
}

const geluOp = unaryOp<{ approximate: "none" | "tanh" }>("gelu", toFloat, (x, _y, gy, a) => {
  if (a.approximate === "tanh") {
    // d/dx ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³)
    const t = tanh(mul(add(x, mul(powScalar(x, 3), 0.044715)), SQRT_2_OVER_PI));
    const du = mul(add(mul(square(x), 3 * 0.044715), 1), SQRT_2_OVER_PI);
    const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, square(t))), du));
    return mul(gy, d);
  }
  // d/dx xΦ(x) = Φ(x) + xφ(x)
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI);
  return mul(gy, add(cdf, mul(x, pdf)));
});

/** Gaussian error linear unit; `approximate: "tanh"` uses the tanh form. */
export function gelu(x: Tensor, options: { approximate?: "none" | "tanh" } = {}): Tensor {
  const approximate = options.approximate ?? "none";
  check(approximate === "none" || approximate === "tanh", "gelu", `approximate must be "none" or "tanh", got ${String(approximate)}`);
  return geluOp(x, { approximate });
}

const softplusOp = unaryOp<{ beta: number; threshold: number }>("softplus", toFloat, (x, _y, gy, a) => {
  const bx = mul(x, a.beta);
  return mul(gy, where(gt(bx, a.threshold), 1, sigmoid(bx)));
});

/** log(1 + e^{βx}) / β, linear where βx > threshold. */
export function softplus(x: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  return softplusOp(x, { beta: options.beta ?? 1, threshold: options.threshold ?? 20 });
}

const clampOp = unaryOp<{ min: number | null; max: number | null }>("clamp", same, (x, _y, gy, a) => {
  let mask: Tensor | null = null;
  if (a.min !== null) mask = ge(x, a.min);
  if (a.max !== null) mask = mask === null ? le(x, a.max) : logicalAnd(mask, le(x, a.max));
  return mask === null ? gy : mul(gy, mask);
});

/** Limits values to [min, max]; either bound may be omitted. */
export function clamp(x: Tensor, options: { min?: number; max?: number }): Tensor {
  const min = options.min ?? null;
  const max = options.max ?? null;
  check(min !== null || max !== null, "clamp", "give at least one of min and max");
  check(min === null || max === null || min <= max, "clamp", () => `min (${min}) must not exceed max (${max})`);
  return clampOp(x, { min, max });
}

const powScalarOp: (x: Tensor, attrs: { exponent: number }) => Tensor = unaryOp<{ exponent: number }>("powScalar", same,
  (x, _y, gy, a) => (a.exponent === 0 ? zerosLike(x) : mul(gy, mul(powScalarOp(x, { exponent: a.exponent - 1 }), a.exponent))));

/** x ** p for a number p (the tensor form is `pow` in binary ops). */
export function powScalar(x: Tensor, exponent: number): Tensor {
  check(typeof exponent === "number", "pow", `exponent must be a number or tensor, got ${typeof exponent}`);
  const floatResult = !Number.isInteger(exponent) || exponent < 0;
  return floatResult && !isFloat(x.dtype) ? powScalarOp(x.to("float32"), { exponent }) : powScalarOp(x, { exponent });
}

const rpowScalarOp = unaryOp<{ base: number }>("rpowScalar", toFloat,
  (_x, y, gy, a) => mul(gy, mul(y, Math.log(a.base))));

/** base ** x for a number base. */
export function rpowScalar(base: number, x: Tensor): Tensor {
  return rpowScalarOp(x, { base });
}
