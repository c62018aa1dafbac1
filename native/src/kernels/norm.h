// What the normalization kernels share (norm.cc, norm_cols.h): the geometry of x [N, C, S...] with
// G groups of channels, the call context, and the run helpers: float64 sums of float32/float64 runs
// and the fused elementwise passes. Included by norm.cc only (one ISA namespace per build).
#ifndef TENSILE_KERNELS_NORM_H
#define TENSILE_KERNELS_NORM_H

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
#elif defined(TENSILE_ISA_NEON)
TL_INLINE F64::V LoadD(const float* p) { return vcvt_f64_f32(vld1_f32(p)); }
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
  int64_t tile;  // columns per task of AffineGradColsTask
};

template <class T>
TL_INLINE double InvStd(const Ctx<T>& c, int64_t m) {
  return 1.0 / sqrt(static_cast<double>(c.stats[c.q.m + m]) + c.q.eps);
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
