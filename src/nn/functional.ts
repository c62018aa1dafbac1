/** `tl.nn.functional`: activations, losses, convolution, pooling and normalization as functions. */
export { relu, sigmoid, tanh, gelu, silu, elu, leakyRelu, softplus } from "../ops/unary.js";
export { softmax, logSoftmax, dropout } from "./functional/activation.js";
export * from "./functional/loss.js";
export * from "./functional/binary-loss.js";
export * from "./functional/regression-loss.js";
export * from "./functional/normalization.js";
export * from "./functional/sparse.js";
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from "./functional/attention.js";
export type { Reduction } from "./functional/common.js";
export { linear } from "../ops/matmul.js";
export { conv1d, conv2d, convTranspose2d } from "../ops/conv.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d } from "../ops/pool.js";
export { interpolate } from "../ops/resample.js";
