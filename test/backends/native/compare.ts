/**
 * Native-vs-js comparison for the elementwise, reduction, copy and random kernel tests: build the
 * same computation on both backends from the same seeded inputs, on every ISA level, and compare
 * element by element (bit-exact where the kernel promises it).
 */
import assert from "node:assert/strict";
import * as tl from "../../../src/index.js";
import { forEachIsa } from "./helpers.js";

export type Tensor = tl.Tensor;

export interface Tolerance {
  /** Allowed |native − js| relative to |js| per element. */
  rel: number;
  /** Allowed absolute difference (for results near zero or in the denormal range). */
  abs: number;
}

export const EXACT: Tolerance = { rel: 0, abs: 0 };

/** float32 results: a few ulp (vector exp/log/tanh/sigmoid are ≤ 2–3 ulp, see native/README.md). */
export const F32: Tolerance = { rel: 1e-6, abs: 1e-37 };

/** float64 results: libm vs V8's fdlibm and summation order (abs: cancellation in gelu's 1 + erf). */
export const F64: Tolerance = { rel: 1e-13, abs: 1e-15 };

/** The tolerance for a result dtype; integers and bools are exact. */
export function tolFor(dtype: tl.DType): Tolerance {
  return dtype === "float32" ? F32 : dtype === "float64" ? F64 : EXACT;
}

/** Asserts two tensors agree elementwise (same shape and dtype; NaN matches NaN; -0 matches 0 unless exact). */
export function assertAgree(actual: Tensor, expected: Tensor, tol: Tolerance, message: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${message}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${message}: dtype`);
  const a = actual.dataSync() as ArrayLike<number>;
  const e = expected.dataSync() as ArrayLike<number>;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
    if (tol.rel === 0 && tol.abs === 0) assert.fail(`${message}: element ${i} is ${x}, js gives ${y} (expected bit-exact)`);
    if (x === y) continue;
    const err = Math.abs(x - y);
    if (!(err <= tol.abs + tol.rel * Math.abs(y))) {
      assert.fail(`${message}: element ${i} is ${x}, js gives ${y} (error ${err.toExponential(2)}, relative ${(err / Math.abs(y)).toExponential(2)})`);
    }
  }
}

/** A copy of t on `backend`, raw bytes included (tl.tensor would normalize a bool's 2 to 1). */
export function copyTo(t: Tensor, backend: string): Tensor {
  const previous = tl.getBackend().name;
  tl.setBackend(backend);
  try {
    const out = tl.zeros(t.shape, { dtype: t.dtype });
    out.backend.write(out.storage, t.dataSync());
    return out;
  } finally {
    tl.setBackend(previous);
  }
}

/**
 * Runs `build` on js, then on native once per ISA level (each run starts from `tl.manualSeed(seed)`,
 * so seeded inputs are the same everywhere), and compares the outputs.
 */
export function agreeWithJs(name: string, build: () => Tensor | Tensor[], tol: Tolerance | ((t: Tensor) => Tolerance) = (t) => tolFor(t.dtype), seed = 5): void {
  const asList = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);
  tl.setBackend("js");
  tl.manualSeed(seed);
  const reference = asList(build()).map((t) => copyTo(t, "native"));
  tl.setBackend("native");
  forEachIsa((isa) => {
    tl.manualSeed(seed);
    const outs = asList(build());
    assert.equal(outs.length, reference.length);
    outs.forEach((o, k) => {
      assert.equal(o.backend.name, "native", `${name}: ran on ${o.backend.name}`);
      assertAgree(o, reference[k], typeof tol === "function" ? tol(reference[k]) : tol, `${name} [${isa}] output ${k}`);
    });
  });
}

/** Values that stress edge cases: zeros of both signs, ±inf, NaN, denormals, huge and tiny numbers. */
export const SPECIALS = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1e-310, 3.4e38, -3.4e38, 88.7, 89, -87.5, -104, 1e-8, 0.5, -0.5, 1.5, 2.5, -2.5, 0.625, -0.625, 20, -20, 9, -9];

/**
 * A seeded float tensor of `shape` with the special values mixed in at the start, scaled by `scale`
 * (the rest randn·scale).
 */
export function mixed(shape: number[], dtype: tl.DType = "float32", scale = 3): Tensor {
  const x = tl.randn(shape, { dtype: "float64" }).mul(scale);
  const data = Float64Array.from(x.dataSync() as ArrayLike<number>);
  for (let i = 0; i < Math.min(SPECIALS.length, data.length); i++) data[i] = SPECIALS[i];
  return tl.tensor(data, { shape, dtype });
}
