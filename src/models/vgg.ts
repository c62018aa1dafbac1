/**
 * VGG networks (Simonyan & Zisserman 2014) with torchvision's exact structure and parameter names:
 * `features.N` (a Sequential of Conv2d/[BatchNorm2d]/ReLU/MaxPool2d), `avgpool`
 * (AdaptiveAvgPool2d(7, 7)) and `classifier.0/3/6` (Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear).
 */
import type { Tensor } from "../engine/tensor.js";
import { flatten } from "../ops/movement.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Dropout } from "../nn/layers/dropout.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { BatchNorm2d } from "../nn/layers/normalization.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pooling.js";
import { Module } from "../nn/module.js";
import { checkOptions, initTorchvision, probabilityOption, wholeOption } from "./common.js";

/** A VGG configuration: output channels of each 3×3 convolution, "M" for a 2×2 max pool. */
export type VggConfig = readonly (number | "M")[];

/** torchvision's configurations A (VGG-11), B (VGG-13), D (VGG-16) and E (VGG-19). */
export const VGG_CONFIGS: Readonly<Record<"A" | "B" | "D" | "E", VggConfig>> = {
  A: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  B: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  D: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  E: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
};

/** Options of the VGG constructors. */
export interface VggOptions {
  /** Number of output classes (default 1000). */
  numClasses?: number;
  /** Channels of the input images (default 3). */
  inChannels?: number;
  /** Dropout probability in the classifier (default 0.5). */
  dropout?: number;
  /**
   * Apply torchvision's initialization (default true): convolutions kaimingNormal_(fanOut, relu),
   * batch norms 1 and 0, linear layers N(0, 0.01²), biases 0. With false the layers keep PyTorch's
   * per-layer defaults (faster to build when weights will be loaded anyway).
   */
  initWeights?: boolean;
}

/**
 * The convolutional trunk for a configuration, like torchvision's `make_layers`: each number adds
 * Conv2d(3×3, padding 1) [+ BatchNorm2d] + ReLU, each "M" adds MaxPool2d(2, 2).
 */
export function vggFeatures(config: VggConfig, batchNorm: boolean, inChannels = 3): Sequential {
  const layers: Module[] = [];
  let channels = inChannels;
  for (const v of config) {
    if (v === "M") {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      layers.push(new Conv2d(channels, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new BatchNorm2d(v));
      layers.push(new ReLU());
      channels = v;
    }
  }
  return new Sequential(...layers);
}

/**
 * A VGG network for images [N, C, H, W] with H, W ≥ 32 (five 2×2 pools; the adaptive pool then
 * brings any size to 7×7). 512·7·7 → 4096 → 4096 → numClasses classifier as in torchvision.
 * @example const net = tl.models.vgg11({ numClasses: 10 }); net.eval().call(tl.randn([1, 3, 32, 32])).shape // [1, 10]
 */
export class VGG extends Module {
  declare features: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare classifier: Sequential;

  constructor(features: Sequential, options: VggOptions = {}) {
    super();
    checkOptions("VGG", options);
    const numClasses = wholeOption("VGG", "numClasses", options.numClasses, 1000);
    const p = probabilityOption("VGG", "dropout", options.dropout, 0.5);
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d([7, 7]);
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(p),
      new Linear(4096, 4096), new ReLU(), new Dropout(p),
      new Linear(4096, numClasses),
    );
    if (options.initWeights ?? true) initTorchvision(this, 0.01);
  }

  /** Logits [N, numClasses] for images [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }
}

/** Each named VGG: its configuration and whether it has batch norm, as torchvision defines them. */
export const VGG_VARIANTS = {
  vgg11: ["A", false], vgg11Bn: ["A", true],
  vgg13: ["B", false], vgg13Bn: ["B", true],
  vgg16: ["D", false], vgg16Bn: ["D", true],
  vgg19: ["E", false], vgg19Bn: ["E", true],
} as const satisfies Record<string, readonly [keyof typeof VGG_CONFIGS, boolean]>;

function build(variant: keyof typeof VGG_VARIANTS, options: VggOptions): VGG {
  checkOptions(variant, options);
  const [config, batchNorm] = VGG_VARIANTS[variant];
  const inChannels = wholeOption(variant, "inChannels", options.inChannels, 3);
  return new VGG(vggFeatures(VGG_CONFIGS[config], batchNorm, inChannels), options);
}

/** VGG-11 (configuration A, 132.9M parameters at 1000 classes). @example tl.models.vgg11({ numClasses: 10 }) */
export function vgg11(options: VggOptions = {}): VGG {
  return build("vgg11", options);
}

/** VGG-11 with batch normalization. @example tl.models.vgg11Bn() */
export function vgg11Bn(options: VggOptions = {}): VGG {
  return build("vgg11Bn", options);
}

/** VGG-13 (configuration B). @example tl.models.vgg13() */
export function vgg13(options: VggOptions = {}): VGG {
  return build("vgg13", options);
}

/** VGG-13 with batch normalization. @example tl.models.vgg13Bn() */
export function vgg13Bn(options: VggOptions = {}): VGG {
  return build("vgg13Bn", options);
}

/** VGG-16 (configuration D, 138.4M parameters). @example tl.models.vgg16() */
export function vgg16(options: VggOptions = {}): VGG {
  return build("vgg16", options);
}

/** VGG-16 with batch normalization. @example tl.models.vgg16Bn() */
export function vgg16Bn(options: VggOptions = {}): VGG {
  return build("vgg16Bn", options);
}

/** VGG-19 (configuration E, 143.7M parameters). @example tl.models.vgg19() */
export function vgg19(options: VggOptions = {}): VGG {
  return build("vgg19", options);
}

/** VGG-19 with batch normalization. @example tl.models.vgg19Bn() */
export function vgg19Bn(options: VggOptions = {}): VGG {
  return build("vgg19Bn", options);
}
