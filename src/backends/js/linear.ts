import { typedArrayFor } from "../../core/dtype.js";
import type { Kernel, KernelInfo } from "../../backend/backend.js";
import { gemmNT, packMatrix } from "./matmul.js";
import { dataOf } from "./storage.js";

/**
 * y = x · wᵀ (+ bias) for x [M, K] and w [N, K] with any strides (bias [N] any stride): the rows of y
 * start as the bias and the product accumulates onto them. gemmNT wants both operands contiguous
 * along K; an operand that is not (a transposed view, as in the gradients) is packed first.
 */
const linear: Kernel = (inputs, [out]) => {
  const [x, w, bias] = inputs;
  const [m, depth] = x.shape;
  const n = w.shape[0];
  const X = dataOf(x);
  const W = dataOf(w);
  const Y = dataOf(out);
  if (bias === undefined) {
    Y.fill(0);
  } else {
    const B = dataOf(bias);
    const bs = bias.strides[0];
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Y[i * n + j] = B[bias.offset + j * bs];
  }
  if (depth === 0 || m === 0 || n === 0) return;
  const [sxRow, sxK] = x.strides;
  const [swRow, swK] = w.strides;
  const xDirect = sxK === 1 || depth === 1;
  const wDirect = swK === 1 || depth === 1;
  const xTemp = xDirect ? null : typedArrayFor(x.dtype, m * depth);
  const wTemp = wDirect ? null : typedArrayFor(w.dtype, n * depth);
  if (xTemp) packMatrix(X, x.offset, m, depth, sxRow, sxK, xTemp);
  if (wTemp) packMatrix(W, w.offset, n, depth, swRow, swK, wTemp);
  gemmNT(
    m, n, depth,
    xTemp ?? X, xTemp ? 0 : x.offset, xTemp ? depth : sxRow,
    wTemp ?? W, wTemp ? 0 : w.offset, wTemp ? depth : swRow,
    Y, 0, n, true,
  );
};

/** gx = gy where x > 0, else 0 (NaN x gives 0); contiguous operands of one shape. */
const reluBackward: Kernel = ([gy, x], [gx]) => {
  const G = dataOf(gy);
  const X = dataOf(x);
  const out = dataOf(gx);
  const go = gy.offset;
  const xo = x.offset;
  const oo = gx.offset;
  let size = 1;
  for (const d of gx.shape) size *= d;
  for (let i = 0; i < size; i++) out[oo + i] = X[xo + i] > 0 ? G[go + i] : 0;
};

/** The reference kernels of the fused layer ops, by op name. */
export const linearKernels: Record<string, KernelInfo> = {
  linear: { run: linear, strided: true, overwrites: true },
  reluBackward: { run: reluBackward, strided: false, overwrites: true },
};
