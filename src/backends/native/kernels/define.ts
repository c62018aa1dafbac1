import { tensileError } from "../../../core/errors.js";
import type { Kernel, KernelInfo } from "../../../backend/backend.js";
import { begin, call, settle } from "../frame.js";

/**
 * How the native backend calls one C++ kernel: whether it takes strided inputs (as the js kernel
 * of the same op does) and how the op's attributes are packed (pushAttr, in the order the C++
 * kernel documents). A family's wrapper file is a table of these, keyed by kernel name.
 */
export interface NativeKernelSpec {
  readonly strided: boolean;
  /** The kernel (and its js fallback) writes every element of its outputs: they need not be zeroed. */
  readonly overwrites?: boolean;
  readonly attrs?: (attrs: Record<string, unknown>) => void;
  /**
   * For kernels that pack their own calls (one op call split into several native calls: the
   * optimizer updates over many parameters, cat of many tensors): builds the kernel from the C++
   * kernel's index and the js fallback; `attrs` is then unused.
   */
  readonly custom?: (name: string, index: number, fallback: Kernel | undefined) => Kernel;
}

export type NativeKernelTable = Readonly<Record<string, NativeKernelSpec>>;

/**
 * The KernelInfo for C++ kernel `index`. Calls the native kernel answers "unsupported" (a dtype it
 * does not cover, a view with too many dims) run `fallback`, the js kernel, on the same memory.
 */
export function nativeKernel(name: string, index: number, spec: NativeKernelSpec, fallback: Kernel | undefined): KernelInfo {
  if (spec.custom !== undefined) return { run: spec.custom(name, index, fallback), strided: spec.strided };
  const pack = spec.attrs;
  const run: Kernel = (inputs, outputs, attrs) => {
    if (!begin(inputs, outputs)) {
      if (!fallback) throw tensileError(name, "too many dims for the native kernel and no js kernel to fall back on");
      fallback(inputs, outputs, attrs);
      return;
    }
    if (pack !== undefined) pack(attrs);
    const status = call(index);
    if (status !== 0) settle(status, name, fallback, inputs, outputs, attrs);
  };
  return { run, strided: spec.strided, overwrites: spec.overwrites === true };
}
