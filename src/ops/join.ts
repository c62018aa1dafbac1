import { isFloat, promoteTypes } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { normalizeDim, normalizeDims, shapesEqual } from "../core/shape.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { cast } from "./cast.js";
import { narrow, reshape, unsqueeze } from "./movement.js";
import { sum } from "./reduce.js";
import { expectTensor } from "./scalar.js";

function expectTensorList(tensors: unknown, op: string): Tensor[] {
  check(Array.isArray(tensors), op, () => `tensors must be an array of Tensors, got ${tensors === null ? "null" : typeof tensors}`);
  const list = tensors as unknown[];
  check(list.length > 0, op, "expects a non-empty list of tensors");
  return list.map((t, i) => expectTensor(t, op, `tensors[${i}]`));
}

const catOp = defineOp<{ dim: number }>({
  name: "cat",
  infer: (xs, { dim }) => {
    const first = xs[0];
    let total = 0;
    xs.forEach((x, i) => {
      const same = x.ndim === first.ndim && x.shape.every((d, k) => k === dim || d === first.shape[k]);
      check(same, "cat", () => `tensors[${i}] has shape ${fmtShape(x.shape)} but tensors[0] has shape ${fmtShape(first.shape)}: ` +
        `sizes must match except in dimension ${dim}`);
      total += x.shape[dim];
    });
    const shape = [...first.shape];
    shape[dim] = total;
    return { shape, dtype: first.dtype };
  },
  // Each input's gradient is its slab of the output's gradient.
  grad: (ctx, gy) => {
    const { dim } = ctx.attrs;
    let start = 0;
    return ctx.inputs.map((x, i) => {
      const g = ctx.needsInputGrad[i] ? narrow(gy, dim, start, x.shape[dim]) : null;
      start += x.shape[dim];
      return g;
    });
  },
});

/**
 * Joins tensors along an existing dimension `dim`; all other sizes must match. Mixed dtypes promote, like `torch.cat`.
 * @example tl.cat([tl.ones([2, 3]), tl.zeros([1, 3])], 0) // shape [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const xs = expectTensorList(tensors, "cat");
  check(xs.every((x) => x.ndim > 0), "cat", () => `zero-dimensional tensors cannot be concatenated (shapes ${xs.map((x) => fmtShape(x.shape)).join(", ")}); use stack`);
  const d = normalizeDim(dim, xs[0].ndim, "cat");
  const dtype = xs.map((x) => x.dtype).reduce(promoteTypes);
  return catOp(xs.map((x) => cast(x, dtype)), { dim: d });
}

/**
 * Joins tensors of equal shape along a new dimension `dim`, like `torch.stack`.
 * @example tl.stack([tl.ones([3]), tl.zeros([3])], 1) // shape [3, 2]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const xs = expectTensorList(tensors, "stack");
  xs.forEach((x, i) => check(shapesEqual(x.shape, xs[0].shape), "stack",
    () => `tensors[${i}] has shape ${fmtShape(x.shape)} but tensors[0] has shape ${fmtShape(xs[0].shape)}: stack needs equal shapes`));
  const d = normalizeDim(dim, xs[0].ndim + 1, "stack");
  return cat(xs.map((x) => unsqueeze(x, d)), d);
}

/**
 * Splits `x` along `dim` into views, like `torch.split`: a number is the size of each piece (the last may be
 * smaller), an array gives every piece's size and must add up to the dimension's size.
 * @example tl.split(tl.arange(5), 2) // sizes 2, 2, 1
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  expectTensor(x, "split", "x");
  check(x.ndim > 0, "split", "cannot split a zero-dimensional tensor");
  const d = normalizeDim(dim, x.ndim, "split");
  const size = x.shape[d];
  let sizes: number[];
  if (typeof splitSizeOrSections === "number") {
    const s = splitSizeOrSections;
    check(Number.isInteger(s) && (s > 0 || (s === 0 && size === 0)), "split",
      () => `split size must be a positive whole number, got ${s}`);
    sizes = [];
    for (let start = 0; start < size; start += s) sizes.push(Math.min(s, size - start));
    if (sizes.length === 0) sizes.push(0);
  } else {
    check(Array.isArray(splitSizeOrSections), "split", "splitSizeOrSections must be a number or an array of sizes");
    sizes = [...splitSizeOrSections];
    check(sizes.every((s) => Number.isInteger(s) && s >= 0), "split", () => `section sizes ${fmtShape(sizes)} must be whole numbers ≥ 0`);
    const total = sizes.reduce((a, b) => a + b, 0);
    check(total === size, "split",
      () => `section sizes ${fmtShape(sizes)} add up to ${total} but dimension ${dim} of shape ${fmtShape(x.shape)} has size ${size}`);
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/**
 * Splits `x` into at most `chunks` views along `dim`, each of size ⌈size / chunks⌉ (the last may be smaller,
 * and fewer pieces come back when the size does not allow more), like `torch.chunk`.
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  expectTensor(x, "chunk", "x");
  check(Number.isInteger(chunks) && chunks > 0, "chunk", () => `chunks must be a positive whole number, got ${chunks}`);
  check(x.ndim > 0, "chunk", "cannot chunk a zero-dimensional tensor");
  const d = normalizeDim(dim, x.ndim, "chunk");
  const size = x.shape[d];
  if (size === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0));
  return split(x, Math.ceil(size / chunks), d);
}

/** Padding modes of `pad`. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadOptions {
  /**
   * "constant" (default) fills with `value`; "reflect" mirrors without repeating the edge; "replicate" repeats
   * the edge; "circular" wraps around (the start continues after the end), as in periodic convolutions.
   */
  mode?: PadMode;
  /** Fill value of constant padding (default 0). */
  value?: number;
}

interface PadAttrs {
  /** [before, after] for every dimension of the input, all ≥ 0. */
  pads: readonly (readonly [number, number])[];
  mode: PadMode;
  value: number;
}

const padOp: Op<PadAttrs> = defineOp<PadAttrs>({
  name: "pad",
  infer: ([x], a) => ({ shape: x.shape.map((n, d) => n + a.pads[d][0] + a.pads[d][1]), dtype: x.dtype }),
  grad: (ctx, gy) => {
    const x = ctx.inputs[0];
    const a = ctx.attrs;
    if (a.mode !== "constant") return [padBackwardOp([gy], { ...a, shape: x.shape })];
    // Constant padding only surrounds x, so its gradient is the middle of gy.
    let g = gy;
    a.pads.forEach(([before], d) => (g = narrow(g, d, before, x.shape[d])));
    return [g];
  },
});

/** Gradient of reflect/replicate/circular padding: each output gradient adds into the input element it copied. */
const padBackwardOp: Op<PadAttrs & { shape: readonly number[] }> = defineOp<PadAttrs & { shape: readonly number[] }>({
  name: "padBackward",
  infer: ([gy], a) => ({ shape: a.shape, dtype: gy.dtype }),
  grad: (ctx, g) => [padOp([g], { pads: ctx.attrs.pads, mode: ctx.attrs.mode, value: ctx.attrs.value })],
});

/**
 * Pads `x`, like `torch.nn.functional.pad`: `pad` lists (before, after) pairs starting from the last
 * dimension, so `[1, 2]` pads the last dim by 1 before and 2 after and `[1, 1, 2, 2]` also pads the one before it.
 * Negative constant padding crops. Reflect needs each pad smaller than its dimension; replicate needs a non-empty one;
 * circular needs each pad at most its dimension (it wraps around once, as in PyTorch).
 * @example tl.pad(x, [1, 1], { mode: "reflect" })
 */
export function pad(x: Tensor, pad: readonly number[], options: PadOptions = {}): Tensor {
  expectTensor(x, "pad", "x");
  const mode = options.mode ?? "constant";
  check(mode === "constant" || mode === "reflect" || mode === "replicate" || mode === "circular", "pad",
    () => `mode must be "constant", "reflect", "replicate" or "circular", got ${JSON.stringify(mode)}`);
  check(Array.isArray(pad) && pad.length % 2 === 0 && pad.every((p) => Number.isInteger(p)), "pad",
    () => `pad must be an even-length array of whole numbers (before, after pairs), got ${JSON.stringify(pad)}`);
  check(pad.length / 2 <= x.ndim, "pad",
    () => `pad ${fmtShape(pad)} pads ${pad.length / 2} dimensions but x has shape ${fmtShape(x.shape)}`);
  check(mode === "constant" || options.value === undefined, "pad", () => `value is only used by mode "constant", not "${mode}"`);
  const value = options.value ?? 0;
  check(typeof value === "number", "pad", () => `value must be a number, got ${typeof value}`);
  check(isFloat(x.dtype) || (x.dtype === "bool" ? value === 0 || value === 1 : Number.isInteger(value)), "pad",
    () => `value ${value} does not fit x's dtype ${x.dtype}`);
  const pads = x.shape.map((): [number, number] => [0, 0]);
  for (let k = 0; k < pad.length / 2; k++) pads[x.ndim - 1 - k] = [pad[2 * k], pad[2 * k + 1]];
  let input = x;
  for (let d = 0; d < x.ndim; d++) {
    const [before, after] = pads[d];
    const n = x.shape[d];
    if (mode === "constant") {
      // Negative padding crops, as in PyTorch: narrow first, then pad by what remains.
      const cropBefore = Math.max(0, -before);
      const cropAfter = Math.max(0, -after);
      check(cropBefore + cropAfter <= n, "pad",
        () => `negative pad (${before}, ${after}) crops more than dimension ${d} of shape ${fmtShape(x.shape)} holds`);
      if (cropBefore + cropAfter > 0) input = narrow(input, d, cropBefore, n - cropBefore - cropAfter);
      pads[d] = [Math.max(0, before), Math.max(0, after)];
    } else {
      check(before >= 0 && after >= 0, "pad", () => `${mode} padding must not be negative, got (${before}, ${after}) for dimension ${d}`);
      if (mode === "reflect") {
        check(before < n && after < n, "pad",
          () => `reflect padding (${before}, ${after}) must be smaller than dimension ${d} of shape ${fmtShape(x.shape)}`);
      } else if (mode === "circular") {
        check(before <= n && after <= n, "pad",
          () => `circular padding (${before}, ${after}) must be at most dimension ${d} of shape ${fmtShape(x.shape)} (it wraps around once)`);
      } else {
        check(n > 0 || before + after === 0, "pad", () => `replicate padding needs a non-empty dimension ${d}, got shape ${fmtShape(x.shape)}`);
      }
    }
  }
  return padOp([input], { pads, mode, value });
}

const flipOp: Op<{ dims: readonly number[] }> = defineOp<{ dims: readonly number[] }>({
  name: "flip",
  infer: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  grad: (ctx, gy) => [flipOp([gy], ctx.attrs)],
});

/**
 * Reverses the order of elements along `dims` (a copy, like `torch.flip`).
 * @example tl.flip(tl.arange(3), 0) // [2, 1, 0]
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  expectTensor(x, "flip", "x");
  check(typeof dims === "number" || Array.isArray(dims), "flip", "dims must be a number or an array of numbers");
  return flipOp([x], { dims: normalizeDims(dims, x.ndim, "flip") });
}

const repeatOp = defineOp<{ sizes: readonly number[] }>({
  name: "repeat",
  infer: ([x], { sizes }) => {
    const lead = sizes.length - x.ndim;
    return { shape: sizes.map((r, i) => r * (i < lead ? 1 : x.shape[i - lead])), dtype: x.dtype };
  },
  // Output [r0·s0, r1·s1, ...] read as [r0, s0, r1, s1, ...]: summing the r's gives back x's gradient.
  grad: (ctx, gy) => {
    const x = ctx.inputs[0];
    const { sizes } = ctx.attrs;
    const lead = sizes.length - x.ndim;
    const blocks = sizes.flatMap((r, i) => [r, i < lead ? 1 : x.shape[i - lead]]);
    const summed = sum(reshape(gy, blocks), { dim: sizes.map((_, i) => 2 * i) });
    return [reshape(summed, x.shape)];
  },
});

/**
 * Tiles `x`: `sizes[i]` copies along dimension i, like `torch.Tensor.repeat`. `sizes` may be longer than
 * x's dimensions (x then gains leading dims of size 1).
 * @example tl.repeat(tl.tensor([1, 2]), [2, 2]) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  expectTensor(x, "repeat", "x");
  check(Array.isArray(sizes) && sizes.every((r) => Number.isInteger(r) && r >= 0), "repeat",
    () => `sizes must be an array of whole numbers ≥ 0, got ${JSON.stringify(sizes)}`);
  check(sizes.length >= x.ndim, "repeat",
    () => `sizes ${fmtShape(sizes)} must name at least as many dimensions as x has (shape ${fmtShape(x.shape)})`);
  return repeatOp([x], { sizes: [...sizes] });
}
