/**
 * ResNets for ImageNet-sized inputs, with torchvision's exact structure and parameter names
 * (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`, ...), so torchvision's
 * `state_dict()` files load into them and theirs into torchvision.
 */
import type { Tensor } from "../engine/tensor.js";
import { add } from "../ops/binary.js";
import { flatten } from "../ops/movement.js";
import { Conv2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/linear.js";
import { ReLU } from "../nn/layers/activation.js";
import { Sequential } from "../nn/layers/container.js";
import { BatchNorm2d } from "../nn/layers/normalization.js";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pooling.js";
import { Module } from "../nn/module.js";
import { checkOptions, initTorchvision, wholeOption } from "./common.js";

/** 3×3 convolution with padding 1 and no bias (torchvision's `conv3x3`). */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
}

/** 1×1 convolution without bias (torchvision's `conv1x1`). */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/**
 * Two 3×3 convolutions with a residual connection (ResNet-18/34), like torchvision's `BasicBlock`:
 * children `conv1`, `bn1`, `relu`, `conv2`, `bn2` and, when the shape changes, `downsample`.
 * @example new tl.models.BasicBlock(64, 128, 2, tl.models.projection(64, 128, 2))
 */
export class BasicBlock extends Module {
  /** Output channels per `planes`. */
  static readonly expansion = 1;
  readonly stride: number;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare conv2: Conv2d;
  declare bn2: BatchNorm2d;
  declare downsample: Module | null;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.stride = stride;
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU();
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.registerModule("downsample", downsample);
  }

  forward(x: Tensor): Tensor {
    let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
    out = this.bn2.call(this.conv2.call(out));
    const identity = this.downsample ? (this.downsample.call(x) as Tensor) : x;
    return this.relu.call(add(out, identity));
  }
}

/**
 * 1×1 → 3×3 (strided) → 1×1 convolutions with 4× channel expansion and a residual connection
 * (ResNet-50 and deeper), like torchvision's `Bottleneck` (ResNet v1.5: the stride sits on the 3×3).
 * Children `conv1`, `bn1`, `conv2`, `bn2`, `conv3`, `bn3`, `relu` and optionally `downsample`.
 * @example new tl.models.Bottleneck(256, 64)
 */
export class Bottleneck extends Module {
  /** Output channels per `planes`. */
  static readonly expansion = 4;
  readonly stride: number;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare conv2: Conv2d;
  declare bn2: BatchNorm2d;
  declare conv3: Conv2d;
  declare bn3: BatchNorm2d;
  declare relu: ReLU;
  declare downsample: Module | null;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.stride = stride;
    const width = planes;
    this.conv1 = conv1x1(inPlanes, width);
    this.bn1 = new BatchNorm2d(width);
    this.conv2 = conv3x3(width, width, stride);
    this.bn2 = new BatchNorm2d(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = new BatchNorm2d(planes * Bottleneck.expansion);
    this.relu = new ReLU();
    this.registerModule("downsample", downsample);
  }

  forward(x: Tensor): Tensor {
    let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
    out = this.relu.call(this.bn2.call(this.conv2.call(out)));
    out = this.bn3.call(this.conv3.call(out));
    const identity = this.downsample ? (this.downsample.call(x) as Tensor) : x;
    return this.relu.call(add(out, identity));
  }
}

/** A residual block class: `BasicBlock` or `Bottleneck`. */
export type ResidualBlock = typeof BasicBlock | typeof Bottleneck;

/**
 * The projection shortcut `Sequential(conv1x1(in, out, stride), BatchNorm2d(out))` that a block uses
 * when it changes resolution or width; its children are `downsample.0` and `downsample.1`.
 */
export function projection(inPlanes: number, outPlanes: number, stride: number): Sequential {
  return new Sequential(conv1x1(inPlanes, outPlanes, stride), new BatchNorm2d(outPlanes));
}

/**
 * One stage of `blocks` residual blocks; the first takes stride `stride` and gets a projection
 * shortcut when the shape changes (torchvision's `_make_layer`). Returns the stage and its width.
 */
export function makeStage(block: ResidualBlock, inPlanes: number, planes: number, blocks: number, stride: number): [Sequential, number] {
  const outPlanes = planes * block.expansion;
  const downsample = stride !== 1 || inPlanes !== outPlanes ? projection(inPlanes, outPlanes, stride) : null;
  const layers: Module[] = [new block(inPlanes, planes, stride, downsample)];
  for (let i = 1; i < blocks; i++) layers.push(new block(outPlanes, planes));
  return [new Sequential(...layers), outPlanes];
}

/** Options of the ResNet constructors. */
export interface ResNetOptions {
  /** Number of output classes (default 1000). */
  numClasses?: number;
  /** Channels of the input images (default 3). */
  inChannels?: number;
}

/**
 * A ResNet for ImageNet-sized images [N, C, H, W] (H, W ≥ 32), with torchvision's structure and
 * names: `conv1` (7×7, stride 2), `bn1`, `relu`, `maxpool`, `layer1`..`layer4`, `avgpool`, `fc`.
 * Initialized as torchvision does: convolutions kaimingNormal_(fanOut, relu), batch norms 1 and 0,
 * `fc` PyTorch's Linear default.
 * @example const net = tl.models.resnet18({ numClasses: 10 }); net.call(tl.randn([1, 3, 64, 64])).shape // [1, 10]
 */
export class ResNet extends Module {
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare maxpool: MaxPool2d;
  declare layer1: Sequential;
  declare layer2: Sequential;
  declare layer3: Sequential;
  declare layer4: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;

  /** `layers` holds the number of blocks in each of the four stages, e.g. [2, 2, 2, 2] for ResNet-18. */
  constructor(block: ResidualBlock, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super();
    checkOptions("ResNet", options);
    const numClasses = wholeOption("ResNet", "numClasses", options.numClasses, 1000);
    const inChannels = wholeOption("ResNet", "inChannels", options.inChannels, 3);
    layers.forEach((n, i) => wholeOption("ResNet", `layers[${i}]`, n, 1));
    this.conv1 = new Conv2d(inChannels, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    this.relu = new ReLU();
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    let width = 64;
    [this.layer1, width] = makeStage(block, width, 64, layers[0], 1);
    [this.layer2, width] = makeStage(block, width, 128, layers[1], 2);
    [this.layer3, width] = makeStage(block, width, 256, layers[2], 2);
    [this.layer4, width] = makeStage(block, width, 512, layers[3], 2);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(width, numClasses);
    initTorchvision(this);
  }

  /** Logits [N, numClasses] for images [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    x = this.maxpool.call(this.relu.call(this.bn1.call(this.conv1.call(x))));
    x = this.layer4.call(this.layer3.call(this.layer2.call(this.layer1.call(x))));
    return this.fc.call(flatten(this.avgpool.call(x), 1));
  }
}

/** ResNet-18 (11.7M parameters at 1000 classes), torchvision's structure. @example tl.models.resnet18({ numClasses: 10 }) */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], options);
}

/** ResNet-34 (21.8M parameters), torchvision's structure. @example tl.models.resnet34() */
export function resnet34(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [3, 4, 6, 3], options);
}

/** ResNet-50 (25.6M parameters, bottleneck blocks), torchvision's structure. @example tl.models.resnet50() */
export function resnet50(options: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 6, 3], options);
}
