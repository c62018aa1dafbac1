/**
 * Shared by the native indexing and movement kernel tests: seeded values of every dtype, the same
 * shape in several memory layouts (the kernels take strided inputs), and direct kernel calls for
 * kernels without a public op (padBackward, sliceBackward) or to reach the native kernel's status.
 */
import * as tl from "../../../src/index.js";
import { allocTensor, runKernel } from "../../../src/engine/dispatch.js";
import { begin, call } from "../../../src/backends/native/frame.js";
import type { NativeKernelSpec } from "../../../src/backends/native/kernels/define.js";
import { requireNative } from "./helpers.js";
import { mixed, type Tensor } from "./compare.js";

export const DTYPES: readonly tl.DType[] = ["float32", "float64", "int32", "bool"];

/** Seeded values of `dtype`: floats with special values (NaN, ±0, ±inf) first, wide int32s, random bools. */
export function values(shape: number[], dtype: tl.DType = "float32"): Tensor {
  if (dtype === "bool") return tl.gt(tl.randn(shape), 0);
  if (dtype === "int32") return tl.randint(-100000, 100000, shape);
  return mixed(shape, dtype);
}

export type Make = (shape: number[], dtype?: tl.DType) => Tensor;

/** A tensor of `shape` whose strides run backwards (every dim reversed, then permuted back). */
export const transposed: Make = (shape, dtype) => {
  const n = shape.length;
  const rev = Array.from({ length: n }, (_, i) => n - 1 - i);
  return values([...shape].reverse(), dtype).permute(rev);
};

/** A tensor of `shape` that is every other element of a wider last dim (last stride 2, offset 1). */
export const sliced: Make = (shape, dtype) => {
  if (shape.length === 0) return values(shape, dtype);
  const wide = [...shape];
  wide[wide.length - 1] = 2 * shape[shape.length - 1] + 1;
  return values(wide, dtype).slice(-1, 1, null, 2);
};

/** A tensor of `shape` broadcast from its first row (stride 0 along dim 0, as the gradient of a sum is). */
export const expanded: Make = (shape, dtype) => {
  if (shape.length === 0) return values(shape, dtype);
  return values([1, ...shape.slice(1)], dtype).expand(shape);
};

/** The layouts every strided kernel is tried on. */
export const LAYOUTS: readonly [string, Make][] = [
  ["contiguous", values],
  ["transposed", transposed],
  ["sliced", sliced],
  ["expanded", expanded],
];

/** Runs kernel `name` on the active backend into a fresh output (outputs start zeroed). */
export function kernel(name: string, inputs: Tensor[], shape: number[], dtype: tl.DType, attrs: Record<string, unknown>): Tensor {
  const out = allocTensor(inputs[0].backend, shape, dtype);
  runKernel(name, inputs, [out], attrs);
  return out;
}

/**
 * The status the C++ kernel itself returns (0: it ran; 7: unsupported, the js kernel would run),
 * bypassing the wrapper's fallback. `pack` pushes the attributes as the wrapper would.
 */
export function nativeStatus(name: string, inputs: Tensor[], outputs: Tensor[], spec: NativeKernelSpec | undefined, attrs: Record<string, unknown>, pack?: () => void): number {
  const addon = requireNative();
  const index = addon.listKernels().indexOf(name);
  if (index < 0) throw new Error(`no native kernel ${name}`);
  if (!begin(inputs, outputs)) throw new Error(`${name}: too many dims`);
  if (pack) pack();
  else spec?.attrs?.(attrs);
  return call(index);
}
