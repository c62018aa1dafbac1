/**
 * Spatial sampling, like `F.affine_grid` and `F.grid_sample`: the resampler behind rotations, affine warps and
 * spatial transformer networks. affineGrid is a matmul; gridSample is one op with a fused kernel whose gradient
 * is written with public ops (pad, gather, scatterAdd, elementwise math), so the gradients to the image, the
 * grid and theta work on every backend and can be differentiated again.
 */
import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { defineOp, type GradContext, type Op } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { add, ge, le, logicalAnd, mul, sub, where } from "./binary.js";
import { cast } from "./cast.js";
import { tensor, zeros, zerosLike } from "./creation.js";
import { gather, scatterAdd } from "./indexing.js";
import { cat, pad, stack } from "./join.js";
import { matmul } from "./matmul.js";
import { expand, narrow, reshape, select, transpose } from "./movement.js";
import { sum } from "./reduce.js";
import { expectTensor } from "./scalar.js";
import { clamp, floor, neg, round } from "./unary.js";

/** Options of `affineGrid`. */
export interface AffineGridOptions {
  /** Map the corner pixels' centres to ±1 instead of the corners' outer edges. Default false, as in PyTorch. */
  alignCorners?: boolean;
}

/** The normalized coordinates of pixel centres along an axis of `n` pixels, as `F.affine_grid` makes them. */
function axisCoords(n: number, alignCorners: boolean): number[] {
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => {
    const c = -1 + (2 * i) / (n - 1);
    return alignCorners ? c : (c * (n - 1)) / n;
  });
}

/**
 * A sampling grid `[N, H, W, 2]` from a batch of affine matrices `theta` `[N, 2, 3]`, like `F.affine_grid`: each
 * output pixel's normalized (x, y) in [-1, 1] (x left to right, y top to bottom) is mapped by theta to the
 * normalized point of the input that `gridSample` reads. Differentiable with respect to theta.
 * @example
 * const theta = tl.tensor([[[1, 0, 0], [0, 1, 0]]]); // identity
 * const y = tl.gridSample(x, tl.affineGrid(theta, x.shape)); // y ≈ x
 */
export function affineGrid(theta: Tensor, size: readonly number[], options: AffineGridOptions = {}): Tensor {
  expectTensor(theta, "affineGrid", "theta");
  check(isFloat(theta.dtype), "affineGrid", () => `theta must be a float tensor, got dtype ${theta.dtype}`);
  check(Array.isArray(size) && size.length === 4 && size.every((d) => Number.isInteger(d) && d > 0), "affineGrid",
    () => `size must be [N, C, H, W] with positive whole numbers (only 2-D grids are supported), got ${JSON.stringify(size)}`);
  const [n, , h, w] = size;
  check(theta.ndim === 3 && theta.shape[0] === n && theta.shape[1] === 2 && theta.shape[2] === 3, "affineGrid",
    () => `theta must have shape [N, 2, 3] = [${n}, 2, 3] for size ${fmtShape(size)}, got ${fmtShape(theta.shape)}`);
  const alignCorners = options.alignCorners ?? false;
  const xs = axisCoords(w, alignCorners);
  const ys = axisCoords(h, alignCorners);
  // The base grid: one row (x, y, 1) per output pixel in row-major order.
  const base = new Float64Array(h * w * 3);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const k = (i * w + j) * 3;
      base[k] = xs[j];
      base[k + 1] = ys[i];
      base[k + 2] = 1;
    }
  }
  const baseGrid = tensor(base, { shape: [1, h * w, 3], dtype: theta.dtype });
  const grid = matmul(baseGrid, transpose(theta, 1, 2)); // [N, H·W, 2]
  return reshape(grid, [n, h, w, 2]);
}

/** Options of `gridSample`. */
export interface GridSampleOptions {
  /** "bilinear" (default) or "nearest" (nearest pixel centre, ties to even, as in PyTorch). */
  mode?: "bilinear" | "nearest";
  /** What lies outside the input: "zeros" (default) or "border" (the edge pixels extend outward). */
  paddingMode?: "zeros" | "border";
  /** -1 and 1 name the corner pixels' centres rather than their outer edges. Default false, as in PyTorch. */
  alignCorners?: boolean;
}

interface SampleAttrs {
  mode: "bilinear" | "nearest";
  paddingMode: "zeros" | "border";
  alignCorners: boolean;
}

/**
 * Input pixel coordinates of one grid axis (`coord` [N, Hout, Wout]), like PyTorch's `grid_sampler_compute_source_index`,
 * and their slope d(pixel)/d(coord): the unnormalizing scale, 0 where border padding clamps.
 */
function sourceIndex(coord: Tensor, size: number, a: SampleAttrs): { pos: Tensor; slope: Tensor | number } {
  const scale = a.alignCorners ? (size - 1) / 2 : size / 2;
  const raw = a.alignCorners ? mul(add(coord, 1), scale) : mul(sub(mul(add(coord, 1), size), 1), 0.5);
  if (a.paddingMode !== "border") return { pos: raw, slope: scale };
  return { pos: clamp(raw, { min: 0, max: size - 1 }), slope: where(logicalAnd(ge(raw, 0), le(raw, size - 1)), scale, 0) };
}

/**
 * The sampling taps of every output point, as tensors built from the grid with public ops (so the gradient below
 * can itself be differentiated): flat indices into the input padded by one ring of zeros — a corner outside the
 * input is clamped onto the ring and reads 0 — and the bilinear weights with their derivatives.
 */
function taps(input: Tensor, grid: Tensor, a: SampleAttrs) {
  const [n, , h, w] = input.shape;
  const points = grid.shape[1] * grid.shape[2];
  const cx = sourceIndex(select(grid, 3, 0), w, a);
  const cy = sourceIndex(select(grid, 3, 1), h, a);
  /** Flat indices into the padded plane of the pixels at (y, x) (whole-number tensors), [N, 1, P] int32. */
  const flatIndex = (y: Tensor, x: Tensor): Tensor => {
    const yi = cast(add(clamp(y, { min: -1, max: h }), 1), "int32");
    const xi = cast(add(clamp(x, { min: -1, max: w }), 1), "int32");
    return reshape(add(mul(yi, w + 2), xi), [n, 1, points]);
  };
  if (a.mode === "nearest") return { index: flatIndex(round(cy.pos), round(cx.pos)), cx, cy, points };
  const x0 = floor(cx.pos);
  const y0 = floor(cy.pos);
  const tx = sub(cx.pos, x0);
  const ty = sub(cy.pos, y0);
  const sx = sub(1, tx);
  const sy = sub(1, ty);
  // Corners in the order NW, NE, SW, SE: [N, 1, 4·P] indices and [N, 1, 4, P] weights.
  const x1 = add(x0, 1);
  const y1 = add(y0, 1);
  const index = cat([flatIndex(y0, x0), flatIndex(y0, x1), flatIndex(y1, x0), flatIndex(y1, x1)], 2);
  const four = (ts: Tensor[]): Tensor => reshape(stack(ts.map((t) => reshape(t, [n, points])), 1), [n, 1, 4, points]);
  return {
    index, cx, cy, points,
    weights: four([mul(sx, sy), mul(tx, sy), mul(sx, ty), mul(tx, ty)]),
    dWdx: four([neg(sy), sy, neg(ty), ty]),
    dWdy: four([neg(sx), neg(tx), sx, tx]),
  };
}

/** `input` [N, C, H, W] with a ring of zeros, flattened to [N, C, (H+2)·(W+2)]. */
const paddedPlanes = (input: Tensor): Tensor => {
  const [n, c, h, w] = input.shape;
  return reshape(pad(input, [1, 1, 1, 1]), [n, c, (h + 2) * (w + 2)]);
};

/**
 * Gradients of gridSample with public ops: the input's is the sampling's transpose (each output's gradient
 * scatters into the pixels it read, by their weights); the grid's is Σ gy · value · dweight/dcoord (zero for
 * nearest, as in PyTorch).
 */
function gridSampleGrad(ctx: GradContext<SampleAttrs>, gy: Tensor): (Tensor | null)[] {
  const [input, grid] = ctx.inputs;
  const [n, c, h, w] = input.shape;
  const t = taps(input, grid, ctx.attrs);
  const taps4 = t.weights ? 4 : 1;
  const spread = expand(t.index, [n, c, taps4 * t.points]);
  const gy4 = reshape(gy, [n, c, 1, t.points]);
  let gInput: Tensor | null = null;
  if (ctx.needsInputGrad[0]) {
    const src = reshape(t.weights ? mul(gy4, t.weights) : gy4, [n, c, taps4 * t.points]);
    const g = scatterAdd(zeros([n, c, (h + 2) * (w + 2)], { dtype: input.dtype }), 2, spread, src);
    gInput = narrow(narrow(reshape(g, [n, c, h + 2, w + 2]), 2, 1, h), 3, 1, w);
  }
  let gGrid: Tensor | null = null;
  if (ctx.needsInputGrad[1]) {
    if (!t.weights || !t.dWdx || !t.dWdy) return [gInput, zerosLike(grid)];
    const values = reshape(gather(paddedPlanes(input), 2, spread), [n, c, 4, t.points]);
    const byTap = sum(mul(gy4, values), { dim: 1 }); // [N, 4, P]
    const along = (dW: Tensor, slope: Tensor | number): Tensor =>
      mul(reshape(sum(mul(byTap, reshape(dW, [n, 4, t.points])), { dim: 1 }), grid.shape.slice(0, 3)), slope);
    gGrid = stack([along(t.dWdx, t.cx.slope), along(t.dWdy, t.cy.slope)], 3);
  }
  return [gInput, gGrid];
}

const gridSampleOp: Op<SampleAttrs> = defineOp<SampleAttrs>({
  name: "gridSample",
  infer: ([x, grid]) => ({ shape: [x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]], dtype: x.dtype }),
  grad: gridSampleGrad,
});

/**
 * Samples `input` `[N, C, H, W]` at the points of `grid` `[N, Hout, Wout, 2]` (normalized (x, y) in [-1, 1], as
 * made by `affineGrid`), like `F.grid_sample`: bilinear or nearest, zeros or border outside. The result is
 * `[N, C, Hout, Wout]`. Differentiable with respect to the input and (bilinear) the grid, to any order.
 * @example tl.gridSample(images, tl.affineGrid(theta, images.shape), { mode: "bilinear" })
 */
export function gridSample(input: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  expectTensor(input, "gridSample", "input");
  expectTensor(grid, "gridSample", "grid");
  const mode = options.mode ?? "bilinear";
  const paddingMode = options.paddingMode ?? "zeros";
  check(mode === "bilinear" || mode === "nearest", "gridSample", () => `mode must be "bilinear" or "nearest", got ${JSON.stringify(mode)}`);
  check(paddingMode === "zeros" || paddingMode === "border", "gridSample",
    () => `paddingMode must be "zeros" or "border", got ${JSON.stringify(paddingMode)}`);
  check(input.ndim === 4, "gridSample", () => `input must be 4-D [N, C, H, W], got shape ${fmtShape(input.shape)}`);
  check(grid.ndim === 4 && grid.shape[3] === 2 && grid.shape[0] === input.shape[0], "gridSample",
    () => `grid must have shape [N, Hout, Wout, 2] with N = ${input.shape[0]} (input ${fmtShape(input.shape)}), got ${fmtShape(grid.shape)}`);
  check(isFloat(input.dtype) && input.dtype === grid.dtype, "gridSample",
    () => `input and grid must share a float dtype, got ${input.dtype} and ${grid.dtype}`);
  check(input.shape[2] > 0 && input.shape[3] > 0, "gridSample", () => `input must have non-empty spatial dims, got shape ${fmtShape(input.shape)}`);
  return gridSampleOp([input, grid], { mode, paddingMode, alignCorners: options.alignCorners ?? false });
}
