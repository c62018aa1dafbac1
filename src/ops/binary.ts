import { isFloat, type DType } from "../core/dtype.js";
import { check } from "../core/errors.js";
import { broadcastShapes, shapesEqual } from "../core/shape.js";
import { defineOp, type GradContext, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { cast } from "./cast.js";
import { full, zerosLike } from "./creation.js";
import { expand } from "./movement.js";
import { resultType, type TensorLike } from "./scalar.js";
import { log } from "./unary.js";

type BinaryGrad = (a: Tensor, b: Tensor, y: Tensor, gy: Tensor, needs: readonly boolean[]) => (Tensor | null)[];

interface BinaryOptions {
  /** Output dtype from the computation dtype (comparisons give bool, true division gives float). */
  output?: (computeDType: DType) => DType;
  grad?: BinaryGrad;
}

/**
 * A broadcasting binary op. The front end promotes both operands to one dtype and expands them to the
 * result shape (free stride-0 views), so kernels see equal shapes and expand's gradient does the
 * reduction back to each operand's shape.
 */
function binaryOp(name: string, options: BinaryOptions = {}) {
  const op = defineOp({
    name,
    infer: ([a]) => ({ shape: a.shape, dtype: options.output ? options.output(a.dtype) : a.dtype }),
    grad: options.grad && ((ctx: GradContext<Record<string, never>>, gy: Tensor) => {
      const [a, b] = ctx.inputs;
      return (options.grad as BinaryGrad)(a, b, ctx.output, gy, ctx.needsInputGrad);
    }),
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    // Fast path: two tensors of one dtype and one shape need no promotion and no broadcasting.
    if (sameKind(a, b)) return op([a as Tensor, b as Tensor], NO_ATTRS);
    const dtype = resultType([a, b], name);
    const ta = toOperand(a, dtype);
    const tb = toOperand(b, dtype);
    const shape = broadcastShapes(name, ta.shape, tb.shape);
    return op([fit(ta, shape), fit(tb, shape)], {});
  };
}

const NO_ATTRS: Record<string, never> = Object.freeze({});

/** Both tensors, with the same dtype and shape. */
function sameKind(a: TensorLike, b: TensorLike): boolean {
  return a instanceof Tensor && b instanceof Tensor && a.dtype === b.dtype && (a.shape === b.shape || shapesEqual(a.shape, b.shape));
}

/** The result dtype, without resultType's general walk when both operands are tensors of one dtype. */
function pairType(a: TensorLike, b: TensorLike, op: string): DType {
  return a instanceof Tensor && b instanceof Tensor && a.dtype === b.dtype ? a.dtype : resultType([a, b], op);
}

function toOperand(x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return cast(x, dtype);
  return full([], typeof x === "boolean" ? Number(x) : x, { dtype });
}

function fit(t: Tensor, shape: readonly number[]): Tensor {
  return shapesEqual(t.shape, shape) ? t : expand(t, shape);
}

const toBool = (): DType => "bool";
const toFloat = (d: DType): DType => (isFloat(d) ? d : "float32");

const addOp = binaryOp("add", { grad: (_a, _b, _y, gy) => [gy, gy] });
const subOp = binaryOp("sub", { grad: (_a, _b, _y, gy, needs) => [gy, needs[1] ? neg(gy) : null] });

/** a + b with broadcasting; two bools give their logical or, as in PyTorch. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return pairType(a, b, "add") === "bool" ? logicalOr(a, b) : addOp(a, b);
}

/** a − b with broadcasting; like PyTorch, two bools are refused rather than wrapped around. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  check(pairType(a, b, "sub") !== "bool", "sub",
    "subtraction of two bool operands is not supported; use logicalXor (or cast to int32/float32 first)");
  return subOp(a, b);
}
export const mul = binaryOp("mul", {
  grad: (a, b, _y, gy, needs) => [needs[0] ? mul(gy, b) : null, needs[1] ? mul(gy, a) : null],
});
const divOp = binaryOp("div", {
  grad: (a, b, y, gy, needs) => [needs[0] ? div(gy, b) : null, needs[1] ? neg(div(mul(gy, y), b)) : null],
});

/** True division: integer operands give a float result, like PyTorch's `/`. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const dtype = toFloat(pairType(a, b, "div"));
  return divOp(a instanceof Tensor ? cast(a, dtype) : a, b instanceof Tensor ? cast(b, dtype) : b);
}

export const floorDivide = binaryOp("floorDiv");
/** Python-style modulo: the result has the sign of the divisor. */
export const remainder = binaryOp("remainder", {
  // a − floor(a/b)·b: the floor is piecewise constant, as in PyTorch's remainder backward.
  grad: (a, b, _y, gy, needs) => [needs[0] ? gy : null, needs[1] ? neg(mul(gy, floorDivide(a, b))) : null],
});

const powOp = binaryOp("pow", {
  grad: (a, b, y, gy, needs) => [
    needs[0] ? mul(gy, mul(b, pow(a, sub(b, 1)))) : null,
    // d/db a^b = a^b · log a, taken as 0 where a = 0 (PyTorch's convention).
    needs[1] ? mul(gy, where(eq(a, 0), 0, mul(y, log(a)))) : null,
  ],
});

/** a ** b with tensor (or number) operands, broadcasting. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return powOp(a, b);
}

const tieSplit = (a: Tensor, b: Tensor, winner: Tensor, gy: Tensor): Tensor =>
  // Where a and b tie, each gets half the gradient, like PyTorch.
  mul(gy, add(mul(winner, 1), mul(eq(a, b), 0.5)));

export const maximum = binaryOp("maximum", {
  grad: (a, b, _y, gy, needs) => [needs[0] ? tieSplit(a, b, gt(a, b), gy) : null, needs[1] ? tieSplit(b, a, gt(b, a), gy) : null],
});
export const minimum = binaryOp("minimum", {
  grad: (a, b, _y, gy, needs) => [needs[0] ? tieSplit(a, b, lt(a, b), gy) : null, needs[1] ? tieSplit(b, a, lt(b, a), gy) : null],
});

export const eq = binaryOp("eq", { output: toBool });
export const ne = binaryOp("ne", { output: toBool });
export const lt = binaryOp("lt", { output: toBool });
export const le = binaryOp("le", { output: toBool });
export const gt = binaryOp("gt", { output: toBool });
export const ge = binaryOp("ge", { output: toBool });
export const logicalAnd = binaryOp("logicalAnd", { output: toBool });
export const logicalOr = binaryOp("logicalOr", { output: toBool });
export const logicalXor = binaryOp("logicalXor", { output: toBool });

const whereOp: Op<Record<string, never>> = defineOp({
  name: "where",
  infer: ([, a]) => ({ shape: a.shape, dtype: a.dtype }),
  grad: (ctx, gy) => {
    const [c] = ctx.inputs;
    const zero = zerosLike(gy);
    return [null, ctx.needsInputGrad[1] ? whereOp([c, gy, zero], {}) : null, ctx.needsInputGrad[2] ? whereOp([c, zero, gy], {}) : null];
  },
});

/** Elementwise `cond ? a : b`, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultType([a, b], "where");
  const ta = toOperand(a, dtype);
  const tb = toOperand(b, dtype);
  const c = cast(cond, "bool");
  const shape = broadcastShapes("where", c.shape, ta.shape, tb.shape);
  return whereOp([fit(c, shape), fit(ta, shape), fit(tb, shape)], {});
}

function neg(x: Tensor): Tensor {
  return mul(x, -1);
}
