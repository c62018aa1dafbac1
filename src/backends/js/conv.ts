import { typedArrayFor, type TypedArray } from "../../core/dtype.js";
import type { Kernel, KernelInfo, TensorView } from "../../backend/backend.js";
import { gemmNT, packMatrix } from "./matmul.js";
import { dataOf } from "./storage.js";

/** Geometry of one convolution: the image [C, H, W] side and the output [Ho, Wo] side. */
interface Geometry {
  cg: number; h: number; w: number;
  kh: number; kw: number;
  ho: number; wo: number;
  sh: number; sw: number;
  pt: number; pl: number;
  dh: number; dw: number;
}

function geometry(image: TensorView, kernel: TensorView, outSpatial: TensorView, attrs: Record<string, unknown>): Geometry {
  const [sh, sw] = attrs.stride as number[];
  const [pt, , pl] = attrs.padding as number[];
  const [dh, dw] = attrs.dilation as number[];
  return {
    cg: kernel.shape[1], h: image.shape[2], w: image.shape[3],
    kh: kernel.shape[2], kw: kernel.shape[3],
    ho: outSpatial.shape[2], wo: outSpatial.shape[3],
    sh, sw, pt, pl, dh, dw,
  };
}

/**
 * Patches of one image, one row per output position: colT[l, (c·kh + p)·kw + q] =
 * x[c, oh·sh − pt + p·dh, ow·sw − pl + q·dw] (zero outside), so conv2d is `w · colTᵀ` in NT layout.
 */
function im2colT(x: TypedArray, xOff: number, g: Geometry, colT: TypedArray): void {
  const { cg, h, w, kh, kw, ho, wo, sh, sw, pt, pl, dh, dw } = g;
  const ckk = cg * kh * kw;
  for (let oh = 0; oh < ho; oh++) {
    for (let ow = 0; ow < wo; ow++) {
      let dst = (oh * wo + ow) * ckk;
      const ih0 = oh * sh - pt;
      const iw0 = ow * sw - pl;
      for (let c = 0; c < cg; c++) {
        const plane = xOff + c * h * w;
        for (let p = 0; p < kh; p++) {
          const ih = ih0 + p * dh;
          if (ih < 0 || ih >= h) {
            for (let q = 0; q < kw; q++) colT[dst++] = 0;
            continue;
          }
          const row = plane + ih * w;
          for (let q = 0; q < kw; q++) {
            const iw = iw0 + q * dw;
            colT[dst++] = iw >= 0 && iw < w ? x[row + iw] : 0;
          }
        }
      }
    }
  }
}

/** Patches one row per kernel tap: col[(c·kh + p)·kw + q, l], the layout the weight gradient multiplies by. */
function im2col(x: TypedArray, xOff: number, g: Geometry, col: TypedArray): void {
  const { cg, h, w, kh, kw, ho, wo, sh, sw, pt, pl, dh, dw } = g;
  const l = ho * wo;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    const plane = xOff + c * h * w;
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++, r++) {
        for (let oh = 0; oh < ho; oh++) {
          const dst = r * l + oh * wo;
          const ih = oh * sh - pt + p * dh;
          if (ih < 0 || ih >= h) {
            col.fill(0, dst, dst + wo);
            continue;
          }
          const row = plane + ih * w;
          const iw0 = q * dw - pl;
          for (let ow = 0; ow < wo; ow++) {
            const iw = iw0 + ow * sw;
            col[dst + ow] = iw >= 0 && iw < w ? x[row + iw] : 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: adds col[(c·kh + p)·kw + q, l] into dx at the position that tap read. */
function col2imAdd(col: TypedArray, g: Geometry, dx: TypedArray, dxOff: number): void {
  const { cg, h, w, kh, kw, ho, wo, sh, sw, pt, pl, dh, dw } = g;
  const l = ho * wo;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    const plane = dxOff + c * h * w;
    for (let p = 0; p < kh; p++) {
      for (let q = 0; q < kw; q++, r++) {
        for (let oh = 0; oh < ho; oh++) {
          const ih = oh * sh - pt + p * dh;
          if (ih < 0 || ih >= h) continue;
          const src = r * l + oh * wo;
          const row = plane + ih * w;
          const iw0 = q * dw - pl;
          for (let ow = 0; ow < wo; ow++) {
            const iw = iw0 + ow * sw;
            if (iw >= 0 && iw < w) dx[row + iw] += col[src + ow];
          }
        }
      }
    }
  }
}

/** y[n, o] = Σ_c,p,q w[o, c, p, q] · x[n, c, …]: per image and group, w [Og, CKK] times colT [L, CKK]ᵀ. */
const conv2d: Kernel = ([x, wt, bias], [y], attrs) => {
  const groups = attrs.groups as number;
  const g = geometry(x, wt, y, attrs);
  const [n, c] = x.shape;
  const o = wt.shape[0];
  const og = o / groups;
  const ckk = g.cg * g.kh * g.kw;
  const l = g.ho * g.wo;
  const X = dataOf(x);
  const W = dataOf(wt);
  const Y = dataOf(y);
  const colT = typedArrayFor(x.dtype, l * ckk);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < groups; gi++) {
      im2colT(X, x.offset + (b * c + gi * g.cg) * g.h * g.w, g, colT);
      gemmNT(og, l, ckk, W, wt.offset + gi * og * ckk, ckk, colT, 0, ckk, Y, (b * o + gi * og) * l, l, false);
    }
  }
  if (bias !== undefined) addChannelBias(dataOf(bias), bias.offset, Y, n, o, l);
  // A fused ReLU (conv2dRelu), as the relu kernel computes it.
  if (attrs.relu === true) for (let i = 0; i < n * o * l; i++) Y[i] = Y[i] > 0 ? Y[i] : 0;
};

/** y[b, c, ·] += bias[c] over a contiguous [n, o, l] output (conv2d's optional bias input). */
function addChannelBias(B: TypedArray, offset: number, Y: TypedArray, n: number, o: number, l: number): void {
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < o; c++) {
      const v = B[offset + c];
      const at = (b * o + c) * l;
      for (let i = 0; i < l; i++) Y[at + i] += v;
    }
  }
}

/**
 * dx = the transposed convolution of gy [N, O, Ho, Wo] with w [O, Cg, kh, kw]: per image and group,
 * dcol [CKK, L] = wᵀ · gy (NT layout: wᵀ and gyᵀ packed), then scattered back with col2im.
 */
const conv2dInputGrad: Kernel = ([gy, wt], [dx], attrs) => {
  const groups = attrs.groups as number;
  const g = geometry(dx, wt, gy, attrs);
  const [n, o] = gy.shape;
  const c = dx.shape[1];
  const og = o / groups;
  const ckk = g.cg * g.kh * g.kw;
  const l = g.ho * g.wo;
  const GY = dataOf(gy);
  const W = dataOf(wt);
  const DX = dataOf(dx);
  DX.fill(0);
  const wT = typedArrayFor(wt.dtype, ckk * og);
  const gyT = typedArrayFor(gy.dtype, l * og);
  const dcol = typedArrayFor(dx.dtype, ckk * l);
  for (let gi = 0; gi < groups; gi++) {
    // wT[r, o'] = w[gi·og + o', r]
    packMatrix(W, wt.offset + gi * og * ckk, ckk, og, 1, ckk, wT);
    for (let b = 0; b < n; b++) {
      packMatrix(GY, gy.offset + (b * o + gi * og) * l, l, og, 1, l, gyT);
      gemmNT(ckk, l, og, wT, 0, og, gyT, 0, og, dcol, 0, l, false);
      col2imAdd(dcol, g, DX, (b * c + gi * g.cg) * g.h * g.w);
    }
  }
};

/** dw[o, r] = Σ_n Σ_l gy[n, o, l] · col_n[r, l]: per image and group, gy [Og, L] times col [CKK, L]ᵀ, accumulated. */
const conv2dWeightGrad: Kernel = ([x, gy], [dw], attrs) => {
  const groups = attrs.groups as number;
  const g = geometry(x, dw, gy, attrs);
  const [n, c] = x.shape;
  const o = gy.shape[1];
  const og = o / groups;
  const ckk = g.cg * g.kh * g.kw;
  const l = g.ho * g.wo;
  const X = dataOf(x);
  const GY = dataOf(gy);
  const DW = dataOf(dw);
  DW.fill(0);
  const col = typedArrayFor(x.dtype, ckk * l);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < groups; gi++) {
      im2col(X, x.offset + (b * c + gi * g.cg) * g.h * g.w, g, col);
      gemmNT(og, ckk, l, GY, gy.offset + (b * o + gi * og) * l, l, col, 0, l, DW, gi * og * ckk, ckk, true);
    }
  }
};

/** The reference kernels of the conv ops, by op name. */
export const convKernels: Record<string, KernelInfo> = {
  conv2d: { run: conv2d, strided: false },
  conv2dInputGrad: { run: conv2dInputGrad, strided: false },
  conv2dWeightGrad: { run: conv2dWeightGrad, strided: false },
};
