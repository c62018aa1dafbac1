import { assertDType, typedArrayFor, type DType, type TypedArray } from "../core/dtype.js";
import { check } from "../core/errors.js";
import { flattenNested, nestedShape, type NestedArray } from "../core/nested.js";
import { globalGenerator } from "../core/rng.js";
import { checkShape, sizeOf } from "../core/shape.js";
import { getBackend } from "../backend/registry.js";
import { allocTensor, defineOp } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface TensorOptions extends CreateOptions {
  /** Shape for flat data (a flat array or typed array); nested arrays carry their own shape. */
  shape?: readonly number[];
}

function finish(t: Tensor, options: CreateOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function dtypeOf(options: CreateOptions | undefined, fallback: DType, where: string): DType {
  return options?.dtype === undefined ? fallback : assertDType(options.dtype, where);
}

/**
 * JavaScript has one number type, so `[1, 2]` and `[1.0, 2.0]` cannot be told apart: numbers make
 * float32 (as in TensorFlow.js), booleans make bool, typed arrays keep their own type.
 */
function inferDType(data: NestedArray | TypedArray): DType {
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  if (ArrayBuffer.isView(data)) return "float32";
  let node: NestedArray = data;
  while (Array.isArray(node) && node.length > 0) node = node[0] as NestedArray;
  return typeof node === "boolean" ? "bool" : "float32";
}

/**
 * Creates a tensor from nested arrays, a flat array with `shape`, a typed array, or a number.
 * Numbers make float32 and booleans bool unless `dtype` says otherwise; typed arrays keep their type.
 * @example tl.tensor([[1, 2], [3, 4]], { dtype: "float32", requiresGrad: true })
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  const where = "tensor";
  const isTyped = ArrayBuffer.isView(data);
  const dtype = dtypeOf(options, inferDType(data as NestedArray | TypedArray), where);
  let shape: number[];
  let flat: TypedArray;
  if (isTyped) {
    const typed = data as TypedArray;
    shape = options.shape ? checkShape(options.shape, where) : [typed.length];
    check(sizeOf(shape) === typed.length, where, () => `shape [${shape}] holds ${sizeOf(shape)} elements but the data has ${typed.length}`);
    // Copy (the tensor never aliases user memory); bool and int conversions go through the element rules.
    flat = typedArrayFor(dtype, typed.length);
    if (dtype === "bool") for (let i = 0; i < typed.length; i++) flat[i] = typed[i] ? 1 : 0;
    else if (dtype === "int32") for (let i = 0; i < typed.length; i++) flat[i] = Math.trunc(typed[i]);
    else flat.set(typed);
  } else {
    const nested = nestedShape(data as NestedArray, where);
    flat = flattenNested(data as NestedArray, sizeOf(nested), dtype);
    if (options.shape) {
      shape = checkShape(options.shape, where);
      check(sizeOf(shape) === flat.length, where, () => `shape [${shape}] holds ${sizeOf(shape)} elements but the data has ${flat.length}`);
    } else shape = nested;
  }
  const out = allocTensor(getBackend(), shape, dtype);
  out.backend.write(out.storage, flat);
  return finish(out, options);
}

const fullOp = defineOp<{ shape: readonly number[]; value: number; dtype: DType }>({
  name: "full",
  infer: (_, { shape, value, dtype }) => ({ shape, dtype, kernelAttrs: { value } }),
});

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, options: CreateOptions = {}): Tensor {
  const s = checkShape(shape, "full");
  const v = typeof value === "boolean" ? Number(value) : value;
  check(typeof v === "number", "full", `value must be a number, got ${typeof value}`);
  const fallback: DType = typeof value === "boolean" ? "bool" : "float32";
  return finish(fullOp([], { shape: s, value: v, dtype: dtypeOf(options, fallback, "full") }), options);
}

export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

export function fullLike(t: Tensor, value: number, options: CreateOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

const arangeOp = defineOp<{ n: number; start: number; step: number; dtype: DType }>({
  name: "arange",
  infer: (_, { n, start, step, dtype }) => ({ shape: [n], dtype, kernelAttrs: { start, step } }),
});

/**
 * Values from `start` up to (not including) `end` by `step`, like `torch.arange`; `arange(n)` is 0..n-1.
 * Whole-number arguments give int32, otherwise float32.
 */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [name, v] of [["start", start], ["end", end], ["step", step]] as const) {
    check(typeof v === "number" && Number.isFinite(v), "arange", `${name} must be a finite number, got ${v}`);
  }
  check(step !== 0, "arange", "step must not be zero");
  check((end - start) / step >= 0, "arange", () => `the range from ${start} to ${end} never arrives with step ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const whole = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  return finish(arangeOp([], { n, start, step, dtype: dtypeOf(options, whole ? "int32" : "float32", "arange") }), options);
}

/** `steps` values evenly spaced from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  check(Number.isInteger(steps) && steps >= 0, "linspace", `steps must be a whole number ≥ 0, got ${steps}`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  return finish(arangeOp([], { n: steps, start, step, dtype: dtypeOf(options, "float32", "linspace") }), options);
}

const eyeOp = defineOp<{ rows: number; cols: number; dtype: DType }>({
  name: "eye",
  infer: (_, { rows, cols, dtype }) => ({ shape: [rows, cols], dtype, kernelAttrs: { cols } }),
});

/** The identity matrix (n × m, m defaults to n). */
export function eye(n: number, m: number = n, options: CreateOptions = {}): Tensor {
  checkShape([n, m], "eye");
  return finish(eyeOp([], { rows: n, cols: m, dtype: dtypeOf(options, "float32", "eye") }), options);
}

interface RandomAttrs {
  shape: readonly number[];
  dtype: DType;
  params: Record<string, number>;
}

function randomOp(name: string) {
  return defineOp<RandomAttrs>({
    name,
    infer: (_, { shape, dtype, params }) => {
      // Each random op reserves its own stretch of the seeded stream (normal uses two draws per value).
      const draws = sizeOf(shape) * (name === "normal" ? 2 : 1);
      const { key, offset } = globalGenerator.take(draws);
      return { shape, dtype, kernelAttrs: { ...params, key, offset } };
    },
  });
}

const uniformOp = randomOp("uniform");
const normalOp = randomOp("normal");
const randintOp = randomOp("randint");
const randpermOp = randomOp("randperm");

function floatDType(options: CreateOptions, where: string): DType {
  const d = dtypeOf(options, "float32", where);
  check(d === "float32" || d === "float64", where, `dtype must be float32 or float64, got ${d}`);
  return d;
}

/** Uniform random values in [0, 1), from the seeded generator (`tl.manualSeed`). */
export function rand(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return finish(uniformOp([], { shape: checkShape(shape, "rand"), dtype: floatDType(options, "rand"), params: { low: 0, high: 1 } }), options);
}

/** Uniform random values in [low, high). */
export function uniform(shape: readonly number[], low: number, high: number, options: CreateOptions = {}): Tensor {
  check(low <= high, "uniform", `low (${low}) must not exceed high (${high})`);
  return finish(uniformOp([], { shape: checkShape(shape, "uniform"), dtype: floatDType(options, "uniform"), params: { low, high } }), options);
}

/** Standard normal random values. */
export function randn(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return finish(normalOp([], { shape: checkShape(shape, "randn"), dtype: floatDType(options, "randn"), params: { mean: 0, std: 1 } }), options);
}

/** Normal random values with the given mean and standard deviation. */
export function normal(shape: readonly number[], mean: number, std: number, options: CreateOptions = {}): Tensor {
  check(std >= 0, "normal", `std must be ≥ 0, got ${std}`);
  return finish(normalOp([], { shape: checkShape(shape, "normal"), dtype: floatDType(options, "normal"), params: { mean, std } }), options);
}

/** Random integers in [low, high), like `torch.randint(low, high, shape)`. */
export function randint(low: number, high: number, shape: readonly number[], options: CreateOptions = {}): Tensor {
  check(Number.isInteger(low) && Number.isInteger(high) && low < high, "randint", `need whole numbers low < high, got ${low} and ${high}`);
  const dtype = dtypeOf(options, "int32", "randint");
  return finish(randintOp([], { shape: checkShape(shape, "randint"), dtype, params: { low, high } }), options);
}

/** A random permutation of 0..n-1. */
export function randperm(n: number, options: CreateOptions = {}): Tensor {
  check(Number.isInteger(n) && n >= 0, "randperm", `n must be a whole number ≥ 0, got ${n}`);
  return finish(randpermOp([], { shape: [n], dtype: dtypeOf(options, "int32", "randperm"), params: {} }), options);
}

export function randLike(t: Tensor): Tensor {
  return rand(t.shape, { dtype: t.dtype });
}

export function randnLike(t: Tensor): Tensor {
  return randn(t.shape, { dtype: t.dtype });
}
