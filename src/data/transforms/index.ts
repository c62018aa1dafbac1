/**
 * Image transforms and augmentation, like `torchvision.transforms` (exported as `tl.data.transforms`). They take
 * float tensors `[C, H, W]` or batches `[N, C, H, W]` (random ones draw per image, then transform the batch in a
 * few vectorized calls), are seedable (`{ seed }`, else `tl.manualSeed`), and serialize to plain specs so a
 * pipeline can be rebuilt in a DataLoader worker (`toSpec()` / `transformFromSpec(spec)`).
 */
export * as functional from "./functional/index.js";
export {
  registerTransform, transformFromSpec, RandomTransform,
  type Transform, type TransformLike, type TransformSpec, type TransformFactory, type FromSpecOptions, type JsonValue,
} from "./base.js";
export { ToTensor, Normalize, Resize, CenterCrop, Grayscale, Pad } from "./preprocess.js";
export { Compose, RandomApply, RandomChoice, RandomOrder, Lambda } from "./compose.js";
export { RandomHorizontalFlip, RandomVerticalFlip, type FlipOptions } from "./flip.js";
export { RandomCrop, RandomResizedCrop, sampleResizedCropBox, type RandomCropOptions, type RandomResizedCropOptions } from "./crop.js";
export { RandomRotation, RandomAffine, type RandomRotationOptions, type RandomAffineOptions } from "./warp.js";
export { ColorJitter, RandomGrayscale, type ColorJitterOptions, type JitterParams, type JitterRange } from "./color.js";
export { RandomErasing, type RandomErasingOptions, type ErasingParams } from "./erase.js";
export { GaussianNoise, type GaussianNoiseOptions } from "./noise.js";
