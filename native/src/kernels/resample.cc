// The linear plane maps of src/backends/js/pool.ts: average pooling, adaptive average pooling,
// nearest and bilinear interpolation, each with its transpose (the backward). Contiguous inputs seen
// as planes over their last two dims, contiguous outputs. Every map is separable: output row o reads
// a few input rows with weights (its taps), output column o a few input columns, so
//   forward   out[oh, ow] = Σ_r wr · (Σ_c wc · x[ih_r, iw_c])            (a gather over taps)
//   backward  dx[ih, iw]  = Σ over the outputs whose taps hold (ih, iw) of wc · (wr · g[oh, ow])
// The backward is written as a gather too (each thread owns whole input rows, so nothing is
// zeroed or scattered). Both sum in float64 in the js kernels' order (the backward's terms in
// (oh, ow) order, as the js scatter adds them), so results agree with js to the last bit except
// where long windows take the vector sum. Tap tables live on the caller's stack (no allocation):
// planes wider or taller than kMaxAxis run the js kernel.
// Attributes: avgPool2d(Backward): kH, kW, sH, sW, pH, pW, countIncludePad, divisor (0: none);
// adaptive: none; nearest: scaleH, scaleW (0: none); bilinear: alignCorners, scaleH, scaleW.
#include <math.h>

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Output o reads inputs i0 + t·step for t in [0, n) with weight t == 0 ? w0 : w1 (step 0: a
// bilinear tap whose two neighbours are the same edge pixel, weighted twice as in js).
struct Tap {
  int32_t i0, n, step;
  double w0, w1;
};

// Outputs [a, b) are the only ones whose taps can hold input i (tap ranges grow with o).
struct Cover {
  int32_t a, b;
};

constexpr int64_t kMaxAxis = 4096;

enum Map { kAvg, kAdaptive, kNearest, kBilinear };

// One axis of a map, from the plane sizes and the attributes.
struct AxisSpec {
  int64_t in, out;
  int64_t k, s, p;       // kAvg
  bool includePad;       // kAvg
  double divisor;        // kAvg: 0, or the override (rows take 1/divisor, columns 1)
  bool rowAxis;          // kAvg: which factor of the divisor this axis takes
  double scale;          // kNearest / kBilinear: the user's scale factor, 0 when none
  bool alignCorners;     // kBilinear
  bool single;           // kNearest: float32 arithmetic, as PyTorch's kernel for float32
};

Tap MakeTap(Map map, const AxisSpec& a, int64_t o) {
  Tap t{0, 0, 1, 1.0, 1.0};
  if (map == kAvg) {
    const int64_t start = o * a.s - a.p;
    int64_t end = start + a.k;
    if (end > a.in + a.p) end = a.in + a.p;  // PyTorch clips the window at the end of the padding first
    const int64_t lo = start < 0 ? 0 : start, hi = end > a.in ? a.in : end;
    const int64_t count = a.includePad ? end - start : hi - lo;
    double w = a.divisor != 0 ? (a.rowAxis ? 1 / a.divisor : 1) : 1 / static_cast<double>(count);
    t = Tap{static_cast<int32_t>(lo), static_cast<int32_t>(hi > lo ? hi - lo : 0), 1, w, w};
  } else if (map == kAdaptive) {
    const int64_t lo = o * a.in / a.out, hi = ((o + 1) * a.in + a.out - 1) / a.out;
    double w = 1 / static_cast<double>(hi - lo);
    t = Tap{static_cast<int32_t>(lo), static_cast<int32_t>(hi - lo), 1, w, w};
  } else if (map == kNearest) {
    double exact = a.scale > 0 ? 1 / a.scale : static_cast<double>(a.in) / static_cast<double>(a.out);
    double scale = a.single ? static_cast<double>(static_cast<float>(exact)) : exact;
    int64_t i = static_cast<int64_t>(floor(static_cast<double>(static_cast<float>(static_cast<double>(o) * scale))));
    if (i > a.in - 1) i = a.in - 1;
    t = Tap{static_cast<int32_t>(i), 1, 1, 1.0, 1.0};
  } else {
    if (a.out == a.in) return Tap{static_cast<int32_t>(o), 1, 1, 1.0, 1.0};
    double scale;
    if (a.alignCorners) scale = a.out > 1 ? static_cast<double>(a.in - 1) / static_cast<double>(a.out - 1) : 0;
    else scale = a.scale > 0 ? 1 / a.scale : static_cast<double>(a.in) / static_cast<double>(a.out);
    double real = a.alignCorners ? scale * static_cast<double>(o) : scale * (static_cast<double>(o) + 0.5) - 0.5;
    if (!a.alignCorners && real < 0) real = 0;
    const double f = floor(real);
    int64_t i0 = static_cast<int64_t>(f);
    if (i0 > a.in - 1) i0 = a.in - 1;  // unreachable from the op's sizes; keeps reads in the plane
    double lambda = real - f;
    lambda = lambda < 0 ? 0 : lambda > 1 ? 1 : lambda;
    t = Tap{static_cast<int32_t>(i0), 2, i0 < a.in - 1 ? 1 : 0, 1 - lambda, lambda};
  }
  return t;
}

// Taps of every output along one axis, and (for the backward) the outputs covering each input.
void MakeTaps(Map map, const AxisSpec& a, Tap* taps, Cover* cover) {
  for (int64_t o = 0; o < a.out; o++) taps[o] = MakeTap(map, a, o);
  if (cover == nullptr) return;
  int64_t lo = 0, hi = 0;
  for (int64_t i = 0; i < a.in; i++) {
    while (lo < a.out && (taps[lo].n == 0 || taps[lo].i0 + (taps[lo].n - 1) * taps[lo].step < i)) lo++;
    while (hi < a.out && taps[hi].i0 <= i) hi++;
    cover[i] = Cover{static_cast<int32_t>(lo), static_cast<int32_t>(hi > lo ? hi : lo)};
  }
}

// Σ_t w_t · p[i0 + t·step] over one tap, in order (the js kernel's rounding).
template <class T>
TL_INLINE double TapSum(const T* p, const Tap& t) {
  double acc = 0;
  for (int32_t u = 0; u < t.n; u++) acc += (u == 0 ? t.w0 : t.w1) * static_cast<double>(p[t.i0 + u * t.step]);
  return acc;
}

// A long uniform tap (a global or adaptive average): w · x summed in vector lanes of float64.
template <class T>
double UniformSum(const T* p, int64_t n, double w) {
  int64_t i = 0;
  double acc = 0;
#if TL_VECTOR_MATH
  using D = F64;
  typename D::V vw = D::set1(w), a0 = D::set1(0), a1 = D::set1(0);
  if constexpr (sizeof(T) == 4) {
    for (; i + F32::W <= n; i += F32::W) {
      typename F32::V v = F32::load(p + i);
      a0 = D::add(a0, D::mul(vw, WidenLo(v)));
      a1 = D::add(a1, D::mul(vw, WidenHi(v)));
    }
  } else {
    for (; i + 2 * D::W <= n; i += 2 * D::W) {
      a0 = D::add(a0, D::mul(vw, D::load(p + i)));
      a1 = D::add(a1, D::mul(vw, D::load(p + i + D::W)));
    }
  }
  acc = D::hsum(D::add(a0, a1));
#endif
  for (; i < n; i++) acc += w * static_cast<double>(p[i]);
  return acc;
}

template <class T>
struct MapCtx {
  const T* src;
  T* dst;
  const Tap* rows;
  const Tap* cols;
  const Cover* rcover;
  const Cover* ccover;
  int64_t inH, inW, outH, outW, planes;
  bool global;  // one output averaging the whole plane (global average pooling)
};

// Rows of length ≥ this with uniform weights take the vector sum.
constexpr int32_t kVectorTap = 16;

template <class T>
void ForwardTask(void* p, int ith, int nth) {
  const MapCtx<T>& c = *static_cast<const MapCtx<T>*>(p);
  int64_t start, end;
  Split(c.planes * c.outH, ith, nth, &start, &end);
  for (int64_t item = start; item < end; item++) {
    const int64_t plane = item / c.outH, oh = item % c.outH;
    const T* x = c.src + plane * c.inH * c.inW;
    T* y = c.dst + item * c.outW;
    const Tap& rt = c.rows[oh];
    if (c.global) {  // one vector sum over the plane (the weights' product differs from js's only in rounding)
      y[0] = static_cast<T>(UniformSum(x, c.inH * c.inW, rt.w0 * c.cols[0].w0));
      continue;
    }
    for (int64_t ow = 0; ow < c.outW; ow++) {
      const Tap& ct = c.cols[ow];
      const bool vec = ct.n >= kVectorTap && ct.step == 1 && ct.w0 == ct.w1;
      double acc = 0;
      for (int32_t u = 0; u < rt.n; u++) {
        const T* row = x + (rt.i0 + u * rt.step) * c.inW;
        acc += (u == 0 ? rt.w0 : rt.w1) * (vec ? UniformSum(row + ct.i0, ct.n, ct.w0) : TapSum(row, ct));
      }
      y[ow] = static_cast<T>(acc);
    }
  }
}

// Weight of input i in tap t (0 when t does not read i); step-0 taps read i once per neighbour.
TL_INLINE int TapHits(const Tap& t, int64_t i, double* w) {
  if (t.step == 0) {
    if (i != t.i0) return 0;
    w[0] = t.w0;
    w[1] = t.w1;
    return 2;
  }
  const int64_t u = i - t.i0;
  if (u < 0 || u >= t.n) return 0;
  w[0] = u == 0 ? t.w0 : t.w1;
  return 1;
}

template <class T>
void BackwardTask(void* p, int ith, int nth) {
  const MapCtx<T>& c = *static_cast<const MapCtx<T>*>(p);
  int64_t start, end;
  Split(c.planes * c.inH, ith, nth, &start, &end);
  for (int64_t item = start; item < end; item++) {
    const int64_t plane = item / c.inH, ih = item % c.inH;
    const T* g = c.src + plane * c.outH * c.outW;
    T* dx = c.dst + item * c.inW;
    const Cover rc = c.rcover[ih];
    if (c.global) {  // every input gets the plane's one gradient, weighted as js weights it
      const T v = static_cast<T>(c.cols[0].w0 * (c.rows[0].w0 * static_cast<double>(g[0])));
      for (int64_t iw = 0; iw < c.inW; iw++) dx[iw] = v;
      continue;
    }
    for (int64_t iw = 0; iw < c.inW; iw++) {
      const Cover cc = c.ccover[iw];
      double acc = 0;
      for (int32_t oh = rc.a; oh < rc.b; oh++) {
        double wr[2];
        const int nr = TapHits(c.rows[oh], ih, wr);
        if (nr == 0) continue;
        for (int32_t ow = cc.a; ow < cc.b; ow++) {
          double wc[2];
          const int nc = TapHits(c.cols[ow], iw, wc);
          const double v = static_cast<double>(g[oh * c.outW + ow]);
          for (int r = 0; r < nr; r++) {
            const double vr = wr[r] * v;
            for (int k = 0; k < nc; k++) acc += wc[k] * vr;
          }
        }
      }
      dx[iw] = static_cast<T>(acc);
    }
  }
}

// Reads the attributes of `map` into the two axis specs; false when they are malformed.
bool ReadSpecs(Map map, const tl_args* a, AxisSpec* r, AxisSpec* c) {
  const double* at = a->attrs;
  switch (map) {
    case kAvg:
      if (a->n_attrs != 8) return false;
      r->k = int64_t(at[0]), c->k = int64_t(at[1]);
      r->s = int64_t(at[2]), c->s = int64_t(at[3]);
      r->p = int64_t(at[4]), c->p = int64_t(at[5]);
      r->includePad = c->includePad = at[6] != 0;
      r->divisor = c->divisor = at[7];
      r->rowAxis = true;
      c->rowAxis = false;
      return r->k >= 1 && c->k >= 1 && r->s >= 1 && c->s >= 1 && r->p >= 0 && c->p >= 0 && r->p < r->k && c->p < c->k;
    case kAdaptive:
      return a->n_attrs == 0;
    case kNearest:
      if (a->n_attrs != 2) return false;
      r->scale = at[0], c->scale = at[1];
      return true;
    case kBilinear:
      if (a->n_attrs != 3) return false;
      r->alignCorners = c->alignCorners = at[0] != 0;
      r->scale = at[1], c->scale = at[2];
      return true;
  }
  return false;
}

template <Map kMap, bool kBackward>
int LinearMap(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& src = a->t[0];
  const tl_tensor& dst = a->t[1];
  // The plane the map reads (x, or dx for the backward) and the one it writes.
  const tl_tensor& in = kBackward ? dst : src;
  const tl_tensor& out = kBackward ? src : dst;
  if (in.ndim < 2 || out.ndim != in.ndim) return TL_ERR_ARGS;
  for (int d = 0; d < in.ndim - 2; d++) {
    if (in.shape[d] != out.shape[d]) return TL_ERR_ARGS;
  }
  AxisSpec r{}, c{};
  r.in = in.shape[in.ndim - 2], c.in = in.shape[in.ndim - 1];
  r.out = out.shape[out.ndim - 2], c.out = out.shape[out.ndim - 1];
  r.single = c.single = src.dtype != TL_F64;
  if (!ReadSpecs(kMap, a, &r, &c)) return TL_ERR_ARGS;
  if (src.dtype != dst.dtype || (src.dtype != TL_F32 && src.dtype != TL_F64)) return TL_ERR_UNSUPPORTED;
  if (!IsContiguous(src) || !IsContiguous(dst)) return TL_ERR_UNSUPPORTED;
  if (dst.size == 0) return TL_OK;
  if (r.in < 1 || c.in < 1 || r.out < 1 || c.out < 1) return TL_ERR_ARGS;
  if (r.in > kMaxAxis || c.in > kMaxAxis || r.out > kMaxAxis || c.out > kMaxAxis) return TL_ERR_UNSUPPORTED;
  Tap rows[kMaxAxis], cols[kMaxAxis];
  Cover rcover[kBackward ? kMaxAxis : 1], ccover[kBackward ? kMaxAxis : 1];
  MakeTaps(kMap, r, rows, kBackward ? rcover : nullptr);
  MakeTaps(kMap, c, cols, kBackward ? ccover : nullptr);
  const int64_t planes = in.size / (r.in * c.in);
  const bool global = (kMap == kAvg || kMap == kAdaptive) && r.out == 1 && c.out == 1 && rows[0].i0 == 0 && rows[0].n == r.in &&
                      cols[0].i0 == 0 && cols[0].n == c.in;
  const int64_t items = planes * (kBackward ? r.in : r.out);
  int nth = ThreadsFor(rt, planes * (r.in * c.in + r.out * c.out), 1 << 15);
  if (nth > items) nth = static_cast<int>(items);
  if (src.dtype == TL_F32) {
    MapCtx<float> ctx{Base<const float>(src), Base<float>(dst), rows, cols, rcover, ccover, r.in, c.in, r.out, c.out, planes, global};
    rt->parallel_for(nth, kBackward ? BackwardTask<float> : ForwardTask<float>, &ctx);
  } else {
    MapCtx<double> ctx{Base<const double>(src), Base<double>(dst), rows, cols, rcover, ccover, r.in, c.in, r.out, c.out, planes, global};
    rt->parallel_for(nth, kBackward ? BackwardTask<double> : ForwardTask<double>, &ctx);
  }
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(resample) = {
    {"avgPool2d", LinearMap<kAvg, false>},
    {"avgPool2dBackward", LinearMap<kAvg, true>},
    {"adaptiveAvgPool2d", LinearMap<kAdaptive, false>},
    {"adaptiveAvgPool2dBackward", LinearMap<kAdaptive, true>},
    {"upsampleNearest2d", LinearMap<kNearest, false>},
    {"upsampleNearest2dBackward", LinearMap<kNearest, true>},
    {"upsampleBilinear2d", LinearMap<kBilinear, false>},
    {"upsampleBilinear2dBackward", LinearMap<kBilinear, true>},
    {nullptr, nullptr},
};
