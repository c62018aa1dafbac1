/** Weight penalties to add to a loss: `l1Penalty`, `l2Penalty`. */
import { check } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";
import { add, mul } from "../ops/binary.js";
import { zeros } from "../ops/creation.js";
import { sum } from "../ops/reduce.js";
import { abs, square } from "../ops/unary.js";
import { isModule, type Module } from "./module.js";

/** Options of `l1Penalty` and `l2Penalty`. */
export interface PenaltyOptions {
  /** Which parameters to penalize (default: all). E.g. `(name) => !name.endsWith("bias")`. */
  filter?: (name: string, param: Tensor) => boolean;
}

/** Named parameters (from `module.namedParameters()` or any `[name, tensor]` pairs), or a module. */
export type PenaltySource = Module | Iterable<readonly [string, Tensor]>;

function penalty(where: string, source: PenaltySource, coeff: number, options: PenaltyOptions, term: (p: Tensor) => Tensor): Tensor {
  check(typeof coeff === "number" && Number.isFinite(coeff) && coeff >= 0, where, () => `coeff must be a finite number ≥ 0, got ${coeff}`);
  const pairs = isModule(source) ? source.namedParameters() : [...source];
  const filter = options.filter ?? (() => true);
  let total: Tensor | null = null;
  for (const [name, p] of pairs) {
    if (!filter(name, p)) continue;
    const t = sum(term(p));
    total = total === null ? t : add(total, t);
  }
  return total === null ? zeros([]) : mul(total, coeff);
}

/**
 * coeff · Σ|w| over the selected parameters: a differentiable scalar to add to the loss (L1, "lasso").
 * @example const loss = F.crossEntropy(model.call(x), y).add(tl.nn.l1Penalty(model, 1e-5));
 */
export function l1Penalty(source: PenaltySource, coeff: number, options: PenaltyOptions = {}): Tensor {
  return penalty("l1Penalty", source, coeff, options, abs);
}

/**
 * coeff · Σw² over the selected parameters (no ½, like Keras' `l2` regularizer): a differentiable
 * scalar to add to the loss. For plain SGD it matches weight decay 2·coeff.
 * @example const loss = mse.add(tl.nn.l2Penalty(model, 1e-4, { filter: (name) => !name.endsWith("bias") }));
 */
export function l2Penalty(source: PenaltySource, coeff: number, options: PenaltyOptions = {}): Tensor {
  return penalty("l2Penalty", source, coeff, options, square);
}
