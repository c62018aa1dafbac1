// RunDirect's channel-lane tiles (conv_direct.cc only): output channels in the vector lanes,
// positions in registers. acc[j][v] holds channels [v·W, v·W + W) of position j of one output row
// segment; per reduction step k the kernel loads MV vectors of A (packed [k][PW], PW channels per
// panel) and broadcasts one plane value per position, src[off[k] + q0 + j]. A tile covers only an
// output row's valid columns, so no lane computes a dropped position (the position-lane tiles of
// conv_direct.cc run 80 lanes for an 8 × 8 plane's 64 positions), and the B side is one scalar
// broadcast per position instead of unaligned vector loads. The tile is stored transposed, which
// is cheap beside its k · P · MV FMAs when k is large (a 3 × 3 kernel over ≥ 8 channels).
#ifndef TENSILE_KERNELS_CONV_LANES_H
#define TENSILE_KERNELS_CONV_LANES_H

#include <stddef.h>

#include <utility>

#include "conv_direct.h"
#include "conv_transpose.h"

namespace tensile {
namespace TENSILE_ISA {

// Panel width PW (channels per packed A panel, MV = 2 vectors) and the widest tile PMAX (positions)
// per ISA level: PMAX · 2 accumulators + 2 A vectors + a broadcast fit the register file (32 zmm:
// 24 + 3; 16 ymm: 12 + 3). Zen 4 needs ≥ 4 (zmm) or ≥ 8 (ymm, two pipes) independent FMA chains,
// so even a 4-wide segment keeps the pipes fed. Float only; float64 and the portable level keep
// the position-lane tiles.
template <class T>
struct LaneBlocking {
  static constexpr bool kOn = false;
  static constexpr int W = 1, PW = 1, PMAX = 1;
};
#if defined(TENSILE_ISA_AVX512)
template <>
struct LaneBlocking<float> {
  static constexpr bool kOn = true;
  static constexpr int W = 16, PW = 32, PMAX = 12;
};
#elif defined(TENSILE_ISA_AVX2)
template <>
struct LaneBlocking<float> {
  static constexpr bool kOn = true;
  static constexpr int W = 8, PW = 16, PMAX = 6;
};
#endif

// Whether an item of reduction length k and m output channels runs on channel-lane tiles: k large
// enough that the transposed store is a small share (up to a cycle per output element on AVX2,
// against k / W FMA cycles; k = 32 measured no faster than the position-lane tiles), and m filling
// most lanes of its vectors (m = 3, the stem's input gradient, would waste 13 of 16).
template <class T>
TL_INLINE bool UseLanes(int64_t k, int64_t m) {
  constexpr int W = LaneBlocking<T>::W;
  if (!LaneBlocking<T>::kOn) return false;
  const int64_t mpad = (m + W - 1) / W * W;
  return k >= 64 && 3 * mpad <= 4 * m;
}

// One tile: P positions × MV vectors of channels over kc reduction steps;
// tile[j · PW + i] = Σ_k a[k · PW + i] · src[off[k] + j].
template <class T, int MV, int P>
__attribute__((noinline)) void LaneTile(int64_t kc, const T* __restrict a, const T* src,
                                        const int32_t* __restrict off, T* __restrict tile) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W, PW = LaneBlocking<T>::PW;
  typename V::V acc[P][MV];
#pragma GCC unroll 32
  for (int j = 0; j < P; j++) {
#pragma GCC unroll 4
    for (int v = 0; v < MV; v++) acc[j][v] = V::set1(T(0));
  }
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; k++) {
    const T* b = src + off[k];
    typename V::V av[MV];
#pragma GCC unroll 4
    for (int v = 0; v < MV; v++) av[v] = V::load(a + v * W);
#pragma GCC unroll 32
    for (int j = 0; j < P; j++) {
      const typename V::V s = V::set1(b[j]);
#pragma GCC unroll 4
      for (int v = 0; v < MV; v++) acc[j][v] = V::fma(av[v], s, acc[j][v]);
    }
    a += PW;
  }
#pragma GCC unroll 32
  for (int j = 0; j < P; j++) {
#pragma GCC unroll 4
    for (int v = 0; v < MV; v++) V::store(tile + j * PW + v * W, acc[j][v]);
  }
}

// out[(m0 + i) · ms + j · cs] = tile[j · PW + i] + bias[i] for i < mr, j < P (then x > 0 ? x : 0
// when `relu`, a fused conv2d + ReLU; the tile holds the whole reduction): the transpose, with
// P known so each channel's run unrolls. Contiguous rows on AVX-512: 16 channels at a time through
// a register transpose, each channel's P positions one masked store.
template <class T, int P>
__attribute__((noinline)) void LaneStore(const T* __restrict tile, T* __restrict out, int64_t ms, int64_t cs,
                                         int mr, const T* bias, bool relu) {
  constexpr int PW = LaneBlocking<T>::PW;
#if defined(TENSILE_ISA_AVX512)
  if constexpr (sizeof(T) == 4 && P <= 16) {
    if (cs == 1 || cs == 2) {
      const __mmask16 keep = static_cast<__mmask16>((1u << P) - 1);
      // Stride 2 (a column phase of a stride-2 input gradient): lanes j < 8 spread to the even
      // lanes of the first vector, the rest to the second; the odd columns are left alone.
      constexpr int kLo = P < 8 ? P : 8, kHi = P - kLo;
      const __mmask16 lo_keep = static_cast<__mmask16>(0x5555u & ((1u << (2 * kLo)) - 1));
      const __mmask16 hi_keep = static_cast<__mmask16>(0x5555u & ((1u << (2 * kHi)) - 1));
      const __m512i lo_idx = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
      const __m512i hi_idx = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
      for (int v = 0; v * 16 < mr; v++) {
        __m512 r[16];
#pragma GCC unroll 16
        for (int j = 0; j < 16; j++) r[j] = j < P ? _mm512_load_ps(tile + j * PW + v * 16) : _mm512_setzero_ps();
        TransposeBlock(r);  // conv_transpose.h
        const int live = mr - v * 16 < 16 ? mr - v * 16 : 16;
        T* d = out + v * 16 * ms;  // channel v · 16's first position
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
          if (i >= live) break;
          __m512 x = bias != nullptr ? _mm512_add_ps(r[i], _mm512_set1_ps(bias[v * 16 + i])) : r[i];
          if (relu) x = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), x);
          if (cs == 1) {
            _mm512_mask_storeu_ps(d + i * ms, keep, x);
          } else {
            _mm512_mask_storeu_ps(d + i * ms, lo_keep, _mm512_permutexvar_ps(lo_idx, x));
            if (kHi > 0) _mm512_mask_storeu_ps(d + i * ms + 16, hi_keep, _mm512_permutexvar_ps(hi_idx, x));
          }
        }
      }
      return;
    }
  }
#endif
  for (int i = 0; i < mr; i++) {
    T* d = out + i * ms;
    const T b = bias != nullptr ? bias[i] : T(0);
    if (relu) {
      for (int j = 0; j < P; j++) {
        const T v = tile[j * PW + i] + b;
        d[j * cs] = v > 0 ? v : T(0);
      }
    } else if (cs == 1) {
#pragma GCC unroll 32
      for (int j = 0; j < P; j++) d[j] = tile[j * PW + i] + b;
    } else {
#pragma GCC unroll 32
      for (int j = 0; j < P; j++) d[j * cs] = tile[j * PW + i] + b;
    }
  }
}

template <class T>
using LaneTileFn = void (*)(int64_t, const T*, const T*, const int32_t*, T*);
template <class T>
using LaneStoreFn = void (*)(const T*, T*, int64_t, int64_t, int, const T*, bool);

// Tables indexed by P − 1.
template <class T>
struct LaneTables {
  static constexpr int PMAX = LaneBlocking<T>::PMAX;
  template <size_t... I>
  static TL_INLINE LaneTileFn<T> Tile1(size_t p, std::index_sequence<I...>) {
    static constexpr LaneTileFn<T> fns[] = {&LaneTile<T, 1, int(I) + 1>...};
    return fns[p];
  }
  template <size_t... I>
  static TL_INLINE LaneTileFn<T> Tile2(size_t p, std::index_sequence<I...>) {
    static constexpr LaneTileFn<T> fns[] = {&LaneTile<T, 2, int(I) + 1>...};
    return fns[p];
  }
  template <size_t... I>
  static TL_INLINE LaneStoreFn<T> Store(size_t p, std::index_sequence<I...>) {
    static constexpr LaneStoreFn<T> fns[] = {&LaneStore<T, int(I) + 1>...};
    return fns[p];
  }
};

// Runs the tile of p ≤ PMAX positions (q0 added to src) over channels [m0, m0 + mr) of packed A
// (panel at a) and stores it to out (channel m0's first position).
template <class T>
TL_INLINE void RunLaneTile(int p, int mr, int64_t kc, const T* a, const T* src, const int32_t* off, T* tile, T* out,
                           int64_t ms, int64_t cs, const T* bias, bool relu) {
  using L = LaneTables<T>;
  const auto seq = std::make_index_sequence<L::PMAX>();
  if (mr > LaneBlocking<T>::W) {
    L::Tile2(size_t(p - 1), seq)(kc, a, src, off, tile);
  } else {
    L::Tile1(size_t(p - 1), seq)(kc, a, src, off, tile);
  }
  L::Store(size_t(p - 1), seq)(tile, out, ms, cs, mr, bias, relu);
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
