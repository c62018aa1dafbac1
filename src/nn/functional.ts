/** `tl.nn.functional`: activations, losses, convolution, pooling and normalization as functions. */
export { relu, sigmoid, tanh, gelu, silu, elu, leakyRelu, softplus } from "../ops/unary.js";
