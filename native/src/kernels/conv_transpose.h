// Matrix transposes in registers, W × W blocks at a time (W = the vector width of T): the
// position-major Gᵀ of conv2dWeightGrad's outer engine (conv_plan.h) and the channel-lane tiles'
// stores (conv_lanes.h). Per-ISA namespace.
#ifndef TENSILE_KERNELS_CONV_TRANSPOSE_H
#define TENSILE_KERNELS_CONV_TRANSPOSE_H

#include "gemm.h"

namespace tensile {
namespace TENSILE_ISA {

// TransposeBlock(r): r[c] becomes column c of the W × W block whose rows were r[0 … W − 1].
#if defined(TENSILE_ISA_AVX512)
TL_INLINE void TransposeBlock(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // r[4i + j], 128-bit lane L: column 4L + j of rows 4i … 4i + 3.
  for (int i = 0; i < 4; i++) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (int i = 0; i < 4; i++) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0x88);
    t[4 + i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0xdd);
    t[8 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0x88);
    t[12 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0xdd);
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
    r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
    r[4 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0x88);
    r[12 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0xdd);
  }
}

TL_INLINE void TransposeBlock(__m512d r[8]) {
  __m512d t[8], u[8];
  for (int i = 0; i < 4; i++) {  // t[2i], 128-bit lane L: column 2L of rows 2i, 2i + 1; t[2i + 1]: column 2L + 1
    t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
  }
  for (int h = 0; h < 2; h++) {  // rows 4h … 4h + 3 of the column pairs named on the right
    u[4 * h] = _mm512_shuffle_f64x2(t[4 * h], t[4 * h + 2], 0x88);      // columns 0, 4
    u[4 * h + 1] = _mm512_shuffle_f64x2(t[4 * h], t[4 * h + 2], 0xdd);  // columns 2, 6
    u[4 * h + 2] = _mm512_shuffle_f64x2(t[4 * h + 1], t[4 * h + 3], 0x88);  // columns 1, 5
    u[4 * h + 3] = _mm512_shuffle_f64x2(t[4 * h + 1], t[4 * h + 3], 0xdd);  // columns 3, 7
  }
  r[0] = _mm512_shuffle_f64x2(u[0], u[4], 0x88);
  r[4] = _mm512_shuffle_f64x2(u[0], u[4], 0xdd);
  r[2] = _mm512_shuffle_f64x2(u[1], u[5], 0x88);
  r[6] = _mm512_shuffle_f64x2(u[1], u[5], 0xdd);
  r[1] = _mm512_shuffle_f64x2(u[2], u[6], 0x88);
  r[5] = _mm512_shuffle_f64x2(u[2], u[6], 0xdd);
  r[3] = _mm512_shuffle_f64x2(u[3], u[7], 0x88);
  r[7] = _mm512_shuffle_f64x2(u[3], u[7], 0xdd);
}
#elif defined(TENSILE_ISA_AVX2)
TL_INLINE void TransposeBlock(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int h = 0; h < 2; h++) {  // u[4h + j], 128-bit lane L: column 4L + j of rows 4h … 4h + 3
    u[4 * h] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int j = 0; j < 4; j++) {
    r[j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x20);
    r[4 + j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x31);
  }
}

TL_INLINE void TransposeBlock(__m256d r[4]) {
  const __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
  const __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
  r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}
#elif defined(TENSILE_ISA_NEON)
TL_INLINE void TransposeBlock(float32x4_t r[4]) {
  // trn1/trn2 pair up rows 0-1 and 2-3 ([a0 b0 a2 b2], [a1 b1 a3 b3], ...); the 64-bit trn then
  // takes each column's halves from the two pairs.
  const float32x4_t t0 = vtrn1q_f32(r[0], r[1]), t1 = vtrn2q_f32(r[0], r[1]);
  const float32x4_t t2 = vtrn1q_f32(r[2], r[3]), t3 = vtrn2q_f32(r[2], r[3]);
  const auto d = [](float32x4_t v) { return vreinterpretq_f64_f32(v); };
  r[0] = vreinterpretq_f32_f64(vtrn1q_f64(d(t0), d(t2)));
  r[1] = vreinterpretq_f32_f64(vtrn1q_f64(d(t1), d(t3)));
  r[2] = vreinterpretq_f32_f64(vtrn2q_f64(d(t0), d(t2)));
  r[3] = vreinterpretq_f32_f64(vtrn2q_f64(d(t1), d(t3)));
}

TL_INLINE void TransposeBlock(float64x2_t r[2]) {
  const float64x2_t c0 = vtrn1q_f64(r[0], r[1]), c1 = vtrn2q_f64(r[0], r[1]);
  r[0] = c0;
  r[1] = c1;
}
#else
template <class V>
TL_INLINE void TransposeBlock(V*) {}  // one lane: a 1 × 1 block
#endif

// dst[p · pitch + o] = src[o · cells + p] for o < m, zeros for m ≤ o < pitch (a whole number of
// vectors): output gradient rows turned position-major, by W × W blocks transposed in registers
// (each source row's cache line read whole once; a strided column walk would keep W lines 4 KB
// apart, which share an L1 set, for a 32 × 32 image).
template <class T>
void TransposeInto(T* dst, int64_t pitch, const T* src, int64_t m, int64_t cells) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  for (int64_t p0 = 0; p0 < cells; p0 += W) {
    const int np = cells - p0 < W ? static_cast<int>(cells - p0) : W;
    for (int64_t o0 = 0; o0 < pitch; o0 += W) {
      typename V::V r[W];
      for (int i = 0; i < W; i++) {
        r[i] = o0 + i >= m ? V::set1(T(0))
                           : (np == W ? V::load(src + (o0 + i) * cells + p0) : V::loadn(src + (o0 + i) * cells + p0, np));
      }
      TransposeBlock(r);
      for (int c = 0; c < np; c++) V::store(dst + (p0 + c) * pitch + o0, r[c]);
    }
  }
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
