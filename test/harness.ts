/**
 * The shared op test harness: one table of cases per op family, each checked for forward values and
 * (for differentiable ops) against float64 central differences. Every family's file calls `runCases`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../src/index.js";
import type { NestedArray } from "../src/core/nested.js";

export type Tensor = tl.Tensor;

export interface OpCase {
  /** The public op this case covers (checked by the completeness test). */
  op: string;
  /** A short description; defaults to the op name. */
  name?: string;
  /** Inputs: nested arrays (float64 for gradient checks) or tensors made by the case itself. */
  inputs: (NestedArray | Tensor)[];
  /** The op under test. */
  fn: (...xs: Tensor[]) => Tensor;
  /** Expected output (hand-computed or from PyTorch). */
  expected?: NestedArray;
  /** Also check that a property of the output holds (dtype, shape, ...). */
  check?: (out: Tensor, inputs: Tensor[]) => void;
  /** Indices of the inputs to gradient-check; default: every float input; [] for non-differentiable ops. */
  gradInputs?: number[];
  atol?: number;
  rtol?: number;
  /** Tolerance of the gradient check (default 1e-6 relative to the gradient's scale). */
  gradTol?: number;
}

export const covered = new Set<string>();

function toTensor(x: NestedArray | Tensor, dtype: tl.DType = "float64"): Tensor {
  return x instanceof tl.Tensor ? x : tl.tensor(x, { dtype });
}

/** Asserts two arrays (or tensors) are elementwise close: |a − e| ≤ atol + rtol·|e|, NaN equal to NaN. */
export function assertClose(actual: Tensor | NestedArray, expected: Tensor | NestedArray, options: { atol?: number; rtol?: number; message?: string } = {}): void {
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-5;
  const a = actual instanceof tl.Tensor ? actual : tl.tensor(actual as NestedArray, { dtype: "float64" });
  const e = expected instanceof tl.Tensor ? expected : tl.tensor(expected as NestedArray, { dtype: "float64" });
  assert.deepEqual([...a.shape], [...e.shape], `${options.message ?? ""} shape ${JSON.stringify(a.shape)} != expected ${JSON.stringify(e.shape)}`);
  const av = a.dataSync();
  const ev = e.dataSync();
  for (let i = 0; i < av.length; i++) {
    const x = Number(av[i]);
    const y = Number(ev[i]);
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    const ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) assert.fail(`${options.message ?? ""} element ${i}: got ${x}, expected ${y} (atol ${atol}, rtol ${rtol})\nactual: ${a}\nexpected: ${e}`);
  }
}

/**
 * Compares autograd's gradient of Σ(f(x)·r) (r a fixed random weighting) with float64 central
 * differences, for each input index in `which`.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], which: number[], options: { eps?: number; tol?: number; name?: string } = {}): void {
  const eps = options.eps ?? 1e-6;
  const tol = options.tol ?? 1e-6;
  const values = inputs.map((x) => Float64Array.from(x.dataSync() as ArrayLike<number>));
  const make = (i: number, data: Float64Array, requiresGrad: boolean): Tensor =>
    which.includes(i) ? tl.tensor(data.slice(), { shape: inputs[i].shape, dtype: "float64", requiresGrad }) : inputs[i];
  const leaves = inputs.map((_, i) => make(i, values[i], true));
  const out = fn(...leaves);
  tl.manualSeed(1234);
  const weights = tl.randn(out.shape, { dtype: "float64" });
  const objective = (y: Tensor): number => y.to("float64").mul(weights).sum().item();
  out.to("float64").mul(weights).sum().backward();
  for (const i of which) {
    const analytic = leaves[i].grad;
    assert.ok(analytic, `${options.name ?? "op"}: input ${i} received no gradient`);
    const a = analytic.dataSync();
    const numeric = new Float64Array(values[i].length);
    for (let k = 0; k < values[i].length; k++) {
      const plus = values[i].slice();
      plus[k] += eps;
      const minus = values[i].slice();
      minus[k] -= eps;
      const fPlus = objective(fn(...inputs.map((_, j) => (j === i ? make(j, plus, false) : make(j, values[j], false)))));
      const fMinus = objective(fn(...inputs.map((_, j) => (j === i ? make(j, minus, false) : make(j, values[j], false)))));
      numeric[k] = (fPlus - fMinus) / (2 * eps);
    }
    const scale = Math.max(1, ...Array.from(numeric, Math.abs));
    for (let k = 0; k < numeric.length; k++) {
      const diff = Math.abs(a[k] - numeric[k]);
      if (!(diff <= tol * scale * 10 + 1e-7)) {
        assert.fail(`${options.name ?? "op"}: gradient of input ${i} element ${k}: autograd ${a[k]}, numeric ${numeric[k]}`);
      }
    }
  }
}

/** Runs a family's table: forward values and gradient checks, one test per case. */
export function runCases(family: string, cases: OpCase[]): void {
  for (const c of cases) {
    covered.add(c.op);
    test(`${family}: ${c.name ?? c.op}`, () => {
      const inputs = c.inputs.map((x) => toTensor(x));
      const out = c.fn(...inputs);
      if (c.expected !== undefined) assertClose(out, c.expected, { atol: c.atol ?? 1e-6, rtol: c.rtol ?? 1e-6, message: c.name ?? c.op });
      c.check?.(out, inputs);
      const which = c.gradInputs ?? inputs.map((x, i) => (x.dtype === "float64" ? i : -1)).filter((i) => i >= 0);
      if (which.length > 0) gradcheck(c.fn, inputs, which, { tol: c.gradTol, name: c.name ?? c.op });
      if (tl.getBackend().name !== "js") compareWithJs(c.fn, inputs, which, c.name ?? c.op);
    });
  }
}

/** A copy of `t` on another backend (same values, shape and dtype; not attached to any graph). */
export function onBackend(t: Tensor, backend: string): Tensor {
  const previous = tl.getBackend().name;
  tl.setBackend(backend);
  try {
    return tl.tensor(t.dataSync(), { shape: t.shape, dtype: t.dtype });
  } finally {
    tl.setBackend(previous);
  }
}

/** Output, and gradients of Σ(f(x)·r) for inputs `which`, on the active backend; r from a fixed seed. */
function evaluate(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], which: number[]): { out: Tensor; grads: Tensor[] } {
  tl.manualSeed(77);
  const out = fn(...inputs);
  if (which.length === 0 || (out.dtype !== "float32" && out.dtype !== "float64")) return { out, grads: [] };
  const leaves = inputs.map((x, i) => (which.includes(i) ? tl.tensor(x.dataSync(), { shape: x.shape, dtype: x.dtype, requiresGrad: true }) : x));
  tl.manualSeed(77);
  const y = fn(...leaves);
  tl.manualSeed(78);
  const r = tl.randn(y.shape, { dtype: y.dtype });
  y.mul(r).sum().backward();
  return { out, grads: which.map((i) => leaves[i].grad ?? tl.zerosLike(leaves[i])) };
}

/**
 * Checks the active (fast) backend against the js reference: the case's output and its gradients
 * are computed again on js from the same input values and compared (float32 within 1e-5 relative,
 * float64 within 1e-9, integers and bools exactly). Random ops agree because every backend draws
 * the same counter-based stream.
 */
export function compareWithJs(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], which: number[], name: string): void {
  // Copy the inputs first: in-place cases (add_, ...) change them when they run.
  const previous = tl.getBackend().name;
  const jsInputs = inputs.map((x) => onBackend(x, "js"));
  const fast = evaluate(fn, inputs, which);
  tl.setBackend("js");
  let reference: { out: Tensor; grads: Tensor[] };
  try {
    reference = evaluate(fn, jsInputs, which);
  } finally {
    tl.setBackend(previous);
  }
  const tol = (t: Tensor) => (t.dtype === "float32" ? { rtol: 1e-5, atol: 1e-6 } : t.dtype === "float64" ? { rtol: 1e-9, atol: 1e-12 } : { rtol: 0, atol: 0 });
  assert.equal(fast.out.dtype, reference.out.dtype, `${name}: dtype on ${previous} differs from js`);
  assertClose(fast.out, onBackend(reference.out, previous), { ...tol(fast.out), message: `${name}: ${previous} vs js output` });
  fast.grads.forEach((g, k) => {
    assertClose(g, onBackend(reference.grads[k], previous), { ...tol(g), message: `${name}: ${previous} vs js gradient of input ${which[k]}` });
  });
}
