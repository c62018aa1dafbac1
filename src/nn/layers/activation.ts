/** Activation layers: thin modules over the functional activations, with PyTorch's names and defaults. */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from "../../ops/unary.js";
import { logSoftmax, softmax } from "../functional.js";
import { Module } from "../module.js";

/** max(0, x). @example new tl.nn.ReLU().call(tl.tensor([-1, 2])) // [0, 2] */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** x for x ≥ 0, negativeSlope·x otherwise (default slope 0.01). @example new tl.nn.LeakyReLU(0.2) */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    check(typeof negativeSlope === "number" && Number.isFinite(negativeSlope), "LeakyReLU", () => `negativeSlope must be a finite number, got ${negativeSlope}`);
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise (default alpha 1). @example new tl.nn.ELU() */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    check(typeof alpha === "number" && Number.isFinite(alpha), "ELU", () => `alpha must be a finite number, got ${alpha}`);
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** x·Φ(x), exact (default) or with the tanh approximation. @example new tl.nn.GELU({ approximate: "tanh" }) */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = options.approximate ?? "none";
    check(this.approximate === "none" || this.approximate === "tanh", "GELU", () => `approximate must be "none" or "tanh", got ${JSON.stringify(options.approximate)}`);
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate="${this.approximate}"`;
  }
}

/** x·sigmoid(x), also called swish. @example new tl.nn.SiLU() */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** 1 / (1 + e⁻ˣ). @example new tl.nn.Sigmoid() */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Hyperbolic tangent. @example new tl.nn.Tanh() */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/**
 * log(1 + e^(beta·x)) / beta, linear above `threshold` for stability (defaults beta 1, threshold 20).
 * @example new tl.nn.Softplus({ beta: 2 })
 */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(options: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }

  forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/**
 * Softmax along `dim` (default -1, the last dim; PyTorch's implicit choice is deprecated, so pass
 * `dim` for NCHW inputs). @example new tl.nn.Softmax(1)
 */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
    check(Number.isInteger(dim), "Softmax", () => `dim must be a whole number, got ${dim}`);
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) along `dim` (default -1), computed stably. @example new tl.nn.LogSoftmax(1) */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
    check(Number.isInteger(dim), "LogSoftmax", () => `dim must be a whole number, got ${dim}`);
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
