// GEMM register blocking: the micro-kernel that multiplies one packed MR-row panel of A by one
// packed NR-column panel of B, keeping the MR × NR block of C in vector registers for the whole
// depth, and the block sizes each ISA level uses. Included by gemm.cc only (per-ISA namespace).
#ifndef TENSILE_KERNELS_GEMM_MICRO_H
#define TENSILE_KERNELS_GEMM_MICRO_H

#include <utility>

#include "gemm.h"

namespace tensile {
namespace TENSILE_ISA {

// Block sizes for element type T on this ISA level. MR × NR is the register tile (NV vectors per
// row); KC is the depth of a packed panel; the GEMM driver packs MCL3 × KC of A (a multiple of MR
// rows, in L3: packed once per MCL3 rows and KC depth, so MCL3 bounds how often B is repacked) and
// KC × NC of B (in L2) per block. MC (an A block that fits L2) is the direct convolution's block.
// Zen 4 / AVX-512: one zmm FMA per cycle with latency 4 wants ≥ 4 independent accumulators; 8×32
// keeps 16, and per k step reads 2 vectors of B and 8 broadcasts of A, well within the load ports.
// (12×32 and 14×32 tiles measured no faster: from cache the 8×32 macro-kernel already runs at ~99%
// of the FMA peak, and their A panels miss the 8 × 8 transposing pack.)
// Float blocks: KC = 1024 (a product with k ≤ 1024 makes one pass over C, written once, never
// read back), NC = 128 (the B block, KC × NC, stays 512 KB in L2), MCL3 = 512 (the A block,
// MCL3 × KC, 2 MB in L3). An A micro-panel (MR × KC, 32 KB) then no longer stays in L1 beside B's
// panel; L2 feeds it easily (one line of A per two k steps against two of B per step). What
// decided it was a busy host rather than a quiet one: in 30 rounds interleaving builds in
// bench/micro/sgemm_native.cc (2 threads, GFLOP/s, mean of rounds), against the earlier KC = 512,
// NC = 256, MCL3 = 1024, both with one slice per thread:
//   1024²: 212.7 against 204.9; in the rounds where a neighbour loaded the host, 204-210 against
//          191-198 (an extra pass over a C that no longer fits the cache is what the noise slows);
//   2048²: 213.4 against 214.7 (two passes either way).
// On a quiet host all of them read 209-216. KC = 256 (NC = 512) read ~10% slower.
template <class T>
struct GemmBlocking;

#if defined(TENSILE_ISA_AVX512)
template <> struct GemmBlocking<float> {
  static constexpr int MR = 8, NV = 2, KC = 1024, MC = 128, MCL3 = 512, NC = 128;
};
template <> struct GemmBlocking<double> {
  static constexpr int MR = 8, NV = 2, KC = 256, MC = 128, MCL3 = 512, NC = 256;
};
#elif defined(TENSILE_ISA_AVX2)
// 6 × 16 (two ymm per row): 12 accumulators, the classic Haswell-to-Zen tile.
template <> struct GemmBlocking<float> {
  static constexpr int MR = 6, NV = 2, KC = 256, MC = 120, MCL3 = 1020, NC = 512;
};
template <> struct GemmBlocking<double> {
  static constexpr int MR = 6, NV = 2, KC = 256, MC = 120, MCL3 = 510, NC = 256;
};
#elif defined(TENSILE_ISA_NEON)
// 8 × 12 floats (three q registers per row) / 8 × 6 doubles: 24 accumulators of the 32 vector
// registers, beside 3 of B and a broadcast of A, the usual AArch64 SGEMM tile. NC a multiple of NR.
template <> struct GemmBlocking<float> {
  static constexpr int MR = 8, NV = 3, KC = 256, MC = 128, MCL3 = 1024, NC = 384;
};
template <> struct GemmBlocking<double> {
  static constexpr int MR = 8, NV = 3, KC = 256, MC = 128, MCL3 = 512, NC = 192;
};
#else
// Scalar lanes: a 4 × 16 tile the compiler can keep in SSE registers.
template <> struct GemmBlocking<float> {
  static constexpr int MR = 4, NV = 16, KC = 256, MC = 128, MCL3 = 1024, NC = 512;
};
template <> struct GemmBlocking<double> {
  static constexpr int MR = 4, NV = 8, KC = 256, MC = 128, MCL3 = 512, NC = 256;
};
#endif

// C[i, j] = alpha · acc + beta · C[i, j] for i < m, j < n (beta == 0: C is not read). `c` is the
// tile's first element with row stride rsc and column stride csc.
template <class T, int MR, int NV>
TL_INLINE void StoreTile(typename VecOf<T>::V::V (&acc)[MR][NV], T* c, int64_t rsc, int64_t csc, int m, int n,
                         T alpha, T beta) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  constexpr int NR = NV * W;
  if (csc == 1) {
    const typename V::V va = V::set1(alpha);
    const typename V::V vb = V::set1(beta);
    // Loops over constant bounds (fully unrolled) so acc never leaves registers.
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      if (i >= m) break;
      T* row = c + i * rsc;
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) {
        int cnt = n - v * W;
        if (cnt <= 0) break;
        typename V::V x = alpha == T(1) ? acc[i][v] : V::mul(va, acc[i][v]);
        if (cnt >= W) {
          if (beta != T(0)) x = V::fma(vb, V::load(row + v * W), x);
          V::store(row + v * W, x);
        } else {
          if (beta != T(0)) x = V::fma(vb, V::loadn(row + v * W, cnt), x);
          V::storen(row + v * W, x, cnt);
        }
      }
    }
    return;
  }
  // Strided columns (a transposed C): through a tile on the stack.
  alignas(64) T tile[MR * NR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) V::store(tile + i * NR + v * W, acc[i][v]);
  }
  for (int i = 0; i < m; i++) {
    for (int j = 0; j < n; j++) {
      T* dst = c + i * rsc + j * csc;
      T x = alpha * tile[i * NR + j];
      *dst = beta == T(0) ? x : x + beta * *dst;
    }
  }
}

#if defined(TENSILE_ISA_NEON)
// acc[q·W + l][v] += bv[v] · av[l] for every lane l of av (fmla by element): A's values stay in
// MR / W vector registers instead of one register per broadcast, which for the 8 × 12 tile is the
// difference between 29 live registers and 35 (spills in the loop).
template <int L>
TL_INLINE float32x4_t FmaLane(float32x4_t c, float32x4_t b, float32x4_t a) { return vfmaq_laneq_f32(c, b, a, L); }
template <int L>
TL_INLINE float64x2_t FmaLane(float64x2_t c, float64x2_t b, float64x2_t a) { return vfmaq_laneq_f64(c, b, a, L); }

template <class V, int MR, int NV, int... L>
TL_INLINE void FmaByLanes(V (&acc)[MR][NV], const V (&bv)[NV], V av, int q, std::integer_sequence<int, L...>) {
  constexpr int W = sizeof...(L);
  (..., [&] {
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) acc[q * W + L][v] = FmaLane<L>(acc[q * W + L][v], bv[v], av);
  }());
}
#endif

// One MR × NR tile: acc = Σ_k a[k·MR + i] · b[k·NR + j] over kc steps, then stored as above.
template <class T, int MR, int NV>
__attribute__((noinline)) void MicroKernel(int64_t kc, const T* __restrict a, const T* __restrict b, T* c,
                                           int64_t rsc, int64_t csc, int m, int n, T alpha, T beta) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  constexpr int NR = NV * W;
  typename V::V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) acc[i][v] = V::set1(T(0));
  }
  // Warm the C tile's lines while the loop runs (it is read or written once, at the end).
  if (csc == 1) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < NR; j += 64 / static_cast<int>(sizeof(T))) __builtin_prefetch(c + i * rsc + j, 1, 3);
    }
  }
#if defined(TENSILE_ISA_NEON)
  if constexpr (MR % W == 0) {
    // The same sums, each FMA taking A's value from a lane (FmaByLanes); bit-identical.
    for (int64_t k = 0; k < kc; k++) {
      typename V::V bv[NV];
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) bv[v] = V::load(b + v * W);
#pragma GCC unroll 16
      for (int q = 0; q < MR / W; q++) FmaByLanes(acc, bv, V::load(a + q * W), q, std::make_integer_sequence<int, W>());
      a += MR;
      b += NR;
    }
    StoreTile<T, MR, NV>(acc, c, rsc, csc, m, n, alpha, beta);
    return;
  }
#endif
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; k++) {
    typename V::V bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) bv[v] = V::load(b + v * W);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const typename V::V ai = V::set1(a[i]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
    }
    a += MR;
    b += NR;
  }
  StoreTile<T, MR, NV>(acc, c, rsc, csc, m, n, alpha, beta);
}

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
// MicroKernel on unpacked operands, for products small enough that packing them costs more than it
// saves (gemm.cc, DirectRows): A row i at a + i · lda (k contiguous; rows past m repeat row m − 1,
// whose sums StoreTile drops), B row k at b + k · ldb (n contiguous; the last panel's n < NR
// columns read with masked loads). The same sums in the same order as the packed path.
template <class T, int MR, int NV, bool kWhole>
__attribute__((noinline)) void MicroKernelDirect(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                                                 int64_t rsc, int m, int n, T alpha, T beta) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  typename V::V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) acc[i][v] = V::set1(T(0));
  }
  int64_t row[MR];
  for (int i = 0; i < MR; i++) row[i] = (i < m ? i : m - 1) * lda;
  for (int64_t k = 0; k < kc; k++) {
    typename V::V bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) {
      // A vector wholly past n is not loaded at all (a masked load takes no count ≤ 0).
      const int cnt = n - v * W;
      bv[v] = kWhole ? V::load(b + v * W) : (cnt > 0 ? V::loadn(b + v * W, cnt) : V::set1(T(0)));
    }
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const typename V::V ai = V::set1(a[row[i] + k]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
    }
    b += ldb;
  }
  StoreTile<T, MR, NV>(acc, c, rsc, 1, m, n, alpha, beta);
}
#endif

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
