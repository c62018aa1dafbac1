// How each convolution kernel maps onto the direct engines (conv_direct.h): which planes an item
// builds, the offset of every tap, and how A (the weights) is packed. Included by conv.cc only.
//
//   conv2d:            planes = x of one (image, group), padded and split by stride phase;
//                      tap (ci, ky, kx) reads phase ((ky·dh) mod sh, (kx·dw) mod sw), shifted by
//                      (⌊ky·dh / sh⌋, ⌊kx·dw / sw⌋); out = y.
//   conv2dInputGrad:   one item per (image, group, output phase (rh, rw)): dx[rh + sh·i, rw + sw·j]
//                      gathers gy[i + ey, j + ex] over the taps with sh | rh + pt − ky·dh, where
//                      ey = (rh + pt − ky·dh) / sh; planes = gy, padded to cover every ey, ex.
//   conv2dWeightGrad:  dw[o, (ci, ky, kx)] = Σ_n Σ_q G[o, q] · planes[off + q] with conv2d's planes
//                      and G = gy laid out on the same pitch (zeros in the dropped columns).
#ifndef TENSILE_KERNELS_CONV_PLAN_H
#define TENSILE_KERNELS_CONV_PLAN_H

#include "conv_direct.h"
#include "conv_pack.h"
#include "gemm_pack.h"

namespace tensile {
namespace TENSILE_ISA {

TL_INLINE size_t PlanAlign(size_t n) { return (n + 63) & ~size_t(63); }

// conv2d's planes: per stride phase and input channel, hq × wq.
struct PlaneShape {
  int64_t hq, wq, phases;
  int64_t len;  // elements of all planes of one item
};

TL_INLINE PlaneShape ForwardPlanes(const ConvGeom& g) {
  const int64_t hp = (g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const int64_t wp = (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  PlaneShape s;
  s.hq = (hp + g.sh - 1) / g.sh;
  s.wq = (wp + g.sw - 1) / g.sw;
  s.phases = g.sh * g.sw;
  s.len = s.phases * g.cg * s.hq * s.wq;
  return s;
}

// Bytes of planes + slack, rounded for what follows them.
template <class T>
TL_INLINE size_t PlaneBytes(const PlaneShape& s) {
  return PlanAlign(size_t(s.len + s.wq + kPlaneSlack) * sizeof(T));
}

template <class T>
struct ConvPlan {
  const ConvGeom* g;
  const T* x;  // conv2d / conv2dWeightGrad input
  const T* w;  // weights
  const T* gy;
  T* out;
  PlaneShape planes;
  int64_t q_pitch;  // conv2dWeightGrad: G row pitch
};

// Fills planes for image n, group gi of x (conv2d's layout) and their tap offsets.
template <class T>
void BuildForwardPlanes(const ConvPlan<T>& p, int64_t n, int64_t gi, T* planes, int32_t* off) {
  const ConvGeom& g = *p.g;
  const PlaneShape& s = p.planes;
  for (int64_t ph = 0; ph < g.sh; ph++) {
    for (int64_t pw = 0; pw < g.sw; pw++) {
      for (int64_t ci = 0; ci < g.cg; ci++) {
        T* plane = planes + ((ph * g.sw + pw) * g.cg + ci) * s.hq * s.wq;
        const T* img = p.x + (n * g.c + gi * g.cg + ci) * g.h * g.w;
        for (int64_t i = 0; i < s.hq; i++) {
          const int64_t ih = i * g.sh + ph - g.pt;
          T* row = plane + i * s.wq;
          if (ih < 0 || ih >= g.h) {
            for (int64_t j = 0; j < s.wq; j++) row[j] = T(0);
          } else {
            CopyRun(row, 1, img + ih * g.w, pw - g.pl, g.sw, s.wq, g.w);
          }
        }
      }
    }
  }
  for (int64_t j = 0; j < s.wq + kPlaneSlack; j++) planes[s.len + j] = T(0);
  int32_t* o = off;
  for (int64_t ci = 0; ci < g.cg; ci++) {
    for (int64_t ky = 0; ky < g.kh; ky++) {
      for (int64_t kx = 0; kx < g.kw; kx++) {
        const int64_t ry = ky * g.dh, rx = kx * g.dw;
        const int64_t plane = ((ry % g.sh) * g.sw + rx % g.sw) * g.cg + ci;
        *o++ = static_cast<int32_t>(plane * s.hq * s.wq + (ry / g.sh) * s.wq + rx / g.sw);
      }
    }
  }
}

// ---- conv2d ----

template <class T>
size_t ForwardScratch(const ConvPlan<T>& p) {
  return PlaneBytes<T>(p.planes) + size_t(p.g->cg * p.g->kh * p.g->kw) * sizeof(int32_t);
}

template <class T>
void PrepareForward(const void* ctx, int64_t item, char* scratch, DirectItem<T>* it) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  const int64_t n = item / g.groups, gi = item % g.groups;
  T* planes = reinterpret_cast<T*>(scratch);
  int32_t* off = reinterpret_cast<int32_t*>(scratch + PlaneBytes<T>(p.planes));
  BuildForwardPlanes(p, n, gi, planes, off);
  it->src = planes;
  it->off = off;
  it->k = g.cg * g.kh * g.kw;
  it->rows = g.ho;
  it->cols = g.wo;
  it->pitch = p.planes.wq;
  it->out = p.out + (n * g.o + gi * g.og) * g.ho * g.wo;
  it->out_ms = g.ho * g.wo;
  it->out_rs = g.wo;
  it->out_cs = 1;
}

// A = the group's weights [og, cg·kh·kw], row-major.
template <class T>
void PackForwardWeights(const void* ctx, int64_t item, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w,
                        T* dst) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  const int64_t ckk = g.cg * g.kh * g.kw;
  PackView<T, typename VecOf<T>::V>(p.w + (item % g.groups) * g.og * ckk, ckk, 1, r0, rows, k0, depth, w, dst);
}

// ---- conv2dInputGrad ----

// The taps of one axis that reach output phase r: tap t with s | r + pad − t·d, at offset e.
struct PhaseTaps {
  int64_t count, tap[64], e[64];
  int64_t e_min, e_max;
};

TL_INLINE void TapsOf(int64_t r, int64_t pad, int64_t k, int64_t d, int64_t s, PhaseTaps* t) {
  t->count = 0;
  for (int64_t i = 0; i < k && t->count < 64; i++) {
    const int64_t v = r + pad - i * d;
    if (((v % s) + s) % s != 0) continue;
    const int64_t e = v >= 0 ? v / s : -((-v) / s);
    t->tap[t->count] = i;
    t->e[t->count] = e;
    if (t->count == 0 || e < t->e_min) t->e_min = e;
    if (t->count == 0 || e > t->e_max) t->e_max = e;
    t->count++;
  }
  if (t->count == 0) t->e_min = t->e_max = 0;
}

// Item → (image, group, phase row, phase column).
TL_INLINE void InputGradItem(const ConvGeom& g, int64_t item, int64_t* n, int64_t* gi, int64_t* rh, int64_t* rw) {
  *rw = item % g.sw;
  item /= g.sw;
  *rh = item % g.sh;
  item /= g.sh;
  *gi = item % g.groups;
  *n = item / g.groups;
}

// Planes of one phase: og planes of hq × wq; `rows` × `cols` output cells.
TL_INLINE void InputGradShape(const ConvGeom& g, int64_t rh, int64_t rw, const PhaseTaps& ty, const PhaseTaps& tx,
                              int64_t* rows, int64_t* cols, int64_t* hq, int64_t* wq) {
  *rows = rh < g.h ? (g.h - rh + g.sh - 1) / g.sh : 0;
  *cols = rw < g.w ? (g.w - rw + g.sw - 1) / g.sw : 0;
  *hq = *rows + ty.e_max - ty.e_min;
  *wq = *cols + tx.e_max - tx.e_min;
}

template <class T>
size_t InputGradScratch(const ConvGeom& g) {
  size_t most = 0;
  for (int64_t rh = 0; rh < g.sh; rh++) {
    for (int64_t rw = 0; rw < g.sw; rw++) {
      PhaseTaps ty, tx;
      TapsOf(rh, g.pt, g.kh, g.dh, g.sh, &ty);
      TapsOf(rw, g.pl, g.kw, g.dw, g.sw, &tx);
      int64_t rows, cols, hq, wq;
      InputGradShape(g, rh, rw, ty, tx, &rows, &cols, &hq, &wq);
      const size_t bytes = PlanAlign(size_t(g.og * hq * wq + wq + kPlaneSlack) * sizeof(T)) +
                           size_t(g.og * ty.count * tx.count) * sizeof(int32_t);
      if (bytes > most) most = bytes;
    }
  }
  return most;
}

template <class T>
void PrepareInputGrad(const void* ctx, int64_t item, char* scratch, DirectItem<T>* it) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  int64_t n, gi, rh, rw;
  InputGradItem(g, item, &n, &gi, &rh, &rw);
  PhaseTaps ty, tx;
  TapsOf(rh, g.pt, g.kh, g.dh, g.sh, &ty);
  TapsOf(rw, g.pl, g.kw, g.dw, g.sw, &tx);
  int64_t rows, cols, hq, wq;
  InputGradShape(g, rh, rw, ty, tx, &rows, &cols, &hq, &wq);
  const int64_t len = g.og * hq * wq;
  T* planes = reinterpret_cast<T*>(scratch);
  int32_t* off = reinterpret_cast<int32_t*>(scratch + PlanAlign(size_t(len + wq + kPlaneSlack) * sizeof(T)));
  for (int64_t co = 0; co < g.og; co++) {
    const T* img = p.gy + (n * g.o + gi * g.og + co) * g.ho * g.wo;
    for (int64_t t = 0; t < hq; t++) {
      const int64_t oh = t + ty.e_min;
      T* row = planes + (co * hq + t) * wq;
      if (oh < 0 || oh >= g.ho) {
        for (int64_t u = 0; u < wq; u++) row[u] = T(0);
      } else {
        CopyRun(row, 1, img + oh * g.wo, tx.e_min, 1, wq, g.wo);
      }
    }
  }
  for (int64_t j = 0; j < wq + kPlaneSlack; j++) planes[len + j] = T(0);
  int32_t* o = off;
  for (int64_t co = 0; co < g.og; co++) {
    for (int64_t a = 0; a < ty.count; a++) {
      for (int64_t b = 0; b < tx.count; b++) {
        *o++ = static_cast<int32_t>((co * hq + ty.e[a] - ty.e_min) * wq + tx.e[b] - tx.e_min);
      }
    }
  }
  it->src = planes;
  it->off = off;
  it->k = g.og * ty.count * tx.count;
  it->rows = rows;
  it->cols = cols;
  it->pitch = wq;
  it->out = p.out + (n * g.c + gi * g.cg) * g.h * g.w + rh * g.w + rw;
  it->out_ms = g.h * g.w;
  it->out_rs = g.sh * g.w;
  it->out_cs = g.sw;
}

// A[ci, (co, a, b)] = w[gi·og + co, ci, ty.tap[a], tx.tap[b]] for the item's phase.
template <class T>
void PackInputGradWeights(const void* ctx, int64_t item, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w,
                          T* dst) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  int64_t n, gi, rh, rw;
  InputGradItem(g, item, &n, &gi, &rh, &rw);
  PhaseTaps ty, tx;
  TapsOf(rh, g.pt, g.kh, g.dh, g.sh, &ty);
  TapsOf(rw, g.pl, g.kw, g.dw, g.sw, &tx);
  const int64_t per_co = ty.count * tx.count, taps = g.kh * g.kw;
  for (int64_t r = 0; r < rows; r += w, dst += depth * w) {
    const int live = rows - r < w ? static_cast<int>(rows - r) : w;
    for (int i = 0; i < w; i++) {
      if (i >= live) {
        for (int64_t k = 0; k < depth; k++) dst[k * w + i] = T(0);
        continue;
      }
      const T* wci = p.w + (gi * g.og * g.cg + r0 + r + i) * taps;  // w[gi·og, ci]
      for (int64_t k = 0; k < depth; k++) {
        const int64_t kk = k0 + k, co = kk / per_co, ab = kk % per_co;
        const int64_t tap = ty.tap[ab / tx.count] * g.kw + tx.tap[ab % tx.count];
        dst[k * w + i] = wci[co * g.cg * taps + tap];
      }
    }
  }
}

// ---- conv2dWeightGrad ----

template <class T>
size_t WeightGradScratch(const ConvPlan<T>& p) {
  const ConvGeom& g = *p.g;
  return PlaneBytes<T>(p.planes) + PlanAlign(size_t(g.og * p.q_pitch) * sizeof(T)) +
         size_t(g.cg * g.kh * g.kw) * sizeof(int32_t);
}

template <class T>
void PrepareWeightGrad(const void* ctx, int64_t gi, int64_t n, char* scratch, DotImage<T>* img) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  T* planes = reinterpret_cast<T*>(scratch);
  T* rows = reinterpret_cast<T*>(scratch + PlaneBytes<T>(p.planes));
  int32_t* off = reinterpret_cast<int32_t*>(scratch + PlaneBytes<T>(p.planes) +
                                            PlanAlign(size_t(g.og * p.q_pitch) * sizeof(T)));
  BuildForwardPlanes(p, n, gi, planes, off);
  const int64_t wq = p.planes.wq;
  for (int64_t o = 0; o < g.og; o++) {
    const T* src = p.gy + (n * g.o + gi * g.og + o) * g.ho * g.wo;
    T* dst = rows + o * p.q_pitch;
    for (int64_t r = 0; r < g.ho; r++) {
      for (int64_t c = 0; c < g.wo; c++) dst[r * wq + c] = src[r * g.wo + c];
      for (int64_t c = g.wo; c < wq; c++) dst[r * wq + c] = T(0);
    }
  }
  img->src = planes;
  img->off = off;
  img->g = rows;
  img->g_pitch = p.q_pitch;
  img->q = g.ho * wq;
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
