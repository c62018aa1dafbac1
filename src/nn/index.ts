/** `tl.nn`: functional ops now; modules, layers and losses build on them. */
export * as functional from "./functional.js";
export { Module, isModule, type StateDict, type LoadResult, type ForwardHook, type ForwardPreHook, type RemovableHandle } from "./module.js";
export { Parameter, isParameter } from "./parameter.js";
export type { ModelSummary, SummaryRow, SummaryOptions } from "./summary.js";
export * as init from "./init.js";
export * from "./layers/linear.js";
export * from "./layers/flatten.js";
export * from "./layers/dropout.js";
export * from "./layers/activation.js";
export * from "./layers/container.js";
export * from "./layers/loss.js";
export { l1Penalty, l2Penalty, type PenaltyOptions, type PenaltySource } from "./regularization.js";
export * as utils from "./utils/index.js";
