/** Dropout layers: `Dropout`, `Dropout2d` (whole channels), `AlphaDropout` (for SELU networks). */
import { isFloat } from "../../core/dtype.js";
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { add, lt, mul } from "../../ops/binary.js";
import { cast } from "../../ops/cast.js";
import { rand } from "../../ops/creation.js";
import { dropout } from "../functional.js";
import { Module } from "../module.js";

function checkP(layer: string, p: number): void {
  check(typeof p === "number" && p >= 0 && p <= 1, layer, () => `dropout probability p has to be between 0 and 1, but got ${p}`);
}

/** A Bernoulli(1 − p) keep-mask of `shape` in x's dtype, from `tl.rand` (so `tl.manualSeed` repeats it). */
function keepMask(x: Tensor, shape: readonly number[], p: number): Tensor {
  return cast(lt(rand(shape, { dtype: x.dtype }), 1 - p), x.dtype);
}

/**
 * Zeroes each element with probability `p` while training and scales the rest by 1/(1 − p); the
 * identity in eval mode (`model.eval()`), like `torch.nn.Dropout`.
 * @example const drop = new tl.nn.Dropout(0.2);
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP("Dropout", p);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/**
 * Zeroes whole channels (each 2-D feature map x[n, c]) with probability `p` while training and scales
 * the kept ones by 1/(1 − p), like `torch.nn.Dropout2d`; the identity in eval mode. Neighbouring pixels
 * are correlated, so dropping single pixels regularizes conv features little; dropping maps does.
 * Takes [N, C, H, W] or unbatched [C, H, W] (PyTorch's documented shapes; PyTorch itself still reads a
 * 3-D input as [N, C, L] with a deprecation warning).
 * @example new tl.nn.Dropout2d(0.2).call(tl.randn([8, 16, 32, 32]))
 */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP("Dropout2d", p);
  }

  forward(x: Tensor): Tensor {
    check(x.ndim === 3 || x.ndim === 4, "Dropout2d", () => `expected a 4-D [N, C, H, W] or 3-D [C, H, W] input, got shape ${fmtShape(x.shape)}`);
    check(isFloat(x.dtype), "Dropout2d", () => `input must be float32 or float64, got ${x.dtype}`);
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return mul(x, 0);
    const mask = keepMask(x, [...x.shape.slice(0, -2), 1, 1], this.p); // one draw per channel
    return mul(x, mul(mask, 1 / (1 - this.p)));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** λα of SELU: a dropped unit is set to SELU's negative saturation value −λα. */
const SELU_ALPHA_SCALE = 1.7580993408473766;

/**
 * Alpha dropout, like `torch.nn.AlphaDropout`: while training, each element is set with probability `p`
 * to SELU's saturation value −λα, then an affine map a·x + b restores zero mean and unit variance, so a
 * self-normalizing (SELU) network stays normalized. With PyTorch's formula:
 * a = 1/√((λα²·p + 1)(1 − p)), kept → a·x + λα·a·p, dropped → λα·a·(p − 1). The identity in eval mode.
 * @example new tl.nn.AlphaDropout(0.1).call(tl.randn([32, 64]))
 */
export class AlphaDropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP("AlphaDropout", p);
  }

  forward(x: Tensor): Tensor {
    check(isFloat(x.dtype), "AlphaDropout", () => `input must be float32 or float64, got ${x.dtype}`);
    if (!this.training || this.p === 0 || x.size === 0) return x;
    if (this.p === 1) return mul(x, 0);
    const p = this.p;
    const alpha = SELU_ALPHA_SCALE;
    const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
    const keep = keepMask(x, x.shape, p);
    // x·keep·a + (keep − 1)·λα·a + λα·a·p, written as a·(x·keep) + λα·a·keep + λα·a·(p − 1).
    const b = add(mul(keep, alpha * a), alpha * a * (p - 1));
    return add(mul(mul(x, keep), a), b);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
