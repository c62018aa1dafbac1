// Fused cross-entropy from logits x [N, C, d...] and int32 class indices [N, d...] (already checked
// by the op), with an optional class weight [C], ignoreIndex, label smoothing ε and the reduction:
//   loss at a position = (1 − ε)·w_t·(lse − x_t) + ε/C·(lse·Σw − Σ w_c·x_c), 0 where ignored;
//   gradient           = ĝ·((1 − ε)·w_t·(p_c − [c = t]) + ε/C·(Σw·p_c − w_c)).
// One pass over each row of logits for the loss, one (exp stored, then scaled) for the gradient.
// Positions are split across threads; with d... (inner > 1) a row is strided and runs in scalar
// double. Per-thread partial sums of sum/mean live in the call's context on the stack.
#include "softmax.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

constexpr int kMaxSlices = 64;  // most threads a call uses (one partial sum each)
enum Reduction { kNone = 0, kSum = 1, kMean = 2 };

template <class T>
struct CeCtx {
  const T* x;
  const int32_t* t;
  const T* w;  // null without weights
  const T* g;  // backward: the upstream gradient
  T* y;
  int64_t npos, n, inner;  // npos = N·d..., n = C
  int64_t ignore;
  double eps, wsum, gscale;
  int reduction;
  double loss[kMaxSlices], weight[kMaxSlices];  // forward sum/mean: per-slice Σ loss and Σ w_t
};

// max, Σ exp(x − max) and (with smoothing) Σ w_c·x_c of the row at position pos.
template <class S>
TL_INLINE void Stats(const CeCtx<typename S::T>& c, const typename S::T* row, bool smooth, double* m, double* s, double* wx) {
  using T = typename S::T;
  if (c.inner == 1) {
    const T mt = RowMax<S>(row, c.n);
    *m = mt;
    *s = RowExpSum<S, false>(row, mt, nullptr, c.n);
    *wx = smooth ? RowDot<S>(row, c.w, c.n) : 0;
    return;
  }
  double mm = -__builtin_inf(), ss = 0, dot = 0;
  for (int64_t k = 0; k < c.n; k++) mm = row[k * c.inner] > mm ? row[k * c.inner] : mm;
  for (int64_t k = 0; k < c.n; k++) {
    const double v = row[k * c.inner];
    ss += exp(v - mm);
    if (smooth) dot += (c.w ? c.w[k] : 1.0) * v;
  }
  *m = mm;
  *s = ss;
  *wx = dot;
}

// Offset of the first logit of position pos (n-th sample, j-th spatial position).
template <class T>
TL_INLINE int64_t RowStart(const CeCtx<T>& c, int64_t pos) {
  return (pos / c.inner) * c.n * c.inner + pos % c.inner;
}

template <class S>
void ForwardTask(void* p, int ith, int nth) {
  using T = typename S::T;
  CeCtx<T>& c = *static_cast<CeCtx<T>*>(p);
  int64_t start, end;
  Split(c.npos, ith, nth, &start, &end);
  const bool smooth = c.eps > 0;
  double total = 0, wtotal = 0;
  for (int64_t pos = start; pos < end; pos++) {
    const int64_t cls = c.t[pos];
    double loss = 0;
    if (cls != c.ignore) {
      const T* row = c.x + RowStart(c, pos);
      double m, s, wx;
      Stats<S>(c, row, smooth, &m, &s, &wx);
      const double lse = m + log(s);
      const double wt = c.w ? static_cast<double>(c.w[cls]) : 1.0;
      loss = (1 - c.eps) * wt * (lse - row[cls * c.inner]);
      if (smooth) loss += c.eps / c.n * (lse * c.wsum - wx);
      wtotal += wt;
    }
    if (c.reduction == kNone) c.y[pos] = static_cast<T>(loss);
    else total += loss;
  }
  c.loss[ith] = total;
  c.weight[ith] = wtotal;
}

template <class S>
void BackwardTask(void* p, int ith, int nth) {
  using T = typename S::T;
  using V = typename S::V;
  const CeCtx<T>& c = *static_cast<const CeCtx<T>*>(p);
  int64_t start, end;
  Split(c.npos, ith, nth, &start, &end);
  const double frac = c.eps / c.n;
  for (int64_t pos = start; pos < end; pos++) {
    const int64_t cls = c.t[pos];
    const int64_t off = RowStart(c, pos);
    const T* row = c.x + off;
    T* out = c.y + off;
    if (cls == c.ignore) {
      for (int64_t k = 0; k < c.n; k++) out[k * c.inner] = 0;
      continue;
    }
    const double gn = c.reduction == kNone ? static_cast<double>(c.g[pos]) : c.gscale;
    const double wt = c.w ? static_cast<double>(c.w[cls]) : 1.0;
    const double p_scale = gn * ((1 - c.eps) * wt + frac * c.wsum);
    const double smooth = gn * frac;
    if (c.inner == 1) {  // out = exp(x − m), then out·(p_scale / s) − smooth·w_c
      const T m = RowMax<S>(row, c.n);
      const V a = S::set1(static_cast<T>(p_scale / RowExpSum<S, true>(row, m, out, c.n)));
      const V sm = S::set1(static_cast<T>(smooth));
      for (int64_t i = 0; i < c.n; i += S::W) {
        const int r = c.n - i < S::W ? static_cast<int>(c.n - i) : S::W;
        const V e = S::mul(LoadN<S>(out + i, r), a);
        StoreN<S>(out + i, c.w ? S::sub(e, S::mul(sm, LoadN<S>(c.w + i, r))) : S::sub(e, sm), r);
      }
      out[cls] = static_cast<T>(out[cls] - gn * (1 - c.eps) * wt);
      continue;
    }
    double m, s, wx;
    Stats<S>(c, row, false, &m, &s, &wx);
    for (int64_t k = 0; k < c.n; k++) {
      double v = p_scale * exp(row[k * c.inner] - m) / s - smooth * (c.w ? static_cast<double>(c.w[k]) : 1.0);
      if (k == cls) v -= gn * (1 - c.eps) * wt;
      out[k * c.inner] = static_cast<T>(v);
    }
  }
}

// Reads inputs and attrs [ignoreIndex, labelSmoothing, reduction, weighted]; false when malformed.
template <class T>
bool Setup(const tl_args* a, bool backward, CeCtx<T>* c) {
  if (a->n_attrs != 4 || a->n_out != 1) return false;
  const bool weighted = a->attrs[3] != 0;
  if (a->n_in != 2 + (weighted ? 1 : 0) + (backward ? 1 : 0)) return false;
  const tl_tensor& x = a->t[0];
  const tl_tensor& t = a->t[1];
  if (x.ndim < 2 || t.dtype != TL_I32 || t.size * x.shape[1] != x.size) return false;
  for (int i = 0; i <= a->n_in; i++) {
    if (!IsContiguous(a->t[i])) return false;
    if (i != 1 && a->t[i].dtype != x.dtype) return false;
  }
  c->x = Base<const T>(x);
  c->t = Base<const int32_t>(t);
  c->w = weighted ? Base<const T>(a->t[2]) : nullptr;
  c->g = backward ? Base<const T>(a->t[a->n_in - 1]) : nullptr;
  c->y = Base<T>(a->t[a->n_in]);
  c->n = x.shape[1];
  c->npos = t.size;
  c->inner = x.size == 0 ? 1 : x.size / (x.shape[0] * c->n);
  c->ignore = static_cast<int64_t>(a->attrs[0]);
  c->eps = a->attrs[1];
  c->reduction = static_cast<int>(a->attrs[2]);
  c->wsum = static_cast<double>(c->n);
  if (c->w) {
    c->wsum = 0;
    for (int64_t k = 0; k < c->n; k++) c->wsum += c->w[k];
  }
  c->gscale = 0;
  return true;
}

template <class T>
int Threads(const tl_runtime* rt, const CeCtx<T>& c) {
  int nth = ThreadsFor(rt, c.npos * c.n, 1 << 13);
  if (nth > kMaxSlices) nth = kMaxSlices;
  return nth < 1 ? 1 : nth;
}

template <class S>
int RunForward(const tl_args* a, const tl_runtime* rt) {
  using T = typename S::T;
  CeCtx<T> c;
  if (!Setup(a, false, &c)) return TL_ERR_ARGS;
  const int nth = Threads(rt, c);
  for (int i = 0; i < nth; i++) c.loss[i] = c.weight[i] = 0;
  if (c.npos > 0) rt->parallel_for(nth, ForwardTask<S>, &c);
  if (c.reduction == kNone) return TL_OK;
  double total = 0, wtotal = 0;
  for (int i = 0; i < nth; i++) {
    total += c.loss[i];
    wtotal += c.weight[i];
  }
  c.y[0] = static_cast<T>(c.reduction == kMean ? total / wtotal : total);  // 0/0 = NaN when every target is ignored
  return TL_OK;
}

template <class S>
int RunBackward(const tl_args* a, const tl_runtime* rt) {
  using T = typename S::T;
  CeCtx<T> c;
  if (!Setup(a, true, &c)) return TL_ERR_ARGS;
  if (c.reduction != kNone) {
    c.gscale = c.g[0];
    if (c.reduction == kMean) {  // ÷ the summed weight of the non-ignored targets
      double wtotal = 0;
      for (int64_t pos = 0; pos < c.npos; pos++) {
        if (c.t[pos] != c.ignore) wtotal += c.w ? static_cast<double>(c.w[c.t[pos]]) : 1.0;
      }
      c.gscale /= wtotal;
    }
  }
  if (c.npos > 0) rt->parallel_for(Threads(rt, c), BackwardTask<S>, &c);
  return TL_OK;
}

template <bool kBackward>
int Kernel(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in < 2) return TL_ERR_ARGS;
  const int dt = a->t[0].dtype;
  if (dt == TL_F32) return kBackward ? RunBackward<F32>(a, rt) : RunForward<F32>(a, rt);
  if (dt == TL_F64) return kBackward ? RunBackward<F64>(a, rt) : RunForward<F64>(a, rt);
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(cross_entropy) = {
    {"softmaxCrossEntropy", Kernel<false>},         // inputs: x, target, [weight]; attrs: ignoreIndex, labelSmoothing, reduction (0 none, 1 sum, 2 mean), weighted
    {"softmaxCrossEntropyBackward", Kernel<true>},  // inputs: x, target, [weight], g; same attrs
    {nullptr, nullptr},
};
