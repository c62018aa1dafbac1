/** Option checks and weight initializations shared by the model zoo's families. */
import { check } from "../core/errors.js";
import { constant_, kaimingNormal_, normal_ } from "../nn/init.js";
import { Conv2d, ConvTranspose2d } from "../nn/layers/conv.js";
import { Linear } from "../nn/layers/linear.js";
import { BatchNorm2d } from "../nn/layers/normalization.js";
import type { Module } from "../nn/module.js";
import { noGrad } from "../engine/grad-mode.js";

/** `value` when it is a whole number ≥ `min`, else `fallback` when undefined; throws otherwise. */
export function wholeOption(where: string, name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  check(Number.isInteger(v) && v >= min, where, () => `${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  return v;
}

/** `value` when it is a number in [0, 1), else `fallback` when undefined; throws otherwise. */
export function probabilityOption(where: string, name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  check(typeof v === "number" && v >= 0 && v < 1, where, () => `${name} must be a number in [0, 1), got ${JSON.stringify(value)}`);
  return v;
}

/** Throws unless `options` is undefined or a plain options object. */
export function checkOptions(where: string, options: unknown): void {
  check(options === undefined || (typeof options === "object" && options !== null && !Array.isArray(options)), where,
    () => `expected one options object, e.g. ${where}({ numClasses: 10 }), got ${Array.isArray(options) ? "an array" : String(options)}`);
}

/**
 * torchvision's ResNet/VGG initialization: convolutions kaimingNormal_(fanOut, relu) with zero bias,
 * batch norms weight 1 and bias 0, and (only when `linearStd` is given, as VGG does) linear layers
 * N(0, linearStd²) with zero bias; otherwise linear layers keep PyTorch's default initialization.
 */
export function initTorchvision(model: Module, linearStd?: number): void {
  noGrad(() => {
    for (const m of model.modules()) {
      if (m instanceof Conv2d) {
        kaimingNormal_(m.weight, { mode: "fanOut", nonlinearity: "relu" });
        if (m.bias) constant_(m.bias, 0);
      } else if (m instanceof BatchNorm2d) {
        if (m.weight) constant_(m.weight, 1);
        if (m.bias) constant_(m.bias, 0);
      } else if (m instanceof Linear && linearStd !== undefined) {
        normal_(m.weight, 0, linearStd);
        if (m.bias) constant_(m.bias, 0);
      }
    }
  });
}

/**
 * The DCGAN tutorial's `weights_init`: convolutions (plain and transposed) N(0, 0.02²), batch norms
 * weight N(1, 0.02²) and bias 0.
 */
export function initDcgan(model: Module): void {
  noGrad(() => {
    for (const m of model.modules()) {
      if (m instanceof Conv2d || m instanceof ConvTranspose2d) {
        normal_(m.weight, 0, 0.02);
      } else if (m instanceof BatchNorm2d) {
        if (m.weight) normal_(m.weight, 1, 0.02);
        if (m.bias) constant_(m.bias, 0);
      }
    }
  });
}
