import { check, fmtShape } from "../core/errors.js";
import { viewStrides } from "../core/layout.js";
import { sizeOf, shapesEqual } from "../core/shape.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { tidy } from "../engine/scope.js";
import { Tensor } from "../engine/tensor.js";
import { mul } from "./binary.js";
import { expand, reshape, transpose, unsqueeze } from "./movement.js";
import { linearOp } from "./linear.js";
import { expectTensor } from "./scalar.js";

/**
 * The one matmul primitive: a [B, M, K] · b [B, K, N] → [B, M, N]. Its inputs may have any strides
 * (a transposed operand is a stride swap, a broadcast batch is stride 0), so `x.matmul(w.t())` copies
 * nothing. Gradients are matmuls of transposed views; expand's gradient sums over broadcast batches.
 */
const matmulOp: Op<Record<string, never>> = defineOp({
  name: "matmul",
  infer: ([a, b]) => ({ shape: [a.shape[0], a.shape[1], b.shape[2]], dtype: a.dtype }),
  grad: (ctx, gy) => {
    const [a, b] = ctx.inputs;
    return [
      ctx.needsInputGrad[0] ? matmulOp([gy, transpose(b, 1, 2)], {}) : null,
      ctx.needsInputGrad[1] ? matmulOp([transpose(a, 1, 2), gy], {}) : null,
    ];
  },
});

const NO_ATTRS: Record<string, never> = Object.freeze({});

/**
 * 2-D a [M, K] · b [K, N] → [M, N], the common case (linear layers, a user's mm): the matmul kernel
 * takes 2-D operands as they are (a batch of one), so no reshape or unsqueeze is made per call.
 * Gradients are 2-D products of transposed views.
 */
const mm2Op: Op<Record<string, never>> = defineOp({
  name: "mm",
  kernel: "matmul",
  infer: ([a, b]) => ({ shape: [a.shape[0], b.shape[1]], dtype: a.dtype }),
  grad: (ctx, gy) => {
    const [a, b] = ctx.inputs;
    return [
      ctx.needsInputGrad[0] ? mm2Op([gy, transpose(b, 0, 1)], NO_ATTRS) : null,
      ctx.needsInputGrad[1] ? mm2Op([transpose(a, 0, 1), gy], NO_ATTRS) : null,
    ];
  },
});

function checkOperands(op: string, a: Tensor, b: Tensor, names: [string, string] = ["a", "b"]): void {
  expectTensor(a, op, names[0]);
  expectTensor(b, op, names[1]);
  check(a.dtype === b.dtype, op, () => `${names[0]} has dtype ${a.dtype} but ${names[1]} has dtype ${b.dtype}: both must have the same dtype (cast one with .to())`);
  check(a.dtype !== "bool", op, () => `bool tensors are not supported; cast to int32 or float32 first`);
}

/** Views `t` ([...batch, r, c]) as [B, r, c] for the broadcast batch shape `batch`, without copying where strides allow. */
function toBatch3(t: Tensor, batch: readonly number[]): Tensor {
  const [r, c] = t.shape.slice(-2);
  const own = t.shape.slice(0, -2);
  const flat = sizeOf(batch);
  if (shapesEqual(own, batch)) return reshape(t, [flat, r, c]);
  // A batch of one repeats with stride 0 (free); other broadcasts expand and then may need a copy.
  if (sizeOf(own) === 1) return expand(reshape(t, [1, r, c]), [flat, r, c]);
  return reshape(expand(t, [...batch, r, c]), [flat, r, c]);
}

function broadcastBatch(a: Tensor, b: Tensor, aBatch: readonly number[], bBatch: readonly number[]): number[] {
  const ndim = Math.max(aBatch.length, bBatch.length);
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const da = aBatch[i - (ndim - aBatch.length)] ?? 1;
    const db = bBatch[i - (ndim - bBatch.length)] ?? 1;
    check(da === db || da === 1 || db === 1, "matmul",
      () => `a has shape ${fmtShape(a.shape)} but b has shape ${fmtShape(b.shape)}: the batch dimensions ` +
        `${fmtShape(aBatch)} and ${fmtShape(bBatch)} cannot be broadcast (sizes must match or be 1)`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Matrix product with PyTorch's `torch.matmul` semantics: 1-D · 1-D is a dot product (0-d result);
 * a 1-D operand is promoted to a matrix (a row on the left, a column on the right) and that dimension
 * is removed from the result; otherwise the last two dims multiply and the leading (batch) dims broadcast.
 * @example tl.matmul(tl.randn([10, 3, 4]), tl.randn([4, 5])) // shape [10, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperands("matmul", a, b);
  check(a.ndim >= 1 && b.ndim >= 1, "matmul",
    () => `both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const aVec = a.ndim === 1;
  const bVec = b.ndim === 1;
  const a2 = aVec ? unsqueeze(a, 0) : a; // [..., M, K]
  const b2 = bVec ? unsqueeze(b, 1) : b; // [..., K, N]
  const k = a2.shape[a2.ndim - 1];
  check(k === b2.shape[b2.ndim - 2], "matmul",
    () => `a has shape ${fmtShape(a.shape)} but b has shape ${fmtShape(b.shape)}: ` +
      `a.shape[-1] (${k}) must equal b.shape[${bVec ? 0 : -2}] (${b2.shape[b2.ndim - 2]})`);
  if (a.ndim === 2 && b.ndim === 2) return mm2Op([a, b], NO_ATTRS);
  const m = a2.shape[a2.ndim - 2];
  const n = b2.shape[b2.ndim - 1];
  const aBatch = a2.shape.slice(0, -2);
  const bBatch = b2.shape.slice(0, -2);
  const batch = broadcastBatch(a, b, aBatch, bBatch);
  const outShape = [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
  const folded = [1, sizeOf(aBatch) * m, k];
  // tidy: the 3-D intermediates are views the caller never sees; dropping them here (the graph keeps what
  // backward needs) lets the output's storage be freed as soon as the caller disposes the result.
  return tidy(() => {
    if (bBatch.length === 0 && aBatch.length > 0 && viewStrides(a2, folded) !== null) {
      // [..., M, K] · [K, N]: fold the batch into the rows, one big product (and one big weight gradient).
      // When a's layout does not allow that view, b repeats with stride 0 instead of copying a.
      return reshape(matmulOp([reshape(a2, folded), unsqueeze(b2, 0)], {}), outShape);
    }
    return reshape(matmulOp([toBatch3(a2, batch), toBatch3(b2, batch)], {}), outShape);
  });
}

/**
 * Product of two matrices, `[n, m] · [m, p] → [n, p]` (no broadcasting), like `torch.mm`.
 * @example tl.mm(tl.ones([2, 3]), tl.ones([3, 4])) // shape [2, 4]
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkOperands("mm", a, b);
  check(a.ndim === 2 && b.ndim === 2, "mm", () => `expects two matrices, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  check(a.shape[1] === b.shape[0], "mm",
    () => `a has shape ${fmtShape(a.shape)} but b has shape ${fmtShape(b.shape)}: a.shape[1] must equal b.shape[0]`);
  return mm2Op([a, b], NO_ATTRS);
}

/**
 * Batched matrix product `[B, n, m] · [B, m, p] → [B, n, p]` (batch sizes must match), like `torch.bmm`.
 * @example tl.bmm(tl.ones([5, 2, 3]), tl.ones([5, 3, 4])) // shape [5, 2, 4]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkOperands("bmm", a, b);
  check(a.ndim === 3 && b.ndim === 3, "bmm", () => `expects two 3-D tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  check(a.shape[0] === b.shape[0], "bmm",
    () => `a has shape ${fmtShape(a.shape)} but b has shape ${fmtShape(b.shape)}: batch sizes must be equal`);
  check(a.shape[2] === b.shape[1], "bmm",
    () => `a has shape ${fmtShape(a.shape)} but b has shape ${fmtShape(b.shape)}: a.shape[2] must equal b.shape[1]`);
  return matmulOp([a, b], {});
}

/**
 * Dot product of two 1-D tensors of the same length (a 0-d result), like `torch.dot`.
 * @example tl.dot(tl.tensor([1, 2]), tl.tensor([3, 4])).item() // 11
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkOperands("dot", a, b);
  check(a.ndim === 1 && b.ndim === 1, "dot", () => `expects two 1-D tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  check(a.shape[0] === b.shape[0], "dot",
    () => `a has shape ${fmtShape(a.shape)} but b has shape ${fmtShape(b.shape)}: lengths must be equal`);
  return matmul(a, b);
}

/**
 * Outer product of two 1-D tensors: `out[i, j] = a[i] · b[j]`, like `torch.outer`.
 * @example tl.outer(tl.tensor([1, 2]), tl.tensor([3, 4, 5])) // shape [2, 3]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkOperands("outer", a, b);
  check(a.ndim === 1 && b.ndim === 1, "outer", () => `expects two 1-D tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

/**
 * Affine map `x · weightᵀ + bias` with PyTorch's layout: weight [out, in], bias [out], x [..., in]
 * gives [..., out]. The transposed weight is a view, so nothing is copied.
 * @example tl.nn.functional.linear(tl.randn([8, 4]), tl.randn([3, 4]), tl.zeros([3])) // shape [8, 3]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkOperands("linear", x, weight, ["input", "weight"]);
  check(weight.ndim === 2, "linear", () => `weight must be 2-D [out, in], got shape ${fmtShape(weight.shape)}`);
  check(x.ndim >= 1 && x.shape[x.ndim - 1] === weight.shape[1], "linear",
    () => `input has shape ${fmtShape(x.shape)} but weight has shape ${fmtShape(weight.shape)}: ` +
      `input.shape[-1] must equal weight.shape[1] (in features)`);
  const hasBias = bias !== undefined && bias !== null;
  if (hasBias) {
    expectTensor(bias, "linear", "bias");
    check(bias.dtype === x.dtype, "linear", () => `bias has dtype ${bias.dtype} but input has dtype ${x.dtype}`);
    check(bias.ndim === 1 && bias.shape[0] === weight.shape[0], "linear",
      () => `bias has shape ${fmtShape(bias.shape)} but weight has shape ${fmtShape(weight.shape)}: bias must be [${weight.shape[0]}] (out features)`);
  }
  // One fused op (src/ops/linear.ts) on [rows, in]; other ranks fold into / unfold from that.
  const run = (x2: Tensor): Tensor => linearOp(hasBias ? [x2, weight, bias] : [x2, weight], {});
  if (x.ndim === 2) return run(x);
  const lead = x.shape.slice(0, -1);
  return tidy(() => reshape(run(reshape(x, [sizeOf(lead), weight.shape[1]])), [...lead, weight.shape[0]]));
}
