// Broadcasting binary ops, comparisons, logical ops and where. Inputs arrive already expanded to
// the output's shape (stride-0 views); the driver in elementwise.h finds contiguous and
// scalar-broadcast runs and hands them to vector rows. Arithmetic covers float32/float64 (and
// int32 add/sub, which wrap exactly as the js kernel's ToInt32 store does); comparisons and logical
// ops cover every dtype; where copies elements of any size.
#include <math.h>

#include "elementwise.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Vector arithmetic: Op::Vec on whole vectors, mode 1/2 broadcasting b/a.
#define TL_ARITH_OP(Name, vec_expr, dbl_expr)                                \
  struct Name {                                                              \
    template <class S>                                                       \
    static TL_INLINE typename S::V Vec(typename S::V a, typename S::V b) {   \
      return vec_expr;                                                       \
    }                                                                        \
    static TL_INLINE double Dbl(double a, double b) { return dbl_expr; }     \
  };

TL_ARITH_OP(Add, S::add(a, b), a + b)
TL_ARITH_OP(Sub, S::sub(a, b), a - b)
TL_ARITH_OP(Mul, S::mul(a, b), a * b)
TL_ARITH_OP(Div, S::div(a, b), a / b)
// NaN wins, like the js kernel (x86 max alone would return the second operand).
TL_ARITH_OP(Maximum, S::select(S::mor(S::isnan(a), S::isnan(b)), S::add(a, b), S::select(S::gt(a, b), a, b)),
            a != a || b != b ? a + b : a > b ? a : b)
TL_ARITH_OP(Minimum, S::select(S::mor(S::isnan(a), S::isnan(b)), S::add(a, b), S::select(S::lt(a, b), a, b)),
            a != a || b != b ? a + b : a < b ? a : b)

template <class Op, class S, int kMode>
TL_INLINE void VecLoop(const typename S::T* a, const typename S::T* b, typename S::T* y, int64_t n) {
  using V = typename S::V;
  const V ba = S::set1(a[0]);
  const V bb = S::set1(b[0]);
  int64_t i = 0;
  for (; i + S::W <= n; i += S::W) {
    V va = kMode == 2 ? ba : S::load(a + i);
    V vb = kMode == 1 ? bb : S::load(b + i);
    S::store(y + i, Op::template Vec<S>(va, vb));
  }
  if (i < n) {
    int m = static_cast<int>(n - i);
    V va = kMode == 2 ? ba : S::loadn(a + i, m);
    V vb = kMode == 1 ? bb : S::loadn(b + i, m);
    S::storen(y + i, Op::template Vec<S>(va, vb), m);
  }
}

template <class Op, class S>
void VecRow(const typename S::T* a, const typename S::T* b, typename S::T* y, int64_t n, int mode) {
  if (mode == 0) VecLoop<Op, S, 0>(a, b, y, n);
  else if (mode == 1) VecLoop<Op, S, 1>(a, b, y, n);
  else VecLoop<Op, S, 2>(a, b, y, n);
}

// Scalar rows in float64 (floorDiv, remainder, pow: the js formulas exactly).
template <class T, class F>
TL_INLINE void ScalarLoop(const T* a, const T* b, T* y, int64_t n, int mode, F f) {
  if (mode == 0) for (int64_t i = 0; i < n; i++) y[i] = static_cast<T>(f(static_cast<double>(a[i]), static_cast<double>(b[i])));
  else if (mode == 1) for (int64_t i = 0; i < n; i++) y[i] = static_cast<T>(f(static_cast<double>(a[i]), static_cast<double>(b[0])));
  else for (int64_t i = 0; i < n; i++) y[i] = static_cast<T>(f(static_cast<double>(a[0]), static_cast<double>(b[i])));
}

struct FloorDiv { static TL_INLINE double Dbl(double a, double b) { return floor(a / b); } };
struct Remainder { static TL_INLINE double Dbl(double a, double b) { return a - floor(a / b) * b; } };
struct Pow { static TL_INLINE double Dbl(double a, double b) { return pow(a, b); } };

template <class Op, class T>
void DblRow(const T* a, const T* b, T* y, int64_t n, int mode) {
  ScalarLoop(a, b, y, n, mode, [](double u, double v) { return Op::Dbl(u, v); });
}

// int32 add/sub wrap modulo 2^32 (the js kernel stores the exact sum with ToInt32: the same bits).
template <bool kSub>
void IntAddRow(const int32_t* a, const int32_t* b, int32_t* y, int64_t n, int mode) {
  for (int64_t i = 0; i < n; i++) {
    uint32_t u = static_cast<uint32_t>(a[mode == 2 ? 0 : i]);
    uint32_t v = static_cast<uint32_t>(b[mode == 1 ? 0 : i]);
    y[i] = static_cast<int32_t>(kSub ? u - v : u + v);
  }
}

template <class Op>
int Arith(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  int dt = a->t[2].dtype;
  if (a->t[0].dtype != dt || a->t[1].dtype != dt) return TL_ERR_UNSUPPORTED;
  if (dt == TL_F32) return RunBinary<float, float>(a, rt, VecRow<Op, F32>, 1 << 15);
  if (dt == TL_F64) return RunBinary<double, double>(a, rt, VecRow<Op, F64>, 1 << 15);
  return TL_ERR_UNSUPPORTED;
}

template <bool kSub, class Op>
int AddSub(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in == 2 && a->n_out == 1 && a->t[0].dtype == TL_I32 && a->t[1].dtype == TL_I32 && a->t[2].dtype == TL_I32) {
    return RunBinary<int32_t, int32_t>(a, rt, IntAddRow<kSub>, 1 << 15);
  }
  return Arith<Op>(a, rt);
}

template <class Op>
int ScalarArith(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  int dt = a->t[2].dtype;
  if (a->t[0].dtype != dt || a->t[1].dtype != dt) return TL_ERR_UNSUPPORTED;
  if (dt == TL_F32) return RunBinary<float, float>(a, rt, DblRow<Op, float>, 1 << 12);
  if (dt == TL_F64) return RunBinary<double, double>(a, rt, DblRow<Op, double>, 1 << 12);
  return TL_ERR_UNSUPPORTED;
}

// Comparisons and logical ops: any input dtype, bool output. Plain loops the compiler vectorizes.
#define TL_COMPARE(Name, expr)                                                        \
  struct Name {                                                                       \
    template <class T>                                                                \
    static TL_INLINE uint8_t Test(T a, T b) { return (expr) ? 1 : 0; }                \
  };
TL_COMPARE(Eq, a == b)
TL_COMPARE(Ne, a != b)
TL_COMPARE(Lt, a < b)
TL_COMPARE(Le, a <= b)
TL_COMPARE(Gt, a > b)
TL_COMPARE(Ge, a >= b)
TL_COMPARE(And, a != 0 && b != 0)
TL_COMPARE(Or, a != 0 || b != 0)
TL_COMPARE(Xor, (a != 0) != (b != 0))

template <class Op, class T>
void CompareRow(const T* a, const T* b, uint8_t* y, int64_t n, int mode) {
  if (mode == 0) for (int64_t i = 0; i < n; i++) y[i] = Op::Test(a[i], b[i]);
  else if (mode == 1) { const T v = b[0]; for (int64_t i = 0; i < n; i++) y[i] = Op::Test(a[i], v); }
  else { const T v = a[0]; for (int64_t i = 0; i < n; i++) y[i] = Op::Test(v, b[i]); }
}

template <class Op>
int Compare(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  int dt = a->t[0].dtype;
  if (a->t[1].dtype != dt || a->t[2].dtype != TL_BOOL) return TL_ERR_UNSUPPORTED;
  switch (dt) {
    case TL_F32: return RunBinary<float, uint8_t>(a, rt, CompareRow<Op, float>, 1 << 16);
    case TL_F64: return RunBinary<double, uint8_t>(a, rt, CompareRow<Op, double>, 1 << 16);
    case TL_I32: return RunBinary<int32_t, uint8_t>(a, rt, CompareRow<Op, int32_t>, 1 << 16);
    default: return RunBinary<uint8_t, uint8_t>(a, rt, CompareRow<Op, uint8_t>, 1 << 16);
  }
}

// where(cond, a, b): cond bool, a and b of the output's dtype, all broadcast to the output's shape.
struct WhereCtx {
  Walk walk;  // 0: output, 1: cond, 2: a, 3: b
  const uint8_t* c;
  const char* a;
  const char* b;
  char* y;
  int64_t size;
};

template <class T>
void WhereTask(void* p, int ith, int nth) {
  const WhereCtx& w = *static_cast<const WhereCtx*>(p);
  int64_t start, end;
  Split(w.size, ith, nth, &start, &end);
  const int nd = w.walk.ndim - 1;
  const int64_t sc = w.walk.strides[1][nd], sa = w.walk.strides[2][nd], sb = w.walk.strides[3][nd];
  const T* a = reinterpret_cast<const T*>(w.a);
  const T* b = reinterpret_cast<const T*>(w.b);
  T* y = reinterpret_cast<T*>(w.y);
  WalkRows(w.walk, start, end, [&](int64_t pos, int64_t len, const int64_t* off) {
    const uint8_t* c = w.c + off[1];
    const T* pa = a + off[2];
    const T* pb = b + off[3];
    T* py = y + pos;
    if (sc == 1 && sa == 1 && sb == 1) {
      for (int64_t i = 0; i < len; i++) py[i] = c[i] ? pa[i] : pb[i];
    } else {
      for (int64_t i = 0; i < len; i++) py[i] = c[i * sc] ? pa[i * sa] : pb[i * sb];
    }
  });
}

int Where(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 3 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &c = a->t[0], &x = a->t[1], &z = a->t[2], &y = a->t[3];
  if (c.dtype != TL_BOOL || x.dtype != y.dtype || z.dtype != y.dtype) return TL_ERR_UNSUPPORTED;
  if (c.size != y.size || x.size != y.size || z.size != y.size) return TL_ERR_ARGS;
  if (y.size == 0) return TL_OK;
  WhereCtx w;
  const tl_tensor* views[4] = {&y, &c, &x, &z};
  MakeWalk(&w.walk, views, 4);
  int es = ElSize(y.dtype);
  w.c = Base<const uint8_t>(c);
  w.a = x.data + x.offset * es;
  w.b = z.data + z.offset * es;
  w.y = y.data + y.offset * es;
  w.size = y.size;
  tl_task_fn task = es == 8 ? WhereTask<uint64_t> : es == 4 ? WhereTask<uint32_t> : WhereTask<uint8_t>;
  rt->parallel_for(ThreadsFor(rt, w.size, 1 << 16), task, &w);
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(binary) = {
    {"add", AddSub<false, Add>},
    {"sub", AddSub<true, Sub>},
    {"mul", Arith<Mul>},
    {"div", Arith<Div>},
    {"floorDiv", ScalarArith<FloorDiv>},
    {"remainder", ScalarArith<Remainder>},
    {"pow", ScalarArith<Pow>},
    {"maximum", Arith<Maximum>},
    {"minimum", Arith<Minimum>},
    {"eq", Compare<Eq>},
    {"ne", Compare<Ne>},
    {"lt", Compare<Lt>},
    {"le", Compare<Le>},
    {"gt", Compare<Gt>},
    {"ge", Compare<Ge>},
    {"logicalAnd", Compare<And>},
    {"logicalOr", Compare<Or>},
    {"logicalXor", Compare<Xor>},
    {"where", Where},
    {nullptr, nullptr},
};
