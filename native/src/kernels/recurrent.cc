// The fused LSTM recurrence (src/ops/recurrent.ts): a whole layer-direction forward in one call,
// and its backward through time in another. Same contract as the js kernels of
// src/backends/js/recurrent.ts; float32 and float64 (the activations of float32 use the vector math
// of simd/vmath.h on AVX builds; float64 and the generic build use libm).
//
// Large steps split the hidden units across threads: thread ith owns columns [j0, j1) of every gate
// and state. Per step it computes its columns of the recurrent product (a batched GEMM over the four
// gate blocks of W_hh, run inline on the thread) and then the elementwise cell update of those
// columns, so a step is one parallel region and the only barrier is the region's end. Small steps
// run on the calling thread (see kStepGrainMacs).
#include <math.h>

#include "gemm.h"
#include "../simd/vmath.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

TL_INLINE double SigmoidD(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}

// Columns [j0, j1) of thread ith: whole vectors except at the end, so every thread but the last
// runs full-width loads.
template <class T>
TL_INLINE void ColumnRange(int64_t hidden, int ith, int nth, int64_t* j0, int64_t* j1) {
  constexpr int64_t w = VecOf<T>::V::W;
  const int64_t units = (hidden + w - 1) / w;
  int64_t u0, u1;
  Split(units, ith, nth, &u0, &u1);
  *j0 = u0 * w < hidden ? u0 * w : hidden;
  *j1 = u1 * w < hidden ? u1 * w : hidden;
}

// Per-step multiply-adds from which a step is split across threads. Every step is a parallel region
// that waits for all its threads, and a thread the OS parks holds up the whole step (the next one
// needs every column): on a busy 2-core machine W5's steps (4M multiply-adds) ran 2-3× faster on the
// calling thread alone. Work outside the recurrence (dW_hh) still uses the whole pool.
constexpr int64_t kStepGrainMacs = int64_t(1) << 24;

// Threads for a recurrence step of `macs` multiply-adds over `hidden` columns.
template <class T>
int StepThreads(const tl_runtime* rt, int64_t macs, int64_t hidden) {
  int nth = macs < kStepGrainMacs ? 1 : ThreadsFor(rt, macs, kStepGrainMacs / 2);
  const int64_t units = (hidden + VecOf<T>::V::W - 1) / VecOf<T>::V::W;
  return units < nth ? static_cast<int>(units) : nth;
}

// ---- forward --------------------------------------------------------------------------------

template <class T>
struct FwdJob {
  const T* x;    // xProj at step t: [B, 4H]
  const T* bias; // [4H]
  const T* hp;   // h_{t−1}: B rows of stride hp_rs
  const T* cp;   // c_{t−1}: B rows of stride cp_rs
  int64_t hp_rs, cp_rs;
  const T* w;    // W_hh [4H, H]
  T* out;        // row 0 of step t: [B, 6H]
  int64_t batch, hidden;
  const tl_runtime* rt;
  volatile int status;
};

// The cell update of columns [j0, j1) of one row: pre-activations in g[0..4H) (recurrent part) plus
// x[0..4H) and bias[0..4H); writes h, c and the activated gates.
template <class T>
TL_INLINE void CellRow(const T* x, const T* bias, const T* cp, T* row, int64_t hidden, int64_t j0, int64_t j1) {
  T* g = row + 2 * hidden;
  int64_t j = j0;
#if TL_VECTOR_MATH
  if constexpr (sizeof(T) == 4) {
    using S = F32;
    using V = S::V;
    for (; j < j1; j += S::W) {
      const int n = j1 - j < S::W ? static_cast<int>(j1 - j) : S::W;
      auto pre = [&](int64_t q) {
        const int64_t at = q * hidden + j;
        return S::add(S::add(S::loadn(x + at, n), S::loadn(bias + at, n)), S::loadn(g + at, n));
      };
      V i = VSigmoid<S>(pre(0));
      V f = VSigmoid<S>(pre(1));
      V gg = VTanh<S>(pre(2));
      V o = VSigmoid<S>(pre(3));
      V c = S::fma(f, S::loadn(cp + j, n), S::mul(i, gg));
      S::storen(row + j, S::mul(o, VTanh<S>(c)), n);
      S::storen(row + hidden + j, c, n);
      S::storen(g + j, i, n);
      S::storen(g + hidden + j, f, n);
      S::storen(g + 2 * hidden + j, gg, n);
      S::storen(g + 3 * hidden + j, o, n);
    }
    return;
  }
#endif
  for (; j < j1; j++) {
    auto pre = [&](int64_t q) {
      const int64_t at = q * hidden + j;
      return double(x[at]) + double(bias[at]) + double(g[at]);
    };
    const double i = SigmoidD(pre(0)), f = SigmoidD(pre(1)), gg = tanh(pre(2)), o = SigmoidD(pre(3));
    const double c = f * double(cp[j]) + i * gg;
    row[j] = T(o * tanh(c));
    row[hidden + j] = T(c);
    g[j] = T(i);
    g[hidden + j] = T(f);
    g[2 * hidden + j] = T(gg);
    g[3 * hidden + j] = T(o);
  }
}

template <class T>
void FwdTask(void* p, int ith, int nth) {
  FwdJob<T>& job = *static_cast<FwdJob<T>*>(p);
  const int64_t hidden = job.hidden, row = 6 * hidden;
  int64_t j0, j1;
  ColumnRange<T>(hidden, ith, nth, &j0, &j1);
  if (j0 >= j1) return;
  // gates[q][b, j] = Σ_m h_{t−1}[b, m] · W_hh[q·H + j, m] for the four gate blocks q and columns
  // [j0, j1); inside a task the GEMM runs inline on this thread.
  GemmCall<T> g;
  g.batch = 4;
  g.m = job.batch;
  g.n = j1 - j0;
  g.k = hidden;
  g.a = StridedOperand<T>(job.hp, job.hp_rs, 1, 0);
  g.bt = StridedOperand<T>(job.w + j0 * hidden, hidden, 1, hidden * hidden);
  g.c = job.out + 2 * hidden + j0;
  g.c_rs = row;
  g.c_cs = 1;
  g.c_batch.outer = hidden;
  const int status = Gemm(g, job.rt);
  if (status != TL_OK) {
    job.status = status;
    return;
  }
  for (int64_t b = 0; b < job.batch; b++) {
    CellRow<T>(job.x + b * 4 * hidden, job.bias, job.cp + b * job.cp_rs, job.out + b * row, hidden, j0, j1);
  }
}

// lstmSequence: xProj [T, B, 4H], h0 [B, H], c0 [B, H], wHh [4H, H], bias [4H] → out [T, B, 6H];
// attrs: reverse.
template <class T>
int LstmForwardT(const tl_args* args, const tl_runtime* rt) {
  const tl_tensor& xt = args->t[0];
  const int64_t steps = xt.shape[0], batch = xt.shape[1], hidden = xt.shape[2] / 4;
  const bool reverse = args->n_attrs > 0 && args->attrs[0] != 0;
  const T* x = Base<const T>(xt);
  T* out = Base<T>(args->t[5]);
  const int64_t row = 6 * hidden;
  FwdJob<T> job;
  job.bias = Base<const T>(args->t[4]);
  job.w = Base<const T>(args->t[3]);
  job.batch = batch;
  job.hidden = hidden;
  // The per-thread GEMMs run inline on their thread: a one-thread runtime keeps them from cutting
  // their slice again.
  tl_runtime single = *rt;
  single.n_threads = 1;
  job.rt = &single;
  job.status = TL_OK;
  const int nth = StepThreads<T>(rt, batch * 4 * hidden * hidden, hidden);
  int64_t prev = -1;
  for (int64_t k = 0; k < steps; k++) {
    const int64_t t = reverse ? steps - 1 - k : k;
    job.x = x + t * batch * 4 * hidden;
    job.out = out + t * batch * row;
    if (prev < 0) {
      job.hp = Base<const T>(args->t[1]);
      job.cp = Base<const T>(args->t[2]);
      job.hp_rs = job.cp_rs = hidden;
    } else {
      job.hp = out + prev * batch * row;
      job.cp = job.hp + hidden;
      job.hp_rs = job.cp_rs = row;
    }
    rt->parallel_for(nth, FwdTask<T>, &job);
    if (job.status != TL_OK) return job.status;
    prev = t;
  }
  return TL_OK;
}

// ---- backward -------------------------------------------------------------------------------

template <class T>
struct BwdJob {
  const T* gout;  // gradient of h_t: [B, H]
  const T* out;   // step t's packed rows [B, 6H]
  const T* cp;    // c_{t−1}: B rows of stride cp_rs
  int64_t cp_rs;
  const T* w;     // W_hh [4H, H]
  const T* da_prev;  // dxProj of the step processed before this one (null on the first): [B, 4H]
  T* da;          // dxProj at step t: [B, 4H] (null: only the final dh GEMM)
  T* dh;          // running dh [B, H]
  T* dc;          // running dc [B, H]
  int64_t batch, hidden;
  const tl_runtime* rt;
  volatile int status;
};

// Gradients of one row, columns [j0, j1): from dh, dc (running) and the gradient `go` of h_t to the
// pre-activation gradients da, and dc ← dc_t ⊙ f.
template <class T>
TL_INLINE void CellGradRow(const T* go, const T* o6, const T* cp, T* da, T* dh, T* dc, int64_t hidden, int64_t j0,
                           int64_t j1) {
  const int64_t H = hidden;
  int64_t j = j0;
#if TL_VECTOR_MATH
  if constexpr (sizeof(T) == 4) {
    using S = F32;
    using V = S::V;
    const V one = S::set1(1.0f);
    for (; j < j1; j += S::W) {
      const int n = j1 - j < S::W ? static_cast<int>(j1 - j) : S::W;
      V c = S::loadn(o6 + H + j, n), i = S::loadn(o6 + 2 * H + j, n), f = S::loadn(o6 + 3 * H + j, n);
      V g = S::loadn(o6 + 4 * H + j, n), o = S::loadn(o6 + 5 * H + j, n);
      V tc = VTanh<S>(c);
      V vdh = S::add(S::loadn(go + j, n), S::loadn(dh + j, n));
      V vdc = S::add(S::loadn(dc + j, n), S::mul(S::mul(vdh, o), S::sub(one, S::mul(tc, tc))));
      V di = S::mul(vdc, g);
      V df = S::mul(vdc, S::loadn(cp + j, n));
      V dg = S::mul(vdc, i);
      V dO = S::mul(vdh, tc);
      S::storen(dc + j, S::mul(vdc, f), n);
      S::storen(da + j, S::mul(di, S::mul(i, S::sub(one, i))), n);
      S::storen(da + H + j, S::mul(df, S::mul(f, S::sub(one, f))), n);
      S::storen(da + 2 * H + j, S::mul(dg, S::sub(one, S::mul(g, g))), n);
      S::storen(da + 3 * H + j, S::mul(dO, S::mul(o, S::sub(one, o))), n);
    }
    return;
  }
#endif
  for (; j < j1; j++) {
    const double c = o6[H + j], i = o6[2 * H + j], f = o6[3 * H + j], g = o6[4 * H + j], o = o6[5 * H + j];
    const double tc = tanh(c);
    const double vdh = double(go[j]) + double(dh[j]);
    const double vdc = double(dc[j]) + vdh * o * (1 - tc * tc);
    const double di = vdc * g, df = vdc * double(cp[j]), dg = vdc * i, dO = vdh * tc;
    dc[j] = T(vdc * f);
    da[j] = T(di * i * (1 - i));
    da[H + j] = T(df * f * (1 - f));
    da[2 * H + j] = T(dg * (1 - g * g));
    da[3 * H + j] = T(dO * o * (1 - o));
  }
}

template <class T>
void BwdTask(void* p, int ith, int nth) {
  BwdJob<T>& job = *static_cast<BwdJob<T>*>(p);
  const int64_t hidden = job.hidden;
  int64_t j0, j1;
  ColumnRange<T>(hidden, ith, nth, &j0, &j1);
  if (j0 >= j1) return;
  if (job.da_prev != nullptr) {
    // dh[:, j0:j1] = da_prev · W_hh[:, j0:j1]: the recurrent gradient of the step processed before.
    GemmCall<T> g;
    g.m = job.batch;
    g.n = j1 - j0;
    g.k = 4 * hidden;
    g.a = StridedOperand<T>(job.da_prev, 4 * hidden, 1, 0);
    g.bt = StridedOperand<T>(job.w + j0, 1, hidden, 0);
    g.c = job.dh + j0;
    g.c_rs = hidden;
    g.c_cs = 1;
    const int status = Gemm(g, job.rt);
    if (status != TL_OK) {
      job.status = status;
      return;
    }
  }
  if (job.da == nullptr) return;
  const int64_t row = 6 * hidden;
  for (int64_t b = 0; b < job.batch; b++) {
    CellGradRow<T>(job.gout + b * hidden, job.out + b * row, job.cp + b * job.cp_rs, job.da + b * 4 * hidden,
                   job.dh + b * hidden, job.dc + b * hidden, hidden, j0, j1);
  }
}

// dW[r, m] += Σ_k da[k, r] · h[k, m] over `rows` rows k of da (stride 4H) and h (stride h_rs).
template <class T>
int WeightGrad(const T* da, const T* h, int64_t h_rs, int64_t rows, int64_t hidden, T* dw, T beta,
               const tl_runtime* rt) {
  GemmCall<T> g;
  g.m = 4 * hidden;
  g.n = hidden;
  g.k = rows;
  g.a = StridedOperand<T>(da, 1, 4 * hidden, 0);
  g.bt = StridedOperand<T>(h, 1, h_rs, 0);
  g.c = dw;
  g.c_rs = hidden;
  g.c_cs = 1;
  g.beta = beta;
  return Gemm(g, rt);
}

// lstmSequenceBackward: gOut [T + 1, B, H] (every h, then the final c), ws [T, B, 6H], h0, c0 [B, H],
// wHh [4H, H] → d (1-D):
// dxProj [T, B, 4H], dh0 [B, H], dc0 [B, H], dwHh [4H, H], dbias [4H]; attrs: reverse.
template <class T>
int LstmBackwardT(const tl_args* args, const tl_runtime* rt) {
  const tl_tensor& ot = args->t[1];
  const int64_t steps = ot.shape[0], batch = ot.shape[1], hidden = ot.shape[2] / 6;
  const int64_t row = 6 * hidden, g4 = 4 * hidden;
  const bool reverse = args->n_attrs > 0 && args->attrs[0] != 0;
  const T* gout = Base<const T>(args->t[0]);
  const T* out = Base<const T>(ot);
  const T* h0 = Base<const T>(args->t[2]);
  const T* c0 = Base<const T>(args->t[3]);
  T* dx = Base<T>(args->t[5]);
  T* dh = dx + steps * batch * g4;
  T* dc = dh + batch * hidden;
  T* dw = dc + batch * hidden;
  memset(dh, 0, size_t(batch * hidden) * sizeof(T));
  memcpy(dc, gout + steps * batch * hidden, size_t(batch * hidden) * sizeof(T));  // the final c's gradient
  BwdJob<T> job;
  job.w = Base<const T>(args->t[4]);
  job.dh = dh;
  job.dc = dc;
  job.batch = batch;
  job.hidden = hidden;
  tl_runtime single = *rt;
  single.n_threads = 1;
  job.rt = &single;
  job.status = TL_OK;
  job.da_prev = nullptr;
  const int nth = StepThreads<T>(rt, batch * g4 * hidden, hidden);
  // Forward visited t = order(0), order(1), ...; backward walks that order from the end.
  for (int64_t k = steps - 1; k >= 0; k--) {
    const int64_t t = reverse ? steps - 1 - k : k;
    const int64_t prev = k == 0 ? -1 : reverse ? t + 1 : t - 1;
    job.gout = gout + t * batch * hidden;
    job.out = out + t * batch * row;
    job.cp = prev < 0 ? c0 : out + prev * batch * row + hidden;
    job.cp_rs = prev < 0 ? hidden : row;
    job.da = dx + t * batch * g4;
    rt->parallel_for(nth, BwdTask<T>, &job);
    if (job.status != TL_OK) return job.status;
    job.da_prev = job.da;
  }
  job.da = nullptr;
  rt->parallel_for(nth, BwdTask<T>, &job);  // dh0 from the first step's da
  if (job.status != TL_OK) return job.status;
  // dW_hh = Σ_t da_tᵀ · h_{t−1}: one GEMM over every step with a previous step in the packed output
  // (those rows sit at a fixed stride there), plus the step that started from h0.
  const int64_t rest = (steps - 1) * batch;
  const T* da_rest = reverse ? dx : dx + batch * g4;
  const T* h_rest = reverse ? out + batch * row : out;
  int status = WeightGrad<T>(da_rest, h_rest, row, rest, hidden, dw, T(0), rt);
  if (status != TL_OK) return status;
  const T* da_first = reverse ? dx + (steps - 1) * batch * g4 : dx;
  status = WeightGrad<T>(da_first, h0, hidden, batch, hidden, dw, T(1), rt);
  if (status != TL_OK) return status;
  // dbias = Σ over every (t, b) row of dxProj: row after row, so the adds vectorize along the row.
  T* db = dw + g4 * hidden;
  for (int64_t r = 0; r < g4; r++) db[r] = T(0);
  for (int64_t k = 0; k < steps * batch; k++) {
    const T* src = dx + k * g4;
    for (int64_t r = 0; r < g4; r++) db[r] += src[r];
  }
  return TL_OK;
}

// lstmLayer: xProj, h0, c0, wHh, bias, ws [T, B, 6H] → out [T + 1, B, H]: every h, then the final c.
template <class T>
void LstmGatherT(const tl_args* args) {
  const tl_tensor& wt = args->t[5];
  const int64_t steps = wt.shape[0], batch = wt.shape[1], hidden = wt.shape[2] / 6;
  const bool reverse = args->n_attrs > 0 && args->attrs[0] != 0;
  const T* ws = Base<const T>(wt);
  T* out = Base<T>(args->t[6]);
  for (int64_t r = 0; r < steps * batch; r++) memcpy(out + r * hidden, ws + r * 6 * hidden, size_t(hidden) * sizeof(T));
  const int64_t last = reverse ? 0 : steps - 1;
  for (int64_t b = 0; b < batch; b++) {
    memcpy(out + (steps * batch + b) * hidden, ws + (last * batch + b) * 6 * hidden + hidden, size_t(hidden) * sizeof(T));
  }
}

bool Dense(const tl_args* args) {
  for (int i = 0; i < args->n_in + args->n_out; i++) {
    if (!IsContiguous(args->t[i])) return false;
  }
  return true;
}

int LstmForward(const tl_args* args, const tl_runtime* rt) {
  if (args->n_in != 5 || args->n_out != 1 || !Dense(args)) return TL_ERR_ARGS;
  const tl_tensor& x = args->t[0];
  if (x.ndim != 3 || x.shape[2] % 4 != 0 || args->t[4].size != x.shape[2] ||
      args->t[5].size != x.shape[0] * x.shape[1] * x.shape[2] / 4 * 6) {
    return TL_ERR_ARGS;
  }
  for (int i = 1; i < 6; i++) {
    if (args->t[i].dtype != x.dtype) return TL_ERR_UNSUPPORTED;
  }
  switch (x.dtype) {
    case TL_F32: return LstmForwardT<float>(args, rt);
    case TL_F64: return LstmForwardT<double>(args, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

int LstmGather(const tl_args* args, const tl_runtime*) {
  if (args->n_in != 6 || args->n_out != 1 || !Dense(args)) return TL_ERR_ARGS;
  const tl_tensor& w = args->t[5];
  if (w.ndim != 3 || w.shape[2] % 6 != 0 || args->t[6].size != (w.shape[0] + 1) * w.shape[1] * (w.shape[2] / 6)) {
    return TL_ERR_ARGS;
  }
  if (w.dtype != args->t[6].dtype) return TL_ERR_UNSUPPORTED;
  switch (w.dtype) {
    case TL_F32: LstmGatherT<float>(args); return TL_OK;
    case TL_F64: LstmGatherT<double>(args); return TL_OK;
    default: return TL_ERR_UNSUPPORTED;
  }
}

int LstmBackward(const tl_args* args, const tl_runtime* rt) {
  if (args->n_in != 5 || args->n_out != 1 || !Dense(args)) return TL_ERR_ARGS;
  const tl_tensor& o = args->t[1];
  if (o.ndim != 3 || o.shape[2] % 6 != 0 || args->t[0].size != (o.shape[0] + 1) * o.shape[1] * (o.shape[2] / 6)) {
    return TL_ERR_ARGS;
  }
  const int64_t hidden = o.shape[2] / 6;
  if (args->t[5].size != o.shape[0] * o.shape[1] * 4 * hidden + 2 * o.shape[1] * hidden + 4 * hidden * hidden + 4 * hidden) {
    return TL_ERR_ARGS;
  }
  for (int i = 0; i < 6; i++) {
    if (args->t[i].dtype != o.dtype) return TL_ERR_UNSUPPORTED;
  }
  switch (o.dtype) {
    case TL_F32: return LstmBackwardT<float>(args, rt);
    case TL_F64: return LstmBackwardT<double>(args, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

TL_FAMILY_TABLE(recurrent) = {
    {"lstmSequence", tensile::TENSILE_ISA::LstmForward},           // xProj, h0, c0, wHh, bias → [T,B,6H]; reverse
    {"lstmLayer", tensile::TENSILE_ISA::LstmGather},               // xProj, h0, c0, wHh, bias, ws → [T+1,B,H]; reverse
    {"lstmSequenceBackward", tensile::TENSILE_ISA::LstmBackward},  // gOut, ws, h0, c0, wHh → packed grads; reverse
    {nullptr, nullptr},
};
