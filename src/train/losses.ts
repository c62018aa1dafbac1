import { check } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";
import * as F from "../nn/functional.js";

/** A loss by name (PyTorch's functional names), any function of (output, target), or a loss module. */
export type LossSpec =
  | "crossEntropy" | "nllLoss" | "mseLoss" | "l1Loss" | "smoothL1Loss" | "huberLoss"
  | "binaryCrossEntropy" | "binaryCrossEntropyWithLogits" | "klDiv"
  | ((output: Tensor, target: Tensor) => Tensor)
  | { forward(output: Tensor, target: Tensor): Tensor };

const LOSSES: Record<string, (output: Tensor, target: Tensor) => Tensor> = {
  crossEntropy: (o, t) => F.crossEntropy(o, t),
  nllLoss: (o, t) => F.nllLoss(o, t),
  mseLoss: (o, t) => F.mseLoss(o, t),
  l1Loss: (o, t) => F.l1Loss(o, t),
  smoothL1Loss: (o, t) => F.smoothL1Loss(o, t),
  huberLoss: (o, t) => F.huberLoss(o, t),
  binaryCrossEntropy: (o, t) => F.binaryCrossEntropy(o, t),
  binaryCrossEntropyWithLogits: (o, t) => F.binaryCrossEntropyWithLogits(o, t),
  klDiv: (o, t) => F.klDiv(o, t),
};

/** The loss as a function of (output, target); an unknown name is an error listing the known ones. */
export function resolveLoss(loss: LossSpec): (output: Tensor, target: Tensor) => Tensor {
  if (typeof loss === "function") return loss;
  if (typeof loss === "string") {
    const fn = Object.hasOwn(LOSSES, loss) ? LOSSES[loss] : undefined;
    check(fn !== undefined, "Trainer", `unknown loss "${loss}"; use one of ${Object.keys(LOSSES).join(", ")} or a function`);
    return fn;
  }
  check(loss !== null && typeof loss === "object" && typeof loss.forward === "function", "Trainer", "loss must be a name, a function or a loss module");
  return (o, t) => loss.forward(o, t);
}
