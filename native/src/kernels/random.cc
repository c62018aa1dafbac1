// The counter-based random kernels: bit-identical to src/core/rng.ts. Value i of a random op is a
// pure function of (key, offset + i), so threads can split the work and still give the exact
// numbers the js kernels give. normal needs V8's own log and cos (fdlibm), ported below: libm's
// differ in the last bit for about 7% of inputs (checked over all 2^24 inputs the kernel can see).
// Build with -ffp-contract=off (binding.gyp does): a fused multiply-add would change the bits.
#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Wellons' lowbias32, as rng.ts mix32 (Math.imul is a wrapping 32-bit multiply).
TL_INLINE uint32_t Mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

// rng.ts randomUint32 split in two: the key/high-word part is constant over 2^32 indices.
TL_INLINE uint32_t KeyMix(uint32_t key) { return Mix32(key ^ 0x9e3779b9u); }
TL_INLINE uint32_t HighMix(uint32_t key, uint32_t hi) { return Mix32(hi + key + 0x632be5abu); }
TL_INLINE uint32_t RandomUint32(uint32_t key, uint64_t index) {
  return Mix32(Mix32(static_cast<uint32_t>(index) ^ KeyMix(key)) ^ HighMix(key, static_cast<uint32_t>(index >> 32)));
}
TL_INLINE double Uniform24(uint32_t key, uint64_t index) {
  return static_cast<double>(RandomUint32(key, index) >> 8) / 16777216.0;
}

TL_INLINE uint32_t HighWord(double x) {
  uint64_t b;
  memcpy(&b, &x, 8);
  return static_cast<uint32_t>(b >> 32);
}
TL_INLINE uint32_t LowWord(double x) {
  uint64_t b;
  memcpy(&b, &x, 8);
  return static_cast<uint32_t>(b);
}
TL_INLINE double FromWords(uint32_t hi, uint32_t lo) {
  uint64_t b = (static_cast<uint64_t>(hi) << 32) | lo;
  double x;
  memcpy(&x, &b, 8);
  return x;
}

// fdlibm's __ieee754_log (what V8's Math.log computes).
double FdLog(double x) {
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const double two54 = 1.80143985094819840000e+16;
  const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
               Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
               Lg7 = 1.479819860511658591e-01;
  int32_t hx = static_cast<int32_t>(HighWord(x));
  uint32_t lx = LowWord(x);
  int32_t k = 0;
  if (hx < 0x00100000) {  // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) == 0) return -__builtin_inf();
    if (hx < 0) return __builtin_nan("");
    k -= 54;
    x *= two54;
    hx = static_cast<int32_t>(HighWord(x));
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  int32_t i = (hx + 0x95f64) & 0x100000;
  x = FromWords(static_cast<uint32_t>(hx | (i ^ 0x3ff00000)), LowWord(x));  // x or x/2 in [√½, √2)
  k += (i >> 20);
  double f = x - 1.0;
  double dk;
  if ((0x000fffff & (2 + hx)) < 3) {  // |f| < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      dk = static_cast<double>(k);
      return dk * ln2_hi + dk * ln2_lo;
    }
    double R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    dk = static_cast<double>(k);
    return dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  double s = f / (2.0 + f);
  dk = static_cast<double>(k);
  double z = s * s;
  i = hx - 0x6147a;
  double w = z * z;
  int32_t j = 0x6b851 - hx;
  double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  double R = t2 + t1;
  if (i > 0) {
    double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

// fdlibm's __kernel_cos and __kernel_sin on [-π/4, π/4] (x + y, y the tail of the reduction).
double KernelCos(double x, double y) {
  const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
               C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  int32_t ix = static_cast<int32_t>(HighWord(x) & 0x7fffffff);
  if (ix < 0x3e400000 && static_cast<int>(x) == 0) return 1.0;
  double z = x * x;
  double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3FD33333) return 1.0 - (0.5 * z - (z * r - x * y));
  double qx = ix > 0x3fe90000 ? 0.28125 : FromWords(static_cast<uint32_t>(ix - 0x00200000), 0);
  double hz = 0.5 * z - qx;
  double a = 1.0 - qx;
  return a - (hz - (z * r - x * y));
}

double KernelSin(double x, double y) {
  const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
               S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  int32_t ix = static_cast<int32_t>(HighWord(x) & 0x7fffffff);
  if (ix < 0x3e400000 && static_cast<int>(x) == 0) return x;
  double z = x * x, v = z * x;
  double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

// fdlibm's cos for 0 ≤ x < 2^19·π/2 (the Box–Muller angle is in [0, 2π)): reduce by π/2 in up to
// three steps of a three-part π/2, then the kernels.
double FdCosSmall(double x) {
  const double invpio2 = 6.36619772367581382433e-01, pio2_1 = 1.57079632673412561417e+00,
               pio2_1t = 6.07710050650619224932e-11, pio2_2 = 6.07710050630396597660e-11,
               pio2_2t = 2.02226624879595063154e-21, pio2_3 = 2.02226624871116645580e-21,
               pio2_3t = 8.47842766036889956997e-32;
  int32_t ix = static_cast<int32_t>(HighWord(x) & 0x7fffffff);
  if (ix <= 0x3fe921fb) return KernelCos(x, 0.0);
  double y0, y1;
  int32_t n;
  if (ix < 0x4002d97c) {  // x < 3π/4: n = 1
    double z = x - pio2_1;
    if (ix != 0x3ff921fb) {
      y0 = z - pio2_1t;
      y1 = (z - y0) - pio2_1t;
    } else {  // near π/2: more bits of π/2
      z -= pio2_2;
      y0 = z - pio2_2t;
      y1 = (z - y0) - pio2_2t;
    }
    n = 1;
  } else {
    n = static_cast<int32_t>(x * invpio2 + 0.5);
    double fn = static_cast<double>(n);
    double r = x - fn * pio2_1;
    double w = fn * pio2_1t;
    int32_t j = ix >> 20;
    y0 = r - w;
    int32_t i = j - static_cast<int32_t>((HighWord(y0) >> 20) & 0x7ff);
    if (i > 16) {  // cancellation: a second step
      double t = r;
      w = fn * pio2_2;
      r = t - w;
      w = fn * pio2_2t - ((t - r) - w);
      y0 = r - w;
      i = j - static_cast<int32_t>((HighWord(y0) >> 20) & 0x7ff);
      if (i > 49) {  // and a third
        t = r;
        w = fn * pio2_3;
        r = t - w;
        w = fn * pio2_3t - ((t - r) - w);
        y0 = r - w;
      }
    }
    y1 = (r - y0) - w;
  }
  switch (n & 3) {
    case 0: return KernelCos(y0, y1);
    case 1: return -KernelSin(y0, y1);
    case 2: return -KernelCos(y0, y1);
    default: return KernelSin(y0, y1);
  }
}

// rng.ts normalAt: Box–Muller on draws 2i and 2i+1.
TL_INLINE double NormalAt(uint32_t key, uint64_t index) {
  double u1 = 1 - Uniform24(key, 2 * index);
  double u2 = Uniform24(key, 2 * index + 1);
  return __builtin_sqrt(-2 * FdLog(u1)) * FdCosSmall(2 * 3.141592653589793 * u2);
}

enum Dist { kUniform, kNormal, kRandint };

struct RandomCtx {
  char* data;
  int64_t size;
  uint32_t key;
  uint64_t offset;
  double p0, p1;  // low/high or mean/std
};

template <class T, Dist kDist>
void RandomTask(void* p, int ith, int nth) {
  const RandomCtx& c = *static_cast<const RandomCtx*>(p);
  int64_t start, end;
  Split(c.size, ith, nth, &start, &end);
  T* d = reinterpret_cast<T*>(c.data);
  const uint32_t key = c.key;
  if constexpr (kDist == kNormal) {
    const double mean = c.p0, std = c.p1;
    for (int64_t i = start; i < end; i++) d[i] = StoreNumber<T>(mean + std * NormalAt(key, c.offset + i));
  } else {
    const double low = c.p0, range = c.p1 - c.p0;
    const uint32_t km = KeyMix(key);
    int64_t i = start;
    while (i < end) {
      // Within one run the high word of the index is constant: the loop is pure 32-bit math.
      uint64_t index = c.offset + i;
      uint32_t hi = static_cast<uint32_t>(index >> 32);
      uint64_t run = (uint64_t(1) << 32) - (index & 0xffffffffu);
      int64_t stop = end - i < static_cast<int64_t>(run) ? end : i + static_cast<int64_t>(run);
      const uint32_t hm = HighMix(key, hi);
      const uint32_t lo0 = static_cast<uint32_t>(index);
      for (int64_t k = i; k < stop; k++) {
        uint32_t r = Mix32(Mix32((lo0 + static_cast<uint32_t>(k - i)) ^ km) ^ hm);
        double u = static_cast<double>(r >> 8) / 16777216.0;
        if constexpr (kDist == kUniform) d[k] = StoreNumber<T>(low + range * u);
        else d[k] = StoreNumber<T>(low + __builtin_floor(u * range));
      }
      i = stop;
    }
  }
}

template <Dist kDist>
int RandomKernel(const tl_args* a, const tl_runtime* rt, int64_t grain) {
  if (a->n_in != 0 || a->n_out != 1 || a->n_attrs < 4) return TL_ERR_ARGS;
  const tl_tensor& out = a->t[0];
  RandomCtx c;
  c.data = out.data + out.offset * ElSize(out.dtype);
  c.size = out.size;
  c.key = static_cast<uint32_t>(static_cast<uint64_t>(a->attrs[0]));
  c.offset = static_cast<uint64_t>(a->attrs[1]);
  c.p0 = a->attrs[2];
  c.p1 = a->attrs[3];
  tl_task_fn task;
  switch (out.dtype) {
    case TL_F32: task = RandomTask<float, kDist>; break;
    case TL_F64: task = RandomTask<double, kDist>; break;
    case TL_I32: task = RandomTask<int32_t, kDist>; break;
    default: task = RandomTask<uint8_t, kDist>; break;
  }
  rt->parallel_for(ThreadsFor(rt, c.size, grain), task, &c);
  return TL_OK;
}

// attrs: key, offset, low, high.
int Uniform(const tl_args* a, const tl_runtime* rt) { return RandomKernel<kUniform>(a, rt, 1 << 15); }
// attrs: key, offset, mean, std.
int Normal(const tl_args* a, const tl_runtime* rt) { return RandomKernel<kNormal>(a, rt, 1 << 12); }
// attrs: key, offset, low, high.
int Randint(const tl_args* a, const tl_runtime* rt) { return RandomKernel<kRandint>(a, rt, 1 << 15); }

template <class T>
void Permute(T* d, int64_t n, uint32_t key, uint64_t offset) {
  for (int64_t i = 0; i < n; i++) d[i] = StoreNumber<T>(static_cast<double>(i));
  for (int64_t i = n - 1; i > 0; i--) {
    int64_t j = static_cast<int64_t>(__builtin_floor(Uniform24(key, offset + i) * static_cast<double>(i + 1)));
    T t = d[i];
    d[i] = d[j];
    d[j] = t;
  }
}

// randperm: Fisher–Yates driven by the stream, as the js kernel. attrs: key, offset.
int Randperm(const tl_args* a, const tl_runtime*) {
  if (a->n_in != 0 || a->n_out != 1 || a->n_attrs < 2) return TL_ERR_ARGS;
  const tl_tensor& out = a->t[0];
  uint32_t key = static_cast<uint32_t>(static_cast<uint64_t>(a->attrs[0]));
  uint64_t offset = static_cast<uint64_t>(a->attrs[1]);
  switch (out.dtype) {
    case TL_F32: Permute(Base<float>(out), out.size, key, offset); break;
    case TL_F64: Permute(Base<double>(out), out.size, key, offset); break;
    case TL_I32: Permute(Base<int32_t>(out), out.size, key, offset); break;
    default: return TL_ERR_UNSUPPORTED;
  }
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(random) = {
    {"uniform", Uniform},
    {"normal", Normal},
    {"randint", Randint},
    {"randperm", Randperm},
    {nullptr, nullptr},
};
