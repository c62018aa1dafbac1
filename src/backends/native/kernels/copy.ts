import { pushAttr } from "../frame.js";
import type { NativeKernelTable } from "./define.js";

/** native/src/kernels/copy.cc: copies, casts, in-place assignment and fills, every dtype. */
export const copyKernels: NativeKernelTable = {
  copy: { strided: true, overwrites: true },
  cast: { strided: true, overwrites: true },
  contiguous: { strided: true },
  assign: { strided: true },
  full: { strided: false, overwrites: true, attrs: (a) => pushAttr(a.value as number) },
  arange: {
    strided: false,
    attrs: (a) => {
      pushAttr(a.start as number);
      pushAttr(a.step as number);
    },
  },
  eye: { strided: false, attrs: (a) => pushAttr(a.cols as number) },
};
