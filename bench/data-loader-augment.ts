/**
 * The augmentation pipeline of bench/data-loader.ts, in its own module so DataLoader workers can import
 * it by spec: random crop with padding, horizontal flip, rotation (bilinear, ±15°), color jitter
 * (brightness, contrast, saturation) and Gaussian noise on a [C, H, W] float image. Loops over typed
 * arrays, like the per-sample work of torchvision's PIL transforms; randomness from the global
 * generator, so the DataLoader's per-sample seeds decide it.
 */
import * as tl from "../src/index.js";

/** Augments one image [C, H, W] in [0, 1]. */
export function augment(x: tl.Tensor): tl.Tensor {
  const [c, h, w] = x.shape;
  const src = x.dataSync() as Float32Array;
  const rng = new tl.Random();
  const pad = 4;
  const dx = rng.int(-pad, pad + 1);
  const dy = rng.int(-pad, pad + 1);
  const flip = rng.next() < 0.5;
  const angle = ((rng.next() * 30 - 15) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const brightness = 0.8 + 0.4 * rng.next();
  const contrast = 0.8 + 0.4 * rng.next();
  const saturation = 0.8 + 0.4 * rng.next();
  const out = new Float32Array(c * h * w);
  const plane = h * w;
  const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
  // Geometry: output pixel → source position (inverse rotation, shift, flip), bilinear, zero outside.
  for (let y = 0; y < h; y++) {
    for (let xo = 0; xo < w; xo++) {
      const xr = (flip ? w - 1 - xo : xo) - cx;
      const yr = y - cy;
      const sx = cos * xr + sin * yr + cx + dx;
      const sy = -sin * xr + cos * yr + cy + dy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const in00 = x0 >= 0 && x0 < w && y0 >= 0 && y0 < h;
      const in10 = x0 + 1 >= 0 && x0 + 1 < w && y0 >= 0 && y0 < h;
      const in01 = x0 >= 0 && x0 < w && y0 + 1 >= 0 && y0 + 1 < h;
      const in11 = x0 + 1 >= 0 && x0 + 1 < w && y0 + 1 >= 0 && y0 + 1 < h;
      for (let k = 0; k < c; k++) {
        const at = k * plane + y0 * w + x0;
        const v00 = in00 ? src[at] : 0;
        const v10 = in10 ? src[at + 1] : 0;
        const v01 = in01 ? src[at + w] : 0;
        const v11 = in11 ? src[at + w + 1] : 0;
        out[k * plane + y * w + xo] = (1 - fy) * ((1 - fx) * v00 + fx * v10) + fy * ((1 - fx) * v01 + fx * v11);
      }
    }
  }
  // Color: brightness, contrast around the mean luma, saturation toward the per-pixel gray; then noise.
  let mean = 0;
  for (let p = 0; p < plane; p++) mean += 0.299 * out[p] + 0.587 * out[plane + p] + 0.114 * out[2 * plane + p];
  mean = (mean / plane) * brightness;
  for (let p = 0; p < plane; p++) {
    const r = out[p] * brightness;
    const g = out[plane + p] * brightness;
    const b = out[2 * plane + p] * brightness;
    const gray = 0.299 * r + 0.587 * g + 0.114 * b;
    out[p] = clamp01(((gray + (r - gray) * saturation) - mean) * contrast + mean + 0.02 * rng.normal());
    out[plane + p] = clamp01(((gray + (g - gray) * saturation) - mean) * contrast + mean + 0.02 * rng.normal());
    out[2 * plane + p] = clamp01(((gray + (b - gray) * saturation) - mean) * contrast + mean + 0.02 * rng.normal());
  }
  return tl.tensor(out, { shape: [c, h, w] });
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
