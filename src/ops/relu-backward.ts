import { check, fmtShape } from "../core/errors.js";
import { isFloat } from "../core/dtype.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { zerosLike } from "./creation.js";
import { expectTensor } from "./scalar.js";

/**
 * ReLU's gradient as one kernel: gy where x > 0, else 0 (what `gy · (x > 0)` computes, without the
 * comparison's bool tensor and the promoting multiply). It is linear in gy, so its own gradient with
 * respect to gy is itself; x only selects: its gradient is zero (as in PyTorch), relu's second derivative almost everywhere.
 */
const reluBackwardOp: Op<Record<string, never>> = defineOp({
  name: "reluBackward",
  infer: ([gy, x]) => {
    check(gy.dtype === x.dtype && isFloat(gy.dtype), "reluBackward",
      () => `gradOutput has dtype ${gy.dtype} and input has dtype ${x.dtype}: both must be the same float dtype`);
    check(gy.shape.length === x.shape.length && gy.shape.every((d, i) => d === x.shape[i]), "reluBackward",
      () => `gradOutput has shape ${fmtShape(gy.shape)} but input has shape ${fmtShape(x.shape)}: they must be equal`);
    return { shape: x.shape, dtype: x.dtype };
  },
  grad: (ctx, g) => [
    ctx.needsInputGrad[0] ? reluBackwardOp([g, ctx.inputs[1]], {}) : null,
    ctx.needsInputGrad[1] ? zerosLike(ctx.inputs[1]) : null,
  ],
});

/**
 * The gradient of `relu` at `x` for the output gradient `gradOutput`: `gradOutput` where `x > 0`,
 * else 0 (like PyTorch's `threshold_backward(gradOutput, x, 0)`). Both float, same shape and dtype.
 * @example tl.reluBackward(tl.tensor([1, 2, 3]), tl.tensor([-1, 0, 2])) // [0, 0, 3]
 */
export function reluBackward(gradOutput: Tensor, x: Tensor): Tensor {
  expectTensor(gradOutput, "reluBackward", "gradOutput");
  expectTensor(x, "reluBackward", "input");
  return reluBackwardOp([gradOutput, x], {});
}
