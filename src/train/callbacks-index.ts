/** `tl.callbacks`: hooks into `Trainer.fit`. */
export {
  Callback, History, EarlyStopping, ModelCheckpoint, LRSchedulerCallback,
  type Logs, type TrainerControl, type EarlyStoppingOptions, type ModelCheckpointOptions, type MonitorOptions,
  type SchedulerLike, type LRSchedulerCallbackOptions,
} from "./callbacks.js";
export { ProgressBar, type ProgressBarOptions } from "./progress.js";
export { CSVLogger, JSONLLogger, type LoggerOptions } from "./loggers.js";
