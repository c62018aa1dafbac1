/**
 * Tensile: deep learning for TypeScript. `import * as tl from "tensile"` is the whole public API.
 * This is the only module that imports the backends.
 */
import { registerBackend } from "./backend/registry.js";
import { jsBackend } from "./backends/js/index.js";
import { registerNativeBackend } from "./backends/native/index.js";
import { Tensor } from "./engine/tensor.js";
import { setTensorCheck } from "./engine/scope.js";
import * as autograd from "./engine/autograd-api.js";

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);
registerBackend(jsBackend, 0);
registerNativeBackend();

export { Tensor };
export { autograd };
export type { DType, TypedArray } from "./core/dtype.js";
export { TensileError } from "./core/errors.js";
export { manualSeed, Random } from "./core/rng.js";
export { setBackend, getBackend, listBackends } from "./backend/registry.js";
export { setNumThreads, getNumThreads } from "./backends/native/index.js";
export { noGrad, enableGrad, isGradEnabled } from "./engine/grad-mode.js";
export { tidy, dispose } from "./engine/scope.js";
export { memory, type MemoryInfo } from "./engine/memory.js";
export * from "./ops/index.js";
export * as nn from "./nn/index.js";
export * as data from "./data/index.js";
export * as datasets from "./data/datasets/index.js";
export * as io from "./io/index.js";
export { save, load, saveSync, loadSync } from "./io/index.js";
export * as optim from "./optim/index.js";
export { Trainer, callbacks, metrics, type TrainerOptions, type FitOptions } from "./train/index.js";
export * as models from "./models/index.js";
