/**
 * Time-axis helpers of the recurrent layers: cutting a sequence into per-step views cheaply for
 * backward, and turning per-sequence lengths into per-step masks.
 */
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { tensor } from "../../ops/creation.js";
import { narrow, select } from "../../ops/movement.js";
import { isTensor } from "../../ops/scalar.js";

/**
 * Which sequences a step updates: "all" of them, none ("skip": every sequence has ended), or those
 * where a bool [B, 1] mask is true.
 */
export type StepMask = "all" | "skip" | Tensor;

/**
 * The T steps of `x` along `dim`, as views. A slice's gradient is scattered into zeros of its input's
 * size, so T slices of one tensor would cost O(T²) in backward; halving recursively costs O(T log T).
 * Without a gradient to carry, plain selects are cheaper.
 * @internal
 */
export function unbindSteps(x: Tensor, dim: number): Tensor[] {
  const steps = x.shape[dim];
  if (!x.requiresGrad) return Array.from({ length: steps }, (_, t) => select(x, dim, t));
  const out: Tensor[] = [];
  const split = (part: Tensor, length: number): void => {
    if (length === 1) {
      out.push(select(part, dim, 0));
      return;
    }
    const half = length >> 1;
    split(narrow(part, dim, 0, half), half);
    split(narrow(part, dim, half, length - half), length - half);
  };
  split(x, steps);
  return out;
}

/**
 * Reads `lengths` (a tensor or array of B whole numbers in [0, T]; int32 or float tensors) into an
 * array; null when absent or when every sequence is full length, which needs no masking.
 * @internal
 */
export function parseLengths(lengths: Tensor | readonly number[] | undefined, batch: number, steps: number, where: string): number[] | null {
  if (lengths === undefined) return null;
  let values: number[];
  if (isTensor(lengths)) {
    check(lengths.ndim === 1 && lengths.dtype !== "bool", where,
      () => `lengths must be a 1-D tensor of whole numbers, got shape ${fmtShape(lengths.shape)} and dtype ${lengths.dtype}`);
    values = Array.from(lengths.dataSync() as ArrayLike<number>, Number);
  } else {
    check(Array.isArray(lengths), where, () => `lengths must be a tensor or an array of numbers, got ${typeof lengths}`);
    values = [...lengths];
  }
  check(values.length === batch, where, () => `lengths has ${values.length} entries but the batch has ${batch} sequences`);
  values.forEach((v, i) => {
    check(typeof v === "number" && Number.isInteger(v), where, () => `lengths[${i}] is ${v}, which is not a whole number`);
    check(v >= 0 && v <= steps, where, () => `lengths[${i}] is ${v}, out of range for a sequence of ${steps} steps: lengths must be in 0..${steps}`);
  });
  return values.every((v) => v === steps) ? null : values;
}

/** The mask of each step t: which sequences have length > t. */
export function stepMasks(lengths: readonly number[], steps: number): StepMask[] {
  return Array.from({ length: steps }, (_, t) => {
    const valid = lengths.map((len) => len > t);
    if (valid.every(Boolean)) return "all";
    if (!valid.some(Boolean)) return "skip";
    return tensor(Uint8Array.from(valid, Number), { shape: [lengths.length, 1], dtype: "bool" });
  });
}
