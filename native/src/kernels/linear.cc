// The kernels behind nn.Linear and ReLU in training: linear (y = x·Wᵀ + b as one GEMM that adds onto
// rows prefilled with the bias, so there is no separate broadcast add and no transposed weight copy)
// and reluBackward (gx = x > 0 ? gy : 0 in one pass, instead of a comparison, a cast and a multiply).
#include "gemm.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// linear: x [M, K] (any strides), w [N, K] (any strides) (, bias [N] contiguous) → y [M, N]
// contiguous. Same contract as the js kernel; no attrs.
template <class T>
int LinearT(const tl_args* a, const tl_runtime* rt) {
  const tl_tensor& x = a->t[0];
  const tl_tensor& w = a->t[1];
  const tl_tensor* bias = a->n_in == 3 ? &a->t[2] : nullptr;
  const tl_tensor& y = a->t[a->n_in];
  GemmCall<T> g;
  g.m = x.shape[0];
  g.k = x.shape[1];
  g.n = w.shape[0];
  g.a = StridedOperand<T>(Base<const T>(x), x.strides[0], x.strides[1], 0);
  g.bt = StridedOperand<T>(Base<const T>(w), w.strides[0], w.strides[1], 0);
  g.c = Base<T>(y);
  g.c_rs = g.n;
  g.c_cs = 1;
  if (bias != nullptr) {  // y starts as the bias rows and the GEMM adds x·Wᵀ onto them
    const T* b = Base<const T>(*bias);
    for (int64_t i = 0; i < g.m; i++) memcpy(g.c + i * g.n, b, size_t(g.n) * sizeof(T));
    g.beta = T(1);
  }
  return Gemm(g, rt);
}

int Linear(const tl_args* a, const tl_runtime* rt) {
  if ((a->n_in != 2 && a->n_in != 3) || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& w = a->t[1];
  const tl_tensor& y = a->t[a->n_in];
  if (x.ndim != 2 || w.ndim != 2 || y.ndim != 2 || x.shape[1] != w.shape[1] || y.shape[0] != x.shape[0] ||
      y.shape[1] != w.shape[0] || !IsContiguous(y)) {
    return TL_ERR_ARGS;
  }
  if (a->n_in == 3) {
    const tl_tensor& b = a->t[2];
    if (b.ndim != 1 || b.shape[0] != w.shape[0]) return TL_ERR_ARGS;
    if (b.dtype != x.dtype || !IsContiguous(b)) return TL_ERR_UNSUPPORTED;  // the js kernel reads any strides
  }
  if (x.dtype != w.dtype || x.dtype != y.dtype) return TL_ERR_UNSUPPORTED;
  switch (x.dtype) {
    case TL_F32: return LinearT<float>(a, rt);
    case TL_F64: return LinearT<double>(a, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

template <class S>
struct ReluBackwardCtx {
  const typename S::T* gy;
  const typename S::T* x;
  typename S::T* gx;
  int64_t size;
};

// NaN x gives 0, like x > 0 does in the js kernel (and PyTorch's threshold_backward).
template <class S>
void ReluBackwardTask(void* p, int ith, int nth) {
  using V = typename S::V;
  const ReluBackwardCtx<S>& c = *static_cast<const ReluBackwardCtx<S>*>(p);
  int64_t i, end;
  Split(c.size, ith, nth, &i, &end);
  const V zero = S::set1(0);
  for (; i + S::W <= end; i += S::W) S::store(c.gx + i, S::select(S::gt(S::load(c.x + i), zero), S::load(c.gy + i), zero));
  if (i < end) {
    const int m = static_cast<int>(end - i);
    S::storen(c.gx + i, S::select(S::gt(S::loadn(c.x + i, m), zero), S::loadn(c.gy + i, m), zero), m);
  }
}

// Elements worth a thread: a pass over 3 × 256 KiB costs about what waking a second thread does.
constexpr int64_t kReluGrain = int64_t(1) << 16;

template <class S>
int ReluBackwardT(const tl_args* a, const tl_runtime* rt) {
  ReluBackwardCtx<S> c;
  c.gy = Base<const typename S::T>(a->t[0]);
  c.x = Base<const typename S::T>(a->t[1]);
  c.gx = Base<typename S::T>(a->t[2]);
  c.size = a->t[2].size;
  if (c.size == 0) return TL_OK;
  rt->parallel_for(ThreadsFor(rt, c.size, kReluGrain), ReluBackwardTask<S>, &c);
  return TL_OK;
}

// reluBackward: gy, x (same shape, contiguous) → gx contiguous; no attrs.
int ReluBackward(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& gy = a->t[0];
  const tl_tensor& x = a->t[1];
  const tl_tensor& gx = a->t[2];
  if (gy.size != gx.size || x.size != gx.size || !IsContiguous(gy) || !IsContiguous(x) || !IsContiguous(gx)) {
    return TL_ERR_ARGS;
  }
  if (gy.dtype != x.dtype || gy.dtype != gx.dtype) return TL_ERR_UNSUPPORTED;
  switch (gx.dtype) {
    case TL_F32: return ReluBackwardT<F32>(a, rt);
    case TL_F64: return ReluBackwardT<F64>(a, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

TL_FAMILY_TABLE(linear) = {
    {"linear", tensile::TENSILE_ISA::Linear},              // x [M,K] · w [N,K]ᵀ (+ bias [N]) → [M,N]; no attrs
    {"reluBackward", tensile::TENSILE_ISA::ReluBackward},  // gy, x → gy where x > 0, else 0; no attrs
    {nullptr, nullptr},
};
