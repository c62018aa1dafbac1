// Reductions over any set of dims (sum, prod, max, min, all, any), argmax/argmin over one dim, and
// cumsum. float32 accumulates in float64 like the js kernels, so results agree to the last bit in
// almost every case. Three shapes of work, chosen after merging dims:
//   row:    the innermost reduced dim is contiguous: vector-reduce each row (softmax's sums, mean over
//           features); a single output splits its rows across threads;
//   column: the innermost kept dim is contiguous: accumulate whole rows into a stack tile of
//           float64 (the sum over a batch, i.e. a bias gradient);
//   strided: everything else, element by element.
#include <math.h>

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Kept and reduced dims of the input, each group merged where strides allow.
struct Plan {
  int nk, nr;
  int64_t kshape[TL_MAX_DIMS], kstride[TL_MAX_DIMS];
  int64_t rshape[TL_MAX_DIMS], rstride[TL_MAX_DIMS];
  int64_t nout, nred;
};

void AddDim(int64_t* shape, int64_t* stride, int* n, int64_t size, int64_t st) {
  if (size == 1) return;
  if (*n > 0 && stride[*n - 1] == st * size) {
    shape[*n - 1] *= size;
    stride[*n - 1] = st;
    return;
  }
  shape[*n] = size;
  stride[*n] = st;
  (*n)++;
}

// Builds the plan; false when the dims attribute is malformed.
bool MakePlan(const tl_tensor& x, const double* dims, int ndims, Plan* p) {
  bool reduced[TL_MAX_DIMS] = {false};
  for (int i = 0; i < ndims; i++) {
    int d = static_cast<int>(dims[i]);
    if (d < 0 || d >= x.ndim) return false;
    reduced[d] = true;
  }
  p->nk = p->nr = 0;
  p->nout = p->nred = 1;
  for (int d = 0; d < x.ndim; d++) {
    if (reduced[d]) {
      AddDim(p->rshape, p->rstride, &p->nr, x.shape[d], x.strides[d]);
      p->nred *= x.shape[d];
    } else {
      AddDim(p->kshape, p->kstride, &p->nk, x.shape[d], x.strides[d]);
      p->nout *= x.shape[d];
    }
  }
  return true;
}

// Element offset of flat index i over (shape, stride) of n dims.
TL_INLINE int64_t Offset(int64_t i, const int64_t* shape, const int64_t* stride, int n) {
  int64_t off = 0;
  for (int d = n - 1; d >= 0; d--) {
    off += (i % shape[d]) * stride[d];
    i /= shape[d];
  }
  return off;
}

// NaN-aware max/min: NaN wins, as in the js kernels.
TL_INLINE double NanMax(double a, double b) { return a != a || b != b ? a + b : a > b ? a : b; }
TL_INLINE double NanMin(double a, double b) { return a != a || b != b ? a + b : a < b ? a : b; }

// The ops. Row(p, n): the reduction of a contiguous run; Col(p, acc, n): acc[i] ⊕= p[i].
struct SumOp {
  static constexpr double kInit = 0;
  static TL_INLINE double Combine(double a, double b) { return a + b; }
  template <class T>
  static double Row(const T* p, int64_t n) {
#if TL_VECTOR_MATH
    using D = F64;
    typename D::V a0 = D::set1(0), a1 = D::set1(0), a2 = D::set1(0), a3 = D::set1(0);
    int64_t i = 0;
    if constexpr (sizeof(T) == 4) {
      for (; i + 2 * F32::W <= n; i += 2 * F32::W) {
        typename F32::V v = F32::load(p + i), w = F32::load(p + i + F32::W);
        a0 = D::add(a0, WidenLo(v));
        a1 = D::add(a1, WidenHi(v));
        a2 = D::add(a2, WidenLo(w));
        a3 = D::add(a3, WidenHi(w));
      }
    } else {
      for (; i + 4 * D::W <= n; i += 4 * D::W) {
        a0 = D::add(a0, D::load(p + i));
        a1 = D::add(a1, D::load(p + i + D::W));
        a2 = D::add(a2, D::load(p + i + 2 * D::W));
        a3 = D::add(a3, D::load(p + i + 3 * D::W));
      }
    }
    double s = D::hsum(D::add(D::add(a0, a1), D::add(a2, a3)));
    for (; i < n; i++) s += p[i];
    return s;
#else
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += p[i];
      s1 += p[i + 1];
      s2 += p[i + 2];
      s3 += p[i + 3];
    }
    for (; i < n; i++) s0 += p[i];
    return (s0 + s1) + (s2 + s3);
#endif
  }
  template <class T>
  static void Col(const T* p, double* acc, int64_t n) {
    int64_t i = 0;
#if TL_VECTOR_MATH
    if constexpr (sizeof(T) == 4) {
      for (; i + F32::W <= n; i += F32::W) {
        typename F32::V v = F32::load(p + i);
        F64::store(acc + i, F64::add(F64::load(acc + i), WidenLo(v)));
        F64::store(acc + i + F64::W, F64::add(F64::load(acc + i + F64::W), WidenHi(v)));
      }
    }
#endif
    for (; i < n; i++) acc[i] += p[i];
  }
};

struct ProdOp {
  static constexpr double kInit = 1;
  static TL_INLINE double Combine(double a, double b) { return a * b; }
  template <class T>
  static double Row(const T* p, int64_t n) {
    double s = 1;
    for (int64_t i = 0; i < n; i++) s *= p[i];
    return s;
  }
  template <class T>
  static void Col(const T* p, double* acc, int64_t n) {
    for (int64_t i = 0; i < n; i++) acc[i] *= p[i];
  }
};

template <bool kMax>
struct ExtremeOp {
  static constexpr double kInit = kMax ? -__builtin_inf() : __builtin_inf();
  static TL_INLINE double Combine(double a, double b) { return kMax ? NanMax(a, b) : NanMin(a, b); }
  template <class T>
  static double Row(const T* p, int64_t n) {
    using S = typename VecOf<T>::S;
    using V = typename S::V;
    int64_t i = 0;
    double r = kInit;
    if (n >= S::W) {
      V acc = S::set1(static_cast<T>(kInit));
      typename S::M nan = S::isnan(acc);
      for (; i + S::W <= n; i += S::W) {
        V v = S::load(p + i);
        nan = S::mor(nan, S::isnan(v));
        acc = kMax ? S::max(acc, v) : S::min(acc, v);
      }
      if (S::bits(nan) != 0) return __builtin_nan("");
      T lanes[S::W];
      S::store(lanes, acc);
      for (int k = 0; k < S::W; k++) r = Combine(r, lanes[k]);
    }
    for (; i < n; i++) r = Combine(r, p[i]);
    return r;
  }
  template <class T>
  static void Col(const T* p, double* acc, int64_t n) {
    for (int64_t i = 0; i < n; i++) acc[i] = Combine(acc[i], p[i]);
  }
};

template <bool kAll>
struct LogicOp {
  static constexpr double kInit = kAll ? 1 : 0;
  static TL_INLINE double Combine(double a, double b) { return kAll ? (a != 0 && b != 0) : (a != 0 || b != 0); }
  template <class T>
  static double Row(const T* p, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
      if (kAll && p[i] == 0) return 0;
      if (!kAll && p[i] != 0) return 1;
    }
    return kInit;
  }
  template <class T>
  static void Col(const T* p, double* acc, int64_t n) {
    for (int64_t i = 0; i < n; i++) acc[i] = Combine(acc[i], static_cast<double>(p[i] != 0));
  }
};

template <class T, class To>
struct ReduceCtx {
  const Plan* plan;
  const T* x;
  To* y;
  int mode;        // 0 row, 1 column, 2 strided, 3/4 one output: rows/one row split across threads
  double* partial; // mode 3: one per thread
};

constexpr int kMaxThreads = 256;

template <class Op, class T, class To>
void ReduceTask(void* p, int ith, int nth) {
  const ReduceCtx<T, To>& c = *static_cast<const ReduceCtx<T, To>*>(p);
  const Plan& pl = *c.plan;
  const int64_t rlast = pl.nr > 0 ? pl.rshape[pl.nr - 1] : 1;
  const int64_t nrows = pl.nred / rlast;
  if (c.mode == 4) {  // one output, one contiguous row: chunks of it split across threads
    int64_t start, end;
    Split(pl.nred, ith, nth, &start, &end);
    c.partial[ith] = Op::Row(c.x + start, end - start);
    return;
  }
  if (c.mode == 3) {  // one output: rows split across threads
    int64_t start, end;
    Split(nrows, ith, nth, &start, &end);
    double acc = Op::kInit;
    for (int64_t r = start; r < end; r++) {
      acc = Op::Combine(acc, Op::Row(c.x + Offset(r, pl.rshape, pl.rstride, pl.nr - 1), rlast));
    }
    c.partial[ith] = acc;
    return;
  }
  if (c.mode == 0) {
    int64_t start, end;
    Split(pl.nout, ith, nth, &start, &end);
    for (int64_t o = start; o < end; o++) {
      const T* base = c.x + Offset(o, pl.kshape, pl.kstride, pl.nk);
      double acc = Op::kInit;
      for (int64_t r = 0; r < nrows; r++) acc = Op::Combine(acc, Op::Row(base + Offset(r, pl.rshape, pl.rstride, pl.nr - 1), rlast));
      c.y[o] = static_cast<To>(acc);
    }
    return;
  }
  if (c.mode == 1) {  // kept inner dim contiguous: tiles of it accumulate whole reduced rows
    const int64_t klast = pl.kshape[pl.nk - 1];
    const int64_t blocks = (klast + kTile - 1) / kTile;
    const int64_t outer = pl.nout / klast;
    int64_t start, end;
    Split(outer * blocks, ith, nth, &start, &end);
    double acc[kTile];
    for (int64_t item = start; item < end; item++) {
      int64_t o = item / blocks, blk = item % blocks;
      int64_t k0 = blk * kTile;
      int64_t len = klast - k0 < kTile ? klast - k0 : kTile;
      const T* base = c.x + Offset(o, pl.kshape, pl.kstride, pl.nk - 1) + k0;
      for (int64_t i = 0; i < len; i++) acc[i] = Op::kInit;
      for (int64_t r = 0; r < pl.nred; r++) Op::Col(base + Offset(r, pl.rshape, pl.rstride, pl.nr), acc, len);
      To* out = c.y + o * klast + k0;
      for (int64_t i = 0; i < len; i++) out[i] = static_cast<To>(acc[i]);
    }
    return;
  }
  int64_t start, end;
  Split(pl.nout, ith, nth, &start, &end);
  for (int64_t o = start; o < end; o++) {
    const T* base = c.x + Offset(o, pl.kshape, pl.kstride, pl.nk);
    double acc = Op::kInit;
    for (int64_t r = 0; r < pl.nred; r++) acc = Op::Combine(acc, static_cast<double>(base[Offset(r, pl.rshape, pl.rstride, pl.nr)]));
    c.y[o] = static_cast<To>(acc);
  }
}

template <class Op, class T, class To>
int Reduce(const tl_args* a, const tl_runtime* rt) {
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  Plan plan;
  if (!MakePlan(x, a->attrs, a->n_attrs, &plan) || plan.nout != y.size) return TL_ERR_ARGS;
  if (y.size == 0) return TL_OK;
  if (plan.nred == 0) {  // an empty reduced dim: every output is the identity (sum 0, prod 1, ...)
    To* out = Base<To>(y);
    for (int64_t o = 0; o < y.size; o++) out[o] = static_cast<To>(Op::kInit);
    return TL_OK;
  }
  ReduceCtx<T, To> c;
  c.plan = &plan;
  c.x = Base<const T>(x);
  c.y = Base<To>(y);
  double partial[kMaxThreads];
  c.partial = partial;
  const int64_t work = plan.nout * plan.nred;
  if (plan.nr > 0 && plan.rstride[plan.nr - 1] == 1) {
    c.mode = 0;
    int64_t rlast = plan.rshape[plan.nr - 1];
    if (plan.nout == 1 && plan.nred / rlast > 1 && plan.nred >= (1 << 16)) {
      c.mode = 3;
      int nth = ThreadsFor(rt, plan.nred, 1 << 15);
      if (nth > kMaxThreads) nth = kMaxThreads;
      rt->parallel_for(nth, ReduceTask<Op, T, To>, &c);
      double acc = Op::kInit;
      for (int i = 0; i < nth; i++) acc = Op::Combine(acc, partial[i]);
      c.y[0] = static_cast<To>(acc);
      return TL_OK;
    }
    if (plan.nout == 1 && plan.nr == 1 && plan.nred >= (1 << 16)) {  // one long row: split it
      c.mode = 4;
      int nth = ThreadsFor(rt, plan.nred, 1 << 15);
      if (nth > kMaxThreads) nth = kMaxThreads;
      rt->parallel_for(nth, ReduceTask<Op, T, To>, &c);
      double acc = Op::kInit;
      for (int i = 0; i < nth; i++) acc = Op::Combine(acc, partial[i]);
      c.y[0] = static_cast<To>(acc);
      return TL_OK;
    }
  } else if (plan.nk > 0 && plan.kstride[plan.nk - 1] == 1 && plan.nr > 0) {
    c.mode = 1;
  } else {
    c.mode = 2;
  }
  // 64K elements per thread: a reduction only streams its input (~10 µs for 64K floats), so a
  // batch-128 bias gradient (128×512) stays on one thread instead of paying a thread handoff.
  rt->parallel_for(ThreadsFor(rt, work, 1 << 16), ReduceTask<Op, T, To>, &c);
  return TL_OK;
}

template <class Op>
int FloatReduce(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  int dt = a->t[0].dtype;
  if (a->t[1].dtype != dt) return TL_ERR_UNSUPPORTED;
  if (dt == TL_F32) return Reduce<Op, float, float>(a, rt);
  if (dt == TL_F64) return Reduce<Op, double, double>(a, rt);
  return TL_ERR_UNSUPPORTED;
}

template <class Op>
int LogicReduce(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  if (a->t[1].dtype != TL_BOOL) return TL_ERR_UNSUPPORTED;
  switch (a->t[0].dtype) {
    case TL_F32: return Reduce<Op, float, uint8_t>(a, rt);
    case TL_F64: return Reduce<Op, double, uint8_t>(a, rt);
    case TL_I32: return Reduce<Op, int32_t, uint8_t>(a, rt);
    default: return Reduce<Op, uint8_t, uint8_t>(a, rt);
  }
}

// argmax/argmin over one dim: first occurrence wins, and the first NaN beats everything.
template <class T, bool kMax>
struct ArgCtx {
  const Plan* plan;
  const T* x;
  int32_t* y;
  int64_t n, stride;
};

template <class T, bool kMax>
void ArgTask(void* p, int ith, int nth) {
  const ArgCtx<T, kMax>& c = *static_cast<const ArgCtx<T, kMax>*>(p);
  int64_t start, end;
  Split(c.plan->nout, ith, nth, &start, &end);
  for (int64_t o = start; o < end; o++) {
    const T* base = c.x + Offset(o, c.plan->kshape, c.plan->kstride, c.plan->nk);
    T best = base[0];
    int32_t index = 0;
    if (best == best) {
      for (int64_t r = 1; r < c.n; r++) {
        T v = base[r * c.stride];
        if (v != v) {
          index = static_cast<int32_t>(r);
          break;
        }
        if (kMax ? v > best : v < best) {
          best = v;
          index = static_cast<int32_t>(r);
        }
      }
    }
    c.y[o] = index;
  }
}

template <bool kMax>
int ArgExtreme(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  if (y.dtype != TL_I32 || (x.dtype != TL_F32 && x.dtype != TL_F64)) return TL_ERR_UNSUPPORTED;
  int dim = static_cast<int>(a->attrs[0]);
  if (dim < 0 || dim >= x.ndim) return TL_ERR_ARGS;
  Plan plan;
  MakePlan(x, a->attrs, 1, &plan);
  if (plan.nout != y.size) return TL_ERR_ARGS;
  if (y.size == 0 || x.shape[dim] == 0) return TL_OK;
  int nth = ThreadsFor(rt, plan.nout * x.shape[dim], 1 << 15);
  if (x.dtype == TL_F32) {
    ArgCtx<float, kMax> c{&plan, Base<const float>(x), Base<int32_t>(y), x.shape[dim], x.strides[dim]};
    rt->parallel_for(nth, ArgTask<float, kMax>, &c);
  } else {
    ArgCtx<double, kMax> c{&plan, Base<const double>(x), Base<int32_t>(y), x.shape[dim], x.strides[dim]};
    rt->parallel_for(nth, ArgTask<double, kMax>, &c);
  }
  return TL_OK;
}

// cumsum along one dim, accumulated in float64 in order like the js kernel.
template <class T>
struct CumCtx {
  const tl_tensor* x;
  T* y;
  int dim;
  int64_t before, n, after;
};

template <class T>
void CumTask(void* p, int ith, int nth) {
  const CumCtx<T>& c = *static_cast<const CumCtx<T>*>(p);
  const tl_tensor& x = *c.x;
  const T* src = Base<const T>(x);
  int64_t start, end;
  Split(c.before * c.after, ith, nth, &start, &end);
  const int64_t sd = x.strides[c.dim];
  for (int64_t line = start; line < end; line++) {
    int64_t b = line / c.after, rest = line % c.after;
    // Offset of (b over the dims before `dim`, rest over the dims after it).
    int64_t off = Offset(b, x.shape, x.strides, c.dim) + Offset(rest, x.shape + c.dim + 1, x.strides + c.dim + 1, x.ndim - c.dim - 1);
    T* out = c.y + b * c.n * c.after + rest;
    double acc = 0;
    for (int64_t r = 0; r < c.n; r++) {
      acc += src[off + r * sd];
      out[r * c.after] = static_cast<T>(acc);
    }
  }
}

int Cumsum(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  int dim = static_cast<int>(a->attrs[0]);
  if (dim < 0 || dim >= x.ndim || y.size != x.size) return TL_ERR_ARGS;
  if (x.dtype != y.dtype || (x.dtype != TL_F32 && x.dtype != TL_F64)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  int64_t before = 1, after = 1;
  for (int d = 0; d < dim; d++) before *= x.shape[d];
  for (int d = dim + 1; d < x.ndim; d++) after *= x.shape[d];
  int nth = ThreadsFor(rt, x.size, 1 << 15);
  if (x.dtype == TL_F32) {
    CumCtx<float> c{&x, Base<float>(y), dim, before, x.shape[dim], after};
    rt->parallel_for(nth, CumTask<float>, &c);
  } else {
    CumCtx<double> c{&x, Base<double>(y), dim, before, x.shape[dim], after};
    rt->parallel_for(nth, CumTask<double>, &c);
  }
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

// attrs: the reduced dims (sum ... any), the one dim (argmax, argmin, cumsum).
TL_FAMILY_TABLE(reduce) = {
    {"sum", FloatReduce<SumOp>},
    {"prod", FloatReduce<ProdOp>},
    {"max", FloatReduce<ExtremeOp<true>>},
    {"min", FloatReduce<ExtremeOp<false>>},
    {"all", LogicReduce<LogicOp<true>>},
    {"any", LogicReduce<LogicOp<false>>},
    {"argmax", ArgExtreme<true>},
    {"argmin", ArgExtreme<false>},
    {"cumsum", Cumsum},
    {nullptr, nullptr},
};
