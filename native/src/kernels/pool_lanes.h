// Lane shuffles the 2×2 max-pooling paths share (pool.cc, pool_2x2.cc). Per-ISA namespace.
#ifndef TENSILE_KERNELS_POOL_LANES_H
#define TENSILE_KERNELS_POOL_LANES_H

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {

// Lane shuffles of the 2×2 path: Deinterleave splits 2·W consecutive elements (a then b) into even
// and odd ones, Interleave undoes it; StoreIndex stores the first n lanes (indices held in float
// lanes) as int32.
#if defined(TENSILE_ISA_AVX512)
TL_INLINE void Deinterleave(__m512 a, __m512 b, __m512* e, __m512* o) {
  *e = _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);
  *o = _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b);
}
TL_INLINE void Deinterleave(__m512d a, __m512d b, __m512d* e, __m512d* o) {
  *e = _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
  *o = _mm512_permutex2var_pd(a, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
}
TL_INLINE void Interleave(__m512 e, __m512 o, __m512* lo, __m512* hi) {
  *lo = _mm512_permutex2var_ps(e, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), o);
  *hi = _mm512_permutex2var_ps(e, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), o);
}
TL_INLINE void Interleave(__m512d e, __m512d o, __m512d* lo, __m512d* hi) {
  *lo = _mm512_permutex2var_pd(e, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), o);
  *hi = _mm512_permutex2var_pd(e, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), o);
}
TL_INLINE void StoreIndex(int32_t* p, __m512 v, int n) { _mm512_mask_storeu_epi32(p, F32::tail(n), _mm512_cvttps_epi32(v)); }
TL_INLINE void StoreIndex(int32_t* p, __m512d v, int n) { _mm256_mask_storeu_epi32(p, F64::tail(n), _mm512_cvttpd_epi32(v)); }
#elif defined(TENSILE_ISA_AVX2)
TL_INLINE void Deinterleave(__m256 a, __m256 b, __m256* e, __m256* o) {
  // shuffle gives [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute puts the a pairs first.
  *e = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
  *o = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}
TL_INLINE void Deinterleave(__m256d a, __m256d b, __m256d* e, __m256d* o) {
  *e = _mm256_permute4x64_pd(_mm256_unpacklo_pd(a, b), 0xD8);
  *o = _mm256_permute4x64_pd(_mm256_unpackhi_pd(a, b), 0xD8);
}
TL_INLINE void Interleave(__m256 e, __m256 o, __m256* lo, __m256* hi) {
  __m256 l = _mm256_unpacklo_ps(e, o), h = _mm256_unpackhi_ps(e, o);  // [e0 o0 e1 o1 | e4 o4 e5 o5], [e2 .. | e6 ..]
  *lo = _mm256_permute2f128_ps(l, h, 0x20);
  *hi = _mm256_permute2f128_ps(l, h, 0x31);
}
TL_INLINE void Interleave(__m256d e, __m256d o, __m256d* lo, __m256d* hi) {
  __m256d l = _mm256_unpacklo_pd(e, o), h = _mm256_unpackhi_pd(e, o);  // [e0 o0 | e2 o2], [e1 o1 | e3 o3]
  *lo = _mm256_permute2f128_pd(l, h, 0x20);
  *hi = _mm256_permute2f128_pd(l, h, 0x31);
}
TL_INLINE void StoreIndex(int32_t* p, __m256 v, int n) { _mm256_maskstore_epi32(p, F32::tailmask(n), _mm256_cvttps_epi32(v)); }
TL_INLINE void StoreIndex(int32_t* p, __m256d v, int n) {
  _mm_maskstore_epi32(p, _mm_cmpgt_epi32(_mm_set1_epi32(n), _mm_setr_epi32(0, 1, 2, 3)), _mm256_cvttpd_epi32(v));
}
#elif defined(TENSILE_ISA_NEON)
TL_INLINE void Deinterleave(float32x4_t a, float32x4_t b, float32x4_t* e, float32x4_t* o) {
  *e = vuzp1q_f32(a, b);
  *o = vuzp2q_f32(a, b);
}
TL_INLINE void Deinterleave(float64x2_t a, float64x2_t b, float64x2_t* e, float64x2_t* o) {
  *e = vuzp1q_f64(a, b);
  *o = vuzp2q_f64(a, b);
}
TL_INLINE void Interleave(float32x4_t e, float32x4_t o, float32x4_t* lo, float32x4_t* hi) {
  *lo = vzip1q_f32(e, o);
  *hi = vzip2q_f32(e, o);
}
TL_INLINE void Interleave(float64x2_t e, float64x2_t o, float64x2_t* lo, float64x2_t* hi) {
  *lo = vzip1q_f64(e, o);
  *hi = vzip2q_f64(e, o);
}
// Indices are exact small integers in the float lanes, so truncation is exact.
TL_INLINE void StoreIndex(int32_t* p, float32x4_t v, int n) {
  int32_t b[4];
  vst1q_s32(b, vcvtq_s32_f32(v));
  for (int i = 0; i < n && i < 4; i++) p[i] = b[i];
}
TL_INLINE void StoreIndex(int32_t* p, float64x2_t v, int n) {
  int32_t b[2];
  vst1_s32(b, vmovn_s64(vcvtq_s64_f64(v)));
  for (int i = 0; i < n && i < 2; i++) p[i] = b[i];
}
#else
template <class T>
TL_INLINE void Deinterleave(T a, T b, T* e, T* o) {
  *e = a;
  *o = b;
}
template <class T>
TL_INLINE void Interleave(T e, T o, T* lo, T* hi) {
  *lo = e;
  *hi = o;
}
template <class T>
TL_INLINE void StoreIndex(int32_t* p, T v, int) { *p = static_cast<int32_t>(v); }
#endif

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
