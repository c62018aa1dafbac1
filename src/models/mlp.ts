/** Multilayer perceptrons: Linear → activation → [Dropout] stacks. */
import { check } from "../core/errors.js";
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Dropout } from "../nn/layers/dropout.js";
import { Linear } from "../nn/layers/linear.js";
import type { Module } from "../nn/module.js";
import { checkOptions, probabilityOption, wholeOption } from "./common.js";

/** Activations `mlp` knows by name. */
export type ActivationName = "relu" | "tanh" | "sigmoid" | "gelu" | "silu" | "elu" | "leakyRelu";

const ACTIVATIONS: Record<ActivationName, () => Module> = {
  relu: () => new ReLU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  gelu: () => new GELU(),
  silu: () => new SiLU(),
  elu: () => new ELU(),
  leakyRelu: () => new LeakyReLU(),
};

/** Options of `mlp`. */
export interface MlpOptions {
  /** Input features (the last dim of the input). */
  inFeatures: number;
  /** Widths of the hidden layers, e.g. [256, 128]; [] gives a single Linear. */
  hidden?: readonly number[];
  /** Output features. */
  outFeatures: number;
  /** Activation after each hidden Linear: a name (default "relu") or a factory of modules. */
  activation?: ActivationName | (() => Module);
  /** Dropout probability after each hidden activation (default 0: no Dropout layers). */
  dropout?: number;
}

/**
 * A multilayer perceptron as a `Sequential`: for each hidden width, Linear + activation (+ Dropout
 * when `dropout` > 0), then a final Linear to `outFeatures`. Parameter names follow the positions,
 * as in PyTorch (`0.weight`, `2.weight`, ... or `3.weight` with dropout).
 * @example
 * const net = tl.models.mlp({ inFeatures: 784, hidden: [256, 128], outFeatures: 10, dropout: 0.2 });
 * net.call(tl.randn([32, 784])).shape // [32, 10]
 */
export class MLP extends Sequential {
  constructor(options: MlpOptions) {
    check(typeof options === "object" && options !== null, "mlp", "expected an options object such as { inFeatures: 784, hidden: [128], outFeatures: 10 }");
    checkOptions("mlp", options);
    const inFeatures = wholeOption("mlp", "inFeatures", options.inFeatures, NaN);
    const outFeatures = wholeOption("mlp", "outFeatures", options.outFeatures, NaN);
    const hidden = options.hidden ?? [];
    check(Array.isArray(hidden), "mlp", () => `hidden must be an array of layer widths, got ${JSON.stringify(hidden)}`);
    hidden.forEach((h, i) => wholeOption("mlp", `hidden[${i}]`, h, NaN));
    const p = probabilityOption("mlp", "dropout", options.dropout, 0);
    const activation = options.activation ?? "relu";
    const make = typeof activation === "function" ? activation : ACTIVATIONS[activation];
    check(typeof make === "function", "mlp",
      () => `activation must be one of ${Object.keys(ACTIVATIONS).map((k) => `"${k}"`).join(", ")} or a function returning a Module, got ${JSON.stringify(activation)}`);
    const layers: Module[] = [];
    let width = inFeatures;
    for (const h of hidden) {
      layers.push(new Linear(width, h), make());
      if (p > 0) layers.push(new Dropout(p));
      width = h;
    }
    layers.push(new Linear(width, outFeatures));
    super(...layers);
  }
}

/** A multilayer perceptron; see `MLP`. @example tl.models.mlp({ inFeatures: 4, hidden: [16], outFeatures: 3, activation: "tanh" }) */
export function mlp(options: MlpOptions): MLP {
  return new MLP(options);
}
