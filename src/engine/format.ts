import type { DType, TypedArray } from "../core/dtype.js";

const EDGE = 3;
const SUMMARIZE_ABOVE = 1000;

/** Formats elements the way PyTorch prints a tensor: `tensor([[1.0000, 2.5000], ...])`. */
export function formatTensor(values: TypedArray, shape: readonly number[], dtype: DType, extras: string[]): string {
  const fmt = elementFormatter(values, dtype);
  const summarize = values.length > SUMMARIZE_ABOVE;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const indent = "tensor(".length;
  const render = (depth: number, base: number): string => {
    if (depth === shape.length) return fmt(values[base]);
    const n = shape[depth];
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) {
        parts.push("...");
        i = n - EDGE - 1;
        continue;
      }
      parts.push(render(depth + 1, base + i * strides[depth]));
    }
    const separator = depth === shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - depth - 1) + " ".repeat(indent + depth + 1);
    return "[" + parts.join(separator) + "]";
  };
  const body = render(0, 0);
  return `tensor(${body}${extras.map((e) => ", " + e).join("")})`;
}

function elementFormatter(values: TypedArray, dtype: DType): (v: number) => string {
  if (dtype === "bool") {
    // PyTorch pads to the widest word: `tensor([ True, False])`.
    const width = Array.from(values.slice(0, 2000)).some((v) => !v) ? 5 : 4;
    return (v) => (v ? "True" : "False").padStart(width);
  }
  if (dtype === "int32") {
    const width = Math.max(1, ...Array.from(values.slice(0, 2000), (v) => String(v).length));
    return (v) => String(v).padStart(width);
  }
  let maxAbs = 0;
  let minAbs = Infinity;
  let allIntegral = true;
  for (let i = 0; i < Math.min(values.length, 2000); i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    maxAbs = Math.max(maxAbs, a);
    if (a > 0) minAbs = Math.min(minAbs, a);
    if (!Number.isInteger(v)) allIntegral = false;
  }
  // PyTorch's rule, over the non-zero finite values: a spread over 1000×, above 1e8, or (non-integers) below 1e-4.
  const scientific = minAbs !== Infinity && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!allIntegral && minAbs < 1e-4));
  const text = (v: number): string => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    // Python writes at least two exponent digits: 1.0000e+00, not JavaScript's 1.0000e+0.
    if (scientific) return v.toExponential(4).replace(/e([+-])(\d)$/, (_m, sign: string, digit: string) => `e${sign}0${digit}`);
    if (allIntegral) return `${v}.`;
    return v.toFixed(4);
  };
  let width = 1;
  for (let i = 0; i < Math.min(values.length, 2000); i++) width = Math.max(width, text(values[i]).length);
  return (v) => text(v).padStart(width);
}
