/**
 * Loss modules: PyTorch's loss classes over `tl.nn.functional`. Class weights are registered as
 * buffers, as in PyTorch, so they follow the module into `stateDict()`.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import * as F from "../functional.js";
import { Module } from "../module.js";

/** How a loss combines per-element values: "mean" (default), "sum", or "none". */
export type Reduction = "mean" | "sum" | "none";

function checkReduction<R extends string>(where: string, value: R | undefined, fallback: R, allowed: readonly R[]): R {
  const r = value ?? fallback;
  check(allowed.includes(r), where, () => `reduction must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`);
  return r;
}

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

/** Base of the loss modules: holds `reduction` and takes `(input, target)`. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(where: string, reduction: Reduction | undefined) {
    super();
    this.reduction = checkReduction(where, reduction, "mean", REDUCTIONS);
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;

  override extraRepr(): string {
    return `reduction="${this.reduction}"`;
  }
}

/**
 * Cross entropy between logits [N, C, ...] and class indices [N, ...] (or class probabilities of the
 * input's shape), like `torch.nn.CrossEntropyLoss`.
 * @example const loss = new tl.nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels);
 */
export class CrossEntropyLoss extends Loss {
  declare readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: F.CrossEntropyOptions = {}) {
    super("CrossEntropyLoss", options.reduction);
    this.registerBuffer("weight", options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    check(this.labelSmoothing >= 0 && this.labelSmoothing <= 1, "CrossEntropyLoss", () => `labelSmoothing must lie in [0, 1], got ${this.labelSmoothing}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/**
 * Negative log likelihood of log-probabilities [N, C, ...] at class indices [N, ...], like `torch.nn.NLLLoss`.
 * @example new tl.nn.NLLLoss().call(logProbs, labels)
 */
export class NLLLoss extends Loss {
  declare readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(options: F.NllLossOptions = {}) {
    super("NLLLoss", options.reduction);
    this.registerBuffer("weight", options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Mean squared error, like `torch.nn.MSELoss`. @example new tl.nn.MSELoss().call(pred, y) */
export class MSELoss extends Loss {
  constructor(options: F.RegressionLossOptions = {}) {
    super("MSELoss", options.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error, like `torch.nn.L1Loss`. @example new tl.nn.L1Loss({ reduction: "sum" }) */
export class L1Loss extends Loss {
  constructor(options: F.RegressionLossOptions = {}) {
    super("L1Loss", options.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1 loss (quadratic below `beta`, default 1), like `torch.nn.SmoothL1Loss`. @example new tl.nn.SmoothL1Loss({ beta: 0.5 }) */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(options: F.SmoothL1LossOptions = {}) {
    super("SmoothL1Loss", options.reduction);
    this.beta = options.beta ?? 1;
    check(typeof this.beta === "number" && this.beta >= 0, "SmoothL1Loss", () => `beta must be a number ≥ 0, got ${this.beta}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber loss (quadratic below `delta`, default 1), like `torch.nn.HuberLoss`. @example new tl.nn.HuberLoss({ delta: 2 }) */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(options: F.HuberLossOptions = {}) {
    super("HuberLoss", options.reduction);
    this.delta = options.delta ?? 1;
    check(typeof this.delta === "number" && this.delta > 0, "HuberLoss", () => `delta must be a number > 0, got ${this.delta}`);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Binary cross entropy of probabilities in [0, 1], like `torch.nn.BCELoss`. @example new tl.nn.BCELoss().call(probs, y) */
export class BCELoss extends Loss {
  declare readonly weight: Tensor | null;

  constructor(options: F.BinaryCrossEntropyOptions = {}) {
    super("BCELoss", options.reduction);
    this.registerBuffer("weight", options.weight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid + binary cross entropy in one numerically stable step, like `torch.nn.BCEWithLogitsLoss`.
 * @example new tl.nn.BCEWithLogitsLoss({ posWeight: tl.tensor([3]) }).call(logits, y)
 */
export class BCEWithLogitsLoss extends Loss {
  declare readonly weight: Tensor | null;
  declare readonly posWeight: Tensor | null;

  constructor(options: F.BinaryCrossEntropyWithLogitsOptions = {}) {
    super("BCEWithLogitsLoss", options.reduction);
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("posWeight", options.posWeight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/**
 * Kullback–Leibler divergence with log-probability inputs, like `torch.nn.KLDivLoss`; use
 * `reduction: "batchmean"` for the true KL per sample.
 * @example new tl.nn.KLDivLoss({ reduction: "batchmean" }).call(logProbs, probs)
 */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;

  constructor(options: F.KlDivOptions = {}) {
    super();
    this.reduction = checkReduction("KLDivLoss", options.reduction, "mean", [...REDUCTIONS, "batchmean"]);
    this.logTarget = options.logTarget ?? false;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }

  override extraRepr(): string {
    return `reduction="${this.reduction}", logTarget=${this.logTarget}`;
  }
}
