// Packers that feed image patches straight into GEMM panels (layout in gemm.h), so the
// convolutions run as GEMMs without an im2col buffer: the patch matrix exists only one packed
// block at a time, in the GEMM's per-thread arena. Included by conv.cc only (per-ISA namespace).
#ifndef TENSILE_KERNELS_CONV_PACK_H
#define TENSILE_KERNELS_CONV_PACK_H

#include "gemm.h"

namespace tensile {
namespace TENSILE_ISA {

// One convolution's geometry: x [N, C, H, W], w [O, C/groups, KH, KW], y [N, O, HO, WO].
struct ConvGeom {
  int64_t n, c, h, w, o, ho, wo, kh, kw;
  int64_t sh, sw, pt, pl, dh, dw;
  int64_t groups, cg, og;  // channels per group: input, output
};

// dst[j · ds] = row[i0 + j · step] where 0 ≤ i0 + j · step < size, else 0, for j < len.
template <class T>
TL_INLINE void CopyRun(T* dst, int64_t ds, const T* row, int64_t i0, int64_t step, int64_t len, int64_t size) {
  // Valid j: lo ≤ j < hi (no divisions for the common unit step).
  int64_t lo, hi;
  if (step == 1) {
    lo = i0 >= 0 ? 0 : -i0;
    hi = size - i0;
  } else {
    lo = i0 >= 0 ? 0 : (-i0 + step - 1) / step;
    hi = i0 >= size ? 0 : (size - 1 - i0) / step + 1;
  }
  if (lo > len) lo = len;
  if (hi > len) hi = len;
  if (hi < lo) hi = lo;
  int64_t j = 0;
  for (; j < lo; j++) dst[j * ds] = T(0);
  const T* s = row + i0;
  if (ds == 1 && step == 1) {
    using V = typename VecOf<T>::V;
    for (; j + V::W <= hi; j += V::W) V::store(dst + j, V::load(s + j));
    if (j < hi) {
      V::storen(dst + j, V::loadn(s + j, static_cast<int>(hi - j)), static_cast<int>(hi - j));
      j = hi;
    }
  } else {
    for (; j < hi; j++) dst[j * ds] = s[j * step];
  }
  for (; j < len; j++) dst[j * ds] = T(0);
}

// dst[j] = row[(t0 + j) / step] for the j < len where t0 + j is a multiple of step and the
// quotient lies in [0, size), else 0: the taps of a strided convolution seen from its input.
template <class T>
TL_INLINE void CopyRunStrided(T* dst, const T* row, int64_t t0, int64_t step, int64_t len, int64_t size) {
  if (step == 1) {
    CopyRun(dst, 1, row, t0, 1, len, size);
    return;
  }
  for (int64_t j = 0; j < len; j++) dst[j] = T(0);
  int64_t j = ((-t0) % step + step) % step;  // first j with t0 + j ≡ 0 (mod step)
  for (; j < len; j += step) {
    const int64_t q = (t0 + j) / step;
    if (q >= 0 && q < size) dst[j] = row[q];
  }
}

// A run of consecutive flat positions that stay in one row of a [rows, cols] grid.
struct Segment {
  int64_t row, col, len, off;  // off: position of the run inside the panel
};

// Cuts positions [p0, p0 + live) of a grid with `cols` columns into row runs; returns the count
// (at most live).
TL_INLINE int Segments(int64_t p0, int live, int64_t cols, Segment* seg) {
  int n = 0;
  int64_t p = p0, off = 0;
  while (off < live) {
    const int64_t row = p / cols, col = p % cols;
    int64_t len = cols - col;
    if (len > live - off) len = live - off;
    seg[n++] = {row, col, len, off};
    p += len;
    off += len;
  }
  return n;
}

// Panels hold at most this many rows (NR of the widest tile).
constexpr int kMaxPanel = 64;

// conv2d's Bᵀ: row r = output position (oh, ow), column k = tap (ci, ky, kx):
// X[r, k] = x[n, gi·cg + ci, oh·sh − pt + ky·dh, ow·sw − pl + kx·dw] (zero in the padding).
template <class T>
struct PatchCtx {
  const ConvGeom* g;
  const T* x;
};

template <class T>
void PackPatchesT(const void* pctx, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w, T* dst) {
  const PatchCtx<T>& ctx = *static_cast<const PatchCtx<T>*>(pctx);
  const ConvGeom& g = *ctx.g;
  const int64_t n = b / g.groups, gi = b % g.groups;
  const T* img = ctx.x + (n * g.c + gi * g.cg) * g.h * g.w;
  const int64_t taps = g.kh * g.kw;
  Segment seg[kMaxPanel];
  for (int64_t p0 = r0; p0 < r0 + rows; p0 += w, dst += depth * w) {
    const int live = r0 + rows - p0 < w ? static_cast<int>(r0 + rows - p0) : w;
    const int ns = Segments(p0, live, g.wo, seg);
    int64_t ci = (k0) / taps, ky = (k0 % taps) / g.kw, kx = k0 % g.kw;
    for (int64_t k = 0; k < depth; k++) {
      T* d = dst + k * w;
      const T* plane = img + ci * g.h * g.w;
      for (int s = 0; s < ns; s++) {
        const int64_t ih = seg[s].row * g.sh - g.pt + ky * g.dh;
        if (ih < 0 || ih >= g.h) {
          for (int64_t j = 0; j < seg[s].len; j++) d[seg[s].off + j] = T(0);
        } else {
          CopyRun(d + seg[s].off, 1, plane + ih * g.w, seg[s].col * g.sw - g.pl + kx * g.dw, g.sw, seg[s].len, g.w);
        }
      }
      for (int j = live; j < w; j++) d[j] = T(0);
      if (++kx == g.kw) {
        kx = 0;
        if (++ky == g.kh) {
          ky = 0;
          ci++;
        }
      }
    }
  }
}

// conv2dInputGrad's Bᵀ: row r = input position (ih, iw), column k = (co, ky, kx):
// X[r, k] = gy[n, gi·og + co, oh, ow] where oh·sh = ih + pt − ky·dh (likewise ow), else 0.
template <class T>
struct GradPatchCtx {
  const ConvGeom* g;
  const T* gy;
};

template <class T>
void PackGradPatchesT(const void* pctx, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w,
                      T* dst) {
  const GradPatchCtx<T>& ctx = *static_cast<const GradPatchCtx<T>*>(pctx);
  const ConvGeom& g = *ctx.g;
  const int64_t n = b / g.groups, gi = b % g.groups;
  const T* img = ctx.gy + (n * g.o + gi * g.og) * g.ho * g.wo;
  const int64_t taps = g.kh * g.kw;
  Segment seg[kMaxPanel];
  for (int64_t p0 = r0; p0 < r0 + rows; p0 += w, dst += depth * w) {
    const int live = r0 + rows - p0 < w ? static_cast<int>(r0 + rows - p0) : w;
    const int ns = Segments(p0, live, g.w, seg);
    int64_t co = k0 / taps, ky = (k0 % taps) / g.kw, kx = k0 % g.kw;
    for (int64_t k = 0; k < depth; k++) {
      T* d = dst + k * w;
      const T* plane = img + co * g.ho * g.wo;
      for (int s = 0; s < ns; s++) {
        const int64_t th = seg[s].row + g.pt - ky * g.dh;
        const int64_t oh = th >= 0 ? th / g.sh : -1;
        if (oh < 0 || oh >= g.ho || oh * g.sh != th) {
          for (int64_t j = 0; j < seg[s].len; j++) d[seg[s].off + j] = T(0);
        } else {
          CopyRunStrided(d + seg[s].off, plane + oh * g.wo, seg[s].col + g.pl - kx * g.dw, g.sw, seg[s].len, g.wo);
        }
      }
      for (int j = live; j < w; j++) d[j] = T(0);
      if (++kx == g.kw) {
        kx = 0;
        if (++ky == g.kh) {
          ky = 0;
          co++;
        }
      }
    }
  }
}

// conv2dInputGrad's A: row r = input channel ci, column k = (co, ky, kx):
// X[r, k] = w[gi·og + co, ci, ky, kx] (the group's weights transposed).
template <class T>
struct WeightTCtx {
  const ConvGeom* g;
  const T* wt;
};

template <class T>
void PackWeightT(const void* pctx, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w, T* dst) {
  const WeightTCtx<T>& ctx = *static_cast<const WeightTCtx<T>*>(pctx);
  const ConvGeom& g = *ctx.g;
  const int64_t gi = b % g.groups;
  const int64_t taps = g.kh * g.kw;
  const T* base = ctx.wt + gi * g.og * g.cg * taps;
  for (int64_t p0 = r0; p0 < r0 + rows; p0 += w, dst += depth * w) {
    const int live = r0 + rows - p0 < w ? static_cast<int>(r0 + rows - p0) : w;
    for (int i = 0; i < w; i++) {
      if (i >= live) {
        for (int64_t k = 0; k < depth; k++) dst[k * w + i] = T(0);
        continue;
      }
      const T* wrow = base + (p0 + i) * taps;  // ci = p0 + i
      int64_t co = k0 / taps, tap = k0 % taps;
      for (int64_t k = 0; k < depth; k++) {
        dst[k * w + i] = wrow[co * g.cg * taps + tap];
        if (++tap == taps) {
          tap = 0;
          co++;
        }
      }
    }
  }
}

// conv2dWeightGrad's A: row r = output channel co, column k = (n, p):
// X[r, k] = gy[n, gi·og + co, p] for p < ho·wo (batch items are the groups).
template <class T>
void PackGradRows(const void* pctx, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w, T* dst) {
  const GradPatchCtx<T>& ctx = *static_cast<const GradPatchCtx<T>*>(pctx);
  const ConvGeom& g = *ctx.g;
  const int64_t gi = b, plen = g.ho * g.wo;
  for (int64_t p0 = r0; p0 < r0 + rows; p0 += w, dst += depth * w) {
    const int live = r0 + rows - p0 < w ? static_cast<int>(r0 + rows - p0) : w;
    for (int i = 0; i < w; i++) {
      if (i >= live) {
        for (int64_t k = 0; k < depth; k++) dst[k * w + i] = T(0);
        continue;
      }
      const int64_t co = gi * g.og + p0 + i;
      for (int64_t k = 0; k < depth;) {
        const int64_t n = (k0 + k) / plen, p = (k0 + k) % plen;
        int64_t len = plen - p;
        if (len > depth - k) len = depth - k;
        const T* src = ctx.gy + (n * g.o + co) * plen + p;
        for (int64_t j = 0; j < len; j++) dst[(k + j) * w + i] = src[j];
        k += len;
      }
    }
  }
}

// conv2dWeightGrad's Bᵀ: row r = tap (ci, ky, kx), column k = (n, oh, ow):
// X[r, k] = x[n, gi·cg + ci, oh·sh − pt + ky·dh, ow·sw − pl + kx·dw] (zero in the padding).
template <class T>
void PackPatchRows(const void* pctx, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w, T* dst) {
  const PatchCtx<T>& ctx = *static_cast<const PatchCtx<T>*>(pctx);
  const ConvGeom& g = *ctx.g;
  const int64_t gi = b, taps = g.kh * g.kw, plen = g.ho * g.wo;
  for (int64_t p0 = r0; p0 < r0 + rows; p0 += w, dst += depth * w) {
    const int live = r0 + rows - p0 < w ? static_cast<int>(r0 + rows - p0) : w;
    for (int i = 0; i < w; i++) {
      if (i >= live) {
        for (int64_t k = 0; k < depth; k++) dst[k * w + i] = T(0);
        continue;
      }
      const int64_t r = p0 + i, ci = r / taps, ky = (r % taps) / g.kw, kx = r % g.kw;
      for (int64_t k = 0; k < depth;) {
        const int64_t n = (k0 + k) / plen, p = (k0 + k) % plen;
        const int64_t oh = p / g.wo, ow = p % g.wo;
        int64_t len = g.wo - ow;
        if (len > depth - k) len = depth - k;
        T* d = dst + k * w + i;
        const int64_t ih = oh * g.sh - g.pt + ky * g.dh;
        if (ih < 0 || ih >= g.h) {
          for (int64_t j = 0; j < len; j++) d[j * w] = T(0);
        } else {
          const T* row = ctx.x + ((n * g.c + gi * g.cg + ci) * g.h + ih) * g.w;
          CopyRun(d, w, row, ow * g.sw - g.pl + kx * g.dw, g.sw, len, g.w);
        }
        k += len;
      }
    }
  }
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
