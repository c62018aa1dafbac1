/**
 * Resizing images and sequences, like `F.interpolate`: nearest and bilinear, with PyTorch's index
 * rules. Both are linear maps, so each is a forward kernel paired with its transpose (the backward).
 */
import { check, fmtShape } from "../core/errors.js";
import { defineOp, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { reshape } from "./movement.js";
import { expectTensor } from "./scalar.js";

/** Options of `interpolate`, as in PyTorch: give exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim or one per dim. */
  size?: number | readonly number[];
  /** Multiplier of each spatial size (output = floor(input · scale)); also sets the source-index scale. */
  scaleFactor?: number | readonly number[];
  /** Default "nearest". "bilinear" needs a 4-D input. */
  mode?: "nearest" | "bilinear";
  /** Bilinear only: map corner pixel centres onto each other instead of using half-pixel centres. Default false. */
  alignCorners?: boolean;
}

interface ResampleAttrs {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** The user's scale factor per axis (PyTorch passes it to the kernel), or null when `size` was given. */
  scaleH: number | null;
  scaleW: number | null;
  alignCorners: boolean;
}

const planeShape = (x: Tensor, h: number, w: number): number[] => [...x.shape.slice(0, -2), h, w];

const nearestOp: Op<ResampleAttrs> = defineOp<ResampleAttrs>({
  name: "upsampleNearest2d",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: x.dtype }),
  grad: (ctx, gy) => [nearestBackwardOp([gy], ctx.attrs)],
});

const nearestBackwardOp: Op<ResampleAttrs> = defineOp<ResampleAttrs>({
  name: "upsampleNearest2dBackward",
  infer: ([gy], a) => ({ shape: planeShape(gy, a.inH, a.inW), dtype: gy.dtype }),
  grad: (ctx, g) => [nearestOp([g], ctx.attrs)],
});

const bilinearOp: Op<ResampleAttrs> = defineOp<ResampleAttrs>({
  name: "upsampleBilinear2d",
  infer: ([x], a) => ({ shape: planeShape(x, a.outH, a.outW), dtype: x.dtype }),
  grad: (ctx, gy) => [bilinearBackwardOp([gy], ctx.attrs)],
});

const bilinearBackwardOp: Op<ResampleAttrs> = defineOp<ResampleAttrs>({
  name: "upsampleBilinear2dBackward",
  infer: ([gy], a) => ({ shape: planeShape(gy, a.inH, a.inW), dtype: gy.dtype }),
  grad: (ctx, g) => [bilinearOp([g], ctx.attrs)],
});

/** One value per spatial dim from a number or a list of exactly `dims`. */
function perDim(arg: string, value: number | readonly number[], dims: number): number[] {
  const list = typeof value === "number" ? new Array<number>(dims).fill(value) : Array.isArray(value) ? [...value] : [];
  check(list.length === dims, "interpolate", () => `${arg} must be a number or a list of ${dims} (one per spatial dim), got ${JSON.stringify(value)}`);
  return list;
}

/**
 * Resizes the spatial dims of `[N, C, H, W]` (or `[N, C, L]` for nearest), like `F.interpolate`.
 * Nearest takes source index floor(dst · in/out); bilinear without `alignCorners` samples at
 * half-pixel centres, clamped at 0.
 * @example tl.interpolate(x, { scaleFactor: 2, mode: "bilinear" }) // [N, C, 2H, 2W]
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const x = expectTensor(input, "interpolate", "input");
  check(options !== null && typeof options === "object", "interpolate", "options must be an object");
  const mode = options.mode ?? "nearest";
  check(mode === "nearest" || mode === "bilinear", "interpolate", () => `mode must be "nearest" or "bilinear", got ${JSON.stringify(mode)}`);
  if (mode === "bilinear") {
    check(x.ndim === 4, "interpolate", () => `bilinear mode needs a 4-D input [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  } else {
    check(x.ndim === 3 || x.ndim === 4, "interpolate", () => `nearest mode needs a 3-D [N, C, L] or 4-D [N, C, H, W] input, got shape ${fmtShape(x.shape)}`);
  }
  check(x.dtype === "float32" || x.dtype === "float64" || (mode === "nearest" && x.dtype === "int32"), "interpolate",
    () => `${mode} mode expects a float input${mode === "nearest" ? " (or int32)" : ""}, got ${x.dtype}`);
  check(options.alignCorners === undefined || mode === "bilinear", "interpolate",
    "alignCorners can only be set with the interpolating mode \"bilinear\"");
  check((options.size === undefined) !== (options.scaleFactor === undefined), "interpolate",
    () => `give exactly one of size and scaleFactor, got ${options.size === undefined ? "neither" : "both"}`);

  const dims = x.ndim - 2;
  const ins = x.shape.slice(2);
  check(ins.every((d) => d > 0), "interpolate", () => `expects non-zero spatial sizes, got shape ${fmtShape(x.shape)}`);
  let outs: number[];
  let scales: (number | null)[];
  if (options.size !== undefined) {
    outs = perDim("size", options.size, dims);
    for (const s of outs) check(Number.isInteger(s) && s >= 1, "interpolate", () => `size must hold whole numbers ≥ 1, got ${JSON.stringify(options.size)}`);
    scales = outs.map(() => null);
  } else {
    scales = perDim("scaleFactor", options.scaleFactor as number | readonly number[], dims);
    for (const s of scales) {
      check(typeof s === "number" && Number.isFinite(s) && s > 0, "interpolate", () => `scaleFactor must hold positive numbers, got ${JSON.stringify(options.scaleFactor)}`);
    }
    outs = ins.map((d, i) => Math.floor(d * (scales[i] as number)));
    check(outs.every((d) => d >= 1), "interpolate",
      () => `scaleFactor ${JSON.stringify(options.scaleFactor)} gives an empty output for input shape ${fmtShape(x.shape)}`);
  }

  // A 3-D input is a 4-D one with a height of 1 that keeps its size.
  const planes = dims === 1 ? reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]) : x;
  const attrs: ResampleAttrs = {
    inH: dims === 1 ? 1 : ins[0],
    inW: ins[dims - 1],
    outH: dims === 1 ? 1 : outs[0],
    outW: outs[dims - 1],
    scaleH: dims === 1 ? null : scales[0],
    scaleW: scales[dims - 1],
    alignCorners: options.alignCorners ?? false,
  };
  const y = (mode === "nearest" ? nearestOp : bilinearOp)([planes], attrs);
  return dims === 1 ? reshape(y, [y.shape[0], y.shape[1], y.shape[3]]) : y;
}
