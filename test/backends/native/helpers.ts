/** Shared by the native backend's tests: the loaded addon, and a loop over its ISA levels. */
import assert from "node:assert/strict";
import * as tl from "../../../src/index.js";
import { nativeAddon } from "../../../src/backends/native/index.js";
import { onBackend } from "../../harness.js";

type Addon = NonNullable<ReturnType<typeof nativeAddon>>;

/** The addon, failing the test when it did not load (npm install builds it). */
export function requireNative(): Addon {
  const addon = nativeAddon();
  assert.ok(addon, "the native addon did not load; build it with npm install");
  tl.setBackend("native");
  return addon;
}

/**
 * The levels the tests run: every level this CPU runs, or those listed in TENSILE_TEST_ISAS (the
 * arm64 pass under emulation, scripts/test-arm64.mjs, tests only neon: the generic C++ is the same
 * source the x86-64 pass tests, and each level doubles that pass's emulated time).
 */
function levelsToTest(addon: Addon): string[] {
  const available = addon.availableIsas();
  const wanted = process.env.TENSILE_TEST_ISAS?.split(",").map((s) => s.trim()).filter(Boolean);
  if (!wanted) return available;
  const missing = wanted.filter((isa) => !available.includes(isa));
  assert.deepEqual(missing, [], `TENSILE_TEST_ISAS names levels this addon and CPU do not run (available: ${available.join(", ")})`);
  return wanted;
}

/** Runs `fn` once per ISA level this CPU can run (generic, avx2, avx512; generic, neon), then restores the best. */
export function forEachIsa(fn: (isa: string) => void): void {
  const addon = requireNative();
  const active = addon.isa();
  try {
    for (const isa of levelsToTest(addon)) {
      assert.ok(addon.setIsa(isa), `setIsa(${isa})`);
      fn(isa);
    }
  } finally {
    addon.setIsa(active);
  }
}

/** Largest |x| of a tensor (0 for an empty one). */
function maxAbs(t: tl.Tensor): number {
  const d = t.dataSync() as ArrayLike<number>;
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]));
  return m;
}

/**
 * Asserts `actual` matches `expected` elementwise within `rel` of the largest |expected|: the error
 * a float32 kernel that sums in float32 (as BLAS does) makes on an element is about eps times the
 * size of the terms it sums, not of the (possibly cancelled) result, so an element-relative
 * tolerance would reject correct kernels.
 */
export function assertCloseToScale(actual: tl.Tensor, expected: tl.Tensor, rel: number, message: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${message}: shape`);
  const scale = maxAbs(expected);
  const a = actual.dataSync() as ArrayLike<number>;
  const e = expected.dataSync() as ArrayLike<number>;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= rel * (scale + Math.abs(e[i])))) {
      assert.fail(`${message}: element ${i} is ${a[i]}, js gives ${e[i]} (error ${err.toExponential(2)}, scale ${scale.toExponential(2)}, allowed ${rel} of it)`);
    }
  }
}

/** Tolerance relative to scale, by dtype: float32 sums in float32 here and in float64 on js. */
export const scaleTol = (dtype: string): number => (dtype === "float32" ? 2e-6 : 1e-12);

/**
 * Tolerance relative to scale of conv2d's float32 Winograd path (native/src/kernels/conv_winograd.cc):
 * its transforms scale the terms by up to ~10 before they are summed, so it rounds several times
 * worse than a direct sum (measured up to ~2.5e-6 of max |y|); PyTorch's float32 atol is 1e-5.
 */
export const winogradTol = 1e-5;

/** Runs `fn` with conv2d's Winograd path off, so the direct engines take every convolution. */
export function withoutWinograd<T>(fn: () => T): T {
  const addon = requireNative();
  const previous = addon.setConvWinograd(false);
  try {
    return fn();
  } finally {
    addon.setConvWinograd(previous);
  }
}

/** fn's output and the gradients of Σ fn(...)·r for every input (r from a fixed seed), on the active backend. */
export function outputAndGrads(fn: (...xs: tl.Tensor[]) => tl.Tensor, inputs: tl.Tensor[]): tl.Tensor[] {
  const leaves = inputs.map((x) => tl.tensor(x.dataSync(), { shape: x.shape, dtype: x.dtype, requiresGrad: true }));
  const y = fn(...leaves);
  tl.manualSeed(78);
  y.mul(tl.randn(y.shape, { dtype: y.dtype })).sum().backward();
  return [y.detach(), ...leaves.map((l) => l.grad ?? tl.zerosLike(l))];
}

/**
 * Runs fn on inputs drawn (seeded) from `shapes` on js, then on native at every ISA level, and
 * compares its output and the gradients of every input: result i (0 the output, i > 0 input i − 1's
 * gradient) at tolerance `tol(i)`, scaleTol by default.
 */
export function outputAndGradsAgree(name: string, dtype: "float32" | "float64", shapes: number[][],
  fn: (...xs: tl.Tensor[]) => tl.Tensor, seed: number, tol: (i: number) => number = () => scaleTol(dtype)): void {
  requireNative();
  tl.setBackend("js");
  tl.manualSeed(seed);
  const inputs = shapes.map((s) => tl.randn(s, { dtype }));
  const reference = outputAndGrads(fn, inputs);
  tl.setBackend("native");
  const expected = reference.map((t) => onBackend(t, "native"));
  const nativeInputs = inputs.map((t) => onBackend(t, "native"));
  forEachIsa((isa) => {
    const got = outputAndGrads(fn, nativeInputs);
    got.forEach((t, i) => assertCloseToScale(t, expected[i], tol(i), `${name} ${dtype} ${isa} ${i === 0 ? "output" : `gradient of input ${i - 1}`}`));
  });
}

/** A conv2d case of the native conv tests: input and weight shapes and F.conv2d's options. */
export interface ConvGeometry {
  name: string;
  x: number[];
  w: number[];
  options: tl.Conv2dOptions;
}
