// Max pooling, with the contracts of src/backends/js/pool.ts: contiguous inputs seen as planes over
// their last two dims, contiguous outputs.
//   maxPool2dIndices / adaptiveMaxPool2dIndices   x → int32 flat plane index of each window's max
//   maxPool2dValues                               x → each window's max (no indices: inference and
//                                                 training forward; the backward recomputes them)
//   maxPool2dBackward                             gy, x → dx: zeros plus gy at each window's max
//   maxPoolPick / maxPoolBackward                 gather / scatter-add through given indices
// Every window is scanned as the js reference does (PyTorch's CPU rule): row-major, the first strict
// maximum wins, a NaN beats everything (the last NaN wins), and an all -inf window gives its first
// position; so indices and values are bit-exact. 2×2 windows at stride 2 (the common CNN pool) take a
// vector path that applies the same scan lane by lane; maxPool2dValues on whole 2×2 blocks (floor
// mode) has its own path below, planes of any width, two output rows per vector on narrow ones.
// Attributes (sliding windows): kH, kW, sH, sW, pH, pW, dH, dW; the adaptive kernel has none.

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Windows along one axis: output o reads first + t·step for t in [0, count).
struct Axis {
  int64_t in, out, k, s, p, d;
  bool adaptive;
  TL_INLINE void Window(int64_t o, int64_t* first, int64_t* count) const {
    if (adaptive) {  // PyTorch's [floor(o·in/out), ceil((o+1)·in/out))
      int64_t lo = o * in / out, hi = ((o + 1) * in + out - 1) / out;
      *first = lo;
      *count = hi - lo;
      return;
    }
    int64_t start = o * s - p;
    int64_t end = start + (k - 1) * d + 1;
    if (end > in) end = in;
    int64_t f = start < 0 ? start + (-start + d - 1) / d * d : start;  // the first tap inside the input
    *first = f;
    *count = end > f ? (end - f + d - 1) / d : 0;
  }
  int64_t step() const { return adaptive ? 1 : d; }
};

// Output columns whose windows a call tabulates on the stack; wider planes run the js kernel.
constexpr int64_t kMaxCols = 4096;

struct ColWindow {
  int32_t first, count;
};

// The scan's step: v replaces the best so far when greater or NaN.
template <class T>
TL_INLINE bool Beats(T v, T best) {
  return v > best || v != v;
}

// What a task writes for each window: its flat index, its value, or (backward) gy added at its index.
enum Mode { kIndices, kValues, kGrad };

template <class T, class G>
struct MaxCtx {
  const T* x;
  const G* gy;     // kGrad
  int32_t* idx;    // kIndices
  T* val;          // kValues
  G* dx;           // kGrad
  Axis rows, cols;
  const ColWindow* cw;
  int64_t planes;
  bool fast;       // 2×2 windows, stride 2, no padding or dilation
};

// One window's scan: flat plane index of the winner, or -1 for an empty window (none reach here
// from the ops, whose output sizes keep every window non-empty).
template <class T>
TL_INLINE int64_t ScanWindow(const T* plane, int64_t inW, int64_t r0, int64_t rn, int64_t rs, int64_t c0, int64_t cn, int64_t cs, T* value) {
  if (rn <= 0 || cn <= 0) return -1;
  int64_t bi = r0 * inW + c0;
  T best = plane[bi];  // same outcome as starting from -inf at the first position
  for (int64_t r = 0; r < rn; r++) {
    const T* row = plane + (r0 + r * rs) * inW;
    for (int64_t c = 0; c < cn; c++) {
      T v = row[c0 + c * cs];
      // Selects rather than a branch: random data mispredicts it about once per window.
      const bool take = Beats(v, best);
      best = take ? v : best;
      bi = take ? (r0 + r * rs) * inW + c0 + c * cs : bi;
    }
  }
  *value = best;
  return bi;
}

// Lane shuffles of the 2×2 path: Deinterleave splits 2·W consecutive elements (a then b) into even
// and odd ones, Interleave undoes it; StoreIndex stores the first n lanes (indices held in float
// lanes) as int32.
#if defined(TENSILE_ISA_AVX512)
TL_INLINE void Deinterleave(__m512 a, __m512 b, __m512* e, __m512* o) {
  *e = _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);
  *o = _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b);
}
TL_INLINE void Deinterleave(__m512d a, __m512d b, __m512d* e, __m512d* o) {
  *e = _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), b);
  *o = _mm512_permutex2var_pd(a, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), b);
}
TL_INLINE void Interleave(__m512 e, __m512 o, __m512* lo, __m512* hi) {
  *lo = _mm512_permutex2var_ps(e, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), o);
  *hi = _mm512_permutex2var_ps(e, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), o);
}
TL_INLINE void Interleave(__m512d e, __m512d o, __m512d* lo, __m512d* hi) {
  *lo = _mm512_permutex2var_pd(e, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), o);
  *hi = _mm512_permutex2var_pd(e, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), o);
}
TL_INLINE void StoreIndex(int32_t* p, __m512 v, int n) { _mm512_mask_storeu_epi32(p, F32::tail(n), _mm512_cvttps_epi32(v)); }
TL_INLINE void StoreIndex(int32_t* p, __m512d v, int n) { _mm256_mask_storeu_epi32(p, F64::tail(n), _mm512_cvttpd_epi32(v)); }
#elif defined(TENSILE_ISA_AVX2)
TL_INLINE void Deinterleave(__m256 a, __m256 b, __m256* e, __m256* o) {
  // shuffle gives [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute puts the a pairs first.
  *e = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
  *o = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
}
TL_INLINE void Deinterleave(__m256d a, __m256d b, __m256d* e, __m256d* o) {
  *e = _mm256_permute4x64_pd(_mm256_unpacklo_pd(a, b), 0xD8);
  *o = _mm256_permute4x64_pd(_mm256_unpackhi_pd(a, b), 0xD8);
}
TL_INLINE void Interleave(__m256 e, __m256 o, __m256* lo, __m256* hi) {
  __m256 l = _mm256_unpacklo_ps(e, o), h = _mm256_unpackhi_ps(e, o);  // [e0 o0 e1 o1 | e4 o4 e5 o5], [e2 .. | e6 ..]
  *lo = _mm256_permute2f128_ps(l, h, 0x20);
  *hi = _mm256_permute2f128_ps(l, h, 0x31);
}
TL_INLINE void Interleave(__m256d e, __m256d o, __m256d* lo, __m256d* hi) {
  __m256d l = _mm256_unpacklo_pd(e, o), h = _mm256_unpackhi_pd(e, o);  // [e0 o0 | e2 o2], [e1 o1 | e3 o3]
  *lo = _mm256_permute2f128_pd(l, h, 0x20);
  *hi = _mm256_permute2f128_pd(l, h, 0x31);
}
TL_INLINE void StoreIndex(int32_t* p, __m256 v, int n) { _mm256_maskstore_epi32(p, F32::tailmask(n), _mm256_cvttps_epi32(v)); }
TL_INLINE void StoreIndex(int32_t* p, __m256d v, int n) {
  _mm_maskstore_epi32(p, _mm_cmpgt_epi32(_mm_set1_epi32(n), _mm_setr_epi32(0, 1, 2, 3)), _mm256_cvttpd_epi32(v));
}
#else
template <class T>
TL_INLINE void Deinterleave(T a, T b, T* e, T* o) {
  *e = a;
  *o = b;
}
template <class T>
TL_INLINE void Interleave(T e, T o, T* lo, T* hi) {
  *lo = e;
  *hi = o;
}
template <class T>
TL_INLINE void StoreIndex(int32_t* p, T v, int) { *p = static_cast<int32_t>(v); }
#endif

// One output row of 2×2 stride-2 windows over input rows r0, r1 (row index ih0 of r0), over the
// first `full` columns (windows inside the input), W lanes at a time (the last vector masked): the
// scan a, b (row 0), c, d (row 1) as selects, so no branch mispredicts on random data. kValues
// writes `val`, kIndices `idx`; kGrad writes input rows d0, d1 (columns [0, 2·full)) directly from
// the gradient row g: g at each winner, +0 elsewhere (0 + g, as the js scatter computes it).
template <Mode kMode, class T>
void Max2x2Row(const T* r0, const T* r1, int64_t ih0, int64_t inW, int64_t full, int32_t* idx, T* val, const T* g, T* d0, T* d1) {
  using S = typename VecOf<T>::S;
  using V = typename S::V;
  using M = typename S::M;
  T lane[S::W];
  for (int i = 0; i < S::W; i++) lane[i] = static_cast<T>(2 * i);
  const V iota2 = S::load(lane);
  const V zero = S::set1(0), one = S::set1(1), down = S::set1(static_cast<T>(inW)), downRight = S::set1(static_cast<T>(inW + 1));
  for (int64_t ow = 0; ow < full; ow += S::W) {
    const int n = full - ow < S::W ? static_cast<int>(full - ow) : S::W;  // windows in this vector
    const int lo = 2 * n < S::W ? 2 * n : S::W, hi = 2 * n - lo;        // input elements per half
    V a, b, c, d;
    if (n == S::W) {
      Deinterleave(S::load(r0 + 2 * ow), S::load(r0 + 2 * ow + S::W), &a, &b);
      Deinterleave(S::load(r1 + 2 * ow), S::load(r1 + 2 * ow + S::W), &c, &d);
    } else {
      Deinterleave(S::loadn(r0 + 2 * ow, lo), S::loadn(r0 + 2 * ow + S::W, hi), &a, &b);
      Deinterleave(S::loadn(r1 + 2 * ow, lo), S::loadn(r1 + 2 * ow + S::W, hi), &c, &d);
    }
    M mb = S::mor(S::gt(b, a), S::isnan(b));
    V best = S::select(mb, b, a);
    M mc = S::mor(S::gt(c, best), S::isnan(c));
    best = S::select(mc, c, best);
    M md = S::mor(S::gt(d, best), S::isnan(d));
    best = S::select(md, d, best);
    if (kMode == kValues) {
      if (n == S::W) S::store(val + ow, best);
      else S::storen(val + ow, best, n);
    } else if (kMode == kIndices) {
      V off = S::select(md, downRight, S::select(mc, down, S::select(mb, one, zero)));
      StoreIndex(idx + ow, S::add(S::add(S::set1(static_cast<T>(ih0 * inW + 2 * ow)), iota2), off), n);
    } else {
      const V gg = n == S::W ? S::load(g + ow) : S::loadn(g + ow, n);
      // The last select that fired names the winner.
      const V gd = S::select(md, gg, zero);
      const V gc = S::select(md, zero, S::select(mc, gg, zero));
      const V gb = S::select(S::mor(md, mc), zero, S::select(mb, gg, zero));
      const V ga = S::select(S::mor(S::mor(md, mc), mb), zero, gg);
      V q0, q1, q2, q3;
      Interleave(S::add(ga, zero), S::add(gb, zero), &q0, &q1);
      Interleave(S::add(gc, zero), S::add(gd, zero), &q2, &q3);
      if (n == S::W) {
        S::store(d0 + 2 * ow, q0);
        S::store(d0 + 2 * ow + S::W, q1);
        S::store(d1 + 2 * ow, q2);
        S::store(d1 + 2 * ow + S::W, q3);
      } else {
        S::storen(d0 + 2 * ow, q0, lo);
        S::storen(d0 + 2 * ow + S::W, q1, hi);
        S::storen(d1 + 2 * ow, q2, lo);
        S::storen(d1 + 2 * ow + S::W, q3, hi);
      }
    }
  }
}

template <Mode kMode, class T, class G>
void MaxTask(void* p, int ith, int nth) {
  const MaxCtx<T, G>& c = *static_cast<const MaxCtx<T, G>*>(p);
  const Axis& R = c.rows;
  const Axis& C = c.cols;
  const int64_t inW = C.in, inPlane = R.in * C.in, outPlane = R.out * C.out;
  int64_t start, end;
  Split(kMode == kGrad ? c.planes : c.planes * R.out, ith, nth, &start, &end);
  int32_t picks[kMaxCols];  // kGrad: one output row's winners
  for (int64_t item = start; item < end; item++) {
    // kGrad works plane by plane (it zeroes the plane, or on the vector path what the vector rows
    // leave); the others row by row.
    const int64_t plane = kMode == kGrad ? item : item / R.out;
    const int64_t oh0 = kMode == kGrad ? 0 : item % R.out, oh1 = kMode == kGrad ? R.out : oh0 + 1;
    const T* xp = c.x + plane * inPlane;
    G* dxp = kMode == kGrad ? c.dx + plane * inPlane : nullptr;
    if (kMode == kGrad && !c.fast) memset(dxp, 0, sizeof(G) * inPlane);
    for (int64_t oh = oh0; oh < oh1; oh++) {
      const int64_t o = plane * outPlane + oh * C.out;
      int64_t r0, rn;
      R.Window(oh, &r0, &rn);
      int64_t ow = 0;
      if constexpr (static_cast<T>(0.5) != T(0)) {  // the vector path: float types only
        if (c.fast) {
          // Windows at stride 2 own rows 2·oh and 2·oh + 1 and columns 2·ow and 2·ow + 1.
          const int64_t full = rn == 2 ? (C.out < inW / 2 ? C.out : inW / 2) : 0;
          if (kMode == kGrad && inW > 2 * full) {
            for (int64_t r = r0; r < r0 + rn; r++) memset(dxp + r * inW + 2 * full, 0, sizeof(G) * (inW - 2 * full));
          }
          if (full > 0) {
            const T* g = kMode == kGrad ? reinterpret_cast<const T*>(c.gy) + o : nullptr;
            T* d0 = kMode == kGrad ? reinterpret_cast<T*>(dxp) + r0 * inW : nullptr;
            Max2x2Row<kMode, T>(xp + r0 * inW, xp + (r0 + 1) * inW, r0, inW, full, kMode == kIndices ? c.idx + o : nullptr,
                                kMode == kValues ? c.val + o : nullptr, g, d0, d0 == nullptr ? nullptr : d0 + inW);
          }
          ow = full;
        }
      }
      for (int64_t j = ow; j < C.out; j++) {
        T best = T(0);
        int64_t bi = ScanWindow(xp, inW, r0, rn, R.step(), c.cw[j].first, c.cw[j].count, C.step(), &best);
        if (kMode == kIndices) c.idx[o + j] = static_cast<int32_t>(bi < 0 ? r0 * inW + c.cw[j].first : bi);
        if (kMode == kValues) c.val[o + j] = best;
        if (kMode == kGrad) picks[j] = static_cast<int32_t>(bi);
      }
      if (kMode == kGrad) {
        const G* g = c.gy + o;
        for (int64_t j = ow; j < C.out; j++) {
          if (picks[j] >= 0) dxp[picks[j]] += g[j];
        }
      }
    }
    if (kMode == kGrad && c.fast) {  // rows below the last window (an odd height)
      const int64_t covered = 2 * R.out < R.in ? 2 * R.out : R.in;
      memset(dxp + covered * inW, 0, sizeof(G) * (R.in - covered) * inW);
    }
  }
}

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
#endif

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
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
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
  constexpr int L = S::W;
#endif
#if defined(TENSILE_ISA_AVX2)
  // AVX2's masked stores are slow on AMD CPUs: partial vectors are stored whole while one ends
  // inside this task's output, the lanes past the n results rewritten by the next store (the
  // task writes its output in order); only the last ones masked.
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
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
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
int RunMax2x2Values(const tl_tensor& x, const tl_tensor& y, const Axis& rows, const Axis& cols, const tl_runtime* rt) {
  Max2x2Ctx<T> c{Base<const T>(x), Base<T>(y), rows.in, cols.in, rows.out, cols.out, y.size / cols.out};
  // About 2^15 input elements per thread at least: below that the wake-up costs more than it saves.
  int nth = ThreadsFor(rt, x.size, 1 << 15);
  if (nth > c.rows) nth = static_cast<int>(c.rows);
  rt->parallel_for(nth, Max2x2ValuesTask<T>, &c);
  return TL_OK;
}

// Reads the window attributes (or the adaptive rule) and the plane sizes; false when malformed.
bool MakeAxes(const tl_args* a, const tl_tensor& in, const tl_tensor& out, bool adaptive, Axis* rows, Axis* cols) {
  if (in.ndim < 2 || out.ndim != in.ndim) return false;
  const int64_t inH = in.shape[in.ndim - 2], inW = in.shape[in.ndim - 1];
  const int64_t outH = out.shape[out.ndim - 2], outW = out.shape[out.ndim - 1];
  for (int dim = 0; dim < in.ndim - 2; dim++) {
    if (in.shape[dim] != out.shape[dim]) return false;
  }
  if (inH < 1 || inW < 1 || outH < 1 || outW < 1) return false;
  *rows = Axis{inH, outH, 1, 1, 0, 1, adaptive};
  *cols = Axis{inW, outW, 1, 1, 0, 1, adaptive};
  if (adaptive) return true;
  if (a->n_attrs != 8) return false;
  const double* at = a->attrs;
  *rows = Axis{inH, outH, int64_t(at[0]), int64_t(at[2]), int64_t(at[4]), int64_t(at[6]), false};
  *cols = Axis{inW, outW, int64_t(at[1]), int64_t(at[3]), int64_t(at[5]), int64_t(at[7]), false};
  return rows->k >= 1 && rows->s >= 1 && rows->p >= 0 && rows->d >= 1 && cols->k >= 1 && cols->s >= 1 && cols->p >= 0 && cols->d >= 1;
}

template <Mode kMode, class T, class G>
int RunMax(const tl_tensor& x, const tl_tensor& gy, const tl_tensor& out, const Axis& rows, const Axis& cols, const tl_runtime* rt) {
  const int64_t inPlane = rows.in * cols.in;
  if (cols.out > kMaxCols || inPlane > (int64_t(1) << 31) - 1) return TL_ERR_UNSUPPORTED;
  ColWindow cw[kMaxCols];
  for (int64_t o = 0; o < cols.out; o++) {
    int64_t f, n;
    cols.Window(o, &f, &n);
    cw[o] = ColWindow{static_cast<int32_t>(f), static_cast<int32_t>(n)};
  }
  MaxCtx<T, G> c{};
  c.x = Base<const T>(x);
  c.rows = rows;
  c.cols = cols;
  c.cw = cw;
  c.planes = (x.size) / inPlane;
  // The vector path keeps indices in float lanes: exact below 2^24 for float32.
  c.fast = !rows.adaptive && rows.k == 2 && cols.k == 2 && rows.s == 2 && cols.s == 2 && rows.p == 0 && cols.p == 0 &&
           rows.d == 1 && cols.d == 1 && (sizeof(T) == 8 || inPlane < (int64_t(1) << 24));
  if (kMode == kIndices) c.idx = Base<int32_t>(out);
  if (kMode == kValues) c.val = Base<T>(out);
  if (kMode == kGrad) {
    c.gy = Base<const G>(gy);
    c.dx = Base<G>(out);
  }
  const int64_t items = kMode == kGrad ? c.planes : c.planes * rows.out;
  int nth = ThreadsFor(rt, c.planes * inPlane, 1 << 15);
  if (nth > items) nth = static_cast<int>(items);
  rt->parallel_for(nth, MaxTask<kMode, T, G>, &c);
  return TL_OK;
}

template <bool kAdaptive>
int MaxIndices(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  Axis rows, cols;
  if (!MakeAxes(a, x, y, kAdaptive, &rows, &cols)) return TL_ERR_ARGS;
  if (y.dtype != TL_I32 || !IsContiguous(x) || !IsContiguous(y)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  switch (x.dtype) {
    case TL_F32: return RunMax<kIndices, float, float>(x, x, y, rows, cols, rt);
    case TL_F64: return RunMax<kIndices, double, double>(x, x, y, rows, cols, rt);
    case TL_I32: return RunMax<kIndices, int32_t, int32_t>(x, x, y, rows, cols, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

int MaxValues(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[1];
  Axis rows, cols;
  if (!MakeAxes(a, x, y, false, &rows, &cols)) return TL_ERR_ARGS;
  if (y.dtype != x.dtype || !IsContiguous(x) || !IsContiguous(y)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  // Whole 2×2 blocks at stride 2 (every window inside the input): the values-only vector path.
  const bool blocks = rows.k == 2 && cols.k == 2 && rows.s == 2 && cols.s == 2 && rows.p == 0 && cols.p == 0 && rows.d == 1 &&
                      cols.d == 1 && 2 * rows.out <= rows.in && 2 * cols.out <= cols.in;
  if (blocks && x.dtype == TL_F32) return RunMax2x2Values<float>(x, y, rows, cols, rt);
  if (blocks && x.dtype == TL_F64) return RunMax2x2Values<double>(x, y, rows, cols, rt);
  switch (x.dtype) {
    case TL_F32: return RunMax<kValues, float, float>(x, x, y, rows, cols, rt);
    case TL_F64: return RunMax<kValues, double, double>(x, x, y, rows, cols, rt);
    case TL_I32: return RunMax<kValues, int32_t, int32_t>(x, x, y, rows, cols, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

// inputs gy [.., outH, outW], x [.., inH, inW]; output dx like x, of gy's dtype.
int MaxBackwardFromInput(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& gy = a->t[0];
  const tl_tensor& x = a->t[1];
  const tl_tensor& dx = a->t[2];
  Axis rows, cols;
  if (!MakeAxes(a, x, gy, false, &rows, &cols) || dx.size != x.size) return TL_ERR_ARGS;
  if (dx.dtype != gy.dtype || !IsContiguous(x) || !IsContiguous(gy) || !IsContiguous(dx)) return TL_ERR_UNSUPPORTED;
  if (dx.size == 0) return TL_OK;
  if (x.dtype == TL_F32 && gy.dtype == TL_F32) return RunMax<kGrad, float, float>(x, gy, dx, rows, cols, rt);
  if (x.dtype == TL_F64 && gy.dtype == TL_F64) return RunMax<kGrad, double, double>(x, gy, dx, rows, cols, rt);
  return TL_ERR_UNSUPPORTED;
}

// ---- through given indices ----

template <class E>
struct PickCtx {
  const E* src;
  const int32_t* idx;
  E* dst;
  int64_t planes, inPlane, outPlane;
  int bad;  // set when an index is outside its plane (those elements are skipped)
};

// maxPoolPick moves elements (any 4- or 8-byte dtype); maxPoolBackward adds them.
template <class E, bool kScatter>
void PickTask(void* p, int ith, int nth) {
  PickCtx<E>& c = *static_cast<PickCtx<E>*>(p);
  int64_t start, end;
  Split(c.planes, ith, nth, &start, &end);
  for (int64_t pl = start; pl < end; pl++) {
    const int32_t* ind = c.idx + pl * c.outPlane;
    if (kScatter) {
      E* dx = c.dst + pl * c.inPlane;
      const E* g = c.src + pl * c.outPlane;
      memset(dx, 0, sizeof(E) * c.inPlane);
      for (int64_t j = 0; j < c.outPlane; j++) {
        uint32_t i = static_cast<uint32_t>(ind[j]);
        if (i < static_cast<uint64_t>(c.inPlane)) dx[i] += g[j];
        else __atomic_store_n(&c.bad, 1, __ATOMIC_RELAXED);
      }
    } else {
      const E* x = c.src + pl * c.inPlane;
      E* y = c.dst + pl * c.outPlane;
      for (int64_t j = 0; j < c.outPlane; j++) {
        uint32_t i = static_cast<uint32_t>(ind[j]);
        if (i < static_cast<uint64_t>(c.inPlane)) y[j] = x[i];
        else __atomic_store_n(&c.bad, 1, __ATOMIC_RELAXED);
      }
    }
  }
}

template <class E, bool kScatter>
int RunPick(const tl_tensor& src, const tl_tensor& idx, const tl_tensor& dst, const tl_tensor& big, const tl_runtime* rt) {
  PickCtx<E> c{Base<const E>(src), Base<const int32_t>(idx), Base<E>(dst), 0, 0, 0, 0};
  c.inPlane = big.shape[big.ndim - 2] * big.shape[big.ndim - 1];
  c.outPlane = idx.shape[idx.ndim - 2] * idx.shape[idx.ndim - 1];
  if (c.inPlane == 0 || c.outPlane == 0) return TL_OK;
  c.planes = idx.size / c.outPlane;
  if (c.planes * c.inPlane != big.size) return TL_ERR_ARGS;
  int nth = ThreadsFor(rt, c.planes * (c.inPlane + c.outPlane), 1 << 15);
  if (nth > c.planes) nth = static_cast<int>(c.planes);
  rt->parallel_for(nth, PickTask<E, kScatter>, &c);
  return c.bad ? TL_ERR_BOUNDS : TL_OK;
}

// inputs x, idx; output like idx, of x's dtype.
int Pick(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& x = a->t[0];
  const tl_tensor& idx = a->t[1];
  const tl_tensor& y = a->t[2];
  if (x.ndim < 2 || idx.ndim != x.ndim || y.size != idx.size) return TL_ERR_ARGS;
  if (idx.dtype != TL_I32 || y.dtype != x.dtype || !IsContiguous(x) || !IsContiguous(idx) || !IsContiguous(y)) return TL_ERR_UNSUPPORTED;
  if (y.size == 0) return TL_OK;
  if (x.dtype == TL_F64) return RunPick<uint64_t, false>(x, idx, y, x, rt);
  if (x.dtype == TL_F32 || x.dtype == TL_I32) return RunPick<uint32_t, false>(x, idx, y, x, rt);
  return TL_ERR_UNSUPPORTED;
}

// inputs gy, idx; output dx [.., inH, inW] of gy's dtype.
int PickBackward(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& gy = a->t[0];
  const tl_tensor& idx = a->t[1];
  const tl_tensor& dx = a->t[2];
  if (dx.ndim < 2 || idx.ndim != dx.ndim || gy.size != idx.size) return TL_ERR_ARGS;
  if (idx.dtype != TL_I32 || dx.dtype != gy.dtype || !IsContiguous(gy) || !IsContiguous(idx) || !IsContiguous(dx)) return TL_ERR_UNSUPPORTED;
  if (dx.size == 0) return TL_OK;
  if (gy.dtype == TL_F32) return RunPick<float, true>(gy, idx, dx, dx, rt);
  if (gy.dtype == TL_F64) return RunPick<double, true>(gy, idx, dx, dx, rt);
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(pool) = {
    {"maxPool2dIndices", MaxIndices<false>},
    {"adaptiveMaxPool2dIndices", MaxIndices<true>},
    {"maxPool2dValues", MaxValues},
    {"maxPool2dBackward", MaxBackwardFromInput},
    {"maxPoolPick", Pick},
    {"maxPoolBackward", PickBackward},
    {nullptr, nullptr},
};
