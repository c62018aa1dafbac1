// Packing strided matrices into GEMM panels (layout in gemm.h): a panel of w rows holds, for each
// k, the w values X[r..r+w, k] side by side, so the micro-kernel reads them with one vector load
// (B) or w broadcasts (A). Included by gemm.cc only (per-ISA namespace).
#ifndef TENSILE_KERNELS_GEMM_PACK_H
#define TENSILE_KERNELS_GEMM_PACK_H

#include "common.h"
#include "conv_transpose.h"

namespace tensile {
namespace TENSILE_ISA {

// Rows contiguous (rs == 1): each k contributes w consecutive source elements, copied by vector
// (masked at the last panel's edge, which also writes its zero rows). k runs outermost so each
// source row is read once, front to back, however far apart the rows are.
template <class T, class V>
void PackRowsContiguous(const T* src, int64_t ks, int64_t rows, int64_t depth, int w, T* dst) {
  constexpr int W = V::W;
  const int64_t panels = (rows + w - 1) / w;
  constexpr int64_t kAhead = 8;  // source rows fetched ahead
  for (int64_t k = 0; k < depth; k++) {
    const T* s = src + k * ks;
    T* d = dst + k * w;
    if (k + kAhead < depth) {
      // Into L2 (locality 2): these rows come from DRAM when the operands outgrow L3 (n = 2048), and
      // L1 fetches of 8 rows ahead would hold more lines in flight than L1 can track.
      const char* next = reinterpret_cast<const char*>(s + kAhead * ks);
      for (int64_t o = 0; o < rows * int64_t(sizeof(T)); o += 64) __builtin_prefetch(next + o, 0, 2);
    }
    for (int64_t p = 0; p < panels; p++, s += w, d += depth * w) {
      const int live = rows - p * w < w ? static_cast<int>(rows - p * w) : w;
      for (int j = 0; j < w; j += W) {
        const int have = live - j, room = w - j;
        if (have >= W && room >= W) {
          V::store(d + j, V::load(s + j));
        } else if (W == 1) {
          d[j] = have > 0 ? s[j] : T(0);
        } else {
          V::storen(d + j, have > 0 ? V::loadn(s + j, have) : V::set1(T(0)), room);
        }
      }
    }
  }
}

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
// d[c · ds + r] = s[r · rs + c] for an 8 × 8 block of floats (the classic AVX shuffle transpose).
TL_INLINE void Transpose8x8(const float* s, int64_t rs, float* d, int64_t ds) {
  __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + rs), r2 = _mm256_loadu_ps(s + 2 * rs);
  __m256 r3 = _mm256_loadu_ps(s + 3 * rs), r4 = _mm256_loadu_ps(s + 4 * rs), r5 = _mm256_loadu_ps(s + 5 * rs);
  __m256 r6 = _mm256_loadu_ps(s + 6 * rs), r7 = _mm256_loadu_ps(s + 7 * rs);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}
#endif

#if defined(TENSILE_ISA_NEON)
// d[c · ds + r] = s[r · rs + c] for a 4 × 4 block of floats (conv_transpose.h's register transpose).
TL_INLINE void Transpose4x4(const float* s, int64_t rs, float* d, int64_t ds) {
  float32x4_t r[4] = {vld1q_f32(s), vld1q_f32(s + rs), vld1q_f32(s + 2 * rs), vld1q_f32(s + 3 * rs)};
  TransposeBlock(r);
  for (int c = 0; c < 4; c++) vst1q_f32(d + c * ds, r[c]);
}
#endif

// Depth contiguous (ks == 1), the transposing case: register transposes where the block is whole
// (float32: 8 × 8 on x86, 4 × 4 on NEON), else element by element, reading each source row in runs
// of kBlock values and writing within the panel (a few KB, so in L1).
template <class T>
void PackDepthContiguous(const T* src, int64_t rs, int64_t rows, int64_t depth, int w, T* dst) {
  constexpr int64_t kBlock = 16;
  for (int64_t r = 0; r < rows; r += w) {
    const int live = rows - r < w ? static_cast<int>(rows - r) : w;
    int64_t k0 = 0;
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
    if constexpr (sizeof(T) == 4) {
      if (live == w && w % 8 == 0) {
        for (; k0 + 8 <= depth; k0 += 8) {
          for (int i = 0; i < w; i += 8) Transpose8x8(src + (r + i) * rs + k0, rs, dst + k0 * w + i, w);
        }
      }
    }
#elif defined(TENSILE_ISA_NEON)
    if constexpr (sizeof(T) == 4) {
      if (live == w && w % 4 == 0) {
        for (; k0 + 4 <= depth; k0 += 4) {
          for (int i = 0; i < w; i += 4) Transpose4x4(src + (r + i) * rs + k0, rs, dst + k0 * w + i, w);
        }
      }
    }
#endif
    for (; k0 < depth; k0 += kBlock) {
      const int64_t kn = depth - k0 < kBlock ? depth - k0 : kBlock;
      T* d = dst + k0 * w;
      for (int i = 0; i < live; i++) {
        const T* s = src + (r + i) * rs + k0;
        for (int64_t k = 0; k < kn; k++) d[k * w + i] = s[k];
      }
      for (int i = live; i < w; i++) {
        for (int64_t k = 0; k < kn; k++) d[k * w + i] = T(0);
      }
    }
    dst += depth * w;
  }
}

// Any strides (including 0, a broadcast operand).
template <class T>
void PackStrided(const T* src, int64_t rs, int64_t ks, int64_t rows, int64_t depth, int w, T* dst) {
  for (int64_t r = 0; r < rows; r += w) {
    const int live = rows - r < w ? static_cast<int>(rows - r) : w;
    for (int64_t k = 0; k < depth; k++, dst += w) {
      const T* s = src + r * rs + k * ks;
      int i = 0;
      for (; i < live; i++) dst[i] = s[i * rs];
      for (; i < w; i++) dst[i] = T(0);
    }
  }
}

// Packs rows [r0, r0 + rows) × depth [k0, k0 + depth) of the strided view at p.
template <class T, class V>
void PackView(const T* p, int64_t rs, int64_t ks, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w,
              T* dst) {
  const T* src = p + r0 * rs + k0 * ks;
  if (rs == 1 && ks != 0) {
    PackRowsContiguous<T, V>(src, ks, rows, depth, w, dst);
  } else if (ks == 1 && rs != 0) {
    PackDepthContiguous<T>(src, rs, rows, depth, w, dst);
  } else {
    PackStrided<T>(src, rs, ks, rows, depth, w, dst);
  }
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
