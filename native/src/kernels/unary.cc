// Elementwise unary ops for float32 and float64 (other dtypes answer TL_ERR_UNSUPPORTED and the
// TypeScript wrapper runs the js kernel). float32 exp/log/tanh/sigmoid/silu/gelu-tanh use the vector
// math of simd/vmath.h on AVX builds; everything else is either exact vector arithmetic or the
// scalar formula of src/backends/js/unary.ts evaluated in float64, then rounded.
#include <math.h>

#include "elementwise.h"
#include "../simd/vmath.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// An op's attributes, copied into a local before the loop (so stores cannot alias them).
struct Params {
  double d0, d1;
};

TL_INLINE double Sigmoid(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}

// Each op: kVec32/kVec64 say whether Vec<S> exists for float32/float64; Dbl is the float64 formula
// (the js kernel's), used for the other cases. kVecGrain: elements per thread of the vector path.
// Exact vector ops are memory-bound (one thread streams 64K floats in ~10 µs, about what handing
// half to a second thread costs on an idle machine and far less than it costs on a loaded one:
// relu of a 128×512 activation took ~200 µs on 2 threads vs ~60 on one at load 8 on 2 cores).
#define TL_SIMPLE_OP(Name, vec_expr, dbl_expr)                                       \
  struct Name {                                                                      \
    static constexpr bool kVec32 = true, kVec64 = true;                              \
    static constexpr int64_t kVecGrain = int64_t(1) << 16;                           \
    template <class S>                                                               \
    static TL_INLINE typename S::V Vec(typename S::V x, const Params& q) {           \
      (void)q;                                                                       \
      return vec_expr;                                                               \
    }                                                                                \
    static TL_INLINE double Dbl(double x, const Params& q) {                         \
      (void)q;                                                                       \
      return dbl_expr;                                                               \
    }                                                                                \
  };

#define TL_SCALAR_OP(Name, dbl_expr)                                                 \
  struct Name {                                                                      \
    static constexpr bool kVec32 = false, kVec64 = false;                            \
    static constexpr int64_t kVecGrain = int64_t(1) << 15;                           \
    template <class S>                                                               \
    static TL_INLINE typename S::V Vec(typename S::V x, const Params&) { return x; } \
    static TL_INLINE double Dbl(double x, const Params& q) {                         \
      (void)q;                                                                       \
      return dbl_expr;                                                               \
    }                                                                                \
  };

// float32 vector math where this build has it, float64 through libm.
#define TL_MATH_OP(Name, vec_expr, dbl_expr)                                         \
  struct Name {                                                                      \
    static constexpr bool kVec32 = TL_VECTOR_MATH, kVec64 = false;                   \
    static constexpr int64_t kVecGrain = int64_t(1) << 15;                           \
    template <class S>                                                               \
    static TL_INLINE typename S::V Vec(typename S::V x, const Params& q) {           \
      (void)q;                                                                       \
      return vec_expr;                                                               \
    }                                                                                \
    static TL_INLINE double Dbl(double x, const Params& q) {                         \
      (void)q;                                                                       \
      return dbl_expr;                                                               \
    }                                                                                \
  };

#define ONE S::set1(1)
#define ZERO S::set1(0)
#define PARAM0 S::set1(static_cast<typename S::T>(q.d0))
#define PARAM1 S::set1(static_cast<typename S::T>(q.d1))

TL_SIMPLE_OP(Neg, S::neg(x), -x)
TL_SIMPLE_OP(Abs, S::abs(x), fabs(x))
TL_SIMPLE_OP(Sign, S::select(S::gt(x, ZERO), ONE, S::select(S::lt(x, ZERO), S::set1(-1), ZERO)),
             x > 0 ? 1 : x < 0 ? -1 : 0)
TL_SIMPLE_OP(Sqrt, S::sqrt(x), sqrt(x))
TL_SIMPLE_OP(Rsqrt, S::div(ONE, S::sqrt(x)), 1 / sqrt(x))
TL_SIMPLE_OP(Square, S::mul(x, x), x * x)
TL_SIMPLE_OP(Relu, S::select(S::gt(x, ZERO), x, ZERO), x > 0 ? x : 0)
TL_SIMPLE_OP(Floor, S::floor(x), floor(x))
TL_SIMPLE_OP(Ceil, S::ceil(x), ceil(x))
TL_SIMPLE_OP(Round, S::round_even(x), nearbyint(x))
TL_SIMPLE_OP(Reciprocal, S::div(ONE, x), 1 / x)
TL_SIMPLE_OP(LeakyRelu, S::select(S::gt(x, ZERO), x, S::mul(x, PARAM0)), x > 0 ? x : x * q.d0)
// NaN stays NaN: both comparisons are false for it.
TL_SIMPLE_OP(Clamp, S::select(S::lt(x, PARAM0), PARAM0, S::select(S::gt(x, PARAM1), PARAM1, x)),
             x < q.d0 ? q.d0 : x > q.d1 ? q.d1 : x)

#if TL_VECTOR_MATH
TL_MATH_OP(Exp, VExp<S>(x), exp(x))
TL_MATH_OP(Log, VLog<S>(x), log(x))
TL_MATH_OP(Tanh, VTanh<S>(x), tanh(x))
TL_MATH_OP(SigmoidOp, VSigmoid<S>(x), Sigmoid(x))
TL_MATH_OP(Silu, S::mul(x, VSigmoid<S>(x)), x * Sigmoid(x))
// ½x(1 + tanh u) = x·σ(2u): no cancellation for negative x.
TL_MATH_OP(GeluTanh,
           S::mul(x, VSigmoid<S>(S::mul(S::fma(S::mul(S::mul(S::set1(0.044715f), x), x), x, x), S::set1(1.5957691216057308f)))),
           0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))))
#else
TL_SCALAR_OP(Exp, exp(x))
TL_SCALAR_OP(Log, log(x))
TL_SCALAR_OP(Tanh, tanh(x))
TL_SCALAR_OP(SigmoidOp, Sigmoid(x))
TL_SCALAR_OP(Silu, x * Sigmoid(x))
TL_SCALAR_OP(GeluTanh, 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))))
#endif
TL_SCALAR_OP(Log1p, log1p(x))
TL_SCALAR_OP(Sin, sin(x))
TL_SCALAR_OP(Cos, cos(x))
TL_SCALAR_OP(Erf, erf(x))
TL_SCALAR_OP(GeluErf, 0.5 * x * (1 + erf(x / 1.4142135623730951)))
TL_SCALAR_OP(Elu, x > 0 ? x : q.d0 * expm1(x))
TL_SCALAR_OP(Softplus, q.d0 * x > q.d1 ? x : ((q.d0 * x > 0 ? q.d0 * x : 0) + log1p(exp(-fabs(q.d0 * x)))) / q.d0)
TL_SCALAR_OP(PowScalar, pow(x, q.d0))
TL_SCALAR_OP(RpowScalar, pow(q.d0, x))

template <class Op, class S>
void VecRow(const typename S::T* x, typename S::T* y, int64_t n, const double* p) {
  const Params q{p[0], p[1]};
  int64_t i = 0;
  for (; i + S::W <= n; i += S::W) S::store(y + i, Op::template Vec<S>(S::load(x + i), q));
  if (i < n) S::storen(y + i, Op::template Vec<S>(S::loadn(x + i, static_cast<int>(n - i)), q), static_cast<int>(n - i));
}

template <class Op, class T>
void DblRow(const T* x, T* y, int64_t n, const double* p) {
  const Params q{p[0], p[1]};
  for (int64_t i = 0; i < n; i++) y[i] = static_cast<T>(Op::Dbl(static_cast<double>(x[i]), q));
}

template <class Op>
int Run(const tl_args* a, const tl_runtime* rt, const double* params) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const int dt = a->t[0].dtype;
  if (dt != a->t[1].dtype) return TL_ERR_UNSUPPORTED;
  if (dt == TL_F32) {
    if constexpr (Op::kVec32) return RunUnary<float, float>(a, rt, VecRow<Op, F32>, params, Op::kVecGrain);
    else return RunUnary<float, float>(a, rt, DblRow<Op, float>, params, 1 << 12);
  }
  if (dt == TL_F64) {
    if constexpr (Op::kVec64) return RunUnary<double, double>(a, rt, VecRow<Op, F64>, params, Op::kVecGrain);
    else return RunUnary<double, double>(a, rt, DblRow<Op, double>, params, 1 << 12);
  }
  return TL_ERR_UNSUPPORTED;
}

const double kNoParams[2] = {0, 0};

template <class Op>
int Kernel(const tl_args* a, const tl_runtime* rt) { return Run<Op>(a, rt, kNoParams); }

// Ops with attributes: the wrapper sends them in the op's documented order.
template <class Op, int kAttrs>
int KernelWithAttrs(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < kAttrs) return TL_ERR_ARGS;
  double p[2] = {a->attrs[0], kAttrs > 1 ? a->attrs[1] : 0};
  return Run<Op>(a, rt, p);
}

// gelu: attrs[0] = 1 for the tanh form, 0 for erf.
int Gelu(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < 1) return TL_ERR_ARGS;
  return a->attrs[0] != 0 ? Run<GeluTanh>(a, rt, kNoParams) : Run<GeluErf>(a, rt, kNoParams);
}

// x ** p: p = 2 is a square (exact, vectorized); others go through pow.
int PowScalarKernel(const tl_args* a, const tl_runtime* rt) {
  if (a->n_attrs < 1) return TL_ERR_ARGS;
  if (a->attrs[0] == 2) return Run<Square>(a, rt, kNoParams);
  double p[2] = {a->attrs[0], 0};
  return Run<PowScalar>(a, rt, p);
}

// Predicates: any input dtype, bool output.
struct IsNanOp {
  template <class T>
  static void Row(const T* x, uint8_t* y, int64_t n, const double*) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] != x[i];
  }
};
struct IsFiniteOp {
  template <class T>
  static void Row(const T* x, uint8_t* y, int64_t n, const double*) {
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - x[i]) == 0;
  }
};
struct LogicalNotOp {
  template <class T>
  static void Row(const T* x, uint8_t* y, int64_t n, const double*) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] == 0;
  }
};

template <class Op>
int Predicate(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  if (a->t[1].dtype != TL_BOOL) return TL_ERR_UNSUPPORTED;
  switch (a->t[0].dtype) {
    case TL_F32: return RunUnary<float, uint8_t>(a, rt, Op::template Row<float>, kNoParams, 1 << 16);
    case TL_F64: return RunUnary<double, uint8_t>(a, rt, Op::template Row<double>, kNoParams, 1 << 16);
    case TL_I32: return RunUnary<int32_t, uint8_t>(a, rt, Op::template Row<int32_t>, kNoParams, 1 << 16);
    default: return RunUnary<uint8_t, uint8_t>(a, rt, Op::template Row<uint8_t>, kNoParams, 1 << 16);
  }
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(unary) = {
    {"neg", Kernel<Neg>},
    {"abs", Kernel<Abs>},
    {"sign", Kernel<Sign>},
    {"exp", Kernel<Exp>},
    {"log", Kernel<Log>},
    {"log1p", Kernel<Log1p>},
    {"sqrt", Kernel<Sqrt>},
    {"rsqrt", Kernel<Rsqrt>},
    {"square", Kernel<Square>},
    {"sin", Kernel<Sin>},
    {"cos", Kernel<Cos>},
    {"tanh", Kernel<Tanh>},
    {"sigmoid", Kernel<SigmoidOp>},
    {"relu", Kernel<Relu>},
    {"erf", Kernel<Erf>},
    {"silu", Kernel<Silu>},
    {"floor", Kernel<Floor>},
    {"ceil", Kernel<Ceil>},
    {"round", Kernel<Round>},
    {"reciprocal", Kernel<Reciprocal>},
    {"logicalNot", Predicate<LogicalNotOp>},
    {"isnan", Predicate<IsNanOp>},
    {"isfinite", Predicate<IsFiniteOp>},
    {"leakyRelu", KernelWithAttrs<LeakyRelu, 1>},  // attrs: negativeSlope
    {"elu", KernelWithAttrs<Elu, 1>},              // attrs: alpha
    {"gelu", Gelu},                                // attrs: approximate (1 = tanh)
    {"softplus", KernelWithAttrs<Softplus, 2>},    // attrs: beta, threshold
    {"clamp", KernelWithAttrs<Clamp, 2>},          // attrs: min, max (±inf when absent)
    {"powScalar", PowScalarKernel},                // attrs: exponent
    {"rpowScalar", KernelWithAttrs<RpowScalar, 1>},  // attrs: base
    {nullptr, nullptr},
};
