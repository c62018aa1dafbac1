/** `Upsample`: resizing as a layer, over `interpolate`. */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { interpolate, type InterpolateOptions } from "../../ops/resample.js";
import { Module } from "../module.js";

/** Options of `Upsample`: exactly one of `size` and `scaleFactor`, as in PyTorch. */
export type UpsampleOptions = InterpolateOptions;

/**
 * Resizes the spatial dims of [N, C, H, W] (or [N, C, L] for nearest), like `torch.nn.Upsample`: to a
 * fixed `size` or by `scaleFactor`, with mode "nearest" (default) or "bilinear" (`alignCorners` maps
 * the corner pixels onto each other).
 * @example new tl.nn.Upsample({ scaleFactor: 2, mode: "bilinear" }).call(tl.randn([1, 3, 8, 8])).shape // [1, 3, 16, 16]
 */
export class Upsample extends Module {
  readonly size: number | readonly number[] | undefined;
  readonly scaleFactor: number | readonly number[] | undefined;
  readonly mode: "nearest" | "bilinear";
  readonly alignCorners: boolean | undefined;

  constructor(options: UpsampleOptions) {
    super();
    check(options !== null && typeof options === "object", "Upsample", "options must be an object with size or scaleFactor");
    check((options.size === undefined) !== (options.scaleFactor === undefined), "Upsample",
      () => `give exactly one of size and scaleFactor, got ${options.size === undefined ? "neither" : "both"}`);
    this.size = options.size;
    this.scaleFactor = options.scaleFactor;
    this.mode = options.mode ?? "nearest";
    check(this.mode === "nearest" || this.mode === "bilinear", "Upsample", () => `mode must be "nearest" or "bilinear", got ${JSON.stringify(this.mode)}`);
    check(options.alignCorners === undefined || this.mode === "bilinear", "Upsample",
      "alignCorners can only be set with the interpolating mode \"bilinear\"");
    this.alignCorners = options.alignCorners;
  }

  forward(x: Tensor): Tensor {
    const o: InterpolateOptions = { mode: this.mode };
    if (this.size !== undefined) o.size = this.size;
    if (this.scaleFactor !== undefined) o.scaleFactor = this.scaleFactor;
    if (this.alignCorners !== undefined) o.alignCorners = this.alignCorners;
    return interpolate(x, o);
  }

  override extraRepr(): string {
    const what = this.size !== undefined ? `size=${JSON.stringify(this.size)}` : `scaleFactor=${JSON.stringify(this.scaleFactor)}`;
    return `${what}, mode="${this.mode}"${this.alignCorners === undefined ? "" : `, alignCorners=${this.alignCorners}`}`;
  }
}
