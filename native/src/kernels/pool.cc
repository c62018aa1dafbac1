// Max pooling, with the contracts of src/backends/js/pool.ts: contiguous inputs seen as planes over
// their last two dims, contiguous outputs.
//   maxPool2dIndices / adaptiveMaxPool2dIndices   x → int32 flat plane index of each window's max
//   maxPool2dValues                               x → each window's max (no indices: inference and
//                                                 training forward; the backward recomputes them)
//   maxPool2dBackward                             gy, x → dx: zeros plus gy at each window's max
//   maxPoolPick / maxPoolBackward                 gather / scatter-add through given indices
// Every window is scanned as the js reference does (PyTorch's CPU rule): row-major, the first strict
// maximum wins, a NaN beats everything (the last NaN wins), and an all -inf window gives its first
// position; so indices and values are bit-exact. 2×2 windows at stride 2 (the common CNN pool) take a
// vector path that applies the same scan lane by lane; maxPool2dValues on whole 2×2 blocks (floor
// mode) has its own path (pool_2x2.cc), planes of any width, two output rows per vector on narrow ones.
// Attributes (sliding windows): kH, kW, sH, sW, pH, pW, dH, dW; the adaptive kernel has none.

#include "common.h"
#include "pool_2x2.h"
#include "pool_lanes.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Windows along one axis: output o reads first + t·step for t in [0, count).
struct Axis {
  int64_t in, out, k, s, p, d;
  bool adaptive;
  TL_INLINE void Window(int64_t o, int64_t* first, int64_t* count) const {
    if (adaptive) {  // PyTorch's [floor(o·in/out), ceil((o+1)·in/out))
      int64_t lo = o * in / out, hi = ((o + 1) * in + out - 1) / out;
      *first = lo;
      *count = hi - lo;
      return;
    }
    int64_t start = o * s - p;
    int64_t end = start + (k - 1) * d + 1;
    if (end > in) end = in;
    int64_t f = start < 0 ? start + (-start + d - 1) / d * d : start;  // the first tap inside the input
    *first = f;
    *count = end > f ? (end - f + d - 1) / d : 0;
  }
  int64_t step() const { return adaptive ? 1 : d; }
};

// Output columns whose windows a call tabulates on the stack; wider planes run the js kernel.
constexpr int64_t kMaxCols = 4096;

struct ColWindow {
  int32_t first, count;
};

// The scan's step: v replaces the best so far when greater or NaN.
template <class T>
TL_INLINE bool Beats(T v, T best) {
  return v > best || v != v;
}

// What a task writes for each window: its flat index, its value, or (backward) gy added at its index.
enum Mode { kIndices, kValues, kGrad };

template <class T, class G>
struct MaxCtx {
  const T* x;
  const G* gy;     // kGrad
  int32_t* idx;    // kIndices
  T* val;          // kValues
  G* dx;           // kGrad
  Axis rows, cols;
  const ColWindow* cw;
  int64_t planes;
  bool fast;       // 2×2 windows, stride 2, no padding or dilation
};

// One window's scan: flat plane index of the winner, or -1 for an empty window (none reach here
// from the ops, whose output sizes keep every window non-empty).
template <class T>
TL_INLINE int64_t ScanWindow(const T* plane, int64_t inW, int64_t r0, int64_t rn, int64_t rs, int64_t c0, int64_t cn, int64_t cs, T* value) {
  if (rn <= 0 || cn <= 0) return -1;
  int64_t bi = r0 * inW + c0;
  T best = plane[bi];  // same outcome as starting from -inf at the first position
  for (int64_t r = 0; r < rn; r++) {
    const T* row = plane + (r0 + r * rs) * inW;
    for (int64_t c = 0; c < cn; c++) {
      T v = row[c0 + c * cs];
      // Selects rather than a branch: random data mispredicts it about once per window.
      const bool take = Beats(v, best);
      best = take ? v : best;
      bi = take ? (r0 + r * rs) * inW + c0 + c * cs : bi;
    }
  }
  *value = best;
  return bi;
}


// One output row of 2×2 stride-2 windows over input rows r0, r1 (row index ih0 of r0), over the
// first `full` columns (windows inside the input), W lanes at a time (the last vector masked): the
// scan a, b (row 0), c, d (row 1) as selects, so no branch mispredicts on random data. kValues
// writes `val`, kIndices `idx`; kGrad writes input rows d0, d1 (columns [0, 2·full)) directly from
// the gradient row g: g at each winner, +0 elsewhere (0 + g, as the js scatter computes it).
template <Mode kMode, class T>
void Max2x2Row(const T* r0, const T* r1, int64_t ih0, int64_t inW, int64_t full, int32_t* idx, T* val, const T* g, T* d0, T* d1) {
  using S = typename VecOf<T>::S;
  using V = typename S::V;
  using M = typename S::M;
  T lane[S::W];
  for (int i = 0; i < S::W; i++) lane[i] = static_cast<T>(2 * i);
  const V iota2 = S::load(lane);
  const V zero = S::set1(0), one = S::set1(1), down = S::set1(static_cast<T>(inW)), downRight = S::set1(static_cast<T>(inW + 1));
  for (int64_t ow = 0; ow < full; ow += S::W) {
    const int n = full - ow < S::W ? static_cast<int>(full - ow) : S::W;  // windows in this vector
    const int lo = 2 * n < S::W ? 2 * n : S::W, hi = 2 * n - lo;        // input elements per half
    V a, b, c, d;
    if (n == S::W) {
      Deinterleave(S::load(r0 + 2 * ow), S::load(r0 + 2 * ow + S::W), &a, &b);
      Deinterleave(S::load(r1 + 2 * ow), S::load(r1 + 2 * ow + S::W), &c, &d);
    } else {
      Deinterleave(S::loadn(r0 + 2 * ow, lo), S::loadn(r0 + 2 * ow + S::W, hi), &a, &b);
      Deinterleave(S::loadn(r1 + 2 * ow, lo), S::loadn(r1 + 2 * ow + S::W, hi), &c, &d);
    }
    M mb = S::mor(S::gt(b, a), S::isnan(b));
    V best = S::select(mb, b, a);
    M mc = S::mor(S::gt(c, best), S::isnan(c));
    best = S::select(mc, c, best);
    M md = S::mor(S::gt(d, best), S::isnan(d));
    best = S::select(md, d, best);
    if (kMode == kValues) {
      if (n == S::W) S::store(val + ow, best);
      else S::storen(val + ow, best, n);
    } else if (kMode == kIndices) {
      V off = S::select(md, downRight, S::select(mc, down, S::select(mb, one, zero)));
      StoreIndex(idx + ow, S::add(S::add(S::set1(static_cast<T>(ih0 * inW + 2 * ow)), iota2), off), n);
    } else {
      const V gg = n == S::W ? S::load(g + ow) : S::loadn(g + ow, n);
      // The last select that fired names the winner.
      const V gd = S::select(md, gg, zero);
      const V gc = S::select(md, zero, S::select(mc, gg, zero));
      const V gb = S::select(S::mor(md, mc), zero, S::select(mb, gg, zero));
      const V ga = S::select(S::mor(S::mor(md, mc), mb), zero, gg);
      V q0, q1, q2, q3;
      Interleave(S::add(ga, zero), S::add(gb, zero), &q0, &q1);
      Interleave(S::add(gc, zero), S::add(gd, zero), &q2, &q3);
      if (n == S::W) {
        S::store(d0 + 2 * ow, q0);
        S::store(d0 + 2 * ow + S::W, q1);
        S::store(d1 + 2 * ow, q2);
        S::store(d1 + 2 * ow + S::W, q3);
      } else {
        S::storen(d0 + 2 * ow, q0, lo);
        S::storen(d0 + 2 * ow + S::W, q1, hi);
        S::storen(d1 + 2 * ow, q2, lo);
        S::storen(d1 + 2 * ow + S::W, q3, hi);
      }
    }
  }
}

template <Mode kMode, class T, class G>
void MaxTask(void* p, int ith, int nth) {
  const MaxCtx<T, G>& c = *static_cast<const MaxCtx<T, G>*>(p);
  const Axis& R = c.rows;
  const Axis& C = c.cols;
  const int64_t inW = C.in, inPlane = R.in * C.in, outPlane = R.out * C.out;
  int64_t start, end;
  Split(kMode == kGrad ? c.planes : c.planes * R.out, ith, nth, &start, &end);
  int32_t picks[kMaxCols];  // kGrad: one output row's winners
  for (int64_t item = start; item < end; item++) {
    // kGrad works plane by plane (it zeroes the plane, or on the vector path what the vector rows
    // leave); the others row by row.
    const int64_t plane = kMode == kGrad ? item : item / R.out;
    const int64_t oh0 = kMode == kGrad ? 0 : item % R.out, oh1 = kMode == kGrad ? R.out : oh0 + 1;
    const T* xp = c.x + plane * inPlane;
    G* dxp = kMode == kGrad ? c.dx + plane * inPlane : nullptr;
    if (kMode == kGrad && !c.fast) memset(dxp, 0, sizeof(G) * inPlane);
    for (int64_t oh = oh0; oh < oh1; oh++) {
      const int64_t o = plane * outPlane + oh * C.out;
      int64_t r0, rn;
      R.Window(oh, &r0, &rn);
      int64_t ow = 0;
      if constexpr (static_cast<T>(0.5) != T(0)) {  // the vector path: float types only
        if (c.fast) {
          // Windows at stride 2 own rows 2·oh and 2·oh + 1 and columns 2·ow and 2·ow + 1.
          const int64_t full = rn == 2 ? (C.out < inW / 2 ? C.out : inW / 2) : 0;
          if (kMode == kGrad && inW > 2 * full) {
            for (int64_t r = r0; r < r0 + rn; r++) memset(dxp + r * inW + 2 * full, 0, sizeof(G) * (inW - 2 * full));
          }
          if (full > 0) {
            const T* g = kMode == kGrad ? reinterpret_cast<const T*>(c.gy) + o : nullptr;
            T* d0 = kMode == kGrad ? reinterpret_cast<T*>(dxp) + r0 * inW : nullptr;
            Max2x2Row<kMode, T>(xp + r0 * inW, xp + (r0 + 1) * inW, r0, inW, full, kMode == kIndices ? c.idx + o : nullptr,
                                kMode == kValues ? c.val + o : nullptr, g, d0, d0 == nullptr ? nullptr : d0 + inW);
          }
          ow = full;
        }
      }
      for (int64_t j = ow; j < C.out; j++) {
        T best = T(0);
        int64_t bi = ScanWindow(xp, inW, r0, rn, R.step(), c.cw[j].first, c.cw[j].count, C.step(), &best);
        if (kMode == kIndices) c.idx[o + j] = static_cast<int32_t>(bi < 0 ? r0 * inW + c.cw[j].first : bi);
        if (kMode == kValues) c.val[o + j] = best;
        if (kMode == kGrad) picks[j] = static_cast<int32_t>(bi);
      }
      if (kMode == kGrad) {
        const G* g = c.gy + o;
        for (int64_t j = ow; j < C.out; j++) {
          if (picks[j] >= 0) dxp[picks[j]] += g[j];
        }
      }
    }
    if (kMode == kGrad && c.fast) {  // rows below the last window (an odd height)
      const int64_t covered = 2 * R.out < R.in ? 2 * R.out : R.in;
      memset(dxp + covered * inW, 0, sizeof(G) * (R.in - covered) * inW);
    }
  }
}


// Reads the window attributes (or the adaptive rule) and the plane sizes; false when malformed.
bool MakeAxes(const tl_args* a, const tl_tensor& in, const tl_tensor& out, bool adaptive, Axis* rows, Axis* cols) {
  if (in.ndim < 2 || out.ndim != in.ndim) return false;
  const int64_t inH = in.shape[in.ndim - 2], inW = in.shape[in.ndim - 1];
  const int64_t outH = out.shape[out.ndim - 2], outW = out.shape[out.ndim - 1];
  for (int dim = 0; dim < in.ndim - 2; dim++) {
    if (in.shape[dim] != out.shape[dim]) return false;
  }
  if (inH < 1 || inW < 1 || outH < 1 || outW < 1) return false;
  *rows = Axis{inH, outH, 1, 1, 0, 1, adaptive};
  *cols = Axis{inW, outW, 1, 1, 0, 1, adaptive};
  if (adaptive) return true;
  if (a->n_attrs != 8) return false;
  const double* at = a->attrs;
  *rows = Axis{inH, outH, int64_t(at[0]), int64_t(at[2]), int64_t(at[4]), int64_t(at[6]), false};
  *cols = Axis{inW, outW, int64_t(at[1]), int64_t(at[3]), int64_t(at[5]), int64_t(at[7]), false};
  return rows->k >= 1 && rows->s >= 1 && rows->p >= 0 && rows->d >= 1 && cols->k >= 1 && cols->s >= 1 && cols->p >= 0 && cols->d >= 1;
}

template <Mode kMode, class T, class G>
int RunMax(const tl_tensor& x, const tl_tensor& gy, const tl_tensor& out, const Axis& rows, const Axis& cols, const tl_runtime* rt) {
  const int64_t inPlane = rows.in * cols.in;
  if (cols.out > kMaxCols || inPlane > (int64_t(1) << 31) - 1) return TL_ERR_UNSUPPORTED;
  ColWindow cw[kMaxCols];
  for (int64_t o = 0; o < cols.out; o++) {
    int64_t f, n;
    cols.Window(o, &f, &n);
    cw[o] = ColWindow{static_cast<int32_t>(f), static_cast<int32_t>(n)};
  }
  MaxCtx<T, G> c{};
  c.x = Base<const T>(x);
  c.rows = rows;
  c.cols = cols;
  c.cw = cw;
  c.planes = (x.size) / inPlane;
  // The vector path keeps indices in float lanes: exact below 2^24 for float32.
  c.fast = !rows.adaptive && rows.k == 2 && cols.k == 2 && rows.s == 2 && cols.s == 2 && rows.p == 0 && cols.p == 0 &&
           rows.d == 1 && cols.d == 1 && (sizeof(T) == 8 || inPlane < (int64_t(1) << 24));
  if (kMode == kIndices) c.idx = Base<int32_t>(out);
  if (kMode == kValues) c.val = Base<T>(out);
  if (kMode == kGrad) {
    c.gy = Base<const G>(gy);
    c.dx = Base<G>(out);
  }
  const int64_t items = kMode == kGrad ? c.planes : c.planes * rows.out;
  int nth = ThreadsFor(rt, c.planes * inPlane, 1 << 15);
  if (nth > items) nth = static_cast<int>(items);
  rt->parallel_for(nth, MaxTask<kMode, T, G>, &c);
  return TL_OK;
}

template <bool kAdaptive>
int MaxIndices(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  Axis rows, cols;
  if (!MakeAxes(a, x, y, kAdaptive, &rows, &cols)) return TL_ERR_ARGS;
  if (y.dtype != TL_I32 || !IsContiguous(x) || !IsContiguous(y)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  switch (x.dtype) {
    case TL_F32: return RunMax<kIndices, float, float>(x, x, y, rows, cols, rt);
    case TL_F64: return RunMax<kIndices, double, double>(x, x, y, rows, cols, rt);
    case TL_I32: return RunMax<kIndices, int32_t, int32_t>(x, x, y, rows, cols, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

int MaxValues(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  Axis rows, cols;
  if (!MakeAxes(a, x, y, false, &rows, &cols)) return TL_ERR_ARGS;
  if (y.dtype != x.dtype || !IsContiguous(x) || !IsContiguous(y)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  // Whole 2×2 blocks at stride 2 (every window inside the input): the values-only vector path.
  const bool blocks = rows.k == 2 && cols.k == 2 && rows.s == 2 && cols.s == 2 && rows.p == 0 && cols.p == 0 && rows.d == 1 &&
                      cols.d == 1 && 2 * rows.out <= rows.in && 2 * cols.out <= cols.in;
  if (blocks) return RunMaxPool2x2Values(x, y, rows.in, cols.in, rows.out, cols.out, rt);  // pool_2x2.cc
  switch (x.dtype) {
    case TL_F32: return RunMax<kValues, float, float>(x, x, y, rows, cols, rt);
    case TL_F64: return RunMax<kValues, double, double>(x, x, y, rows, cols, rt);
    case TL_I32: return RunMax<kValues, int32_t, int32_t>(x, x, y, rows, cols, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

// inputs gy [.., outH, outW], x [.., inH, inW]; output dx like x, of gy's dtype.
int MaxBackwardFromInput(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& gy = a->t[0];
  const tl_tensor& x = a->t[1];
  const tl_tensor& dx = a->t[2];
  Axis rows, cols;
  if (!MakeAxes(a, x, gy, false, &rows, &cols) || dx.size != x.size) return TL_ERR_ARGS;
  if (dx.dtype != gy.dtype || !IsContiguous(x) || !IsContiguous(gy) || !IsContiguous(dx)) return TL_ERR_UNSUPPORTED;
  if (dx.size == 0) return TL_OK;
  if (x.dtype == TL_F32 && gy.dtype == TL_F32) return RunMax<kGrad, float, float>(x, gy, dx, rows, cols, rt);
  if (x.dtype == TL_F64 && gy.dtype == TL_F64) return RunMax<kGrad, double, double>(x, gy, dx, rows, cols, rt);
  return TL_ERR_UNSUPPORTED;
}

// ---- through given indices ----

template <class E>
struct PickCtx {
  const E* src;
  const int32_t* idx;
  E* dst;
  int64_t planes, inPlane, outPlane;
  int bad;  // set when an index is outside its plane (those elements are skipped)
};

// maxPoolPick moves elements (any 4- or 8-byte dtype); maxPoolBackward adds them.
template <class E, bool kScatter>
void PickTask(void* p, int ith, int nth) {
  PickCtx<E>& c = *static_cast<PickCtx<E>*>(p);
  int64_t start, end;
  Split(c.planes, ith, nth, &start, &end);
  for (int64_t pl = start; pl < end; pl++) {
    const int32_t* ind = c.idx + pl * c.outPlane;
    if (kScatter) {
      E* dx = c.dst + pl * c.inPlane;
      const E* g = c.src + pl * c.outPlane;
      memset(dx, 0, sizeof(E) * c.inPlane);
      for (int64_t j = 0; j < c.outPlane; j++) {
        uint32_t i = static_cast<uint32_t>(ind[j]);
        if (i < static_cast<uint64_t>(c.inPlane)) dx[i] += g[j];
        else __atomic_store_n(&c.bad, 1, __ATOMIC_RELAXED);
      }
    } else {
      const E* x = c.src + pl * c.inPlane;
      E* y = c.dst + pl * c.outPlane;
      for (int64_t j = 0; j < c.outPlane; j++) {
        uint32_t i = static_cast<uint32_t>(ind[j]);
        if (i < static_cast<uint64_t>(c.inPlane)) y[j] = x[i];
        else __atomic_store_n(&c.bad, 1, __ATOMIC_RELAXED);
      }
    }
  }
}

template <class E, bool kScatter>
int RunPick(const tl_tensor& src, const tl_tensor& idx, const tl_tensor& dst, const tl_tensor& big, const tl_runtime* rt) {
  PickCtx<E> c{Base<const E>(src), Base<const int32_t>(idx), Base<E>(dst), 0, 0, 0, 0};
  c.inPlane = big.shape[big.ndim - 2] * big.shape[big.ndim - 1];
  c.outPlane = idx.shape[idx.ndim - 2] * idx.shape[idx.ndim - 1];
  if (c.inPlane == 0 || c.outPlane == 0) return TL_OK;
  c.planes = idx.size / c.outPlane;
  if (c.planes * c.inPlane != big.size) return TL_ERR_ARGS;
  int nth = ThreadsFor(rt, c.planes * (c.inPlane + c.outPlane), 1 << 15);
  if (nth > c.planes) nth = static_cast<int>(c.planes);
  rt->parallel_for(nth, PickTask<E, kScatter>, &c);
  return c.bad ? TL_ERR_BOUNDS : TL_OK;
}

// inputs x, idx; output like idx, of x's dtype.
int Pick(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& idx = a->t[1];
  const tl_tensor& y = a->t[2];
  if (x.ndim < 2 || idx.ndim != x.ndim || y.size != idx.size) return TL_ERR_ARGS;
  if (idx.dtype != TL_I32 || y.dtype != x.dtype || !IsContiguous(x) || !IsContiguous(idx) || !IsContiguous(y)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  if (x.dtype == TL_F64) return RunPick<uint64_t, false>(x, idx, y, x, rt);
  if (x.dtype == TL_F32 || x.dtype == TL_I32) return RunPick<uint32_t, false>(x, idx, y, x, rt);
  return TL_ERR_UNSUPPORTED;
}

// inputs gy, idx; output dx [.., inH, inW] of gy's dtype.
int PickBackward(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& gy = a->t[0];
  const tl_tensor& idx = a->t[1];
  const tl_tensor& dx = a->t[2];
  if (dx.ndim < 2 || idx.ndim != dx.ndim || gy.size != idx.size) return TL_ERR_ARGS;
  if (idx.dtype != TL_I32 || dx.dtype != gy.dtype || !IsContiguous(gy) || !IsContiguous(idx) || !IsContiguous(dx)) return TL_ERR_UNSUPPORTED;
  if (dx.size == 0) return TL_OK;
  if (gy.dtype == TL_F32) return RunPick<float, true>(gy, idx, dx, dx, rt);
  if (gy.dtype == TL_F64) return RunPick<double, true>(gy, idx, dx, dx, rt);
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(pool) = {
    {"maxPool2dIndices", MaxIndices<false>},
    {"adaptiveMaxPool2dIndices", MaxIndices<true>},
    {"maxPool2dValues", MaxValues},
    {"maxPool2dBackward", MaxBackwardFromInput},
    {"maxPoolPick", Pick},
    {"maxPoolBackward", PickBackward},
    {nullptr, nullptr},
};
