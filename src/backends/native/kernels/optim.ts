import type { Kernel, TensorView } from "../../../backend/backend.js";
import { sizeOf } from "../../../core/shape.js";
import { begin, call, callLimits, pushAttr, settle } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

/**
 * How one fused optimizer kernel's attributes travel: per-call values (booleans as 0/1) in the
 * C++ kernel's order, then for each parameter its values from the per-parameter arrays.
 */
interface FusedLayout {
  readonly fixed: readonly string[];
  readonly perParam: readonly string[];
}

/** Every tensor of an optimizer call is contiguous: it travels as a flat view (fewer frame slots). */
function flat(v: TensorView): TensorView {
  return { storage: v.storage, dtype: v.dtype, offset: v.offset, shape: [sizeOf(v.shape)], strides: [1] };
}

function numeric(x: unknown): number {
  return typeof x === "boolean" ? Number(x) : (x as number);
}

/** The attributes of parameters [start, end) (the per-parameter arrays sliced), for the js fallback. */
function sliceAttrs(attrs: Record<string, unknown>, layout: FusedLayout, start: number, end: number): Record<string, unknown> {
  const out = { ...attrs };
  for (const key of layout.perParam) out[key] = (attrs[key] as readonly unknown[]).slice(start, end);
  return out;
}

/**
 * A fused optimizer kernel: inputs are the n gradients, outputs the n·m parameter and state tensors
 * (m per parameter). One op call becomes as few native calls as TL_MAX_TENSORS and TL_MAX_ATTRS allow
 * (Adam: 16 parameters per call), each threaded over its total element count in C++.
 */
function fused(layout: FusedLayout): NativeKernelSpec {
  const custom = (name: string, index: number, fallback: Kernel | undefined): Kernel => (inputs, outputs, attrs) => {
    const n = inputs.length;
    if (n === 0) return;
    const m = outputs.length / n;
    const limits = callLimits();
    const fixed = layout.fixed.map((k) => numeric(attrs[k]));
    const per = layout.perParam.map((k) => attrs[k] as readonly unknown[]);
    const byTensors = Math.floor(limits.tensors / (1 + m));
    const byAttrs = per.length === 0 ? n : Math.floor((limits.attrs - fixed.length) / per.length);
    const chunk = Math.max(1, Math.min(n, byTensors, byAttrs));
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      const ins = inputs.slice(start, end);
      const outs = outputs.slice(start * m, end * m);
      begin(ins.map(flat), outs.map(flat));
      for (const x of fixed) pushAttr(x);
      for (let k = start; k < end; k++) for (const arr of per) pushAttr(numeric(arr[k]));
      const status = call(index);
      if (status !== 0) settle(status, name, fallback, ins, outs, sliceAttrs(attrs, layout, start, end));
    }
  };
  return { strided: false, custom };
}

/**
 * native/src/kernels/optim.cc: fused in-place optimizer updates (float32/float64), the kernels behind
 * src/ops/optimizer-updates.ts. Attribute names are the ops' (see src/backends/js/optim.ts).
 */
export const optimKernels: NativeKernelTable = {
  sgdStep: fused({ fixed: ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"], perParam: ["fresh"] }),
  adamStep: fused({
    fixed: ["beta1", "beta2", "eps", "weightDecay", "decoupled", "amsgrad", "maximize", "decay"],
    perParam: ["stepSizes", "bias2Sqrts"],
  }),
  rmspropStep: fused({ fixed: ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "maximize"], perParam: [] }),
  adagradStep: fused({ fixed: ["weightDecay", "eps", "maximize"], perParam: ["clrs"] }),
};
