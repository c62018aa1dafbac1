import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { transpose } from "./movement.js";
import { sum } from "./reduce.js";

/**
 * The fused affine map behind `linear`: x [M, K], weight [N, K] (, bias [N]) → x · weightᵀ + bias
 * [M, N] as one kernel (the native one runs one GEMM onto rows prefilled with the bias, so there is
 * no separate broadcast add, and the weight is read in its own layout). The caller (`linear` in
 * matmul.ts) has checked shapes and dtypes and folded any batch dims into M.
 *
 * Closed under differentiation, so double backward works and no gradient is a transposed copy:
 *   dx = gy · w    = linear(gy, wᵀ)   [M, K]
 *   dw = gyᵀ · x   = linear(gyᵀ, xᵀ)  [N, K], contiguous: the weight's own layout
 *   db = Σ_rows gy                    [N]
 */
export const linearOp: Op<Record<string, never>> = defineOp({
  name: "linear",
  infer: ([x, w]) => ({ shape: [x.shape[0], w.shape[0]], dtype: x.dtype }),
  grad: (ctx, gy) => {
    const [x, w] = ctx.inputs;
    const grads: (Tensor | null)[] = [
      ctx.needsInputGrad[0] ? linearOp([gy, transpose(w, 0, 1)], {}) : null,
      ctx.needsInputGrad[1] ? linearOp([transpose(gy, 0, 1), transpose(x, 0, 1)], {}) : null,
    ];
    if (ctx.inputs.length > 2) grads.push(ctx.needsInputGrad[2] ? sum(gy, { dim: 0 }) : null);
    return grads;
  },
});
