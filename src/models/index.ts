/**
 * `tl.models`: the model zoo. Every constructor takes one options object; the ImageNet models
 * (`resnet*`, `vgg*`) have torchvision's structure and parameter names, so state dicts move between
 * Tensile and PyTorch in safetensors files.
 * @example const net = tl.models.resnet18({ numClasses: 10 });
 */
export { mlp, MLP, type MlpOptions, type ActivationName } from "./mlp.js";
export { lenet5, LeNet5, type LeNet5Options } from "./lenet.js";
export {
  vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn, vggFeatures, VGG, VGG_CONFIGS, VGG_VARIANTS,
  type VggOptions, type VggConfig,
} from "./vgg.js";
export {
  resnet18, resnet34, resnet50, ResNet, BasicBlock, Bottleneck, makeStage, projection,
  conv1x1, conv3x3, type ResNetOptions, type ResidualBlock,
} from "./resnet.js";
export { resnet20, resnet32, resnet56, CifarResNet, type CifarResNetOptions } from "./resnet-cifar.js";
export { lstmClassifier, LstmClassifier, type LstmClassifierOptions, type LstmClassifierForwardOptions } from "./text.js";
export { dcgan, DcganGenerator, DcganDiscriminator, type DcganOptions } from "./dcgan.js";
