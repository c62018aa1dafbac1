// Fused optimizer updates: one call updates many parameters and their state in place, with the
// arithmetic order of PyTorch 1.13's single-tensor (foreach=False) optimizers: every operation is
// rounded to the parameter's dtype on its own (no contraction into FMAs, constants rounded to the
// dtype first), so the result is bit-identical to the js kernels (src/backends/js/optim.ts).
//
// Tensors: inputs are the gradients g_0..g_{n-1}; outputs are, per parameter k, its m tensors
// (the parameter, then its state in the order each kernel documents) at outputs[k*m .. k*m+m).
// Everything is contiguous and of one dtype (float32 or float64); sizes agree per parameter.
// Attributes: the kernel's per-call scalars, then its per-parameter scalars (L per parameter).
// Work is split across the pool by the total element count, not by parameter, so one large
// parameter and many small ones thread equally well.
#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// One call's parameters, with prefix sums of their sizes (the flat range the threads split).
struct Batch {
  int n;  // parameters
  int m;  // outputs per parameter
  const tl_tensor* t;
  int64_t start[TL_MAX_TENSORS + 1];
  const double* per;  // per-parameter attributes, L each
  int per_len;
};

// Checks the tensors and attribute count of a call with m outputs per parameter, `fixed` per-call
// and `per_len` per-parameter attributes; fills the batch.
int MakeBatch(const tl_args* a, int m, int fixed, int per_len, Batch* b) {
  int n = a->n_in;
  if (n < 1 || a->n_out != n * m || a->n_attrs != fixed + per_len * n) return TL_ERR_ARGS;
  int dtype = a->t[0].dtype;
  if (dtype != TL_F32 && dtype != TL_F64) return TL_ERR_UNSUPPORTED;
  b->n = n;
  b->m = m;
  b->t = a->t;
  b->per = a->attrs + fixed;
  b->per_len = per_len;
  b->start[0] = 0;
  for (int k = 0; k < n; k++) {
    const tl_tensor& g = a->t[k];
    if (g.dtype != dtype || !IsContiguous(g)) return g.dtype != dtype ? TL_ERR_DTYPE : TL_ERR_ARGS;
    for (int j = 0; j < m; j++) {
      const tl_tensor& o = a->t[n + k * m + j];
      if (o.dtype != dtype) return TL_ERR_DTYPE;
      if (o.size != g.size || !IsContiguous(o)) return TL_ERR_ARGS;
    }
    b->start[k + 1] = b->start[k] + g.size;
  }
  return TL_OK;
}

template <class T>
TL_INLINE const T* Grad(const Batch& b, int k) { return Base<const T>(b.t[k]); }

template <class T>
TL_INLINE T* Out(const Batch& b, int k, int j) { return Base<T>(b.t[b.n + k * b.m + j]); }

// Full vectors load and store plainly; the tail (kTail) uses masked loads and stores with the same
// arithmetic, so an element's result never depends on where it sits.
template <class S, bool kTail>
TL_INLINE typename S::V Ld(const typename S::T* p, int n) { return kTail ? S::loadn(p, n) : S::load(p); }

template <class S, bool kTail>
TL_INLINE void St(typename S::T* p, typename S::V v, int n) {
  if (kTail) S::storen(p, v, n);
  else S::store(p, v);
}

// Runs Row::template Elems<S, kTail>(row, i, count) over elements [0, len) of one slice.
template <class S, class Row>
TL_INLINE void VecLoop(const Row& row, int64_t len) {
  int64_t i = 0;
  for (; i + S::W <= len; i += S::W) row.template Elems<false>(i, S::W);
  if (i < len) row.template Elems<true>(i, static_cast<int>(len - i));
}

// The task: slice ith of the flat range of all parameters; each parameter's part goes to
// Job::Run<S>(k, from, len).
template <class S, class Job>
void BatchTask(void* ctx, int ith, int nth) {
  const Job& job = *static_cast<const Job*>(ctx);
  const Batch& b = job.batch;
  int64_t s, e;
  Split(b.start[b.n], ith, nth, &s, &e);
  for (int k = 0; k < b.n && s < e; k++) {
    int64_t lo = b.start[k], hi = b.start[k + 1];
    if (hi <= s) continue;
    if (lo >= e) break;
    int64_t from = s > lo ? s - lo : 0;
    int64_t to = (e < hi ? e : hi) - lo;
    job.template Run<S>(k, from, to - from);
  }
}

// Memory-bound (5-9 streams per element): a thread pays for itself from about 16K elements.
constexpr int64_t kGrain = 1 << 14;

template <class Job>
int Launch(const tl_runtime* rt, const Job& job) {
  int64_t total = job.batch.start[job.batch.n];
  if (total == 0) return TL_OK;
  int nth = ThreadsFor(rt, total, kGrain);
  if (job.batch.t[0].dtype == TL_F32) rt->parallel_for(nth, BatchTask<F32, Job>, const_cast<Job*>(&job));
  else rt->parallel_for(nth, BatchTask<F64, Job>, const_cast<Job*>(&job));
  return TL_OK;
}

// ------------------------------------------------------------------------------------------- SGD
// Attributes: lr, momentum, dampening, weightDecay, nesterov, maximize; per parameter: fresh (1 when
// the momentum buffer is new: it becomes d, as PyTorch's clone). Outputs per parameter: param, and
// the momentum buffer when momentum != 0.
//   d = ±g; d += wd·p; buf = fresh ? d : mom·buf + (1−damp)·d; d = nesterov ? d + mom·buf : buf;
//   p = p − lr·d
struct SgdJob {
  Batch batch;
  double lr, momentum, dampening, wd;
  bool nesterov, maximize;

  template <class S>
  struct Row {
    using T = typename S::T;
    using V = typename S::V;
    const T* g;
    T* p;
    T* buf;
    V lr, mom, damp1, wd, sign;
    bool use_wd, use_mom, fresh, nesterov;

    template <bool kTail>
    TL_INLINE void Elems(int64_t i, int n) const {
      V d = S::mul(Ld<S, kTail>(g + i, n), sign);
      V pv = Ld<S, kTail>(p + i, n);
      if (use_wd) d = S::add(d, S::mul(pv, wd));
      if (use_mom) {
        V b = fresh ? d : S::add(S::mul(Ld<S, kTail>(buf + i, n), mom), S::mul(d, damp1));
        St<S, kTail>(buf + i, b, n);
        d = nesterov ? S::add(d, S::mul(b, mom)) : b;
      }
      St<S, kTail>(p + i, S::sub(pv, S::mul(d, lr)), n);
    }
  };

  template <class S>
  void Run(int k, int64_t from, int64_t len) const {
    using T = typename S::T;
    Row<S> r;
    r.g = Grad<T>(batch, k) + from;
    r.p = Out<T>(batch, k, 0) + from;
    r.use_mom = momentum != 0;
    r.buf = r.use_mom ? Out<T>(batch, k, 1) + from : nullptr;
    r.lr = S::set1(static_cast<T>(lr));
    r.mom = S::set1(static_cast<T>(momentum));
    r.damp1 = S::set1(static_cast<T>(1 - dampening));
    r.wd = S::set1(static_cast<T>(wd));
    r.sign = S::set1(static_cast<T>(maximize ? -1 : 1));
    r.use_wd = wd != 0;
    r.fresh = batch.per[k] != 0;
    r.nesterov = nesterov;
    VecLoop<S>(r, len);
  }
};

int SgdStep(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < 6) return TL_ERR_ARGS;
  const double* at = a->attrs;
  SgdJob job;
  int status = MakeBatch(a, at[1] != 0 ? 2 : 1, 6, 1, &job.batch);
  if (status != TL_OK) return status;
  job.lr = at[0];
  job.momentum = at[1];
  job.dampening = at[2];
  job.wd = at[3];
  job.nesterov = at[4] != 0;
  job.maximize = at[5] != 0;
  return Launch(rt, job);
}

// ------------------------------------------------------------------------------------------ Adam
// Attributes: beta1, beta2, eps, weightDecay, decoupled (AdamW), amsgrad, maximize, decay
// (1 − lr·weightDecay, AdamW's factor); per parameter: stepSize (lr / (1 − beta1^t)) and
// biasCorrection2Sqrt (√(1 − beta2^t)). Outputs per parameter: param, expAvg, expAvgSq, and
// maxExpAvgSq with amsgrad.
//   g = ±g; Adam: g += wd·p; AdamW: p = decay·p; m = β1·m + (1−β1)·g; v = β2·v + ((1−β2)·g)·g;
//   v̂ = amsgrad ? (vmax = max(vmax, v)) : v; p = p + ((−stepSize)·m) / (√v̂ / bc2 + eps)
struct AdamJob {
  Batch batch;
  double beta1, beta2, eps, wd, decay;
  bool decoupled, amsgrad, maximize;

  template <class S>
  struct Row {
    using T = typename S::T;
    using V = typename S::V;
    const T* g;
    T *p, *m, *v, *vmax;
    V b1, c1, b2, c2, eps, wd, decay, sign, neg_step, bc2;
    bool l2, decoupled, amsgrad;

    template <bool kTail>
    TL_INLINE void Elems(int64_t i, int n) const {
      V gv = S::mul(Ld<S, kTail>(g + i, n), sign);
      V pv = Ld<S, kTail>(p + i, n);
      if (l2) gv = S::add(gv, S::mul(pv, wd));
      if (decoupled) pv = S::mul(pv, decay);
      V mv = S::add(S::mul(Ld<S, kTail>(m + i, n), b1), S::mul(gv, c1));
      V vv = S::add(S::mul(Ld<S, kTail>(v + i, n), b2), S::mul(S::mul(gv, c2), gv));
      St<S, kTail>(m + i, mv, n);
      St<S, kTail>(v + i, vv, n);
      V second = vv;
      if (amsgrad) {
        V xv = Ld<S, kTail>(vmax + i, n);
        // NaN wins, as the maximum op's kernels do (x86 max alone returns the second operand).
        second = S::select(S::mor(S::isnan(xv), S::isnan(vv)), S::add(xv, vv), S::select(S::gt(xv, vv), xv, vv));
        St<S, kTail>(vmax + i, second, n);
      }
      V denom = S::add(S::div(S::sqrt(second), bc2), eps);
      St<S, kTail>(p + i, S::add(pv, S::div(S::mul(mv, neg_step), denom)), n);
    }
  };

  template <class S>
  void Run(int k, int64_t from, int64_t len) const {
    using T = typename S::T;
    Row<S> r;
    r.g = Grad<T>(batch, k) + from;
    r.p = Out<T>(batch, k, 0) + from;
    r.m = Out<T>(batch, k, 1) + from;
    r.v = Out<T>(batch, k, 2) + from;
    r.vmax = amsgrad ? Out<T>(batch, k, 3) + from : nullptr;
    r.b1 = S::set1(static_cast<T>(beta1));
    r.c1 = S::set1(static_cast<T>(1 - beta1));
    r.b2 = S::set1(static_cast<T>(beta2));
    r.c2 = S::set1(static_cast<T>(1 - beta2));
    r.eps = S::set1(static_cast<T>(eps));
    r.wd = S::set1(static_cast<T>(wd));
    r.decay = S::set1(static_cast<T>(decay));
    r.sign = S::set1(static_cast<T>(maximize ? -1 : 1));
    r.neg_step = S::set1(static_cast<T>(-batch.per[2 * k]));
    r.bc2 = S::set1(static_cast<T>(batch.per[2 * k + 1]));
    r.l2 = !decoupled && wd != 0;
    r.decoupled = decoupled && wd != 0;
    r.amsgrad = amsgrad;
    VecLoop<S>(r, len);
  }
};

int AdamStep(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < 8) return TL_ERR_ARGS;
  const double* at = a->attrs;
  AdamJob job;
  job.amsgrad = at[5] != 0;
  int status = MakeBatch(a, job.amsgrad ? 4 : 3, 8, 2, &job.batch);
  if (status != TL_OK) return status;
  job.beta1 = at[0];
  job.beta2 = at[1];
  job.eps = at[2];
  job.wd = at[3];
  job.decoupled = at[4] != 0;
  job.maximize = at[6] != 0;
  job.decay = at[7];
  return Launch(rt, job);
}

// --------------------------------------------------------------------------------------- RMSprop
// Attributes: lr, alpha, eps, weightDecay, momentum, centered, maximize. Outputs per parameter:
// param, squareAvg, then gradAvg when centered, then the momentum buffer when momentum > 0.
//   g = ±g; g += wd·p; sa = α·sa + ((1−α)·g)·g; centered: ga = α·ga + (1−α)·g, avg = √(sa − ga·ga),
//   else avg = √sa; avg += eps; momentum: buf = μ·buf + g/avg, p = p − lr·buf; else p = p − (lr·g)/avg
struct RmspropJob {
  Batch batch;
  double lr, alpha, eps, wd, momentum;
  bool centered, maximize;

  template <class S>
  struct Row {
    using T = typename S::T;
    using V = typename S::V;
    const T* g;
    T *p, *sa, *ga, *buf;
    V lr, alpha, c, eps, wd, mom, sign;
    bool use_wd, centered, use_mom;

    template <bool kTail>
    TL_INLINE void Elems(int64_t i, int n) const {
      V gv = S::mul(Ld<S, kTail>(g + i, n), sign);
      V pv = Ld<S, kTail>(p + i, n);
      if (use_wd) gv = S::add(gv, S::mul(pv, wd));
      V sv = S::add(S::mul(Ld<S, kTail>(sa + i, n), alpha), S::mul(S::mul(gv, c), gv));
      St<S, kTail>(sa + i, sv, n);
      V avg;
      if (centered) {
        V av = S::add(S::mul(Ld<S, kTail>(ga + i, n), alpha), S::mul(gv, c));
        St<S, kTail>(ga + i, av, n);
        avg = S::sqrt(S::sub(sv, S::mul(av, av)));
      } else {
        avg = S::sqrt(sv);
      }
      avg = S::add(avg, eps);
      if (use_mom) {
        V bv = S::add(S::mul(Ld<S, kTail>(buf + i, n), mom), S::div(gv, avg));
        St<S, kTail>(buf + i, bv, n);
        St<S, kTail>(p + i, S::sub(pv, S::mul(bv, lr)), n);
      } else {
        St<S, kTail>(p + i, S::sub(pv, S::div(S::mul(gv, lr), avg)), n);
      }
    }
  };

  template <class S>
  void Run(int k, int64_t from, int64_t len) const {
    using T = typename S::T;
    Row<S> r;
    r.g = Grad<T>(batch, k) + from;
    r.p = Out<T>(batch, k, 0) + from;
    r.sa = Out<T>(batch, k, 1) + from;
    int next = 2;
    r.ga = centered ? Out<T>(batch, k, next++) + from : nullptr;
    r.use_mom = momentum > 0;
    r.buf = r.use_mom ? Out<T>(batch, k, next) + from : nullptr;
    r.lr = S::set1(static_cast<T>(lr));
    r.alpha = S::set1(static_cast<T>(alpha));
    r.c = S::set1(static_cast<T>(1 - alpha));
    r.eps = S::set1(static_cast<T>(eps));
    r.wd = S::set1(static_cast<T>(wd));
    r.mom = S::set1(static_cast<T>(momentum));
    r.sign = S::set1(static_cast<T>(maximize ? -1 : 1));
    r.use_wd = wd != 0;
    r.centered = centered;
    VecLoop<S>(r, len);
  }
};

int RmspropStep(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < 7) return TL_ERR_ARGS;
  const double* at = a->attrs;
  RmspropJob job;
  job.lr = at[0];
  job.alpha = at[1];
  job.eps = at[2];
  job.wd = at[3];
  job.momentum = at[4];
  job.centered = at[5] != 0;
  job.maximize = at[6] != 0;
  int status = MakeBatch(a, 2 + (job.centered ? 1 : 0) + (job.momentum > 0 ? 1 : 0), 7, 0, &job.batch);
  if (status != TL_OK) return status;
  return Launch(rt, job);
}

// --------------------------------------------------------------------------------------- Adagrad
// Attributes: weightDecay, eps, maximize; per parameter: clr (lr / (1 + (t−1)·lrDecay)). Outputs per
// parameter: param, sum.
//   g = ±g; g += wd·p; sum = sum + g·g; p = p − (clr·g) / (√sum + eps)
struct AdagradJob {
  Batch batch;
  double eps, wd;
  bool maximize;

  template <class S>
  struct Row {
    using T = typename S::T;
    using V = typename S::V;
    const T* g;
    T *p, *sum;
    V clr, eps, wd, sign;
    bool use_wd;

    template <bool kTail>
    TL_INLINE void Elems(int64_t i, int n) const {
      V gv = S::mul(Ld<S, kTail>(g + i, n), sign);
      V pv = Ld<S, kTail>(p + i, n);
      if (use_wd) gv = S::add(gv, S::mul(pv, wd));
      V sv = S::add(Ld<S, kTail>(sum + i, n), S::mul(gv, gv));
      St<S, kTail>(sum + i, sv, n);
      V std = S::add(S::sqrt(sv), eps);
      St<S, kTail>(p + i, S::sub(pv, S::div(S::mul(gv, clr), std)), n);
    }
  };

  template <class S>
  void Run(int k, int64_t from, int64_t len) const {
    using T = typename S::T;
    Row<S> r;
    r.g = Grad<T>(batch, k) + from;
    r.p = Out<T>(batch, k, 0) + from;
    r.sum = Out<T>(batch, k, 1) + from;
    r.clr = S::set1(static_cast<T>(batch.per[k]));
    r.eps = S::set1(static_cast<T>(eps));
    r.wd = S::set1(static_cast<T>(wd));
    r.sign = S::set1(static_cast<T>(maximize ? -1 : 1));
    r.use_wd = wd != 0;
    VecLoop<S>(r, len);
  }
};

int AdagradStep(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < 3) return TL_ERR_ARGS;
  const double* at = a->attrs;
  AdagradJob job;
  int status = MakeBatch(a, 2, 3, 1, &job.batch);
  if (status != TL_OK) return status;
  job.wd = at[0];
  job.eps = at[1];
  job.maximize = at[2] != 0;
  return Launch(rt, job);
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(optim) = {
    {"sgdStep", SgdStep},
    {"adamStep", AdamStep},
    {"rmspropStep", RmspropStep},
    {"adagradStep", AdagradStep},
    {nullptr, nullptr},
};
