// maxPool2dValues on whole 2×2 blocks at stride 2, the common CNN pool, without indices: two
// output rows per vector on narrow planes, plain maxima unless a vector holds a NaN.
#include "pool_2x2.h"

#include "pool_lanes.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// ---- maxPool2dValues when every window is a whole 2×2 block at stride 2 ----
// (floor mode, no padding or dilation: output row oh reads input rows 2·oh and 2·oh + 1, output
// column ow columns 2·ow and 2·ow + 1.) The scan a, b (top row), c, d (bottom row) regrouped as
// (a then b) then (c then d): the step "v replaces best when greater or NaN" is associative (the
// fold gives the last NaN if any, else the first maximum), so the result is the scan's, bit for
// bit, with two of the three steps independent. `Then` is one step: max(v, best) is best when v
// is not greater (ties keep the earlier, a NaN best stays), and a NaN v wins.

template <class S>
TL_INLINE typename S::V Then(typename S::V best, typename S::V v) {
  return S::select(S::isnan(v), v, S::max(v, best));
}

// True when no lane of a, b, c, d holds a NaN.
#if defined(TENSILE_ISA_AVX512)
TL_INLINE bool NoNan(__m512 a, __m512 b, __m512 c, __m512 d) {
  return _kortestz_mask16_u8(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), _mm512_cmp_ps_mask(c, d, _CMP_UNORD_Q));
}
TL_INLINE bool NoNan(__m512d a, __m512d b, __m512d c, __m512d d) {
  return _kortestz_mask8_u8(_mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q), _mm512_cmp_pd_mask(c, d, _CMP_UNORD_Q));
}
#elif defined(TENSILE_ISA_AVX2)
TL_INLINE bool NoNan(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 m = _mm256_or_ps(_mm256_cmp_ps(a, b, _CMP_UNORD_Q), _mm256_cmp_ps(c, d, _CMP_UNORD_Q));
  return _mm256_testz_ps(m, m);
}
TL_INLINE bool NoNan(__m256d a, __m256d b, __m256d c, __m256d d) {
  const __m256d m = _mm256_or_pd(_mm256_cmp_pd(a, b, _CMP_UNORD_Q), _mm256_cmp_pd(c, d, _CMP_UNORD_Q));
  return _mm256_testz_pd(m, m);
}
#elif defined(TENSILE_ISA_NEON)
TL_INLINE bool NoNan(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
  // a == a and b == b fail only for NaN lanes: the smallest lane of the ANDed compares is 0 then.
  const uint32x4_t ok = vandq_u32(vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b)), vandq_u32(vceqq_f32(c, c), vceqq_f32(d, d)));
  return vminvq_u32(ok) != 0;
}
TL_INLINE bool NoNan(float64x2_t a, float64x2_t b, float64x2_t c, float64x2_t d) {
  const uint64x2_t ok = vandq_u64(vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b)), vandq_u64(vceqq_f64(c, c), vceqq_f64(d, d)));
  return vminvq_u32(vreinterpretq_u32_u64(ok)) != 0;
}
#endif

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2) || defined(TENSILE_ISA_NEON)
// The windows' maxima from their taps a, b (top row) and c, d (bottom row), lane by lane. Without
// a NaN among them the three steps are plain maxima (max(v, best) keeps best on ties); a vector
// with a NaN anywhere takes the steps with their NaN selects. Two compares decide, where the
// selects would cost three compares and three blends on every vector.
template <class S>
TL_INLINE typename S::V Max4(typename S::V a, typename S::V b, typename S::V c, typename S::V d) {
  if (__builtin_expect(NoNan(a, b, c, d), 1)) return S::max(S::max(d, c), S::max(b, a));
  return Then<S>(Then<S>(a, b), Then<S>(c, d));
}
#endif

template <class T>
struct Max2x2Ctx {
  const T* x;
  T* y;
  int64_t inH, inW, outH, outW;
  int64_t rows;  // planes·outH output rows, contiguous in y
};

// Walks input row pairs in output-row order without a division per row: top is the first of the
// two input rows of output row (plane, oh).
template <class T>
struct RowWalk {
  const T* top;
  int64_t oh, outH, step, skip;  // step: two input rows; skip: the unpooled rows at a plane's end
  TL_INLINE const T* Next() {
    const T* r = top;
    top += step;
    if (++oh == outH) {
      oh = 0;
      top += skip;
    }
    return r;
  }
};

#if defined(TENSILE_ISA_AVX512)
// Lanes gathered from two vectors: index i < W picks a's lane i, W + i b's lane i.
TL_INLINE __m512 Pick2(__m512 a, __m512i i, __m512 b) { return _mm512_permutex2var_ps(a, i, b); }
TL_INLINE __m512d Pick2(__m512d a, __m512i i, __m512d b) { return _mm512_permutex2var_pd(a, i, b); }
// The index vector of Pick2 for T's lane width.
template <class T>
TL_INLINE __m512i IndexVector(const int64_t* k) {
  if constexpr (sizeof(T) == 4) {
    alignas(64) int32_t b[16];
    for (int i = 0; i < 16; i++) b[i] = static_cast<int32_t>(k[i]);
    return _mm512_load_si512(b);
  } else {
    return _mm512_loadu_si512(k);
  }
}
#endif

template <class T>
void Max2x2ValuesTask(void* p, int ith, int nth) {
  const Max2x2Ctx<T>& c = *static_cast<const Max2x2Ctx<T>*>(p);
  using S = typename VecOf<T>::S;
  using V [[maybe_unused]] = typename S::V;  // the generic build's loop is scalar
  int64_t q0, q1;
  Split(c.rows, ith, nth, &q0, &q1);
  if (q0 >= q1) return;
  const int64_t W = c.inW, OW = c.outW;
  RowWalk<T> walk{c.x + (q0 / c.outH) * c.inH * W + 2 * (q0 % c.outH) * W, q0 % c.outH, c.outH, 2 * W, (c.inH - 2 * c.outH) * W};
  T* out = c.y + q0 * OW;
  int64_t q = q0;
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2) || defined(TENSILE_ISA_NEON)
  constexpr int L = S::W;
#endif
#if defined(TENSILE_ISA_AVX2) || defined(TENSILE_ISA_NEON)
  // AVX2's masked stores are slow on AMD CPUs (and NEON has none): partial vectors are stored
  // whole while one ends inside this task's output, the lanes past the n results rewritten by the
  // next store (the task writes its output in order); only the last ones masked.
  T* const outEnd = c.y + q1 * OW;
  const auto put = [outEnd](T* dst, V v, int n) {
    if (dst + L <= outEnd) S::store(dst, v);
    else S::storen(dst, v, n);
  };
#endif
#if defined(TENSILE_ISA_AVX512)
  if (2 * OW <= L) {
    // Rows of at most half a vector of windows: two output rows per vector, row q's even (odd)
    // input elements picked into lanes [0, OW), row q + 1's into [OW, 2·OW).
    int64_t k[16] = {0};
    for (int i = 0; i < 2 * OW; i++) k[i] = i < OW ? 2 * i : L + 2 * (i - OW);
    const __m512i even = IndexVector<T>(k), odd = _mm512_add_epi32(even, sizeof(T) == 4 ? _mm512_set1_epi32(1) : _mm512_set1_epi64(1));
    const int n = static_cast<int>(2 * OW);  // input elements of one row, results of two
    while (q < q1) {
      // An odd last row is computed twice over, its second copy not stored.
      const bool two = q + 2 <= q1;
      const T* t0 = walk.Next();
      const T* t1 = two ? walk.Next() : t0;
      // Masked loads and stores: on Zen 4 faster here than whole vectors across cache lines.
      const V a0 = S::loadn(t0, n), a1 = S::loadn(t1, n), b0 = S::loadn(t0 + W, n), b1 = S::loadn(t1 + W, n);
      const V r = Max4<S>(Pick2(a0, even, a1), Pick2(a0, odd, a1), Pick2(b0, even, b1), Pick2(b0, odd, b1));
      const int m = two ? n : static_cast<int>(OW);
      S::storen(out, r, m);
      out += m;
      q += two ? 2 : 1;
    }
    return;
  }
  // Wider rows: whole vectors of L windows, then a partial one (n windows) whose 2·n input
  // elements come from two whole vectors, the second ending at the row's last pooled element,
  // so loads never leave the row (2·OW > L here).
  const int64_t whole = OW - OW % L;
  const int n = static_cast<int>(OW % L);
  const int64_t lo = 2 * n <= L ? 2 * OW - L : 2 * whole, hi = 2 * OW - L;
  int64_t k[16] = {0};
  for (int i = 0; i < n; i++) k[i] = 2 * n <= L ? 2 * i + L - 2 * n : 2 * i < L ? 2 * i : 2 * i + 2 * L - 2 * n;
  const __m512i even = IndexVector<T>(k), odd = _mm512_add_epi32(even, sizeof(T) == 4 ? _mm512_set1_epi32(1) : _mm512_set1_epi64(1));
#endif
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2) || defined(TENSILE_ISA_NEON)
  for (; q < q1; q++) {
    const T* t = walk.Next();
    const T* u = t + W;
    V a, b, cc, d;
    for (int64_t ow = 0; ow < OW - OW % L; ow += L) {
      Deinterleave(S::load(t + 2 * ow), S::load(t + 2 * ow + L), &a, &b);
      Deinterleave(S::load(u + 2 * ow), S::load(u + 2 * ow + L), &cc, &d);
      S::store(out + ow, Max4<S>(a, b, cc, d));
    }
#if defined(TENSILE_ISA_AVX512)
    if (n > 0) {
      const V t0 = S::load(t + lo), t1 = S::load(t + hi), u0 = S::load(u + lo), u1 = S::load(u + hi);
      S::storen(out + whole, Max4<S>(Pick2(t0, even, t1), Pick2(t0, odd, t1), Pick2(u0, even, u1), Pick2(u0, odd, u1)), n);
    }
#else
    if (OW % L > 0) {
      const int64_t ow = OW - OW % L;
      const int n = static_cast<int>(OW % L);
      const int lo = 2 * n < L ? 2 * n : L, hi = 2 * n - lo;  // input elements per half
      Deinterleave(S::loadn(t + 2 * ow, lo), S::loadn(t + 2 * ow + L, hi), &a, &b);
      Deinterleave(S::loadn(u + 2 * ow, lo), S::loadn(u + 2 * ow + L, hi), &cc, &d);
      put(out + ow, Max4<S>(a, b, cc, d), n);
    }
#endif
    out += OW;
  }
#else
  for (; q < q1; q++) {
    const T* t = walk.Next();
    const T* u = t + W;
    for (int64_t ow = 0; ow < OW; ow++) {
      out[ow] = Then<S>(Then<S>(t[2 * ow], t[2 * ow + 1]), Then<S>(u[2 * ow], u[2 * ow + 1]));
    }
    out += OW;
  }
#endif
}

template <class T>
int Run(const tl_tensor& x, const tl_tensor& y, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
        const tl_runtime* rt) {
  Max2x2Ctx<T> c{Base<const T>(x), Base<T>(y), in_h, in_w, out_h, out_w, y.size / out_w};
  // About 2^15 input elements per thread at least: below that the wake-up costs more than it saves.
  int nth = ThreadsFor(rt, x.size, 1 << 15);
  if (nth > c.rows) nth = static_cast<int>(c.rows);
  rt->parallel_for(nth, Max2x2ValuesTask<T>, &c);
  return TL_OK;
}

}  // namespace

int RunMaxPool2x2Values(const tl_tensor& x, const tl_tensor& y, int64_t in_h, int64_t in_w, int64_t out_h,
                        int64_t out_w, const tl_runtime* rt) {
  if (x.dtype == TL_F32) return Run<float>(x, y, in_h, in_w, out_h, out_w, rt);
  if (x.dtype == TL_F64) return Run<double>(x, y, in_h, in_w, out_h, out_w, rt);
  return TL_ERR_UNSUPPORTED;
}

}  // namespace TENSILE_ISA
}  // namespace tensile
