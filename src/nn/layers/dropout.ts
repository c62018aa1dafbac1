/** `Dropout`. */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { dropout } from "../functional.js";
import { Module } from "../module.js";

/**
 * Zeroes each element with probability `p` while training and scales the rest by 1/(1 − p); the
 * identity in eval mode (`model.eval()`), like `torch.nn.Dropout`.
 * @example const drop = new tl.nn.Dropout(0.2);
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    check(typeof p === "number" && p >= 0 && p <= 1, "Dropout", () => `dropout probability p has to be between 0 and 1, but got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
