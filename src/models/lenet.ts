/** LeNet-5 (LeCun et al. 1998), the classic small convolutional network for digits. */
import { check, fmtShape } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";
import { flatten } from "../ops/movement.js";
import { ReLU, Tanh } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/linear.js";
import { AvgPool2d, MaxPool2d } from "../nn/layers/pooling.js";
import { Module } from "../nn/module.js";
import { checkOptions, wholeOption } from "./common.js";

/** Options of `lenet5`. */
export interface LeNet5Options {
  /** Number of output classes (default 10). */
  numClasses?: number;
  /** Channels of the input images (default 1). */
  inChannels?: number;
  /**
   * Pad the first convolution by 2 so 28×28 images (MNIST) work; without it (the default, as in the
   * paper) the input is 32×32.
   */
  padding?: boolean;
  /** "tanh" (default, as in the paper) or "relu". */
  activation?: "tanh" | "relu";
  /** Subsampling: "avg" (default, as in the paper) or "max". */
  pool?: "avg" | "max";
}

/**
 * LeNet-5: `features` = C1 Conv2d(inChannels, 6, 5) → act → S2 pool 2 → C3 Conv2d(6, 16, 5) → act →
 * S4 pool 2, then `classifier` = C5 Linear(16·5·5, 120) → act → F6 Linear(120, 84) → act →
 * Linear(84, numClasses). Input [N, C, 32, 32], or [N, C, 28, 28] with `padding: true`. (C3 is fully
 * connected to S2, not the paper's partial table, and the output is a linear layer rather than RBF
 * units, as in every modern rendition.)
 * @example const net = tl.models.lenet5({ padding: true }); net.call(tl.randn([4, 1, 28, 28])).shape // [4, 10]
 */
export class LeNet5 extends Module {
  declare features: Sequential;
  declare classifier: Sequential;

  constructor(options: LeNet5Options = {}) {
    super();
    checkOptions("lenet5", options);
    const numClasses = wholeOption("lenet5", "numClasses", options.numClasses, 10);
    const inChannels = wholeOption("lenet5", "inChannels", options.inChannels, 1);
    const activation = options.activation ?? "tanh";
    check(activation === "tanh" || activation === "relu", "lenet5", () => `activation must be "tanh" or "relu", got ${JSON.stringify(activation)}`);
    const pool = options.pool ?? "avg";
    check(pool === "avg" || pool === "max", "lenet5", () => `pool must be "avg" or "max", got ${JSON.stringify(pool)}`);
    const act = (): Module => (activation === "tanh" ? new Tanh() : new ReLU());
    const subsample = (): Module => (pool === "avg" ? new AvgPool2d(2) : new MaxPool2d(2));
    this.features = new Sequential(
      new Conv2d(inChannels, 6, 5, { padding: options.padding ? 2 : 0 }), act(), subsample(),
      new Conv2d(6, 16, 5), act(), subsample(),
    );
    this.classifier = new Sequential(
      new Linear(16 * 5 * 5, 120), act(),
      new Linear(120, 84), act(),
      new Linear(84, numClasses),
    );
  }

  /** Logits [N, numClasses] for images [N, C, 32, 32] (or 28×28 with `padding`). */
  forward(x: Tensor): Tensor {
    const f = this.features.call(x); // [N, 16, 5, 5] for a 32×32 input
    check(f.ndim === 4 && f.shape[2] === 5 && f.shape[3] === 5, "LeNet5",
      () => `input of shape ${fmtShape(x.shape)} gives features ${fmtShape(f.shape)}; LeNet-5 takes [N, C, 32, 32] images, or [N, C, 28, 28] with { padding: true }`);
    return this.classifier.call(flatten(f, 1));
  }
}

/** LeNet-5; see `LeNet5`. @example tl.models.lenet5({ padding: true, activation: "relu", pool: "max" }) */
export function lenet5(options: LeNet5Options = {}): LeNet5 {
  return new LeNet5(options);
}
