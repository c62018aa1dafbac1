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
#include "conv_transpose.h"
#include "gemm_pack.h"

namespace tensile {
namespace TENSILE_ISA {


// conv2d's planes: per stride phase that some tap reads, and per input channel, hq × wq. A 1×1
// stride-2 kernel reads one phase of four, a 3×3 one all four.
struct PlaneShape {
  int64_t hq, wq, phases;
  int64_t len;          // elements of all planes of one item
  int8_t slot[8][8];    // slot[ph % 8][pw % 8]: the phase's place among the stored ones (strides ≤ 8)
};

// True when tap offsets along one axis hit residue r modulo s.
TL_INLINE bool PhaseUsed(int64_t r, int64_t k, int64_t d, int64_t s) {
  for (int64_t i = 0; i < k; i++) {
    if ((i * d) % s == r) return true;
  }
  return false;
}

TL_INLINE PlaneShape ForwardPlanes(const ConvGeom& g) {
  const int64_t hp = (g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const int64_t wp = (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  PlaneShape s;
  s.hq = (hp + g.sh - 1) / g.sh;
  s.wq = (wp + g.sw - 1) / g.sw;
  // Stride 1 with right padding no wider than the left: a row's right pad columns are the next
  // row's left pad (zeros either way), so rows share them and the pitch drops to w + pl. Fewer
  // dropped tile positions per row: a 32 × 32 "same" 3 × 3 runs 33 of every 34 lanes → 32 of 33.
  const int64_t right = wp - g.w - g.pl;  // padded columns read past the image
  if (g.sw == 1 && right > 0 && right <= g.pl && right <= g.wo && g.wo <= g.w + g.pl) s.wq = g.w + g.pl;
  s.phases = 0;
  for (int64_t ph = 0; ph < g.sh && ph < 8; ph++) {
    for (int64_t pw = 0; pw < g.sw && pw < 8; pw++) {
      const bool used = PhaseUsed(ph, g.kh, g.dh, g.sh) && PhaseUsed(pw, g.kw, g.dw, g.sw);
      s.slot[ph][pw] = static_cast<int8_t>(used ? s.phases++ : -1);
    }
  }
  s.len = s.phases * g.cg * s.hq * s.wq;
  return s;
}

// Bytes of planes + slack, rounded for what follows them.
template <class T>
TL_INLINE size_t PlaneBytes(const PlaneShape& s) {
  return Align64(size_t(s.len + s.wq + kPlaneSlack) * sizeof(T));
}

template <class T>
struct ConvPlan {
  const ConvGeom* g;
  const T* x;  // conv2d / conv2dWeightGrad input
  const T* w;  // weights
  const T* gy;
  T* out;
  const T* bias;  // conv2d: per output channel, or null
  PlaneShape planes;
  int64_t q_pitch;  // conv2dWeightGrad: G row pitch
};

// d0[j] = row[i0 + 2j], d1[j] = row[i0 + 1 + 2j] for j < len (zero outside [0, size)): both
// column phases of a stride-2 convolution from one pass over the source row. True if handled.
template <class T>
TL_INLINE bool SplitStride2(T* d0, T* d1, const T* row, int64_t i0, int64_t len, int64_t size) {
#if defined(TENSILE_ISA_AVX512)
  if constexpr (sizeof(T) == 4) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (int64_t j = 0; j < len; j += 16) {
      const int64_t base = i0 + 2 * j;
      // Source lanes [lo, hi) of the 32 at base are inside the row; the rest load as zeros.
      const int64_t lo = base >= 0 ? 0 : (-base < 32 ? -base : 32);
      const int64_t hi = size - base >= 32 ? 32 : (size - base > lo ? size - base : lo);
      const uint64_t bits = hi > lo ? ((hi - lo == 64 ? ~0ull : ((1ull << (hi - lo)) - 1)) << lo) : 0;
      const uintptr_t at = reinterpret_cast<uintptr_t>(row) + base * int64_t(sizeof(float));
      const __m512 a = _mm512_maskz_loadu_ps(static_cast<__mmask16>(bits), reinterpret_cast<const float*>(at));
      const __m512 b = _mm512_maskz_loadu_ps(static_cast<__mmask16>(bits >> 16), reinterpret_cast<const float*>(at + 64));
      const __mmask16 out = static_cast<__mmask16>(len - j >= 16 ? 0xFFFF : (1u << (len - j)) - 1);
      _mm512_mask_storeu_ps(d0 + j, out, _mm512_permutex2var_ps(a, even, b));
      _mm512_mask_storeu_ps(d1 + j, out, _mm512_permutex2var_ps(a, odd, b));
    }
    return true;
  }
#endif
  (void)d0, (void)d1, (void)row, (void)i0, (void)len, (void)size;
  return false;
}

// off[(ci, ky, kx)]: where tap (ky, kx) of channel ci starts in conv2d's planes. The divisions by
// the stride are done once per tap of one channel (kh + kw of them), not per (ci, ky, kx): idiv in
// the innermost loop cost as much as copying an 8 × 8 image's planes.
inline void ForwardOffsets(const ConvGeom& g, const PlaneShape& s, int32_t* off) {
  const int64_t plane = s.hq * s.wq;
  int32_t* o = off;
  for (int64_t ky = 0; ky < g.kh; ky++) {
    const int64_t ry = ky * g.dh;
    for (int64_t kx = 0; kx < g.kw; kx++) {
      const int64_t rx = kx * g.dw;
      *o++ = static_cast<int32_t>(s.slot[ry % g.sh][rx % g.sw] * g.cg * plane + (ry / g.sh) * s.wq + rx / g.sw);
    }
  }
  const int64_t taps = g.kh * g.kw;
  for (int64_t ci = 1; ci < g.cg; ci++) {
    for (int64_t t = 0; t < taps; t++) off[ci * taps + t] = static_cast<int32_t>(off[t] + ci * plane);
  }
}

// Fills planes for image n, group gi of x (conv2d's layout) and their tap offsets.
template <class T>
void BuildForwardPlanes(const ConvPlan<T>& p, int64_t n, int64_t gi, T* planes, int32_t* off) {
  const ConvGeom& g = *p.g;
  const PlaneShape& s = p.planes;
  alignas(64) T spare[64];  // SplitStride2's unread phase
  for (int64_t ph = 0; ph < g.sh; ph++) {
    // Stride 2 with both column phases read: split each source row once into both.
    if (g.sw == 2 && s.slot[ph][0] >= 0 && s.slot[ph][1] >= 0) {
      bool done = true;
      for (int64_t ci = 0; ci < g.cg && done; ci++) {
        T* p0 = planes + (s.slot[ph][0] * g.cg + ci) * s.hq * s.wq;
        T* p1 = planes + (s.slot[ph][1] * g.cg + ci) * s.hq * s.wq;
        const T* img = p.x + (n * g.c + gi * g.cg + ci) * g.h * g.w;
        for (int64_t i = 0; i < s.hq && done; i++) {
          const int64_t ih = i * g.sh + ph - g.pt;
          if (ih < 0 || ih >= g.h) {
            for (int64_t j = 0; j < s.wq; j++) p0[i * s.wq + j] = p1[i * s.wq + j] = T(0);
          } else {
            done = SplitStride2(p0 + i * s.wq, p1 + i * s.wq, img + ih * g.w, -g.pl, s.wq, g.w);
          }
        }
      }
      if (done) continue;
    }
    for (int64_t pw = 0; pw < g.sw; pw++) {
      if (s.slot[ph][pw] < 0) continue;
      for (int64_t ci = 0; ci < g.cg; ci++) {
        T* plane = planes + (s.slot[ph][pw] * g.cg + ci) * s.hq * s.wq;
        const T* img = p.x + (n * g.c + gi * g.cg + ci) * g.h * g.w;
        for (int64_t i = 0; i < s.hq; i++) {
          const int64_t ih = i * g.sh + ph - g.pt;
          T* row = plane + i * s.wq;
          if (ih < 0 || ih >= g.h) {
            for (int64_t j = 0; j < s.wq; j++) row[j] = T(0);
          } else if (g.sw == 2 && SplitStride2(row, spare, img + ih * g.w, pw - g.pl, s.wq < 64 ? s.wq : 64, g.w)) {
            // Stride 2 with one column phase read (a 1×1 shortcut): the vector split, the other
            // phase thrown away, in runs of 64.
            for (int64_t j = 64; j < s.wq; j += 64) {
              SplitStride2(row + j, spare, img + ih * g.w, pw - g.pl + 2 * j, s.wq - j < 64 ? s.wq - j : 64, g.w);
            }
          } else {
            CopyRun(row, 1, img + ih * g.w, pw - g.pl, g.sw, s.wq, g.w);
          }
        }
      }
    }
  }
  for (int64_t j = 0; j < s.wq + kPlaneSlack; j++) planes[s.len + j] = T(0);
  ForwardOffsets(g, s, off);
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
  const int64_t gi = item / g.n, n = item % g.n;  // group-major: runs of images share weights
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
  it->bias = p.bias != nullptr ? p.bias + gi * g.og : nullptr;
}

// A = the group's weights [og, cg·kh·kw], row-major.
template <class T>
void PackForwardWeights(const void* ctx, int64_t item, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w,
                        T* dst) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  const int64_t ckk = g.cg * g.kh * g.kw;
  PackView<T, typename VecOf<T>::V>(p.w + (item / g.n) * g.og * ckk, ckk, 1, r0, rows, k0, depth, w, dst);
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

// Item → (image, group, phase row, phase column); items run group-major, then image, then phase,
// so the sh · sw phases of one image are consecutive (they read the same gy rows and write
// interleaved dx cells) and every phase's weights are packed once per group (DirectCall::a_cycle).
TL_INLINE void InputGradItem(const ConvGeom& g, int64_t item, int64_t* n, int64_t* gi, int64_t* rh, int64_t* rw) {
  *rw = item % g.sw;
  item /= g.sw;
  *rh = item % g.sh;
  item /= g.sh;
  *n = item % g.n;
  *gi = item / g.n;
}

// Planes of one phase: og planes of hq × wq; `rows` × `cols` output cells.
TL_INLINE void InputGradShape(const ConvGeom& g, int64_t rh, int64_t rw, const PhaseTaps& ty, const PhaseTaps& tx,
                              int64_t* rows, int64_t* cols, int64_t* hq, int64_t* wq) {
  *rows = rh < g.h ? (g.h - rh + g.sh - 1) / g.sh : 0;
  *cols = rw < g.w ? (g.w - rw + g.sw - 1) / g.sw : 0;
  *hq = *rows + ty.e_max - ty.e_min;
  *wq = *cols + tx.e_max - tx.e_min;
  // As in ForwardPlanes: the columns read past the row's end (gy columns cols … cols + e_max − 1,
  // all ≥ wo) are zeros, and so are the next row's first −e_min ≥ e_max, so rows share them.
  if (tx.e_min < 0 && tx.e_max > 0 && tx.e_max <= -tx.e_min && tx.e_max <= *cols && *cols >= g.wo) {
    *wq = *cols - tx.e_min;
  }
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
      const size_t bytes = Align64(size_t(g.og * hq * wq + wq + kPlaneSlack) * sizeof(T)) +
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
  it->rows = rows;
  it->cols = cols;
  it->pitch = wq;
  it->out = p.out + (n * g.c + gi * g.cg) * g.h * g.w + rh * g.w + rw;
  it->out_ms = g.h * g.w;
  it->out_rs = g.sh * g.w;
  it->out_cs = g.sw;
  it->bias = nullptr;
  if (ty.count == 0 || tx.count == 0) {  // no tap reaches this phase: RunDirect stores zeros, no planes
    it->src = nullptr;
    it->off = nullptr;
    it->k = 0;
    return;
  }
  const int64_t len = g.og * hq * wq;
  T* planes = reinterpret_cast<T*>(scratch);
  int32_t* off = reinterpret_cast<int32_t*>(scratch + Align64(size_t(len + wq + kPlaneSlack) * sizeof(T)));
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
  int32_t tap[64 * 64];  // the phase's taps, as indices into a kernel's kh × kw
  for (int64_t a = 0; a < ty.count; a++) {
    for (int64_t b = 0; b < tx.count; b++) tap[a * tx.count + b] = static_cast<int32_t>(ty.tap[a] * g.kw + tx.tap[b]);
  }
  for (int64_t r = 0; r < rows; r += w, dst += depth * w) {
    const int live = rows - r < w ? static_cast<int>(rows - r) : w;
    for (int i = 0; i < w; i++) {
      if (i >= live) {
        for (int64_t k = 0; k < depth; k++) dst[k * w + i] = T(0);
        continue;
      }
      const T* wci = p.w + (gi * g.og * g.cg + r0 + r + i) * taps;  // w[gi·og, ci]
      int64_t co = k0 / per_co, ab = k0 % per_co;
      for (int64_t k = 0; k < depth; k++) {
        dst[k * w + i] = wci[co * g.cg * taps + tap[ab]];
        if (++ab == per_co) {
          ab = 0;
          co++;
        }
      }
    }
  }
}

// ---- conv2dWeightGrad ----

template <class T>
size_t WeightGradScratch(const ConvPlan<T>& p) {
  const ConvGeom& g = *p.g;
  return PlaneBytes<T>(p.planes) + Align64(size_t(g.og * p.q_pitch) * sizeof(T)) +
         size_t(g.cg * g.kh * g.kw) * sizeof(int32_t);
}

template <class T>
void PrepareWeightGrad(const void* ctx, int64_t gi, int64_t n, char* scratch, DotImage<T>* img) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  T* planes = reinterpret_cast<T*>(scratch);
  T* rows = reinterpret_cast<T*>(scratch + PlaneBytes<T>(p.planes));
  int32_t* off = reinterpret_cast<int32_t*>(scratch + PlaneBytes<T>(p.planes) +
                                            Align64(size_t(g.og * p.q_pitch) * sizeof(T)));
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
  img->rows = g.ho;
  img->cols = g.wo;
  img->pitch = wq;
}

// Gᵀ alone, for tiles that read x itself (DotTaps).
template <class T>
size_t WeightGradScratchD(const ConvPlan<T>& p) {
  const ConvGeom& g = *p.g;
  return Align64(size_t(g.ho * g.wo * DotTPitch<T>(g.og)) * sizeof(T));
}

template <class T>
void PrepareWeightGradD(const void* ctx, int64_t gi, int64_t n, char* scratch, DotImage<T>* img) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  const int64_t cells = g.ho * g.wo, mp = DotTPitch<T>(g.og);
  T* gt = reinterpret_cast<T*>(scratch);
  TransposeInto(gt, mp, p.gy + (n * g.o + gi * g.og) * cells, g.og, cells);
  img->src = p.x + (n * g.c + gi * g.cg) * g.h * g.w;
  img->off = nullptr;
  img->g = gt;
  img->g_pitch = mp;
  img->q = cells;
  img->rows = g.ho;
  img->cols = g.wo;
  img->pitch = g.w;
}

// x and gy of image n, group gi.
template <class T>
int WeightGradSources(const void* ctx, int64_t gi, int64_t n, const char** at, size_t* bytes) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  at[0] = reinterpret_cast<const char*>(p.x + (n * g.c + gi * g.cg) * g.h * g.w);
  bytes[0] = size_t(g.cg * g.h * g.w) * sizeof(T);
  at[1] = reinterpret_cast<const char*>(p.gy + (n * g.o + gi * g.og) * g.ho * g.wo);
  bytes[1] = size_t(g.og * g.ho * g.wo) * sizeof(T);
  return 2;
}

// The transposed layout (DotImage): planes, then Gᵀ [ho·wo][DotTPitch(og)], then the offsets.
template <class T>
size_t WeightGradScratchT(const ConvPlan<T>& p) {
  const ConvGeom& g = *p.g;
  return PlaneBytes<T>(p.planes) + Align64(size_t(g.ho * g.wo * DotTPitch<T>(g.og)) * sizeof(T)) +
         size_t(g.cg * g.kh * g.kw) * sizeof(int32_t);
}

template <class T>
void PrepareWeightGradT(const void* ctx, int64_t gi, int64_t n, char* scratch, DotImage<T>* img) {
  const ConvPlan<T>& p = *static_cast<const ConvPlan<T>*>(ctx);
  const ConvGeom& g = *p.g;
  const int64_t cells = g.ho * g.wo, mp = DotTPitch<T>(g.og);
  T* planes = reinterpret_cast<T*>(scratch);
  T* gt = reinterpret_cast<T*>(scratch + PlaneBytes<T>(p.planes));
  int32_t* off = reinterpret_cast<int32_t*>(scratch + PlaneBytes<T>(p.planes) +
                                            Align64(size_t(cells * mp) * sizeof(T)));
  BuildForwardPlanes(p, n, gi, planes, off);
  TransposeInto(gt, mp, p.gy + (n * g.o + gi * g.og) * cells, g.og, cells);
  img->src = planes;
  img->off = off;
  img->g = gt;
  img->g_pitch = mp;
  img->q = g.ho * p.planes.wq;
  img->rows = g.ho;
  img->cols = g.wo;
  img->pitch = p.planes.wq;
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
