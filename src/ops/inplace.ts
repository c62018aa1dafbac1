import { check, fmtShape, tensileError } from "../core/errors.js";
import { broadcastShapes, shapesEqual } from "../core/shape.js";
import { runKernel } from "../engine/dispatch.js";
import { isGradEnabled, noGrad } from "../engine/grad-mode.js";
import { tidy } from "../engine/scope.js";
import { Tensor } from "../engine/tensor.js";
import * as b from "./binary.js";
import { cast } from "./cast.js";
import { full, normal as normalRandom, uniform as uniformRandom } from "./creation.js";
import { expand } from "./movement.js";
import type { TensorLike } from "./scalar.js";
import { clamp } from "./unary.js";

/**
 * Writes `value` into `target`'s memory. In-place writes are not differentiable: they are refused on a
 * tensor that requires grad while grad mode is on (wrap optimizer updates in `noGrad`).
 */
function writeInto(target: Tensor, value: TensorLike, op: string): Tensor {
  target.assertAlive(op);
  if (isGradEnabled() && target.requiresGrad) {
    throw tensileError(op, target.isLeaf
      ? "a leaf tensor that requires grad cannot be modified in place while grad mode is on; use tl.noGrad(() => ...)"
      : "in-place ops on tensors that are part of an autograd graph are not supported; use the out-of-place op");
  }
  // tidy: the scalar, cast and expanded temporaries must not outlive the write.
  noGrad(() => tidy(() => {
    let v = value instanceof Tensor ? value : full([], typeof value === "boolean" ? Number(value) : value, { dtype: target.dtype });
    check(shapesEqual(broadcastShapes(op, target.shape, v.shape), target.shape), op,
      () => `a value of shape ${fmtShape(v.shape)} cannot be written into a tensor of shape ${fmtShape(target.shape)}`);
    v = cast(v, target.dtype);
    if (!shapesEqual(v.shape, target.shape)) v = expand(v, target.shape);
    runKernel("assign", [v], [target], {});
  }));
  target.storage.version++;
  return target;
}

function inPlace(fn: (a: Tensor, b: TensorLike) => Tensor, op: string) {
  return (target: Tensor, other: TensorLike): Tensor => tidy(() => writeInto(target, noGrad(() => fn(target, other)), op));
}

export const copy_ = (target: Tensor, source: TensorLike): Tensor => writeInto(target, source, "copy_");
export const add_ = inPlace(b.add, "add_");
export const sub_ = inPlace(b.sub, "sub_");
export const mul_ = inPlace(b.mul, "mul_");
export const div_ = inPlace(b.div, "div_");
export const fill_ = (target: Tensor, value: number): Tensor => writeInto(target, value, "fill_");
export const zero_ = (target: Tensor): Tensor => writeInto(target, 0, "zero_");
export const clamp_ = (target: Tensor, options: { min?: number; max?: number }): Tensor => tidy(() =>
  writeInto(target, noGrad(() => clamp(target, options)), "clamp_"));
export const uniform_ = (target: Tensor, low = 0, high = 1): Tensor =>
  tidy(() => writeInto(target, uniformRandom(target.shape, low, high, { dtype: target.dtype }), "uniform_"));
export const normal_ = (target: Tensor, mean = 0, std = 1): Tensor =>
  tidy(() => writeInto(target, normalRandom(target.shape, mean, std, { dtype: target.dtype }), "normal_"));

declare module "../engine/tensor.js" {
  interface Tensor {
    /** Copies `source` (broadcast) into this tensor's memory. */
    copy_(source: TensorLike): this;
    add_(other: TensorLike): this;
    sub_(other: TensorLike): this;
    mul_(other: TensorLike): this;
    div_(other: TensorLike): this;
    fill_(value: number): this;
    zero_(): this;
    clamp_(options: { min?: number; max?: number }): this;
    uniform_(low?: number, high?: number): this;
    normal_(mean?: number, std?: number): this;
  }
}

const proto = Tensor.prototype;
proto.copy_ = function (source) { return copy_(this, source) as never; };
proto.add_ = function (other) { return add_(this, other) as never; };
proto.sub_ = function (other) { return sub_(this, other) as never; };
proto.mul_ = function (other) { return mul_(this, other) as never; };
proto.div_ = function (other) { return div_(this, other) as never; };
proto.fill_ = function (value) { return fill_(this, value) as never; };
proto.zero_ = function () { return zero_(this) as never; };
proto.clamp_ = function (options) { return clamp_(this, options) as never; };
proto.uniform_ = function (low, high) { return uniform_(this, low, high) as never; };
proto.normal_ = function (mean, std) { return normal_(this, mean, std) as never; };
