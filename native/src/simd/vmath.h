// Vector float32 math for the AVX and NEON builds: exp, log, tanh, sigmoid. Cephes-style range reduction and
// polynomials, checked against float64 libm rounded to float32 over every float32 input by
// native/tools/ulp-check.cc (results in native/README.md). NaN in gives NaN out; overflow gives inf
// and tiny results round into denormals as the float64 reference does.
#ifndef TENSILE_SIMD_VMATH_H
#define TENSILE_SIMD_VMATH_H

#include "vec.h"

namespace tensile {
namespace TENSILE_ISA {

#if TL_VECTOR_MATH

// e^x: x = n·ln2 + r with ln2 split in two so r is exact, a degree-6 polynomial for e^r, then 2^n.
template <class S>
TL_INLINE typename S::V VExp(typename S::V x) {
  using V = typename S::V;
  // x86 max/min return the second operand for NaN, so the clamp maps NaN to a number; restored below.
  V xc = S::min(S::max(x, S::set1(-104.0f)), S::set1(89.0f));
  V n = S::round_even(S::mul(xc, S::set1(1.44269504088896341f)));
  V r = S::fma(n, S::set1(-0.693359375f), xc);
  r = S::fma(n, S::set1(2.12194440e-4f), r);
  V p = S::set1(1.9875691500e-4f);
  p = S::fma(p, r, S::set1(1.3981999507e-3f));
  p = S::fma(p, r, S::set1(8.3334519073e-3f));
  p = S::fma(p, r, S::set1(4.1665795894e-2f));
  p = S::fma(p, r, S::set1(1.6666665459e-1f));
  p = S::fma(p, r, S::set1(5.0000001201e-1f));
  V y = S::fma(p, S::mul(r, r), S::add(r, S::set1(1.0f)));
  y = S::ldexp(y, n);
  return S::select(S::isnan(x), x, y);
}

// ln x: x = m·2^e with m in [√½, √2), then Cephes' degree-8 polynomial in f = m − 1.
template <class S>
TL_INLINE typename S::V VLog(typename S::V x) {
  using V = typename S::V;
  using M = typename S::M;
  M tiny = S::lt(x, S::set1(1.17549435e-38f));  // denormals (and ≤ 0, fixed below): scale by 2^23
  V xs = S::select(tiny, S::mul(x, S::set1(8388608.0f)), x);
  V e = S::exponent(xs);
  e = S::select(tiny, S::sub(e, S::set1(23.0f)), e);
  V m = S::mantissa(xs);
  M big = S::gt(m, S::set1(1.41421356237f));
  m = S::select(big, S::mul(m, S::set1(0.5f)), m);
  e = S::select(big, S::add(e, S::set1(1.0f)), e);
  V f = S::sub(m, S::set1(1.0f));
  V z = S::mul(f, f);
  V p = S::set1(7.0376836292e-2f);
  p = S::fma(p, f, S::set1(-1.1514610310e-1f));
  p = S::fma(p, f, S::set1(1.1676998740e-1f));
  p = S::fma(p, f, S::set1(-1.2420140846e-1f));
  p = S::fma(p, f, S::set1(1.4249322787e-1f));
  p = S::fma(p, f, S::set1(-1.6668057665e-1f));
  p = S::fma(p, f, S::set1(2.0000714765e-1f));
  p = S::fma(p, f, S::set1(-2.4999993993e-1f));
  p = S::fma(p, f, S::set1(3.3333331174e-1f));
  V y = S::mul(S::mul(p, f), z);
  y = S::fma(e, S::set1(-2.12194440e-4f), y);
  y = S::fma(z, S::set1(-0.5f), y);
  V r = S::add(f, y);
  r = S::fma(e, S::set1(0.693359375f), r);
  const float inf = __builtin_inff();
  r = S::select(S::eq(x, S::set1(0.0f)), S::set1(-inf), r);
  r = S::select(S::lt(x, S::set1(0.0f)), S::set1(__builtin_nanf("")), r);
  r = S::select(S::eq(x, S::set1(inf)), x, r);
  return S::select(S::isnan(x), x, r);
}

// tanh: an odd polynomial below 0.625, 1 − 2/(e^{2|x|} + 1) above (e^{2|x|} = inf gives ±1).
template <class S>
TL_INLINE typename S::V VTanh(typename S::V x) {
  using V = typename S::V;
  V z = S::abs(x);
  V s = VExp<S>(S::add(z, z));
  V big = S::sub(S::set1(1.0f), S::div(S::set1(2.0f), S::add(s, S::set1(1.0f))));
  big = S::select(S::lt(x, S::set1(0.0f)), S::neg(big), big);
  V x2 = S::mul(x, x);
  V p = S::set1(-5.70498872745e-3f);
  p = S::fma(p, x2, S::set1(2.06390887954e-2f));
  p = S::fma(p, x2, S::set1(-5.37397155531e-2f));
  p = S::fma(p, x2, S::set1(1.33314422036e-1f));
  p = S::fma(p, x2, S::set1(-3.33332819422e-1f));
  V small = S::fma(S::mul(p, x2), x, x);
  V r = S::select(S::gt(z, S::set1(0.625f)), big, small);
  return S::select(S::isnan(x), x, r);
}

// 1 / (1 + e^{−x}) for x ≥ 0 and e^x / (1 + e^x) below, both as n / (1 + e) with e = e^{−|x|}: no
// overflow, the tiny tail kept, one division; ≤ 3 ulp (exp's 1 ulp plus the division's rounding).
template <class S>
TL_INLINE typename S::V VSigmoid(typename S::V x) {
  using V = typename S::V;
  V e = VExp<S>(S::neg(S::abs(x)));
  V n = S::select(S::ge(x, S::set1(0.0f)), S::set1(1.0f), e);
  return S::div(n, S::add(S::set1(1.0f), e));
}

#endif

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
