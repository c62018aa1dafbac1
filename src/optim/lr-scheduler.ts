/** `tl.optim.lrScheduler`: learning-rate schedules with PyTorch's names, options and values. */
export { LRScheduler, type SchedulerStateDict } from "./lr-scheduler/base.js";
export {
  StepLR, MultiStepLR, ExponentialLR, LinearLR, LambdaLR,
  type StepLROptions, type MultiStepLROptions, type ExponentialLROptions, type LinearLROptions, type LambdaLROptions,
} from "./lr-scheduler/basic.js";
export {
  CosineAnnealingLR, CosineAnnealingWarmRestarts,
  type CosineAnnealingLROptions, type CosineAnnealingWarmRestartsOptions,
} from "./lr-scheduler/cosine.js";
export { OneCycleLR, type OneCycleLROptions } from "./lr-scheduler/one-cycle.js";
export { SequentialLR, type SequentialLROptions } from "./lr-scheduler/sequential.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./lr-scheduler/plateau.js";
