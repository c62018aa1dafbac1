// One SIMD abstraction, compiled per ISA level. A kernel file includes this inside nothing: it
// opens namespace tensile::TENSILE_ISA itself, so every function here gets the ISA in its mangled
// name and the three builds of one kernel file never share an out-of-line copy (see README.md).
//
// Types: F32 and F64 describe one vector of float/double (W lanes) with static functions; the
// generic build has W = 1 and plain scalar code, which the compiler may still auto-vectorize.
// Partial loads/stores (loadn/storen) handle loop tails with the same code as the body, so an
// element's result never depends on where it sits in the array.
#ifndef TENSILE_SIMD_VEC_H
#define TENSILE_SIMD_VEC_H

#include <stdint.h>
#include <string.h>

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
#include <immintrin.h>
#elif defined(TENSILE_ISA_NEON)
#include <arm_neon.h>
#endif

#ifndef TENSILE_ISA
#error "compile kernel files with -DTENSILE_ISA=<generic|avx2|avx512|neon> (binding.gyp does)"
#endif

namespace tensile {
namespace TENSILE_ISA {

#define TL_INLINE inline __attribute__((always_inline))

#if defined(TENSILE_ISA_AVX512)

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  static TL_INLINE M tail(int n) { return static_cast<M>(n >= 16 ? 0xFFFF : ((1u << n) - 1)); }
  static TL_INLINE V load(const T* p) { return _mm512_loadu_ps(p); }
  static TL_INLINE V loadn(const T* p, int n) { return _mm512_maskz_loadu_ps(tail(n), p); }
  static TL_INLINE void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static TL_INLINE void storen(T* p, V v, int n) { _mm512_mask_storeu_ps(p, tail(n), v); }
  static TL_INLINE V set1(T x) { return _mm512_set1_ps(x); }
  static TL_INLINE V add(V a, V b) { return _mm512_add_ps(a, b); }
  static TL_INLINE V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static TL_INLINE V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static TL_INLINE V div(V a, V b) { return _mm512_div_ps(a, b); }
  static TL_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static TL_INLINE V sqrt(V a) { return _mm512_sqrt_ps(a); }
  static TL_INLINE V abs(V a) { return _mm512_abs_ps(a); }
  static TL_INLINE V neg(V a) { return _mm512_xor_ps(a, _mm512_set1_ps(-0.0f)); }
  static TL_INLINE V floor(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V ceil(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V round_even(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // max/min as x86 defines them: the second operand when either is NaN.
  static TL_INLINE V max(V a, V b) { return _mm512_max_ps(a, b); }
  static TL_INLINE V min(V a, V b) { return _mm512_min_ps(a, b); }
  static TL_INLINE M lt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static TL_INLINE M le(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static TL_INLINE M gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static TL_INLINE M ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static TL_INLINE M eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static TL_INLINE M ne(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_NEQ_UQ); }
  static TL_INLINE M isnan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static TL_INLINE M mor(M a, M b) { return static_cast<M>(a | b); }
  static TL_INLINE M mand(M a, M b) { return static_cast<M>(a & b); }
  static TL_INLINE M mnot(M a) { return static_cast<M>(~a); }
  static TL_INLINE V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static TL_INLINE uint32_t bits(M m) { return m; }
  static TL_INLINE T hsum(V a) { return _mm512_reduce_add_ps(a); }
  // x * 2^n for integral n (any range: overflow gives inf, underflow rounds into denormals).
  static TL_INLINE V ldexp(V x, V n) { return _mm512_scalef_ps(x, n); }
  // x = m * 2^e with m in [1, 2) (x finite, positive, normal).
  static TL_INLINE V exponent(V x) { return _mm512_getexp_ps(x); }
  static TL_INLINE V mantissa(V x) { return _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int W = 8;
  static TL_INLINE M tail(int n) { return static_cast<M>(n >= 8 ? 0xFF : ((1u << n) - 1)); }
  static TL_INLINE V load(const T* p) { return _mm512_loadu_pd(p); }
  static TL_INLINE V loadn(const T* p, int n) { return _mm512_maskz_loadu_pd(tail(n), p); }
  static TL_INLINE void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static TL_INLINE void storen(T* p, V v, int n) { _mm512_mask_storeu_pd(p, tail(n), v); }
  static TL_INLINE V set1(T x) { return _mm512_set1_pd(x); }
  static TL_INLINE V add(V a, V b) { return _mm512_add_pd(a, b); }
  static TL_INLINE V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static TL_INLINE V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static TL_INLINE V div(V a, V b) { return _mm512_div_pd(a, b); }
  static TL_INLINE V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static TL_INLINE V sqrt(V a) { return _mm512_sqrt_pd(a); }
  static TL_INLINE V abs(V a) { return _mm512_abs_pd(a); }
  static TL_INLINE V neg(V a) { return _mm512_xor_pd(a, _mm512_set1_pd(-0.0)); }
  static TL_INLINE V floor(V a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V ceil(V a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V round_even(V a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static TL_INLINE V max(V a, V b) { return _mm512_max_pd(a, b); }
  static TL_INLINE V min(V a, V b) { return _mm512_min_pd(a, b); }
  static TL_INLINE M lt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
  static TL_INLINE M le(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
  static TL_INLINE M gt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  static TL_INLINE M ge(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
  static TL_INLINE M eq(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  static TL_INLINE M ne(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_NEQ_UQ); }
  static TL_INLINE M isnan(V a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
  static TL_INLINE M mor(M a, M b) { return static_cast<M>(a | b); }
  static TL_INLINE M mand(M a, M b) { return static_cast<M>(a & b); }
  static TL_INLINE M mnot(M a) { return static_cast<M>(~a); }
  static TL_INLINE V select(M m, V a, V b) { return _mm512_mask_blend_pd(m, b, a); }
  static TL_INLINE uint32_t bits(M m) { return m; }
  static TL_INLINE T hsum(V a) { return _mm512_reduce_add_pd(a); }
};

// Eight float32 lanes widened to float64 (sums of float32 accumulate in float64, like the js kernels).
TL_INLINE __m512d WidenLo(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
TL_INLINE __m512d WidenHi(__m512 v) { return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))); }

#elif defined(TENSILE_ISA_AVX2)

struct F32 {
  using T = float;
  using V = __m256;
  using M = __m256;  // all-ones lanes where true
  static constexpr int W = 8;
  static TL_INLINE __m256i tailmask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static TL_INLINE V load(const T* p) { return _mm256_loadu_ps(p); }
  static TL_INLINE V loadn(const T* p, int n) { return _mm256_maskload_ps(p, tailmask(n)); }
  static TL_INLINE void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static TL_INLINE void storen(T* p, V v, int n) { _mm256_maskstore_ps(p, tailmask(n), v); }
  static TL_INLINE V set1(T x) { return _mm256_set1_ps(x); }
  static TL_INLINE V add(V a, V b) { return _mm256_add_ps(a, b); }
  static TL_INLINE V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static TL_INLINE V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static TL_INLINE V div(V a, V b) { return _mm256_div_ps(a, b); }
  static TL_INLINE V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static TL_INLINE V sqrt(V a) { return _mm256_sqrt_ps(a); }
  static TL_INLINE V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static TL_INLINE V neg(V a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  static TL_INLINE V floor(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V ceil(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V round_even(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static TL_INLINE V max(V a, V b) { return _mm256_max_ps(a, b); }
  static TL_INLINE V min(V a, V b) { return _mm256_min_ps(a, b); }
  static TL_INLINE M lt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static TL_INLINE M le(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static TL_INLINE M gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static TL_INLINE M ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static TL_INLINE M eq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static TL_INLINE M ne(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_NEQ_UQ); }
  static TL_INLINE M isnan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static TL_INLINE M mor(M a, M b) { return _mm256_or_ps(a, b); }
  static TL_INLINE M mand(M a, M b) { return _mm256_and_ps(a, b); }
  static TL_INLINE M mnot(M a) { return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(-1))); }
  static TL_INLINE V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static TL_INLINE uint32_t bits(M m) { return static_cast<uint32_t>(_mm256_movemask_ps(m)); }
  static TL_INLINE T hsum(V a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  // 2^n for integral n in [-126, 127] built in the exponent field.
  static TL_INLINE V pow2(V n) {
    __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  // x * 2^n for integral n in [-252, 254]: two normal factors, so the one rounding is correct.
  static TL_INLINE V ldexp(V x, V n) {
    V lo = _mm256_max_ps(n, _mm256_set1_ps(-252.0f));
    lo = _mm256_min_ps(lo, _mm256_set1_ps(254.0f));
    V h = floor(_mm256_mul_ps(lo, _mm256_set1_ps(0.5f)));
    return _mm256_mul_ps(_mm256_mul_ps(x, pow2(h)), pow2(_mm256_sub_ps(lo, h)));
  }
  // For positive normal x: floor(log2 x) and x / 2^that in [1, 2).
  static TL_INLINE V exponent(V x) {
    __m256i i = _mm256_castps_si256(x);
    __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(i, 23), _mm256_set1_epi32(127));
    return _mm256_cvtepi32_ps(e);
  }
  static TL_INLINE V mantissa(V x) {
    __m256i i = _mm256_castps_si256(x);
    i = _mm256_or_si256(_mm256_and_si256(i, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F800000));
    return _mm256_castsi256_ps(i);
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  using M = __m256d;
  static constexpr int W = 4;
  static TL_INLINE __m256i tailmask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static TL_INLINE V load(const T* p) { return _mm256_loadu_pd(p); }
  static TL_INLINE V loadn(const T* p, int n) { return _mm256_maskload_pd(p, tailmask(n)); }
  static TL_INLINE void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static TL_INLINE void storen(T* p, V v, int n) { _mm256_maskstore_pd(p, tailmask(n), v); }
  static TL_INLINE V set1(T x) { return _mm256_set1_pd(x); }
  static TL_INLINE V add(V a, V b) { return _mm256_add_pd(a, b); }
  static TL_INLINE V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static TL_INLINE V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static TL_INLINE V div(V a, V b) { return _mm256_div_pd(a, b); }
  static TL_INLINE V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static TL_INLINE V sqrt(V a) { return _mm256_sqrt_pd(a); }
  static TL_INLINE V abs(V a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  static TL_INLINE V neg(V a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
  static TL_INLINE V floor(V a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V ceil(V a) { return _mm256_round_pd(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); }
  static TL_INLINE V round_even(V a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static TL_INLINE V max(V a, V b) { return _mm256_max_pd(a, b); }
  static TL_INLINE V min(V a, V b) { return _mm256_min_pd(a, b); }
  static TL_INLINE M lt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static TL_INLINE M le(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
  static TL_INLINE M gt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
  static TL_INLINE M ge(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
  static TL_INLINE M eq(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
  static TL_INLINE M ne(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_NEQ_UQ); }
  static TL_INLINE M isnan(V a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
  static TL_INLINE M mor(M a, M b) { return _mm256_or_pd(a, b); }
  static TL_INLINE M mand(M a, M b) { return _mm256_and_pd(a, b); }
  static TL_INLINE M mnot(M a) { return _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi32(-1))); }
  static TL_INLINE V select(M m, V a, V b) { return _mm256_blendv_pd(b, a, m); }
  static TL_INLINE uint32_t bits(M m) { return static_cast<uint32_t>(_mm256_movemask_pd(m)); }
  static TL_INLINE T hsum(V a) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

TL_INLINE __m256d WidenLo(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
TL_INLINE __m256d WidenHi(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

#elif defined(TENSILE_ISA_NEON)

// AArch64 Advanced SIMD (every arm64 CPU has it): 128-bit vectors, comparisons give all-ones lanes.
// Partial loads and stores go through a small buffer: NEON has no masked memory access, and a
// tail must never touch memory past its n elements.
template <class TT, class VV, class MM, int WW>
struct NeonBase {
  using T = TT;
  using V = VV;
  using M = MM;
  static constexpr int W = WW;
  static TL_INLINE int clamp(int n) { return n < 0 ? 0 : (n > W ? W : n); }
};

struct F32 : NeonBase<float, float32x4_t, uint32x4_t, 4> {
  static TL_INLINE V load(const T* p) { return vld1q_f32(p); }
  static TL_INLINE V loadn(const T* p, int n) {
    T b[W] = {0, 0, 0, 0};
    memcpy(b, p, sizeof(T) * clamp(n));
    return vld1q_f32(b);
  }
  static TL_INLINE void store(T* p, V v) { vst1q_f32(p, v); }
  static TL_INLINE void storen(T* p, V v, int n) {
    T b[W];
    vst1q_f32(b, v);
    memcpy(p, b, sizeof(T) * clamp(n));
  }
  static TL_INLINE V set1(T x) { return vdupq_n_f32(x); }
  static TL_INLINE V add(V a, V b) { return vaddq_f32(a, b); }
  static TL_INLINE V sub(V a, V b) { return vsubq_f32(a, b); }
  static TL_INLINE V mul(V a, V b) { return vmulq_f32(a, b); }
  static TL_INLINE V div(V a, V b) { return vdivq_f32(a, b); }
  static TL_INLINE V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static TL_INLINE V sqrt(V a) { return vsqrtq_f32(a); }
  static TL_INLINE V abs(V a) { return vabsq_f32(a); }
  static TL_INLINE V neg(V a) { return vnegq_f32(a); }
  static TL_INLINE V floor(V a) { return vrndmq_f32(a); }
  static TL_INLINE V ceil(V a) { return vrndpq_f32(a); }
  static TL_INLINE V round_even(V a) { return vrndnq_f32(a); }
  // max/min as x86 defines them (the second operand when either is NaN), not NEON's fmax (NaN):
  // kernels written for every level rely on it (vmath.h's clamp, the pooling scans).
  static TL_INLINE V max(V a, V b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  static TL_INLINE V min(V a, V b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
  static TL_INLINE M lt(V a, V b) { return vcltq_f32(a, b); }
  static TL_INLINE M le(V a, V b) { return vcleq_f32(a, b); }
  static TL_INLINE M gt(V a, V b) { return vcgtq_f32(a, b); }
  static TL_INLINE M ge(V a, V b) { return vcgeq_f32(a, b); }
  static TL_INLINE M eq(V a, V b) { return vceqq_f32(a, b); }
  static TL_INLINE M ne(V a, V b) { return vmvnq_u32(vceqq_f32(a, b)); }
  static TL_INLINE M isnan(V a) { return vmvnq_u32(vceqq_f32(a, a)); }
  static TL_INLINE M mor(M a, M b) { return vorrq_u32(a, b); }
  static TL_INLINE M mand(M a, M b) { return vandq_u32(a, b); }
  static TL_INLINE M mnot(M a) { return vmvnq_u32(a); }
  static TL_INLINE V select(M m, V a, V b) { return vbslq_f32(m, a, b); }
  static TL_INLINE uint32_t bits(M m) {
    const uint32_t weights[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(weights)));
  }
  static TL_INLINE T hsum(V a) { return vaddvq_f32(a); }
  // 2^n for integral n in [-126, 127] built in the exponent field.
  static TL_INLINE V pow2(V n) {
    const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
    return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
  }
  // x * 2^n for integral n in [-252, 254]: two normal factors, so the one rounding is correct.
  static TL_INLINE V ldexp(V x, V n) {
    const V lo = vminq_f32(vmaxq_f32(n, vdupq_n_f32(-252.0f)), vdupq_n_f32(254.0f));
    const V h = vrndmq_f32(vmulq_f32(lo, vdupq_n_f32(0.5f)));
    return vmulq_f32(vmulq_f32(x, pow2(h)), pow2(vsubq_f32(lo, h)));
  }
  // For positive normal x: floor(log2 x) and x / 2^that in [1, 2).
  static TL_INLINE V exponent(V x) {
    const int32x4_t e = vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_f32(x), 23)), vdupq_n_s32(127));
    return vcvtq_f32_s32(e);
  }
  static TL_INLINE V mantissa(V x) {
    const uint32x4_t i = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x007FFFFF));
    return vreinterpretq_f32_u32(vorrq_u32(i, vdupq_n_u32(0x3F800000)));
  }
};

struct F64 : NeonBase<double, float64x2_t, uint64x2_t, 2> {
  static TL_INLINE V load(const T* p) { return vld1q_f64(p); }
  static TL_INLINE V loadn(const T* p, int n) {
    T b[W] = {0, 0};
    memcpy(b, p, sizeof(T) * clamp(n));
    return vld1q_f64(b);
  }
  static TL_INLINE void store(T* p, V v) { vst1q_f64(p, v); }
  static TL_INLINE void storen(T* p, V v, int n) {
    T b[W];
    vst1q_f64(b, v);
    memcpy(p, b, sizeof(T) * clamp(n));
  }
  static TL_INLINE V set1(T x) { return vdupq_n_f64(x); }
  static TL_INLINE V add(V a, V b) { return vaddq_f64(a, b); }
  static TL_INLINE V sub(V a, V b) { return vsubq_f64(a, b); }
  static TL_INLINE V mul(V a, V b) { return vmulq_f64(a, b); }
  static TL_INLINE V div(V a, V b) { return vdivq_f64(a, b); }
  static TL_INLINE V fma(V a, V b, V c) { return vfmaq_f64(c, a, b); }
  static TL_INLINE V sqrt(V a) { return vsqrtq_f64(a); }
  static TL_INLINE V abs(V a) { return vabsq_f64(a); }
  static TL_INLINE V neg(V a) { return vnegq_f64(a); }
  static TL_INLINE V floor(V a) { return vrndmq_f64(a); }
  static TL_INLINE V ceil(V a) { return vrndpq_f64(a); }
  static TL_INLINE V round_even(V a) { return vrndnq_f64(a); }
  static TL_INLINE V max(V a, V b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
  static TL_INLINE V min(V a, V b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
  static TL_INLINE M lt(V a, V b) { return vcltq_f64(a, b); }
  static TL_INLINE M le(V a, V b) { return vcleq_f64(a, b); }
  static TL_INLINE M gt(V a, V b) { return vcgtq_f64(a, b); }
  static TL_INLINE M ge(V a, V b) { return vcgeq_f64(a, b); }
  static TL_INLINE M eq(V a, V b) { return vceqq_f64(a, b); }
  static TL_INLINE M ne(V a, V b) { return mnot(vceqq_f64(a, b)); }
  static TL_INLINE M isnan(V a) { return mnot(vceqq_f64(a, a)); }
  static TL_INLINE M mor(M a, M b) { return vorrq_u64(a, b); }
  static TL_INLINE M mand(M a, M b) { return vandq_u64(a, b); }
  static TL_INLINE M mnot(M a) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(a))); }
  static TL_INLINE V select(M m, V a, V b) { return vbslq_f64(m, a, b); }
  static TL_INLINE uint32_t bits(M m) {
    return static_cast<uint32_t>((vgetq_lane_u64(m, 0) & 1) | ((vgetq_lane_u64(m, 1) & 1) << 1));
  }
  static TL_INLINE T hsum(V a) { return vaddvq_f64(a); }
};

TL_INLINE float64x2_t WidenLo(float32x4_t v) { return vcvt_f64_f32(vget_low_f32(v)); }
TL_INLINE float64x2_t WidenHi(float32x4_t v) { return vcvt_high_f64_f32(v); }

#else  // generic: one lane, plain C++ (the compiler may auto-vectorize the loops around it)

template <class TT>
struct Scalar {
  using T = TT;
  using V = TT;
  using M = bool;
  static constexpr int W = 1;
  static TL_INLINE V load(const T* p) { return *p; }
  static TL_INLINE V loadn(const T* p, int) { return *p; }
  static TL_INLINE void store(T* p, V v) { *p = v; }
  static TL_INLINE void storen(T* p, V v, int) { *p = v; }
  static TL_INLINE V set1(T x) { return x; }
  static TL_INLINE V add(V a, V b) { return a + b; }
  static TL_INLINE V sub(V a, V b) { return a - b; }
  static TL_INLINE V mul(V a, V b) { return a * b; }
  static TL_INLINE V div(V a, V b) { return a / b; }
  static TL_INLINE V fma(V a, V b, V c) { return a * b + c; }
  static TL_INLINE V sqrt(V a) { return sizeof(T) == 4 ? __builtin_sqrtf(a) : __builtin_sqrt(a); }
  static TL_INLINE V abs(V a) { return sizeof(T) == 4 ? __builtin_fabsf(a) : __builtin_fabs(a); }
  static TL_INLINE V neg(V a) { return -a; }
  static TL_INLINE V floor(V a) { return sizeof(T) == 4 ? __builtin_floorf(a) : __builtin_floor(a); }
  static TL_INLINE V ceil(V a) { return sizeof(T) == 4 ? __builtin_ceilf(a) : __builtin_ceil(a); }
  static TL_INLINE V round_even(V a) { return sizeof(T) == 4 ? __builtin_nearbyintf(a) : __builtin_nearbyint(a); }
  static TL_INLINE V max(V a, V b) { return a > b ? a : b; }
  static TL_INLINE V min(V a, V b) { return a < b ? a : b; }
  static TL_INLINE M lt(V a, V b) { return a < b; }
  static TL_INLINE M le(V a, V b) { return a <= b; }
  static TL_INLINE M gt(V a, V b) { return a > b; }
  static TL_INLINE M ge(V a, V b) { return a >= b; }
  static TL_INLINE M eq(V a, V b) { return a == b; }
  static TL_INLINE M ne(V a, V b) { return a != b; }
  static TL_INLINE M isnan(V a) { return a != a; }
  static TL_INLINE M mor(M a, M b) { return a || b; }
  static TL_INLINE M mand(M a, M b) { return a && b; }
  static TL_INLINE M mnot(M a) { return !a; }
  static TL_INLINE V select(M m, V a, V b) { return m ? a : b; }
  static TL_INLINE uint32_t bits(M m) { return m ? 1u : 0u; }
  static TL_INLINE T hsum(V a) { return a; }
};
using F32 = Scalar<float>;
using F64 = Scalar<double>;

#endif

// The vector type of element type T (VecOf<T>::V; `S` is the same type, the name some kernels use).
template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  using V = F32;
  using S = F32;
};
template <>
struct VecOf<double> {
  using V = F64;
  using S = F64;
};

// True when this build has vector math for float32 (exp, log, tanh, ...); the generic build calls libm.
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2) || defined(TENSILE_ISA_NEON)
#define TL_VECTOR_MATH 1
#else
#define TL_VECTOR_MATH 0
#endif

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
