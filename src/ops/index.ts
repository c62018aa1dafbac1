/** Every public op. Importing this module also attaches the Tensor methods. */
import "./methods/elementwise.js";
import "./methods/shape.js";
import "./methods/linalg.js";
import "./methods/indexing.js";
import "./inplace.js";

export * from "./creation.js";
export * from "./unary.js";
export * from "./binary.js";
export * from "./reduce.js";
export * from "./movement.js";
export * from "./matmul.js";
export * from "./relu-backward.js";
export * from "./conv.js";
export * from "./indexing.js";
export * from "./join.js";
export * from "./pool.js";
export { lstmLayer, lstmSequence, lstmSequenceBackward, type LstmSequenceOptions } from "./recurrent.js";
export * from "./resample.js";
export * from "./sample.js";
export * from "./softmax.js";
export * from "./cross-entropy.js";
export * from "./normalization.js";
export * from "./inplace.js";
export { cast } from "./cast.js";
export { isTensor, resultType, type TensorLike } from "./scalar.js";
