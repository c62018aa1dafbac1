/**
 * Packs kernel arguments into the addon's frame (a Float64Array over native memory) and runs a
 * kernel by index: one Node-API call per kernel, no JavaScript objects crossing the boundary.
 * Layout per tensor: handle, dtype, ndim, offset, limit, shape[ndim], strides[ndim], where offset
 * and limit are element positions in the block (limit: one past the storage's last element).
 */
import { tensileError } from "../../core/errors.js";
import type { Kernel, TensorView } from "../../backend/backend.js";
import { DTYPE_CODE, Status, statusMessage, type NativeAddon } from "./abi.js";
import type { NativeStorage } from "./storage.js";

let addon: NativeAddon;
let f: Float64Array;
let pos = 0;
let attrStart = 0;
let maxDims = 0;

export function bindAddon(a: NativeAddon): void {
  addon = a;
  f = a.frame;
  maxDims = a.maxDims;
}

/** True when every view fits the native ABI (at most maxDims dims). */
export function fits(views: readonly TensorView[]): boolean {
  for (let i = 0; i < views.length; i++) if (views[i].shape.length > maxDims) return false;
  return true;
}

function putView(v: TensorView): void {
  const s = v.storage as NativeStorage;
  const shape = v.shape;
  const strides = v.strides;
  const nd = shape.length;
  f[pos] = s.handle;
  f[pos + 1] = DTYPE_CODE[v.dtype];
  f[pos + 2] = nd;
  f[pos + 3] = s.base + v.offset;
  f[pos + 4] = s.base + s.size;
  pos += 5;
  for (let d = 0; d < nd; d++) {
    f[pos + d] = shape[d];
    f[pos + nd + d] = strides[d];
  }
  pos += 2 * nd;
}

/** Starts a call: writes the tensors; attributes follow with pushAttr. */
export function begin(inputs: readonly TensorView[], outputs: readonly TensorView[]): void {
  f[0] = inputs.length;
  f[1] = outputs.length;
  pos = 2;
  for (let i = 0; i < inputs.length; i++) putView(inputs[i]);
  for (let i = 0; i < outputs.length; i++) putView(outputs[i]);
  attrStart = pos;
  pos++;
}

/** Appends one numeric attribute (integers travel as exact doubles). */
export function pushAttr(x: number): void {
  f[pos++] = x;
}

/** Runs kernel `index` on what begin/pushAttr packed; returns its status. */
export function call(index: number): number {
  f[attrStart] = pos - attrStart - 1;
  return addon.run(index);
}

/**
 * Handles a non-zero status: "unsupported" runs the js kernel on the same memory (dtypes a native
 * kernel does not cover); anything else is a bug on one side of the ABI and throws.
 */
export function settle(status: number, name: string, fallback: Kernel | undefined, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: Record<string, unknown>): void {
  if (status === Status.unsupported && fallback) {
    fallback(inputs, outputs, attrs);
    return;
  }
  throw tensileError(name, `native kernel failed: ${statusMessage(status)} (status ${status})`);
}
