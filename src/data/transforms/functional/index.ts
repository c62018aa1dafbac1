/**
 * The functional image transforms, like `torchvision.transforms.functional`: deterministic functions of an
 * image `[C, H, W]` or a batch `[N, C, H, W]`, which the transform classes call with sampled parameters.
 */
export { toTensor, normalize, hflip, vflip, crop, centerCrop, pad, erase, type ImageBytes, type PaddingMode, type PadOptions } from "./basic.js";
export { resize, resizedCrop, resizedCropBatch, resizedSize, type CropBox, type Interpolation, type ResizeOptions } from "./resize.js";
export { rotate, affine, warpAffine, inverseAffineMatrix, type AffineParams, type WarpOptions } from "./geometry.js";
export { rgbToGrayscale, adjustBrightness, adjustContrast, adjustSaturation, adjustHue, rgbToHsv, hsvToRgb } from "./color.js";
