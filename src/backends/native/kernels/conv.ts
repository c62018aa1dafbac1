import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/**
 * The attributes every conv kernel reads, in the order native/src/kernels/conv.cc documents:
 * stride (h, w), padding (top, bottom, left, right), dilation (h, w), groups, fused ReLU. The extra attribute
 * of the gradient ops (inputSize / kernelSize) is the output's shape, which the kernel reads there.
 */
const convSpec: NativeKernelSpec = {
  strided: false,
  // Every output element is stored (zeros where no tap reaches), so outputs need no zeroing.
  overwrites: true,
  attrs: (a) => {
    const stride = a.stride as readonly number[];
    const padding = a.padding as readonly number[];
    const dilation = a.dilation as readonly number[];
    pushAttr(stride[0]);
    pushAttr(stride[1]);
    for (let i = 0; i < 4; i++) pushAttr(padding[i]);
    pushAttr(dilation[0]);
    pushAttr(dilation[1]);
    pushAttr(a.groups as number);
    pushAttr(a.relu === true ? 1 : 0);  // conv2d fused with a ReLU (conv2dRelu); the gradients ignore it
  },
};

/**
 * conv2d and conv2dInputGrad write every element of their outputs on every path (direct tiles,
 * zero phases, GEMM with beta 0 or a preloaded bias, and the js fallbacks), so the dispatcher skips
 * zeroing them: a 4 MB memset per call was a tenth of a 16 × 32 × 32 convolution's time.
 */
const overwriting: NativeKernelSpec = { ...convSpec, overwrites: true };

/** native/src/kernels/conv.cc: 2-D convolution and its two gradients as GEMMs over packed patches (float32/float64). */
export const convKernels: NativeKernelTable = {
  conv2d: overwriting,
  conv2dInputGrad: overwriting,
  conv2dWeightGrad: convSpec,
};
