// Row helpers of the softmax family, shared by softmax.cc and cross_entropy.cc: lane-wise exp/log
// (vector math for float32 on the AVX builds, libm in double otherwise, as the js kernels), partial
// loads and stores, and the row max / exp-sum / dot reductions over a contiguous row.
#ifndef TENSILE_KERNELS_SOFTMAX_H
#define TENSILE_KERNELS_SOFTMAX_H

#include <math.h>

#include "common.h"
#include "../simd/vmath.h"

namespace tensile {
namespace TENSILE_ISA {

// e^x lane by lane: vector math for float32 where this build has it, libm in double otherwise.
template <class S>
TL_INLINE typename S::V Exp(typename S::V x) {
  using T = typename S::T;
#if TL_VECTOR_MATH
  if constexpr (sizeof(T) == 4) return VExp<S>(x);
#endif
  T buf[S::W];
  S::store(buf, x);
  for (int i = 0; i < S::W; i++) buf[i] = static_cast<T>(exp(static_cast<double>(buf[i])));
  return S::load(buf);
}

template <class S>
TL_INLINE typename S::V Log(typename S::V x) {
  using T = typename S::T;
#if TL_VECTOR_MATH
  if constexpr (sizeof(T) == 4) return VLog<S>(x);
#endif
  T buf[S::W];
  S::store(buf, x);
  for (int i = 0; i < S::W; i++) buf[i] = static_cast<T>(log(static_cast<double>(buf[i])));
  return S::load(buf);
}

// The first r (1..W) lanes at p; the others read as 0 and are never stored.
template <class S>
TL_INLINE typename S::V LoadN(const typename S::T* p, int r) { return r == S::W ? S::load(p) : S::loadn(p, r); }
template <class S>
TL_INLINE void StoreN(typename S::T* p, typename S::V v, int r) {
  if (r == S::W) S::store(p, v);
  else S::storen(p, v, r);
}

// Sum of the first r lanes of v.
template <class S>
TL_INLINE double SumLanes(typename S::V v, int r) {
  typename S::T buf[S::W];
  S::store(buf, v);
  double s = 0;
  for (int i = 0; i < r; i++) s += buf[i];
  return s;
}

// Max of a row. A NaN may be skipped here; it still reaches the exp-sum, which then makes the row NaN (as in js).
template <class S>
TL_INLINE typename S::T RowMax(const typename S::T* x, int64_t n) {
  using T = typename S::T;
  T m = -__builtin_inf();
  int64_t i = 0;
  if (n >= S::W) {
    typename S::V acc = S::load(x);
    for (i = S::W; i + S::W <= n; i += S::W) acc = S::max(acc, S::load(x + i));
    T buf[S::W];
    S::store(buf, acc);
    for (int k = 0; k < S::W; k++) m = buf[k] > m ? buf[k] : m;
  }
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

// Σ exp(x − m) over a row; with kStore also writes each exp(x − m) to y.
template <class S, bool kStore>
TL_INLINE double RowExpSum(const typename S::T* x, typename S::T m, typename S::T* y, int64_t n) {
  using V = typename S::V;
  const V mv = S::set1(m);
  V a0 = S::set1(0), a1 = S::set1(0);
  int64_t i = 0;
  for (; i + 2 * S::W <= n; i += 2 * S::W) {
    V e0 = Exp<S>(S::sub(S::load(x + i), mv));
    V e1 = Exp<S>(S::sub(S::load(x + i + S::W), mv));
    if (kStore) {
      S::store(y + i, e0);
      S::store(y + i + S::W, e1);
    }
    a0 = S::add(a0, e0);
    a1 = S::add(a1, e1);
  }
  double s = S::hsum(S::add(a0, a1));
  for (; i < n; i += S::W) {
    const int r = n - i < S::W ? static_cast<int>(n - i) : S::W;
    V e = Exp<S>(S::sub(LoadN<S>(x + i, r), mv));
    if (kStore) StoreN<S>(y + i, e, r);
    s += SumLanes<S>(e, r);
  }
  return s;
}

// Σ a·b over a row (b == nullptr: Σ a).
template <class S>
TL_INLINE double RowDot(const typename S::T* a, const typename S::T* b, int64_t n) {
  using V = typename S::V;
  V acc = S::set1(0);
  int64_t i = 0;
  for (; i + S::W <= n; i += S::W) acc = b ? S::fma(S::load(a + i), S::load(b + i), acc) : S::add(acc, S::load(a + i));
  double s = S::hsum(acc);
  for (; i < n; i++) s += b ? static_cast<double>(a[i]) * b[i] : a[i];
  return s;
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
