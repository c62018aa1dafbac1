/**
 * ResNets for 32×32 images (CIFAR-10/100), after He et al. 2015 §4.2: a 3×3 stem with 16 channels,
 * three stages of n basic blocks with 16, 32 and 64 channels (the last two halve the resolution),
 * global average pooling and a linear classifier; depth 6n + 2 (ResNet-20/32/44/56/110).
 *
 * The paper's CIFAR networks use shortcut option A (parameter-free: subsample and zero-pad the
 * channels). These use option B instead — a 1×1 convolution + batch norm projection wherever a block
 * changes resolution or width (`layer2.0.downsample.0/1`, `layer3.0.downsample.0/1`), as in
 * torchvision's ImageNet ResNets. That adds 2,752 parameters whatever the depth (ResNet-20 at 10
 * classes: 272,474 instead of option A's 269,722) and lets the blocks be torchvision's `BasicBlock`.
 */
import type { Tensor } from "../engine/tensor.js";
import { flatten } from "../ops/movement.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import type { Sequential } from "../nn/layers/container.js";
import { BatchNorm2d } from "../nn/layers/normalization.js";
import { AdaptiveAvgPool2d } from "../nn/layers/pooling.js";
import { Module } from "../nn/module.js";
import { checkOptions, initTorchvision, wholeOption } from "./common.js";
import { BasicBlock, makeStage } from "./resnet.js";

/** Options of the CIFAR ResNet constructors. */
export interface CifarResNetOptions {
  /** Number of output classes (default 10). */
  numClasses?: number;
  /** Channels of the input images (default 3). */
  inChannels?: number;
}

/**
 * A CIFAR-style ResNet of depth 6n + 2 for 32×32 images (other sizes work: the head pools globally).
 * Children: `conv1` (3×3, 16 channels), `bn1`, `relu`, `layer1`..`layer3` of `BasicBlock`s, `avgpool`,
 * `fc`. Shortcuts are option B (1×1 conv + BN projections; see the file comment). Initialized like
 * torchvision's ResNets: convolutions kaimingNormal_(fanOut, relu), batch norms 1 and 0.
 * @example const net = tl.models.resnet20(); net.call(tl.randn([8, 3, 32, 32])).shape // [8, 10]
 */
export class CifarResNet extends Module {
  /** Blocks per stage. */
  readonly blocksPerStage: number;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare layer1: Sequential;
  declare layer2: Sequential;
  declare layer3: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;

  /** `depth` must be 6n + 2 (20, 32, 44, 56, 110, ...). */
  constructor(depth: number, options: CifarResNetOptions = {}) {
    super();
    checkOptions("CifarResNet", options);
    const n = (depth - 2) / 6;
    wholeOption("CifarResNet", "(depth - 2) / 6", n, 1);
    const numClasses = wholeOption("CifarResNet", "numClasses", options.numClasses, 10);
    const inChannels = wholeOption("CifarResNet", "inChannels", options.inChannels, 3);
    this.blocksPerStage = n;
    this.conv1 = new Conv2d(inChannels, 16, 3, { padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(16);
    this.relu = new ReLU();
    let width = 16;
    [this.layer1, width] = makeStage(BasicBlock, width, 16, n, 1);
    [this.layer2, width] = makeStage(BasicBlock, width, 32, n, 2);
    [this.layer3, width] = makeStage(BasicBlock, width, 64, n, 2);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(width, numClasses);
    initTorchvision(this);
  }

  /** Logits [N, numClasses] for images [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    x = this.relu.call(this.bn1.call(this.conv1.call(x)));
    x = this.layer3.call(this.layer2.call(this.layer1.call(x)));
    return this.fc.call(flatten(this.avgpool.call(x), 1));
  }
}

/** ResNet-20 for 32×32 images (3 blocks per stage). @example tl.models.resnet20({ numClasses: 100 }) */
export function resnet20(options: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(20, options);
}

/** ResNet-32 for 32×32 images (5 blocks per stage). @example tl.models.resnet32() */
export function resnet32(options: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(32, options);
}

/** ResNet-56 for 32×32 images (9 blocks per stage). @example tl.models.resnet56() */
export function resnet56(options: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(56, options);
}
