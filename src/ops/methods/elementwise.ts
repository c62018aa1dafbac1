import type { DType } from "../../core/dtype.js";
import { Tensor } from "../../engine/tensor.js";
import * as b from "../binary.js";
import { cast } from "../cast.js";
import type { TensorLike } from "../scalar.js";
import * as u from "../unary.js";

declare module "../../engine/tensor.js" {
  interface Tensor {
    neg(): Tensor; abs(): Tensor; sign(): Tensor; exp(): Tensor; log(): Tensor; log1p(): Tensor;
    sqrt(): Tensor; rsqrt(): Tensor; square(): Tensor; sin(): Tensor; cos(): Tensor; tanh(): Tensor;
    sigmoid(): Tensor; relu(): Tensor; erf(): Tensor; silu(): Tensor; floor(): Tensor; ceil(): Tensor;
    round(): Tensor; reciprocal(): Tensor; logicalNot(): Tensor; isnan(): Tensor; isfinite(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    elu(alpha?: number): Tensor;
    gelu(options?: { approximate?: "none" | "tanh" }): Tensor;
    softplus(options?: { beta?: number; threshold?: number }): Tensor;
    clamp(options: { min?: number; max?: number }): Tensor;
    /** x ** exponent, with a number or tensor exponent. */
    pow(exponent: TensorLike): Tensor;
    add(other: TensorLike): Tensor; sub(other: TensorLike): Tensor; mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor; floorDivide(other: TensorLike): Tensor; remainder(other: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor; minimum(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor; ne(other: TensorLike): Tensor; lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor; gt(other: TensorLike): Tensor; ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor; logicalOr(other: TensorLike): Tensor; logicalXor(other: TensorLike): Tensor;
    /** `cond ? this : other`, like `torch.where(cond, self, other)`. */
    where(cond: Tensor, other: TensorLike): Tensor;
    /** Converts to a dtype (a copy unless it already has it). */
    to(dtype: DType): Tensor;
    float(): Tensor; double(): Tensor; int(): Tensor; bool(): Tensor;
  }
}

const proto = Tensor.prototype;
const unaries = ["neg", "abs", "sign", "exp", "log", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tanh", "sigmoid",
  "relu", "erf", "silu", "floor", "ceil", "round", "reciprocal", "logicalNot", "isnan", "isfinite"] as const;
for (const name of unaries) {
  const fn = u[name];
  proto[name] = function (this: Tensor) {
    return fn(this);
  };
}
proto.leakyRelu = function (negativeSlope?: number) { return u.leakyRelu(this, negativeSlope); };
proto.elu = function (alpha?: number) { return u.elu(this, alpha); };
proto.gelu = function (options) { return u.gelu(this, options); };
proto.softplus = function (options) { return u.softplus(this, options); };
proto.clamp = function (options) { return u.clamp(this, options); };
proto.pow = function (exponent: TensorLike) {
  return typeof exponent === "number" ? u.powScalar(this, exponent) : b.pow(this, exponent);
};

const binaries = ["add", "sub", "mul", "div", "floorDivide", "remainder", "maximum", "minimum", "eq", "ne", "lt", "le",
  "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"] as const;
for (const name of binaries) {
  const fn = b[name];
  proto[name] = function (this: Tensor, other: TensorLike) {
    return fn(this, other);
  };
}
proto.where = function (cond: Tensor, other: TensorLike) { return b.where(cond, this, other); };
proto.to = function (dtype: DType) { return cast(this, dtype); };
proto.float = function () { return cast(this, "float32"); };
proto.double = function () { return cast(this, "float64"); };
proto.int = function () { return cast(this, "int32"); };
proto.bool = function () { return cast(this, "bool"); };
