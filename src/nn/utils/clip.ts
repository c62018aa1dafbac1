import { check, tensileError } from "../../core/errors.js";
import { noGrad } from "../../engine/grad-mode.js";
import { tidy } from "../../engine/scope.js";
import { Tensor } from "../../engine/tensor.js";
import { abs, max, powScalar, sum } from "../../ops/index.js";

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it. Default false. */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: Tensor | Iterable<Tensor>, where: string): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => check(p instanceof Tensor, where, () => `parameter ${i} is not a Tensor`));
  return list.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/** The p-norm of one gradient as a number (the elements of all gradients viewed as one vector). */
function normOf(g: Tensor, normType: number): number {
  if (normType === Infinity) return (max(abs(g)) as Tensor).item();
  if (normType === 1) return sum(abs(g)).item();
  if (normType === 2) return Math.sqrt(sum(g.mul(g)).item());
  return sum(powScalar(abs(g), normType)).item() ** (1 / normType);
}

/**
 * Rescales the gradients of `params` in place so that their total norm (all gradients viewed as one
 * vector) is at most `maxNorm`, like PyTorch's `clip_grad_norm_`: each gradient is multiplied by
 * `min(1, maxNorm / (total + 1e-6))`. Returns the total norm before clipping.
 * @param normType the p of the p-norm; `Infinity` for the max-norm. Default 2.
 * @example const norm = tl.nn.utils.clipGradNorm_(model.parameters(), 1.0);
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  const where = "clipGradNorm_";
  check(typeof maxNorm === "number" && !Number.isNaN(maxNorm) && maxNorm >= 0, where, () => `maxNorm must be a number >= 0, got ${maxNorm}`);
  check(typeof normType === "number" && normType > 0, where, () => `normType must be a positive number or Infinity, got ${normType}`);
  const grads = gradsOf(params, where);
  if (grads.length === 0) return 0;
  return tidy(() => noGrad(() => {
    const norms = grads.map((g) => normOf(g, normType));
    const total = normType === Infinity
      ? Math.max(...norms)
      : normType === 2 ? Math.sqrt(norms.reduce((s, n) => s + n * n, 0))
        : norms.reduce((s, n) => s + n ** normType, 0) ** (1 / normType);
    if (options.errorIfNonfinite && !Number.isFinite(total)) {
      throw tensileError(where, `the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; ` +
        "pass { errorIfNonfinite: false } to scale them by the non-finite norm anyway");
    }
    const coef = Math.min(maxNorm / (total + 1e-6), 1);
    // PyTorch multiplies even when the coefficient is 1 (and so spreads NaN from a NaN norm); so do we.
    for (const g of grads) g.mul_(coef);
    return total;
  }));
}

/**
 * Clamps every gradient element of `params` into `[-clipValue, clipValue]`, in place, like PyTorch's
 * `clip_grad_value_`.
 * @example tl.nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const where = "clipGradValue_";
  check(typeof clipValue === "number" && clipValue >= 0, where, () => `clipValue must be a number >= 0, got ${clipValue}`);
  const grads = gradsOf(params, where);
  tidy(() => noGrad(() => {
    for (const g of grads) g.clamp_({ min: -clipValue, max: clipValue });
  }));
}
