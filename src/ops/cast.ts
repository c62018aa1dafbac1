import { assertDType, isFloat, type DType } from "../core/dtype.js";
import { defineOp } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";

const castOp = defineOp<{ dtype: DType }>({
  name: "cast",
  infer: ([x], { dtype }) => ({ shape: x.shape, dtype }),
  // Gradients flow only between floating types; a cast to int or bool cuts the graph, as in PyTorch.
  grad: (ctx, gy) => [isFloat(ctx.attrs.dtype) ? cast(gy, ctx.inputs[0].dtype) : null],
});

/** Converts to `dtype`; returns `x` itself when it already has it. Float to int truncates toward zero. */
export function cast(x: Tensor, dtype: DType): Tensor {
  const d = assertDType(dtype, "cast");
  if (x.dtype === d) return x;
  return castOp([x], { dtype: d });
}
