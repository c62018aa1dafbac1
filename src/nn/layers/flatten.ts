/** Reshaping layers: `Flatten`, `Unflatten`. */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { flatten, unflatten } from "../../ops/movement.js";
import { Module } from "../module.js";

/**
 * Flattens dims `startDim`..`endDim` into one, like `torch.nn.Flatten` (defaults keep the batch dim).
 * @example new tl.nn.Flatten().call(tl.zeros([32, 1, 28, 28])).shape // [32, 784]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    check(Number.isInteger(startDim) && Number.isInteger(endDim), "Flatten", () => `startDim and endDim must be whole numbers, got ${startDim} and ${endDim}`);
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `sizes` (one may be -1), like `torch.nn.Unflatten`.
 * @example new tl.nn.Unflatten(1, [1, 28, 28]).call(tl.zeros([32, 784])).shape // [32, 1, 28, 28]
 */
export class Unflatten extends Module {
  readonly sizes: readonly number[];

  constructor(readonly dim: number, sizes: readonly number[]) {
    super();
    check(Number.isInteger(dim), "Unflatten", () => `dim must be a whole number, got ${dim}`);
    check(Array.isArray(sizes) && sizes.length > 0, "Unflatten", "sizes must be a non-empty array of dims");
    this.sizes = Object.freeze([...sizes]);
  }

  forward(x: Tensor): Tensor {
    return unflatten(x, this.dim, this.sizes);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, sizes=[${this.sizes.join(", ")}]`;
  }
}
