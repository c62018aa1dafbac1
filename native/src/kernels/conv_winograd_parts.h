// Pieces both Winograd convolutions share (conv_winograd.cc: forward and input gradient,
// conv_winograd_wgrad.cc: weight gradient): the transform applier, the register-tiled products
// and the channel-last gather. Per-ISA namespace, float32 only.
#ifndef TENSILE_KERNELS_CONV_WINOGRAD_PARTS_H
#define TENSILE_KERNELS_CONV_WINOGRAD_PARTS_H

#include "conv_transpose.h"

namespace tensile {
namespace TENSILE_ISA {
namespace winograd {

using V = F32;
using Vec = V::V;
constexpr int W = V::W;
constexpr int kA = 6;          // tile side in the transformed domain (both variants)
constexpr int kXi = kA * kA;   // elementwise products per tile

// Product register tile: kRows rows × kCols vectors.
#if defined(TENSILE_ISA_AVX512)
constexpr int kRows = 6, kCols = 4;
#elif defined(TENSILE_ISA_AVX2)
constexpr int kRows = 6, kCols = 2;
#elif defined(TENSILE_ISA_NEON)
constexpr int kRows = 6, kCols = 4;
#else
constexpr int kRows = 4, kCols = 4;
#endif

TL_INLINE size_t Bytes(int64_t floats) { return Align64(size_t(floats) * sizeof(float)); }

// A band's buffers should stay in a core's L2 (1 MiB on the machines we measure) beside the
// weights or sums every band uses.
constexpr size_t kBandBudget = size_t(512) << 10;
// Tiles a band should hold, so that each block of the products is reused across several register tiles.
constexpr int64_t kBandTiles = 6 * kRows;

// How a pass cuts the batch into bands: `rows` tile rows of one image each (per_image bands per
// image), or, when one image is a single band (rows = th), `images` whole images each.
struct Bands {
  int64_t th, rows, images, per_image, count;
};

// Images [n, n + images) when whole images, else tile rows [i0, i0 + rows) of image n.
struct Band {
  int64_t n, images, i0, rows;
};

// The largest bands whose buffers (band_bytes(rows, images)) fit kBandBudget while the n images of
// th × tw tiles still make min_bands bands: the most tile rows of one image, then, when one image
// is a single band, up to kBandTiles tiles of whole images.
template <class BandBytes>
Bands PlanBands(int64_t n, int64_t th, int64_t tw, int64_t min_bands, BandBytes band_bytes) {
  Bands p;
  p.th = th;
  p.rows = th;
  while (p.rows > 1 && (band_bytes(p.rows, int64_t(1)) > kBandBudget || n * CeilDiv(th, p.rows) < min_bands)) p.rows--;
  p.images = 1;
  if (p.rows == th) {
    while (p.images * 2 * th * tw <= kBandTiles && CeilDiv(n, p.images * 2) >= min_bands &&
           band_bytes(p.rows, p.images * 2) <= kBandBudget) {
      p.images *= 2;
    }
  }
  p.per_image = CeilDiv(th, p.rows);
  p.count = p.images > 1 ? CeilDiv(n, p.images) : n * p.per_image;
  return p;
}

// Band `band` of a batch of n images.
inline Band BandAt(const Bands& p, int64_t n, int64_t band) {
  Band b;
  if (p.images > 1) {
    b.n = band * p.images;
    b.images = n - b.n < p.images ? n - b.n : p.images;
    b.i0 = 0;
    b.rows = p.th;
  } else {
    b.n = band / p.per_image;
    b.images = 1;
    b.i0 = band % p.per_image * p.rows;
    b.rows = p.th - b.i0 < p.rows ? p.th - b.i0 : p.rows;
  }
  return b;
}

// out[i] = Σ_j mat[i][j] · in[j], the zero and ±1 coefficients resolved at compile time.
template <int R, int C>
TL_INLINE void Apply(const float (&mat)[R][C], const Vec* in, Vec* out) {
#pragma GCC unroll 8
  for (int i = 0; i < R; i++) {
    Vec acc = V::set1(0.0f);
    bool first = true;
#pragma GCC unroll 8
    for (int j = 0; j < C; j++) {
      const float c = mat[i][j];
      if (c == 0) continue;
      if (first) {
        acc = c == 1 ? in[j] : c == -1 ? V::neg(in[j]) : V::mul(V::set1(c), in[j]);
        first = false;
      } else {
        acc = c == 1 ? V::add(acc, in[j]) : c == -1 ? V::sub(acc, in[j]) : V::fma(V::set1(c), in[j], acc);
      }
    }
    out[i] = acc;
  }
}

// The two-sided transform M d Mᵀ of one RI × RI tile (element (r, q) at in + r·rs + q·cs, W lanes
// of channels each), stored as RO × RO planes: element (r, q) at out + (RO·r + q)·plane.
template <int RO, int RI>
TL_INLINE void TransformTile(const float (&mat)[RO][RI], const float* in, int64_t rs, int64_t cs, float* out,
                             int64_t plane) {
  Vec md[RI][RO];  // M d, by column
  for (int q = 0; q < RI; q++) {
    Vec col[RI];
    for (int r = 0; r < RI; r++) col[r] = V::load(in + r * rs + q * cs);
    Apply(mat, col, md[q]);
  }
  for (int r = 0; r < RO; r++) {  // row r of M d, times Mᵀ
    Vec row[RI];
    for (int q = 0; q < RI; q++) row[q] = md[q][r];
    Vec o[RO];
    Apply(mat, row, o);
    for (int q = 0; q < RO; q++) V::store(out + (RO * r + q) * plane, o[q]);
  }
}

// m[r][j·W …] (+)= Σ_k v[r·v_rs + k·v_ks] · u[k·u_ks + j·W …] for R rows and NV vectors; with
// Acc the products are added to m, else they replace it.
template <int R, int NV, bool Acc>
__attribute__((noinline)) void DotTile(int64_t k, const float* __restrict v, int64_t v_rs, int64_t v_ks,
                                       const float* __restrict u, int64_t u_ks, float* __restrict m, int64_t m_rs) {
  Vec acc[R][NV];
  for (int r = 0; r < R; r++) {
    for (int j = 0; j < NV; j++) acc[r][j] = Acc ? V::load(m + r * m_rs + j * W) : V::set1(0.0f);
  }
  for (int64_t c = 0; c < k; c++) {
    Vec b[NV];
    for (int j = 0; j < NV; j++) b[j] = V::load(u + c * u_ks + j * W);
    for (int r = 0; r < R; r++) {
      const Vec a = V::set1(v[r * v_rs + c * v_ks]);
      for (int j = 0; j < NV; j++) acc[r][j] = V::fma(a, b[j], acc[r][j]);
    }
  }
  for (int r = 0; r < R; r++) {
    for (int j = 0; j < NV; j++) V::store(m + r * m_rs + j * W, acc[r][j]);
  }
}

using DotFn = void (*)(int64_t, const float*, int64_t, int64_t, const float*, int64_t, float*, int64_t);

template <int NV, bool Acc>
DotFn PickDot(int rows) {
  static constexpr DotFn kByRows[] = {nullptr, DotTile<1, NV, Acc>, DotTile<2, NV, Acc>, DotTile<3, NV, Acc>,
                                      DotTile<4, NV, Acc>, DotTile<5, NV, Acc>, DotTile<6, NV, Acc>};
  return kByRows[rows];
}

// The DotTile of `rows` ≤ kRows rows and `nv` ≤ kCols vectors.
template <bool Acc>
DotFn PickDot(int rows, int nv) {
  static_assert(kRows <= 6 && kCols <= 4, "PickDot instantiates up to 6 rows and 4 vectors");
  switch (nv) {
    case 1: return PickDot<1, Acc>(rows);
    case 2: return PickDot<2, Acc>(rows);
    case 3: return PickDot<3, Acc>(rows);
    default: return PickDot<4, Acc>(rows);
  }
}

// dst[line][col][c] = image[c][y0 + line][col − left] for `lines` lines of `cols` columns and cp
// channels (a whole number of vectors), zero outside the c × h × w image: W channels × W columns
// at a time, transposed in registers, so each channel row is read whole.
inline void GatherChannelLast(const float* image, int64_t c, int64_t h, int64_t w, int64_t y0, int64_t lines,
                              int64_t left, int64_t cols, int64_t cp, float* dst) {
  const int64_t line_floats = cols * cp;
  const int64_t x1 = w < cols - left ? w : cols - left;  // image columns that land in dst
  for (int64_t line = 0; line < lines; line++) {
    const int64_t iy = y0 + line;
    float* out = dst + line * line_floats;
    if (iy < 0 || iy >= h || x1 <= 0) {
      memset(out, 0, size_t(line_floats) * sizeof(float));
      continue;
    }
    // Only the columns outside the image are zeroed: the transposes below write the rest.
    memset(out, 0, size_t(left * cp) * sizeof(float));
    memset(out + (left + x1) * cp, 0, size_t((cols - left - x1) * cp) * sizeof(float));
    float* at = out + left * cp;
    for (int64_t x0 = 0; x0 < x1; x0 += W) {
      const int nx = x1 - x0 < W ? static_cast<int>(x1 - x0) : W;
      for (int64_t c0 = 0; c0 < cp; c0 += W) {
        Vec r[W];
        for (int i = 0; i < W; i++) {
          const float* src = image + (c0 + i) * h * w + iy * w + x0;
          r[i] = c0 + i >= c ? V::set1(0.0f) : (nx == W ? V::load(src) : V::loadn(src, nx));
        }
        TransposeBlock(r);
        for (int k = 0; k < nx; k++) V::store(at + (x0 + k) * cp + c0, r[k]);
      }
    }
  }
}

}  // namespace winograd
}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
