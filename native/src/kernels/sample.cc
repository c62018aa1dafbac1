// gridSample's forward, with the contract of src/backends/js/sample.ts (PyTorch's 2-D grid_sampler
// on CPU): input [N, C, H, W] and grid [N, Ho, Wo, 2] contiguous, output [N, C, Ho, Wo]. Each grid
// point is unnormalized to input pixels (clamped for "border"); every channel then reads the four
// bilinear neighbours (outside ones read 0) or the nearest pixel (ties to even). The coordinate
// arithmetic runs in the input's precision, one rounding per step as PyTorch's float32 kernel does,
// and the corner sum in float64 in the js order, so results are bit-exact with js.
// Points are handled in tiles: their corners and weights go to stack arrays, then each channel
// reads its plane for the whole tile (a contiguous run of the output row).
// Attributes: nearest (0/1), border (0/1), alignCorners (0/1). The gradient is composed of public ops.
#include <math.h>

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

constexpr int64_t kPoints = 128;  // grid points per tile

template <class T>
struct SampleCtx {
  const T* x;
  const T* grid;
  T* out;
  int64_t n, c, h, w, points, tiles;
  bool nearest, border, align;
};

// PyTorch's unnormalize (and border clip) in T's precision: each operation rounds to T.
template <class T>
TL_INLINE T Unnormalize(T coord, int64_t size, bool align, bool border) {
  const T s = static_cast<T>(size);
  T v = align ? ((coord + T(1)) / T(2)) * (s - T(1)) : (((coord + T(1)) * s) - T(1)) / T(2);
  if (border) {  // comparisons leave NaN as it is, like Math.min/Math.max
    if (v < T(0)) v = T(0);
    if (v > s - T(1)) v = s - T(1);
  }
  return v;
}

template <class T>
void SampleTask(void* p, int ith, int nth) {
  const SampleCtx<T>& c = *static_cast<const SampleCtx<T>*>(p);
  int64_t start, end;
  Split(c.n * c.tiles, ith, nth, &start, &end);
  const int64_t plane = c.h * c.w;
  // Per point of the tile: the four corners' plane offsets (-1: outside, reads nothing) and weights.
  int64_t off[kPoints][4];
  double wt[kPoints][4];
  for (int64_t item = start; item < end; item++) {
    const int64_t b = item / c.tiles, p0 = (item % c.tiles) * kPoints;
    const int64_t len = c.points - p0 < kPoints ? c.points - p0 : kPoints;
    const T* g = c.grid + (b * c.points + p0) * 2;
    for (int64_t i = 0; i < len; i++) {
      const T ix = Unnormalize(g[2 * i], c.w, c.align, c.border);
      const T iy = Unnormalize(g[2 * i + 1], c.h, c.align, c.border);
      if (c.nearest) {
        const T xn = sizeof(T) == 4 ? nearbyintf(static_cast<float>(ix)) : nearbyint(static_cast<double>(ix));
        const T yn = sizeof(T) == 4 ? nearbyintf(static_cast<float>(iy)) : nearbyint(static_cast<double>(iy));
        const bool inside = xn >= T(0) && xn < static_cast<T>(c.w) && yn >= T(0) && yn < static_cast<T>(c.h);
        off[i][0] = inside ? static_cast<int64_t>(yn) * c.w + static_cast<int64_t>(xn) : -1;
        wt[i][0] = 1;
        continue;
      }
      // Corners compared as floating-point numbers first: NaN or huge coordinates never reach an int.
      const T x0 = sizeof(T) == 4 ? floorf(static_cast<float>(ix)) : floor(static_cast<double>(ix));
      const T y0 = sizeof(T) == 4 ? floorf(static_cast<float>(iy)) : floor(static_cast<double>(iy));
      const T x1 = x0 + T(1), y1 = y0 + T(1);
      // PyTorch's corner weights: each is the area of the opposite sub-rectangle.
      wt[i][0] = static_cast<double>((x1 - ix) * (y1 - iy));
      wt[i][1] = static_cast<double>((ix - x0) * (y1 - iy));
      wt[i][2] = static_cast<double>((x1 - ix) * (iy - y0));
      wt[i][3] = static_cast<double>((ix - x0) * (iy - y0));
      const T wf = static_cast<T>(c.w), hf = static_cast<T>(c.h);
      const bool inX0 = x0 >= T(0) && x0 < wf, inX1 = x1 >= T(0) && x1 < wf;
      const bool inY0 = y0 >= T(0) && y0 < hf, inY1 = y1 >= T(0) && y1 < hf;
      const int64_t xi0 = inX0 ? static_cast<int64_t>(x0) : 0, xi1 = inX1 ? static_cast<int64_t>(x1) : 0;
      const int64_t yi0 = inY0 ? static_cast<int64_t>(y0) : 0, yi1 = inY1 ? static_cast<int64_t>(y1) : 0;
      off[i][0] = inY0 && inX0 ? yi0 * c.w + xi0 : -1;
      off[i][1] = inY0 && inX1 ? yi0 * c.w + xi1 : -1;
      off[i][2] = inY1 && inX0 ? yi1 * c.w + xi0 : -1;
      off[i][3] = inY1 && inX1 ? yi1 * c.w + xi1 : -1;
    }
    const int corners = c.nearest ? 1 : 4;
    for (int64_t ch = 0; ch < c.c; ch++) {
      const T* src = c.x + (b * c.c + ch) * plane;
      T* dst = c.out + (b * c.c + ch) * c.points + p0;
      for (int64_t i = 0; i < len; i++) {
        if (c.nearest) {
          dst[i] = off[i][0] >= 0 ? src[off[i][0]] : T(0);
          continue;
        }
        double v = 0;
        for (int k = 0; k < corners; k++) {
          if (off[i][k] >= 0) v += static_cast<double>(src[off[i][k]]) * wt[i][k];
        }
        dst[i] = static_cast<T>(v);
      }
    }
  }
}

template <class T>
int RunSample(const tl_args* a, const tl_runtime* rt) {
  const tl_tensor& x = a->t[0];
  const tl_tensor& grid = a->t[1];
  const tl_tensor& out = a->t[2];
  SampleCtx<T> c;
  c.x = Base<const T>(x);
  c.grid = Base<const T>(grid);
  c.out = Base<T>(out);
  c.n = x.shape[0], c.c = x.shape[1], c.h = x.shape[2], c.w = x.shape[3];
  c.points = grid.shape[1] * grid.shape[2];
  c.tiles = (c.points + kPoints - 1) / kPoints;
  c.nearest = a->attrs[0] != 0;
  c.border = a->attrs[1] != 0;
  c.align = a->attrs[2] != 0;
  const int64_t items = c.n * c.tiles;
  int nth = ThreadsFor(rt, c.n * c.points * (c.c + 4), 1 << 15);
  if (nth > items) nth = static_cast<int>(items);
  rt->parallel_for(nth, SampleTask<T>, &c);
  return TL_OK;
}

int GridSample(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1 || a->n_attrs != 3) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& grid = a->t[1];
  const tl_tensor& out = a->t[2];
  if (x.ndim != 4 || grid.ndim != 4 || out.ndim != 4 || grid.shape[3] != 2 || grid.shape[0] != x.shape[0]) return TL_ERR_ARGS;
  if (out.shape[0] != x.shape[0] || out.shape[1] != x.shape[1] || out.shape[2] != grid.shape[1] || out.shape[3] != grid.shape[2]) return TL_ERR_ARGS;
  if (x.dtype != grid.dtype || x.dtype != out.dtype || !IsContiguous(x) || !IsContiguous(grid) || !IsContiguous(out)) return TL_ERR_UNSUPPORTED;
  if (out.size == 0) return TL_OK;
  if (x.shape[2] < 1 || x.shape[3] < 1) return TL_ERR_ARGS;
  if (x.dtype == TL_F32) return RunSample<float>(a, rt);
  if (x.dtype == TL_F64) return RunSample<double>(a, rt);
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(sample) = {
    {"gridSample", GridSample},
    {nullptr, nullptr},
};
