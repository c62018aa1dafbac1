// Fused softmax family (float32/float64, contiguous operands): softmax, logSoftmax and their backward
// ops (the class-index cross-entropy is cross_entropy.cc, on the row helpers of softmax.h). A tensor
// is seen as [outer, C, inner] around the softmax dim. Two shapes of work:
//   row:    inner == 1, each row of C is contiguous: vector max, exp-sum and normalize along it;
//           rows are split across threads;
//   column: inner > 1: W consecutive positions j are the vector lanes and the loop walks c at
//           stride inner; (outer, lane chunk) items are split across threads.
// float32 exp/log use simd/vmath.h on the AVX builds; float64 and the generic build call libm in
// double, as the js kernels do. Nothing is allocated.
#include "softmax.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// ---- the four softmax ops: row and column forms ----
enum Kind { kSoftmax, kLogSoftmax, kSoftmaxBackward, kLogSoftmaxBackward };

// One row. Forward: x in, y out. Backward: x is the saved output, g the upstream gradient, y the result.
template <class S, int K>
void Row(const typename S::T* x, const typename S::T* g, typename S::T* y, int64_t n) {
  using T = typename S::T;
  using V = typename S::V;
  int64_t i = 0;
  if constexpr (K == kSoftmax) {
    const T m = RowMax<S>(x, n);
    const V inv = S::set1(static_cast<T>(1.0 / RowExpSum<S, true>(x, m, y, n)));
    for (; i < n; i += S::W) {
      const int r = n - i < S::W ? static_cast<int>(n - i) : S::W;
      StoreN<S>(y + i, S::mul(LoadN<S>(y + i, r), inv), r);
    }
  } else if constexpr (K == kLogSoftmax) {  // (x − hi) − lo, lse = hi + lo
    const T m = RowMax<S>(x, n);
    T hi, lo;
    Split2(m + log(RowExpSum<S, false>(x, m, nullptr, n)), &hi, &lo);
    const V h = S::set1(hi), l = S::set1(lo);
    for (; i < n; i += S::W) {
      const int r = n - i < S::W ? static_cast<int>(n - i) : S::W;
      StoreN<S>(y + i, S::sub(S::sub(LoadN<S>(x + i, r), h), l), r);
    }
  } else if constexpr (K == kSoftmaxBackward) {  // y·(g − Σ g·y)
    const V dot = S::set1(static_cast<T>(RowDot<S>(g, x, n)));
    for (; i < n; i += S::W) {
      const int r = n - i < S::W ? static_cast<int>(n - i) : S::W;
      StoreN<S>(y + i, S::mul(LoadN<S>(x + i, r), S::sub(LoadN<S>(g + i, r), dot)), r);
    }
  } else {  // g − exp(y)·Σ g
    const V total = S::set1(static_cast<T>(RowDot<S>(g, nullptr, n)));
    for (; i < n; i += S::W) {
      const int r = n - i < S::W ? static_cast<int>(n - i) : S::W;
      StoreN<S>(y + i, S::sub(LoadN<S>(g + i, r), S::mul(Exp<S>(LoadN<S>(x + i, r)), total)), r);
    }
  }
}

// f(lane sum, lane) computed in double for each lane of an accumulator, as a vector of T.
template <class S, class F>
TL_INLINE typename S::V LaneMap(const Acc<S>& acc, F f) {
  double sums[S::W];
  typename S::T out[S::W];
  acc.lanes(sums);
  for (int k = 0; k < S::W; k++) out[k] = static_cast<typename S::T>(f(sums[k], k));
  return S::load(out);
}

// r lanes (positions j..j+r) of one [C, inner] block: element c of a lane is at p + c·inner.
template <class S, int K>
void Column(const typename S::T* x, const typename S::T* g, typename S::T* y, int64_t n, int64_t inner, int r) {
  using T = typename S::T;
  using V = typename S::V;
  Acc<S> acc;
  if constexpr (K == kSoftmax || K == kLogSoftmax) {
    V m = LoadN<S>(x, r);
    for (int64_t c = 1; c < n; c++) m = S::max(m, LoadN<S>(x + c * inner, r));
    for (int64_t c = 0; c < n; c++) {
      V e = Exp<S>(S::sub(LoadN<S>(x + c * inner, r), m));
      if (K == kSoftmax) StoreN<S>(y + c * inner, e, r);
      acc.add(e);
    }
    if constexpr (K == kSoftmax) {
      const V inv = LaneMap<S>(acc, [](double s, int) { return 1.0 / s; });
      for (int64_t c = 0; c < n; c++) StoreN<S>(y + c * inner, S::mul(LoadN<S>(y + c * inner, r), inv), r);
    } else {
      T mb[S::W], lob[S::W];
      S::store(mb, m);
      const V hi = LaneMap<S>(acc, [&](double s, int k) {
        T h, l;
        Split2(mb[k] + log(s), &h, &l);
        lob[k] = l;
        return h;
      });
      const V lo = S::load(lob);
      for (int64_t c = 0; c < n; c++) StoreN<S>(y + c * inner, S::sub(S::sub(LoadN<S>(x + c * inner, r), hi), lo), r);
    }
  } else {
    for (int64_t c = 0; c < n; c++) {
      V gv = LoadN<S>(g + c * inner, r);
      acc.add(K == kSoftmaxBackward ? S::mul(gv, LoadN<S>(x + c * inner, r)) : gv);
    }
    const V total = LaneMap<S>(acc, [](double s, int) { return s; });
    for (int64_t c = 0; c < n; c++) {
      V xv = LoadN<S>(x + c * inner, r), gv = LoadN<S>(g + c * inner, r);
      V out = K == kSoftmaxBackward ? S::mul(xv, S::sub(gv, total)) : S::sub(gv, S::mul(Exp<S>(xv), total));
      StoreN<S>(y + c * inner, out, r);
    }
  }
}

template <class T>
struct SoftCtx {
  const T* x;
  const T* g;
  T* y;
  int64_t outer, n, inner, chunks;
};

template <class S, int K>
void SoftTask(void* p, int ith, int nth) {
  using T = typename S::T;
  const SoftCtx<T>& c = *static_cast<const SoftCtx<T>*>(p);
  int64_t start, end;
  if (c.inner == 1) {
    Split(c.outer, ith, nth, &start, &end);
    for (int64_t o = start; o < end; o++) {
      Row<S, K>(c.x + o * c.n, c.g ? c.g + o * c.n : nullptr, c.y + o * c.n, c.n);
    }
    return;
  }
  Split(c.outer * c.chunks, ith, nth, &start, &end);
  for (int64_t it = start; it < end; it++) {
    const int64_t o = it / c.chunks, j = (it % c.chunks) * S::W;
    const int r = c.inner - j < S::W ? static_cast<int>(c.inner - j) : S::W;
    const int64_t off = o * c.n * c.inner + j;
    Column<S, K>(c.x + off, c.g ? c.g + off : nullptr, c.y + off, c.n, c.inner, r);
  }
}

// outer, size and inner of a contiguous view around dim; false for a bad dim.
bool Around(const tl_tensor& t, double dim_attr, int64_t* outer, int64_t* n, int64_t* inner) {
  const int dim = static_cast<int>(dim_attr);
  if (dim < 0 || dim >= t.ndim) return false;
  *outer = *inner = 1;
  for (int d = 0; d < t.ndim; d++) {
    if (d < dim) *outer *= t.shape[d];
    if (d > dim) *inner *= t.shape[d];
  }
  *n = t.shape[dim];
  return true;
}

template <class S, int K>
int RunSoft(const tl_args* a, const tl_runtime* rt) {
  using T = typename S::T;
  const bool backward = K == kSoftmaxBackward || K == kLogSoftmaxBackward;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[a->n_in];
  SoftCtx<T> c;
  if (!Around(x, a->attrs[0], &c.outer, &c.n, &c.inner)) return TL_ERR_ARGS;
  c.x = Base<const T>(x);
  c.g = backward ? Base<const T>(a->t[1]) : nullptr;
  c.y = Base<T>(y);
  c.chunks = (c.inner + S::W - 1) / S::W;
  const int64_t items = c.inner == 1 ? c.outer : c.outer * c.chunks;
  int nth = ThreadsFor(rt, x.size, 1 << 13);
  if (nth > items) nth = static_cast<int>(items);
  rt->parallel_for(nth, SoftTask<S, K>, &c);
  return TL_OK;
}

template <int K>
int SoftKernel(const tl_args* a, const tl_runtime* rt) {
  const int n_in = K == kSoftmaxBackward || K == kLogSoftmaxBackward ? 2 : 1;
  if (a->n_in != n_in || a->n_out != 1 || a->n_attrs != 1) return TL_ERR_ARGS;
  const int dt = a->t[0].dtype;
  for (int i = 0; i <= n_in; i++) {
    if (a->t[i].dtype != dt) return TL_ERR_UNSUPPORTED;
    if (!IsContiguous(a->t[i]) || a->t[i].size != a->t[0].size) return TL_ERR_UNSUPPORTED;
  }
  if (a->t[0].size == 0) return TL_OK;
  if (dt == TL_F32) return RunSoft<F32, K>(a, rt);
  if (dt == TL_F64) return RunSoft<F64, K>(a, rt);
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(softmax) = {
    {"softmax", SoftKernel<kSoftmax>},                        // attrs: dim
    {"logSoftmax", SoftKernel<kLogSoftmax>},                  // attrs: dim
    {"softmaxBackward", SoftKernel<kSoftmaxBackward>},        // inputs: y, gy; attrs: dim
    {"logSoftmaxBackward", SoftKernel<kLogSoftmaxBackward>},  // inputs: y, gy; attrs: dim
    {nullptr, nullptr},
};
