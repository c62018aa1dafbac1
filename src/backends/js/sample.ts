/**
 * Reference kernel of `gridSample` (PyTorch's 2-D grid_sampler, CPU): for each output point, its grid
 * coordinate is unnormalized to input pixels (clamped for "border"), then every channel reads the four
 * bilinear neighbours (outside ones read 0) or the nearest pixel (ties to even). Float32 inputs round the
 * coordinate arithmetic to float32 at each step, as PyTorch's kernel does, so nearest picks the same pixels.
 */
import type { Kernel, KernelInfo } from "../../backend/backend.js";
import { roundHalfEven } from "./math.js";
import { dataOf } from "./storage.js";

const identity = (v: number): number => v;

const gridSample: Kernel = ([x, grid], [out], attrs) => {
  const [n, c, h, w] = x.shape;
  const [, ho, wo] = grid.shape;
  const points = ho * wo;
  const src = dataOf(x);
  const g = dataOf(grid);
  const dst = dataOf(out);
  const r = x.dtype === "float32" ? Math.fround : identity;
  const align = attrs.alignCorners as boolean;
  const border = attrs.paddingMode === "border";
  const nearest = attrs.mode === "nearest";
  const unnormalize = (coord: number, size: number): number =>
    align ? r(r(r(coord + 1) / 2) * (size - 1)) : r(r(r(r(coord + 1) * size) - 1) / 2);
  const clip = (v: number, size: number): number => (border ? Math.min(size - 1, Math.max(v, 0)) : v);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const xBase = x.offset + b * c * plane;
    const oBase = b * c * points;
    for (let p = 0; p < points; p++) {
      const gi = grid.offset + (b * points + p) * 2;
      const ix = clip(unnormalize(g[gi], w), w);
      const iy = clip(unnormalize(g[gi + 1], h), h);
      if (nearest) {
        const xn = roundHalfEven(ix);
        const yn = roundHalfEven(iy);
        const inside = xn >= 0 && xn < w && yn >= 0 && yn < h;
        for (let ch = 0; ch < c; ch++) dst[oBase + ch * points + p] = inside ? src[xBase + ch * plane + yn * w + xn] : 0;
        continue;
      }
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      const x1 = x0 + 1;
      const y1 = y0 + 1;
      // PyTorch's corner weights: each is the area of the opposite sub-rectangle.
      const wNW = r(r(x1 - ix) * r(y1 - iy));
      const wNE = r(r(ix - x0) * r(y1 - iy));
      const wSW = r(r(x1 - ix) * r(iy - y0));
      const wSE = r(r(ix - x0) * r(iy - y0));
      const inX0 = x0 >= 0 && x0 < w;
      const inX1 = x1 >= 0 && x1 < w;
      const inY0 = y0 >= 0 && y0 < h;
      const inY1 = y1 >= 0 && y1 < h;
      for (let ch = 0; ch < c; ch++) {
        const base = xBase + ch * plane;
        let v = 0;
        if (inY0 && inX0) v += src[base + y0 * w + x0] * wNW;
        if (inY0 && inX1) v += src[base + y0 * w + x1] * wNE;
        if (inY1 && inX0) v += src[base + y1 * w + x0] * wSW;
        if (inY1 && inX1) v += src[base + y1 * w + x1] * wSE;
        dst[oBase + ch * points + p] = v;
      }
    }
  }
};

/** The reference kernels of the sampling ops, by op name. */
export const sampleKernels: Record<string, KernelInfo> = {
  gridSample: { run: gridSample, strided: false },
};
