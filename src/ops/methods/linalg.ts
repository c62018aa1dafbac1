import { Tensor } from "../../engine/tensor.js";
import * as mm from "../matmul.js";

declare module "../../engine/tensor.js" {
  interface Tensor {
    /** Matrix product with `torch.matmul` semantics (broadcast batch dims, 1-D operands promoted). */
    matmul(other: Tensor): Tensor;
    /** Product of two matrices, no broadcasting. */
    mm(other: Tensor): Tensor;
    /** Batched product of two 3-D tensors with equal batch sizes. */
    bmm(other: Tensor): Tensor;
    /** Dot product of two 1-D tensors. */
    dot(other: Tensor): Tensor;
    /** Outer product of two 1-D tensors. */
    outer(other: Tensor): Tensor;
  }
}

const proto = Tensor.prototype;
proto.matmul = function (other) { return mm.matmul(this, other); };
proto.mm = function (other) { return mm.mm(this, other); };
proto.bmm = function (other) { return mm.bmm(this, other); };
proto.dot = function (other) { return mm.dot(this, other); };
proto.outer = function (other) { return mm.outer(this, other); };
