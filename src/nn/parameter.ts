/** `Parameter`: the tensors a module learns. */
import { check, fmtShape } from "../core/errors.js";
import { Tensor } from "../engine/tensor.js";
import { contiguous } from "../ops/movement.js";
import { isTensor } from "../ops/scalar.js";

/**
 * Marks parameters without `instanceof`, so two copies of Tensile in one program (or a bundler that
 * duplicates the module) still recognise each other's parameters.
 */
const PARAMETER = Symbol.for("tensile.nn.Parameter");

/**
 * A leaf tensor that a `Module` registers as learnable, like `torch.nn.Parameter`. It shares the storage
 * of the tensor it wraps (no copy, unless that tensor is a non-contiguous view), requires grad by
 * default, and is kept: it survives `tidy` scopes until disposed explicitly.
 * @example
 * const w = new tl.nn.Parameter(tl.randn([3, 2]));
 * w.requiresGrad; // true
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    check(isTensor(data), "Parameter", () => `expected a Tensor, got ${describe(data)}`);
    data.assertAlive("Parameter");
    // Parameters are updated in place by optimizers and initializers, which want dense memory.
    const dense = data.isContiguous ? data : contiguous(data);
    super(dense.storage, dense, dense.dtype);
    if (dense !== data) dense.dispose();
    check(!requiresGrad || this.dtype === "float32" || this.dtype === "float64", "Parameter",
      () => `only floating-point tensors can require gradients, got dtype ${this.dtype} (shape ${fmtShape(this.shape)}); pass requiresGrad = false`);
    this.requiresGrad_(requiresGrad);
    this.keep();
  }

  /** Always true; lets code recognise parameters without `instanceof` (see `isParameter`). */
  get isParameter(): true {
    return true;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

Object.defineProperty(Parameter.prototype, PARAMETER, { value: true });

/** Whether `value` is a `Parameter` (checked by a marker, not `instanceof`). */
export function isParameter(value: unknown): value is Parameter {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PARAMETER] === true;
}

/**
 * Makes a parameter from a freshly created tensor and disposes that tensor's handle, so building a
 * layer leaves exactly one live tensor per parameter.
 * @internal
 */
export function parameterFrom(data: Tensor, requiresGrad = true): Parameter {
  const p = new Parameter(data, requiresGrad);
  data.dispose();
  return p;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
