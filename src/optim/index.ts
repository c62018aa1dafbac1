/** `tl.optim`: optimizers, learning-rate schedulers and gradient clipping. */
export {
  Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState,
  type StateValue, type OptimizerStateDict, type ZeroGradOptions,
} from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from "../nn/utils/clip.js";
export * as lrScheduler from "./lr-scheduler.js";
