// The fused normalization kernels, with the contracts of src/backends/js/norm.ts: contiguous
// x [N, C, S...] whose C channels form G groups of Cg; statistic m = (perSample ? n·G : 0) + c / Cg.
// The values of (sample n, group g) are one contiguous block of Cg·S, so
//   BatchNorm  (perSample 0, G = C): statistic c = N blocks of S values at stride C·S;
//   GroupNorm  (perSample 1):        statistic (n, g) = one block of Cg·S values;
//   LayerNorm  (perSample 1, G = 1, x viewed as [rows, features], S = 1): one row per statistic,
//              with per-element weights.
// Work is split over statistics (normStats, normGroupGrad), channels (normAffineGrad) or blocks
// (normApply, normInputGrad). Sums accumulate in float64 and the variance takes two passes over a
// statistic's values (the second pass reads them from cache), so float32 does not drift.
// Attributes, in order: groups, perSample, eps, hasWeight, hasBias. Inputs as the ops list them.
#include <math.h>

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

struct Geo {
  int64_t n, c, s, g, cg, m, count;
  bool per_sample, has_w, has_b;
  double eps;
};

bool MakeGeo(const tl_tensor& x, const tl_args* a, Geo* q) {
  if (a->n_attrs < 5 || x.ndim < 2 || !IsContiguous(x)) return false;
  q->n = x.shape[0];
  q->c = x.shape[1];
  q->s = 1;
  for (int d = 2; d < x.ndim; d++) q->s *= x.shape[d];
  q->g = static_cast<int64_t>(a->attrs[0]);
  q->per_sample = a->attrs[1] != 0;
  q->eps = a->attrs[2];
  q->has_w = a->attrs[3] != 0;
  q->has_b = a->attrs[4] != 0;
  if (q->g < 1 || q->c % q->g != 0) return false;
  q->cg = q->c / q->g;
  q->m = q->per_sample ? q->n * q->g : q->g;
  q->count = q->m == 0 ? 0 : q->n * q->c * q->s / q->m;
  return true;
}

// Blocks of statistic m: sample range [n0, n1) and group gi.
TL_INLINE void BlocksOf(const Geo& q, int64_t m, int64_t* n0, int64_t* n1, int64_t* gi) {
  if (q.per_sample) {
    *n0 = m / q.g;
    *n1 = *n0 + 1;
    *gi = m % q.g;
  } else {
    *n0 = 0;
    *n1 = q.n;
    *gi = m;
  }
}

TL_INLINE int64_t StatOf(const Geo& q, int64_t n, int64_t gi) { return q.per_sample ? n * q.g + gi : gi; }

// F64::W values of a float/double array as one float64 vector.
TL_INLINE F64::V LoadD(const double* p) { return F64::load(p); }
#if defined(TENSILE_ISA_AVX512)
TL_INLINE F64::V LoadD(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
#elif defined(TENSILE_ISA_AVX2)
TL_INLINE F64::V LoadD(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
#else
TL_INLINE F64::V LoadD(const float* p) { return static_cast<double>(*p); }
#endif

// The lanes' sum, added in order (GCC 12's _mm512_reduce_add_pd warns from its own header here).
TL_INLINE double HsumD(F64::V v) {
  alignas(64) double lanes[F64::W];
  F64::store(lanes, v);
  double s = 0;
  for (int k = 0; k < F64::W; k++) s += lanes[k];
  return s;
}

// Σ p[i].
template <class T>
double SumD(const T* p, int64_t n) {
  using D = F64;
  D::V a0 = D::set1(0), a1 = D::set1(0);
  int64_t i = 0;
  for (; i + 2 * D::W <= n; i += 2 * D::W) {
    a0 = D::add(a0, LoadD(p + i));
    a1 = D::add(a1, LoadD(p + i + D::W));
  }
  double s = HsumD(D::add(a0, a1));
  for (; i < n; i++) s += p[i];
  return s;
}

// Σ (p[i] − mu)².
template <class T>
double SqDevD(const T* p, int64_t n, double mu) {
  using D = F64;
  D::V a0 = D::set1(0), a1 = D::set1(0), m = D::set1(mu);
  int64_t i = 0;
  for (; i + 2 * D::W <= n; i += 2 * D::W) {
    D::V d0 = D::sub(LoadD(p + i), m), d1 = D::sub(LoadD(p + i + D::W), m);
    a0 = D::fma(d0, d0, a0);
    a1 = D::fma(d1, d1, a1);
  }
  double s = HsumD(D::add(a0, a1));
  for (; i < n; i++) s += (p[i] - mu) * (p[i] - mu);
  return s;
}

// Σ g[i]·w[i] and Σ g[i]·w[i]·(x[i] − mu); w null means 1.
template <class T>
void GyDevD(const T* g, const T* x, const T* w, int64_t n, double mu, double* sg, double* sgx) {
  using D = F64;
  D::V a0 = D::set1(0), a1 = D::set1(0), m = D::set1(mu);
  int64_t i = 0;
  if (w == nullptr) {
    for (; i + D::W <= n; i += D::W) {
      D::V gv = LoadD(g + i);
      a0 = D::add(a0, gv);
      a1 = D::fma(gv, D::sub(LoadD(x + i), m), a1);
    }
  } else {
    for (; i + D::W <= n; i += D::W) {
      D::V gv = D::mul(LoadD(g + i), LoadD(w + i));
      a0 = D::add(a0, gv);
      a1 = D::fma(gv, D::sub(LoadD(x + i), m), a1);
    }
  }
  double s0 = HsumD(a0), s1 = HsumD(a1);
  for (; i < n; i++) {
    double gv = static_cast<double>(g[i]) * (w == nullptr ? 1.0 : static_cast<double>(w[i]));
    s0 += gv;
    s1 += gv * (x[i] - mu);
  }
  *sg = s0;
  *sgx = s1;
}

template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  using S = F32;
};
template <>
struct VecOf<double> {
  using S = F64;
};

// y = (x − mu)·a + b over a run.
template <class T>
void AffineRun(const T* x, T* y, int64_t n, T mu, T a, T b) {
  using S = typename VecOf<T>::S;
  typename S::V vm = S::set1(mu), va = S::set1(a), vb = S::set1(b);
  int64_t i = 0;
  for (; i + S::W <= n; i += S::W) S::store(y + i, S::fma(S::sub(S::load(x + i), vm), va, vb));
  if (i < n) S::storen(y + i, S::fma(S::sub(S::loadn(x + i, n - i), vm), va, vb), static_cast<int>(n - i));
}

// y = ((x − mu)·r)·w + b per element (w, b may be null: 1 and 0).
template <class T>
void AffineRowW(const T* x, T* y, int64_t n, T mu, T r, const T* w, const T* b) {
  using S = typename VecOf<T>::S;
  typename S::V vm = S::set1(mu), vr = S::set1(r), one = S::set1(1), zero = S::set1(0);
  int64_t i = 0;
  for (; i < n; i += S::W) {
    int k = n - i < S::W ? static_cast<int>(n - i) : S::W;
    typename S::V t = S::mul(S::sub(S::loadn(x + i, k), vm), vr);
    typename S::V vw = w == nullptr ? one : S::loadn(w + i, k);
    typename S::V vb = b == nullptr ? zero : S::loadn(b + i, k);
    S::storen(y + i, S::fma(t, vw, vb), k);
  }
}

// dx = g·A + (x − mu)·B + C over a run (A = w·r per channel; B, C per statistic).
template <class T>
void GradRun(const T* g, const T* x, T* dx, int64_t n, T A, T mu, T B, T C) {
  using S = typename VecOf<T>::S;
  typename S::V va = S::set1(A), vm = S::set1(mu), vb = S::set1(B), vc = S::set1(C);
  int64_t i = 0;
  for (; i + S::W <= n; i += S::W) {
    S::store(dx + i, S::fma(S::load(g + i), va, S::fma(S::sub(S::load(x + i), vm), vb, vc)));
  }
  if (i < n) {
    int k = static_cast<int>(n - i);
    S::storen(dx + i, S::fma(S::loadn(g + i, k), va, S::fma(S::sub(S::loadn(x + i, k), vm), vb, vc)), k);
  }
}

// dx = g·w·r + (x − mu)·B + C per element (w may be null).
template <class T>
void GradRowW(const T* g, const T* x, const T* w, T* dx, int64_t n, T r, T mu, T B, T C) {
  using S = typename VecOf<T>::S;
  typename S::V vr = S::set1(r), vm = S::set1(mu), vb = S::set1(B), vc = S::set1(C);
  for (int64_t i = 0; i < n; i += S::W) {
    int k = n - i < S::W ? static_cast<int>(n - i) : S::W;
    typename S::V a = w == nullptr ? vr : S::mul(S::loadn(w + i, k), vr);
    S::storen(dx + i, S::fma(S::loadn(g + i, k), a, S::fma(S::sub(S::loadn(x + i, k), vm), vb, vc)), k);
  }
}

template <class T>
struct Ctx {
  Geo q;
  const T* x;
  const T* gy;
  const T* stats;
  const T* sums;
  const T* w;
  const T* b;
  T* out;
};

template <class T>
TL_INLINE double InvStd(const Ctx<T>& c, int64_t m) {
  return 1.0 / sqrt(static_cast<double>(c.stats[c.q.m + m]) + c.q.eps);
}

// ---- normStats: per statistic, the mean then the squared deviations ----
template <class T>
void StatsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  const int64_t len = q.cg * q.s;
  int64_t start, end;
  Split(q.m, ith, nth, &start, &end);
  for (int64_t m = start; m < end; m++) {
    int64_t n0, n1, gi;
    BlocksOf(q, m, &n0, &n1, &gi);
    double sum = 0;
    for (int64_t n = n0; n < n1; n++) sum += SumD(c.x + (n * q.c + gi * q.cg) * q.s, len);
    const double mu = sum / static_cast<double>(q.count);
    double ss = 0;
    for (int64_t n = n0; n < n1; n++) ss += SqDevD(c.x + (n * q.c + gi * q.cg) * q.s, len, mu);
    c.out[m] = static_cast<T>(mu);
    c.out[q.m + m] = static_cast<T>(ss / static_cast<double>(q.count));
  }
}

// ---- normApply: per block (n, g) ----
template <class T>
void ApplyTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.n * q.g, ith, nth, &start, &end);
  for (int64_t blk = start; blk < end; blk++) {
    const int64_t n = blk / q.g, gi = blk % q.g, m = StatOf(q, n, gi);
    const double r = InvStd(c, m);
    const T mu = c.stats[m];
    const int64_t c0 = gi * q.cg, base = (n * q.c + c0) * q.s;
    if (q.s == 1) {
      AffineRowW<T>(c.x + base, c.out + base, q.cg, mu, static_cast<T>(r), q.has_w ? c.w + c0 : nullptr, q.has_b ? c.b + c0 : nullptr);
      continue;
    }
    for (int64_t k = 0; k < q.cg; k++) {
      const double a = (q.has_w ? static_cast<double>(c.w[c0 + k]) : 1.0) * r;
      const T b = q.has_b ? c.b[c0 + k] : T(0);
      AffineRun<T>(c.x + base + k * q.s, c.out + base + k * q.s, q.s, mu, static_cast<T>(a), b);
    }
  }
}

// ---- normAffineGrad: per channel Σ gy·x̂ and Σ gy ----
template <class T>
void AffineGradTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.c, ith, nth, &start, &end);
  for (int64_t ch = start; ch < end; ch++) {
    const int64_t gi = ch / q.cg;
    double dw = 0, db = 0;
    for (int64_t n = 0; n < q.n; n++) {
      const int64_t m = StatOf(q, n, gi), off = (n * q.c + ch) * q.s;
      double sg, sgx;
      GyDevD<T>(c.gy + off, c.x + off, nullptr, q.s, static_cast<double>(c.stats[m]), &sg, &sgx);
      dw += sgx * InvStd(c, m);
      db += sg;
    }
    c.out[ch] = static_cast<T>(dw);
    c.out[q.c + ch] = static_cast<T>(db);
  }
}

// LayerNorm's affine gradient (S = 1, one statistic per row): column sums over the rows, tiles of
// kTile columns per task with their accumulators on the stack.
template <class T>
void AffineGradColsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  using D = F64;
  const int64_t tiles = (q.c + kTile - 1) / kTile;
  int64_t start, end;
  Split(tiles, ith, nth, &start, &end);
  alignas(64) double dw[kTile], db[kTile];
  for (int64_t t = start; t < end; t++) {
    const int64_t c0 = t * kTile, len = q.c - c0 < kTile ? q.c - c0 : kTile;
    for (int64_t k = 0; k < len; k++) dw[k] = db[k] = 0;
    for (int64_t n = 0; n < q.n; n++) {
      const double r = InvStd(c, n);
      const D::V vm = D::set1(static_cast<double>(c.stats[n])), vr = D::set1(r);
      const T* g = c.gy + n * q.c + c0;
      const T* x = c.x + n * q.c + c0;
      int64_t k = 0;
      for (; k + D::W <= len; k += D::W) {
        D::V gv = LoadD(g + k);
        D::store(db + k, D::add(D::load(db + k), gv));
        D::store(dw + k, D::fma(D::mul(gv, D::sub(LoadD(x + k), vm)), vr, D::load(dw + k)));
      }
      for (; k < len; k++) {
        db[k] += g[k];
        dw[k] += static_cast<double>(g[k]) * (x[k] - static_cast<double>(c.stats[n])) * r;
      }
    }
    for (int64_t k = 0; k < len; k++) {
      c.out[c0 + k] = static_cast<T>(dw[k]);
      c.out[q.c + c0 + k] = static_cast<T>(db[k]);
    }
  }
}

// ---- normGroupGrad: per statistic Σ gy·w·x̂ and Σ gy·w ----
template <class T>
void GroupGradTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.m, ith, nth, &start, &end);
  for (int64_t m = start; m < end; m++) {
    int64_t n0, n1, gi;
    BlocksOf(q, m, &n0, &n1, &gi);
    const double mu = static_cast<double>(c.stats[m]);
    const int64_t c0 = gi * q.cg;
    double s0 = 0, s1 = 0;
    for (int64_t n = n0; n < n1; n++) {
      const int64_t base = (n * q.c + c0) * q.s;
      if (q.s == 1) {
        double sg, sgx;
        GyDevD<T>(c.gy + base, c.x + base, q.has_w ? c.w + c0 : nullptr, q.cg, mu, &sg, &sgx);
        s0 += sgx;
        s1 += sg;
        continue;
      }
      for (int64_t k = 0; k < q.cg; k++) {
        double sg, sgx;
        GyDevD<T>(c.gy + base + k * q.s, c.x + base + k * q.s, nullptr, q.s, mu, &sg, &sgx);
        const double wk = q.has_w ? static_cast<double>(c.w[c0 + k]) : 1.0;
        s0 += wk * sgx;
        s1 += wk * sg;
      }
    }
    c.out[m] = static_cast<T>(s0 * InvStd(c, m));
    c.out[q.m + m] = static_cast<T>(s1);
  }
}

// ---- normInputGrad: per block, dx = gy·w·r + (x − mean)·B + C ----
template <class T>
void InputGradTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.n * q.g, ith, nth, &start, &end);
  const double inv_count = 1.0 / static_cast<double>(q.count);
  for (int64_t blk = start; blk < end; blk++) {
    const int64_t n = blk / q.g, gi = blk % q.g, m = StatOf(q, n, gi);
    const double r = InvStd(c, m);
    const T mu = c.stats[m];
    const T B = static_cast<T>(-r * r * static_cast<double>(c.sums[m]) * inv_count);
    const T C = static_cast<T>(-r * static_cast<double>(c.sums[q.m + m]) * inv_count);
    const int64_t c0 = gi * q.cg, base = (n * q.c + c0) * q.s;
    if (q.s == 1) {
      GradRowW<T>(c.gy + base, c.x + base, q.has_w ? c.w + c0 : nullptr, c.out + base, q.cg, static_cast<T>(r), mu, B, C);
      continue;
    }
    for (int64_t k = 0; k < q.cg; k++) {
      const double a = (q.has_w ? static_cast<double>(c.w[c0 + k]) : 1.0) * r;
      GradRun<T>(c.gy + base + k * q.s, c.x + base + k * q.s, c.out + base + k * q.s, q.s, static_cast<T>(a), mu, B, C);
    }
  }
}

// Elements per thread worth splitting for.
constexpr int64_t kGrain = 1 << 14;

enum Kind { kStats, kApply, kAffineGrad, kGroupGrad, kInputGrad };

template <class T>
int Run(const tl_args* a, const tl_runtime* rt, Kind kind) {
  // Inputs: stats/apply: x first; the gradients: gy, x, stats first.
  const bool grad = kind == kAffineGrad || kind == kGroupGrad || kind == kInputGrad;
  const tl_tensor& x = a->t[grad ? 1 : 0];
  Ctx<T> c;
  if (!MakeGeo(x, a, &c.q)) return TL_ERR_ARGS;
  const Geo& q = c.q;
  const int n_fixed = kind == kStats ? 1 : kind == kApply ? 2 : kind == kInputGrad ? 4 : 3;
  const int n_in = n_fixed + (q.has_w ? 1 : 0) + (q.has_b ? 1 : 0);
  if (a->n_in != n_in || a->n_out != 1) return TL_ERR_ARGS;
  for (int i = 0; i <= n_in; i++) {
    if (a->t[i].dtype != x.dtype) return TL_ERR_UNSUPPORTED;
    if (!IsContiguous(a->t[i])) return TL_ERR_ARGS;
  }
  c.x = Base<const T>(x);
  c.gy = grad ? Base<const T>(a->t[0]) : nullptr;
  c.stats = kind == kStats ? nullptr : Base<const T>(a->t[grad ? 2 : 1]);
  c.sums = kind == kInputGrad ? Base<const T>(a->t[3]) : nullptr;
  c.w = q.has_w ? Base<const T>(a->t[n_fixed]) : nullptr;
  c.b = q.has_b ? Base<const T>(a->t[n_fixed + (q.has_w ? 1 : 0)]) : nullptr;
  c.out = Base<T>(a->t[n_in]);
  if (q.m == 0 || q.count == 0) return TL_OK;
  const int64_t work = q.n * q.c * q.s;
  switch (kind) {
    case kStats:
      rt->parallel_for(ThreadsFor(rt, work, kGrain) < q.m ? ThreadsFor(rt, work, kGrain) : static_cast<int>(q.m), StatsTask<T>, &c);
      break;
    case kApply:
      rt->parallel_for(ThreadsFor(rt, work, kGrain), ApplyTask<T>, &c);
      break;
    case kAffineGrad:
      if (q.s == 1 && q.per_sample && q.g == 1) {
        rt->parallel_for(ThreadsFor(rt, work, kGrain), AffineGradColsTask<T>, &c);
      } else {
        rt->parallel_for(ThreadsFor(rt, work, kGrain), AffineGradTask<T>, &c);
      }
      break;
    case kGroupGrad:
      rt->parallel_for(ThreadsFor(rt, work, kGrain), GroupGradTask<T>, &c);
      break;
    case kInputGrad:
      rt->parallel_for(ThreadsFor(rt, work, kGrain), InputGradTask<T>, &c);
      break;
  }
  return TL_OK;
}

template <int kKind>
int NormKernel(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in < 1) return TL_ERR_ARGS;
  const int dt = a->t[kKind == kStats || kKind == kApply ? 0 : 1].dtype;
  if (dt == TL_F32) return Run<float>(a, rt, static_cast<Kind>(kKind));
  if (dt == TL_F64) return Run<double>(a, rt, static_cast<Kind>(kKind));
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

TL_FAMILY_TABLE(norm) = {
    {"normStats", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kStats>},
    {"normApply", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kApply>},
    {"normAffineGrad", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kAffineGrad>},
    {"normGroupGrad", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kGroupGrad>},
    {"normInputGrad", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kInputGrad>},
    {nullptr, nullptr},
};
