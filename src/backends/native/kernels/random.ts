import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/** Random kernels take (key, offset) of the seeded stream, then their two parameters. */
function random(p0: string, p1: string): NativeKernelSpec {
  return {
    strided: false,
    attrs: (a) => {
      pushAttr(a.key as number);
      pushAttr(a.offset as number);
      pushAttr(a[p0] as number);
      pushAttr(a[p1] as number);
    },
  };
}

/** native/src/kernels/random.cc: the counter-based streams of src/core/rng.ts, bit for bit. */
export const randomKernels: NativeKernelTable = {
  uniform: random("low", "high"),
  normal: random("mean", "std"),
  randint: random("low", "high"),
  randperm: {
    strided: false,
    attrs: (a) => {
      pushAttr(a.key as number);
      pushAttr(a.offset as number);
    },
  },
};
