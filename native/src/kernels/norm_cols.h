// Column kernels of normalization, for inputs whose statistics run down the columns of a matrix:
// LayerNorm's affine gradient (Σ over rows per feature) and BatchNorm1d on [N, C] (a statistic per
// column). Included by norm.cc after norm.h.
#ifndef TENSILE_KERNELS_NORM_COLS_H
#define TENSILE_KERNELS_NORM_COLS_H

#include "norm.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// LayerNorm's affine gradient (S = 1, one statistic per row): column sums over the rows, tiles of
// c.tile (<= kTile) columns per task with their accumulators on the stack.
template <class T>
void AffineGradColsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  using D = F64;
  const int64_t tiles = (q.c + c.tile - 1) / c.tile;
  int64_t start, end;
  Split(tiles, ith, nth, &start, &end);
  alignas(64) double dw[kTile], db[kTile];
  for (int64_t t = start; t < end; t++) {
    const int64_t c0 = t * c.tile, len = q.c - c0 < c.tile ? q.c - c0 : c.tile;
    for (int64_t k = 0; k < len; k++) dw[k] = db[k] = 0;
    for (int64_t n = 0; n < q.n; n++) {
      const double r = InvStd(c, n);
      const D::V vm = D::set1(static_cast<double>(c.stats[n])), vr = D::set1(r);
      const T* g = c.gy + n * q.c + c0;
      const T* x = c.x + n * q.c + c0;
      int64_t k = 0;
      for (; k + D::W <= len; k += D::W) {
        D::V gv = LoadD(g + k);
        D::store(db + k, D::add(D::load(db + k), gv));
        D::store(dw + k, D::fma(D::mul(gv, D::sub(LoadD(x + k), vm)), vr, D::load(dw + k)));
      }
      for (; k < len; k++) {
        db[k] += g[k];
        dw[k] += static_cast<double>(g[k]) * (x[k] - static_cast<double>(c.stats[n])) * r;
      }
    }
    for (int64_t k = 0; k < len; k++) {
      c.out[c0 + k] = static_cast<T>(dw[k]);
      c.out[q.c + c0 + k] = static_cast<T>(db[k]);
    }
  }
}

// ---- BatchNorm1d on [N, C] (S = 1, a statistic per channel): x is a matrix whose columns are the
// statistics. Tasks take tiles of c.tile columns and walk the rows, with per-column accumulators and
// coefficients on the stack, so every access is a contiguous vector. ----

// Column sums Σ f over the rows for columns [c0, c0 + len): acc[k] += row[k].
template <class T>
TL_INLINE void AddRowD(const T* row, double* acc, int64_t len) {
  using D = F64;
  int64_t k = 0;
  for (; k + D::W <= len; k += D::W) D::store(acc + k, D::add(D::load(acc + k), LoadD(row + k)));
  for (; k < len; k++) acc[k] += row[k];
}

template <class T>
void StatsColsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  using D = F64;
  const int64_t tiles = (q.c + c.tile - 1) / c.tile;
  int64_t start, end;
  Split(tiles, ith, nth, &start, &end);
  alignas(64) double mu[kTile], ss[kTile];
  for (int64_t t = start; t < end; t++) {
    const int64_t c0 = t * c.tile, len = q.c - c0 < c.tile ? q.c - c0 : c.tile;
    for (int64_t k = 0; k < len; k++) mu[k] = ss[k] = 0;
    for (int64_t n = 0; n < q.n; n++) AddRowD(c.x + n * q.c + c0, mu, len);
    for (int64_t k = 0; k < len; k++) mu[k] /= static_cast<double>(q.n);
    for (int64_t n = 0; n < q.n; n++) {
      const T* x = c.x + n * q.c + c0;
      int64_t k = 0;
      for (; k + D::W <= len; k += D::W) {
        D::V d = D::sub(LoadD(x + k), D::load(mu + k));
        D::store(ss + k, D::fma(d, d, D::load(ss + k)));
      }
      for (; k < len; k++) ss[k] += (x[k] - mu[k]) * (x[k] - mu[k]);
    }
    for (int64_t k = 0; k < len; k++) {
      c.out[c0 + k] = static_cast<T>(mu[k]);
      c.out[q.c + c0 + k] = static_cast<T>(ss[k] / static_cast<double>(q.n));
    }
  }
}

// y = (x − mu)·a + b (normApply) or dx = gy·a + (x − mu)·b + e (normInputGrad) with per-column
// coefficients, row by row over a tile.
template <class T, bool kGrad>
void ElemColsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  using S = typename VecOf<T>::S;
  const int64_t tiles = (q.c + c.tile - 1) / c.tile;
  int64_t start, end;
  Split(tiles, ith, nth, &start, &end);
  alignas(64) T mu[kTile], ca[kTile], cb[kTile], ce[kTile];
  const double inv_count = 1.0 / static_cast<double>(q.n);
  for (int64_t t = start; t < end; t++) {
    const int64_t c0 = t * c.tile, len = q.c - c0 < c.tile ? q.c - c0 : c.tile;
    for (int64_t k = 0; k < len; k++) {
      const int64_t ch = c0 + k;
      const double r = InvStd(c, ch);
      const double a = (q.has_w ? static_cast<double>(c.w[ch]) : 1.0) * r;
      mu[k] = c.stats[ch];
      ca[k] = static_cast<T>(a);
      if (kGrad) {
        cb[k] = static_cast<T>(-r * r * static_cast<double>(c.sums[ch]) * inv_count);
        ce[k] = static_cast<T>(-r * static_cast<double>(c.sums[q.c + ch]) * inv_count);
      } else {
        cb[k] = q.has_b ? c.b[ch] : T(0);
      }
    }
    for (int64_t n = 0; n < q.n; n++) {
      const T* x = c.x + n * q.c + c0;
      const T* g = kGrad ? c.gy + n * q.c + c0 : nullptr;
      T* y = c.out + n * q.c + c0;
      for (int64_t k = 0; k < len; k += S::W) {
        const int w = len - k < S::W ? static_cast<int>(len - k) : S::W;
        typename S::V d = S::sub(S::loadn(x + k, w), S::loadn(mu + k, w));
        if (kGrad) {
          S::storen(y + k, S::fma(S::loadn(g + k, w), S::loadn(ca + k, w), S::fma(d, S::loadn(cb + k, w), S::loadn(ce + k, w))), w);
        } else {
          S::storen(y + k, S::fma(d, S::loadn(ca + k, w), S::loadn(cb + k, w)), w);
        }
      }
    }
  }
}

// Per column Σ gy·x̂ and Σ gy.
template <class T>
void AffineGradBnColsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  using D = F64;
  const int64_t tiles = (q.c + c.tile - 1) / c.tile;
  int64_t start, end;
  Split(tiles, ith, nth, &start, &end);
  alignas(64) double mu[kTile], dw[kTile], db[kTile];
  for (int64_t t = start; t < end; t++) {
    const int64_t c0 = t * c.tile, len = q.c - c0 < c.tile ? q.c - c0 : c.tile;
    for (int64_t k = 0; k < len; k++) {
      mu[k] = static_cast<double>(c.stats[c0 + k]);
      dw[k] = db[k] = 0;
    }
    for (int64_t n = 0; n < q.n; n++) {
      const T* g = c.gy + n * q.c + c0;
      const T* x = c.x + n * q.c + c0;
      int64_t k = 0;
      for (; k + D::W <= len; k += D::W) {
        D::V gv = LoadD(g + k);
        D::store(db + k, D::add(D::load(db + k), gv));
        D::store(dw + k, D::fma(gv, D::sub(LoadD(x + k), D::load(mu + k)), D::load(dw + k)));
      }
      for (; k < len; k++) {
        db[k] += g[k];
        dw[k] += static_cast<double>(g[k]) * (x[k] - mu[k]);
      }
    }
    for (int64_t k = 0; k < len; k++) {
      c.out[c0 + k] = static_cast<T>(dw[k] * InvStd(c, c0 + k));
      c.out[q.c + c0 + k] = static_cast<T>(db[k]);
    }
  }
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
