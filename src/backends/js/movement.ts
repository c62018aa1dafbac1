import type { Kernel, KernelInfo } from "../../backend/backend.js";
import { dataOf } from "./storage.js";
import { elementOffsets, stridedOffsets } from "./strided.js";

/** Gradient of a slice: the slice's values written into zeros of the input's shape. */
const sliceBackward: Kernel = ([gy], [out], attrs) => {
  const { shape, dim, start, step } = attrs as { shape: number[]; dim: number; start: number; step: number };
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const targetStrides = [...strides];
  targetStrides[dim] = strides[dim] * step;
  const targets = stridedOffsets(gy.shape, targetStrides, start * strides[dim]);
  const src = dataOf(gy);
  const dst = dataOf(out);
  const offs = elementOffsets(gy);
  for (let i = 0; i < targets.length; i++) dst[targets[i]] = src[offs === null ? gy.offset + i : offs[i]];
};

/** The reference kernels of the movement ops, by op name. */
export const movementKernels: Record<string, KernelInfo> = {
  sliceBackward: { run: sliceBackward, strided: true },
  contiguous: { run: (inputs, outputs, attrs) => copyAny(inputs, outputs, attrs), strided: true },
};

const copyAny: Kernel = ([x], [out]) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  const offs = elementOffsets(x);
  for (let i = 0; i < dst.length; i++) dst[i] = src[offs === null ? x.offset + i : offs[i]];
};
