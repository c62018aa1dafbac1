import { tensileError } from "../../../core/errors.js";
import type { Kernel, TensorView } from "../../../backend/backend.js";
import { begin, call, callLimits, pushAttr, settle } from "../frame.js";
import type { NativeKernelTable } from "./define.js";

/** Pad modes as pad.cc numbers them. */
const PAD_MODES: Record<string, number> = { constant: 0, reflect: 1, replicate: 2, circular: 3 };

/** pad/padBackward attributes: mode, value, then (before, after) for every dim. */
function packPad(a: Record<string, unknown>): void {
  pushAttr(PAD_MODES[a.mode as string] ?? -1);
  pushAttr(a.value as number);
  for (const [before, after] of a.pads as readonly (readonly [number, number])[]) {
    pushAttr(before);
    pushAttr(after);
  }
}

/** A list attribute: its length, then its numbers. */
function packList(list: readonly number[]): void {
  pushAttr(list.length);
  for (const v of list) pushAttr(v);
}


/**
 * cat in calls of as many inputs as one native call takes (callLimits: TL_MAX_TENSORS, one is the output), each writing its inputs' slab of the one output
 * (attrs: dim, first position along dim). A call the kernel refuses runs the js kernel on all inputs.
 */
function catKernel(_name: string, index: number, fallback: Kernel | undefined): Kernel {
  return (inputs, outputs, attrs) => {
    const perCall = callLimits().tensors - 1;
    const d = attrs.dim as number;
    let start = 0;
    for (let i = 0; i < inputs.length; i += perCall) {
      const group: TensorView[] = inputs.length <= perCall ? (inputs as TensorView[]) : inputs.slice(i, i + perCall);
      if (!begin(group, outputs)) {
        if (!fallback) throw tensileError("cat", "too many dims for the native kernel and no js kernel to fall back on");
        fallback(inputs, outputs, attrs);
        return;
      }
      pushAttr(d);
      pushAttr(start);
      const status = call(index);
      if (status !== 0) {
        settle(status, "cat", fallback, inputs, outputs, attrs);
        return;
      }
      for (const x of group) start += x.shape[d];
    }
  };
}

/** native/src/kernels/movement.cc (cat, flip, repeat, sliceBackward) and pad.cc (pad, padBackward); every dtype. */
export const movementKernels: NativeKernelTable = {
  cat: { strided: true, custom: catKernel },
  pad: { strided: true, attrs: packPad },
  padBackward: { strided: true, attrs: packPad },
  flip: { strided: true, attrs: (a) => packList(a.dims as number[]) },
  repeat: { strided: true, attrs: (a) => packList(a.sizes as number[]) },
  sliceBackward: {
    strided: true,
    attrs: (a) => {
      pushAttr(a.dim as number);
      pushAttr(a.start as number);
      pushAttr(a.step as number);
    },
  },
};
