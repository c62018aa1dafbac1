import { check, fmtShape, tensileError } from "./errors.js";

export type Shape = readonly number[];

/** Number of elements in a tensor of this shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides for a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Validates a user-supplied shape: whole numbers ≥ 0. */
export function checkShape(shape: unknown, where: string): number[] {
  check(Array.isArray(shape), where, () => `shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape as unknown[]) {
    check(typeof d === "number" && Number.isInteger(d) && d >= 0, where,
      () => `shape ${fmtShape(shape as number[])} must hold whole numbers ≥ 0`);
  }
  return [...(shape as number[])];
}

/** NumPy/PyTorch broadcasting of two or more shapes. */
export function broadcastShapes(where: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = ndim - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw tensileError(where, `shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast: ` +
          `dimension ${o - ndim} is ${out[o]} in one and ${d} in another (sizes must match or be 1)`);
      }
    }
  }
  return out;
}

/** Turns a possibly negative dim into 0..ndim-1, with a clear error when it is out of range. */
export function normalizeDim(dim: number, ndim: number, where: string): number {
  const n = Math.max(ndim, 1);
  check(Number.isInteger(dim) && dim >= -n && dim < n, where,
    () => `dim ${dim} is out of range for a tensor with ${ndim} dimensions (expected ${-n}..${n - 1})`);
  return dim < 0 ? dim + n : dim;
}

/** Normalizes `dim` (number, array or undefined = all) to a sorted unique list. */
export function normalizeDims(dim: number | readonly number[] | undefined, ndim: number, where: string): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : [...dim];
  const out = list.map((d) => normalizeDim(d, ndim, where));
  check(new Set(out).size === out.length, where, () => `dim ${JSON.stringify(dim)} names a dimension twice`);
  return out.sort((a, b) => a - b);
}
