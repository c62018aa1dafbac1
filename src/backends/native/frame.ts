/**
 * Packs kernel arguments into the addon's frame (a Float64Array over native memory) and runs a
 * kernel by index: one Node-API call per kernel, no JavaScript objects crossing the boundary.
 * Layout per tensor: handle, dtype, ndim, offset, limit, shape[ndim], strides[ndim], where offset
 * and limit are element positions in the block (limit: one past the storage's last element).
 */
import { tensileError } from "../../core/errors.js";
import type { Kernel, TensorView } from "../../backend/backend.js";
import { Status, statusMessage, type NativeAddon } from "./abi.js";
import type { NativeStorage } from "./storage.js";

let run: (index: number) => number;
let f: Float64Array;
let pos = 0;
let attrStart = 0;
let maxDims = 0;
let maxTensors = 8;
let maxAttrs = 64;

export function bindAddon(a: NativeAddon): void {
  // Kept as a plain function: the addon's exports object is a slow dictionary-mode object.
  run = a.run;
  f = a.frame;
  maxDims = a.maxDims;
  maxTensors = a.maxTensors ?? 8;
  maxAttrs = a.maxAttrs ?? 64;
}

/** The most tensors and attributes one native call takes (TL_MAX_TENSORS, TL_MAX_ATTRS). */
export function callLimits(): { tensors: number; attrs: number } {
  return { tensors: maxTensors, attrs: maxAttrs };
}

function putView(fr: Float64Array, p: number, v: TensorView): number {
  const s = v.storage as NativeStorage;
  const shape = v.shape;
  const nd = shape.length;
  if (nd > maxDims) return -1;
  const strides = v.strides;
  fr[p] = s.handle;
  fr[p + 1] = s.code;
  fr[p + 2] = nd;
  fr[p + 3] = s.base + v.offset;
  fr[p + 4] = s.base + s.size;
  p += 5;
  for (let d = 0; d < nd; d++) {
    fr[p + d] = shape[d];
    fr[p + nd + d] = strides[d];
  }
  return p + 2 * nd;
}

/**
 * Starts a call: writes the tensors; attributes follow with pushAttr. False when a view has more
 * dims than the ABI takes (the caller runs the js kernel instead).
 */
export function begin(inputs: readonly TensorView[], outputs: readonly TensorView[]): boolean {
  const fr = f;
  fr[0] = inputs.length;
  fr[1] = outputs.length;
  let p = 2;
  for (let i = 0; i < inputs.length && p >= 0; i++) p = putView(fr, p, inputs[i]);
  for (let i = 0; i < outputs.length && p >= 0; i++) p = putView(fr, p, outputs[i]);
  if (p < 0) return false;
  attrStart = p;
  pos = p + 1;
  return true;
}

/** Appends one numeric attribute (integers travel as exact doubles). */
export function pushAttr(x: number): void {
  f[pos++] = x;
}

/** Runs kernel `index` on what begin/pushAttr packed; returns its status. */
export function call(index: number): number {
  f[attrStart] = pos - attrStart - 1;
  return run(index);
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
