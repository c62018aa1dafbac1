// Row helpers of the softmax family, shared by softmax.cc and cross_entropy.cc: lane-wise exp (the
// vector exp of simd/vmath.h for float32 on the AVX builds, libm in double otherwise, as the js
// kernels), partial loads and stores, double accumulators, and the row max / exp-sum / dot reductions.
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

// A sum of vectors of S kept in double lanes (float32 lanes widened), like the js kernels' float64
// sums: the cancellation in Σ gy·y or Σ gy then costs no float32 accuracy.
template <class S>
struct Acc {
  static constexpr bool kWiden = TL_VECTOR_MATH && sizeof(typename S::T) == 4;
  typename F64::V lo = F64::set1(0), hi = F64::set1(0);  // hi is used only when widening
  TL_INLINE void add(typename S::V v) {
#if TL_VECTOR_MATH
    if constexpr (kWiden) {
      lo = F64::add(lo, WidenLo(v));
      hi = F64::add(hi, WidenHi(v));
    } else {
      lo = F64::add(lo, v);
    }
#else
    lo = F64::add(lo, v);
#endif
  }
  TL_INLINE double total() const { return kWiden ? F64::hsum(F64::add(lo, hi)) : F64::hsum(lo); }
  // Lane i's sum in out[i] (S::W lanes).
  TL_INLINE void lanes(double* out) const {
    F64::store(out, lo);
    if (kWiden) F64::store(out + F64::W, hi);
  }
};

// Σ exp(x − m) over a row (in double); with kStore also writes each exp(x − m) to y.
template <class S, bool kStore>
TL_INLINE double RowExpSum(const typename S::T* x, typename S::T m, typename S::T* y, int64_t n) {
  using V = typename S::V;
  const V mv = S::set1(m);
  Acc<S> acc;
  int64_t i = 0;
  for (; i + S::W <= n; i += S::W) {
    V e = Exp<S>(S::sub(S::load(x + i), mv));
    if (kStore) S::store(y + i, e);
    acc.add(e);
  }
  double s = acc.total();
  if (i < n) {
    const int r = static_cast<int>(n - i);
    V e = Exp<S>(S::sub(S::loadn(x + i, r), mv));
    if (kStore) S::storen(y + i, e, r);
    s += SumLanes<S>(e, r);
  }
  return s;
}

// Σ a·b over a row in double (b == nullptr: Σ a); the tail reads zeros past n.
template <class S>
TL_INLINE double RowDot(const typename S::T* a, const typename S::T* b, int64_t n) {
  Acc<S> acc;
  for (int64_t i = 0; i < n; i += S::W) {
    const int r = n - i < S::W ? static_cast<int>(n - i) : S::W;
    typename S::V v = LoadN<S>(a + i, r);
    acc.add(b ? S::mul(v, LoadN<S>(b + i, r)) : v);
  }
  return acc.total();
}

// Splits a double into T hi + lo, so x − v rounds once more like the js kernel's x − v in double.
template <class T>
TL_INLINE void Split2(double v, T* hi, T* lo) {
  *hi = static_cast<T>(v);
  *lo = static_cast<T>(v - static_cast<double>(*hi));
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
