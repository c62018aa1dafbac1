/** Keras-style training: the Trainer, its callbacks and metrics. */
export {
  Trainer, type TrainerOptions, type FitOptions, type GradClip, type LossSpec, type BatchSource, type TrainerScheduler,
} from "./trainer.js";
export * as callbacks from "./callbacks-index.js";
export * as metrics from "./metrics.js";
