// Helpers every kernel file shares: attribute access, dim coalescing, work splitting, and the
// strided-operand walker behind the elementwise kernels. Everything here lives in the per-ISA
// namespace (see vec.h), so nothing is shared between the ISA builds.
#ifndef TENSILE_KERNELS_COMMON_H
#define TENSILE_KERNELS_COMMON_H

#include <stdint.h>
#include <string.h>

#include "tensile/abi.h"
#include "../simd/vec.h"

namespace tensile {
namespace TENSILE_ISA {

TL_INLINE int ElSize(int dtype) { return dtype == TL_F64 ? 8 : dtype == TL_BOOL ? 1 : 4; }

// Element pointer of a view's first element.
template <class T>
TL_INLINE T* Base(const tl_tensor& t) { return reinterpret_cast<T*>(t.data) + t.offset; }

TL_INLINE bool IsContiguous(const tl_tensor& t) {
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; i--) {
    if (t.shape[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

// [start, end) of slice ith of nth over n items.
TL_INLINE void Split(int64_t n, int ith, int nth, int64_t* start, int64_t* end) {
  if (nth == 1) {
    *start = 0;
    *end = n;
    return;
  }
  int64_t chunk = n / nth, rest = n % nth;
  *start = ith * chunk + (ith < rest ? ith : rest);
  *end = *start + chunk + (ith < rest ? 1 : 0);
}

// Threads worth using for `work` items when one thread should get at least `grain`.
TL_INLINE int ThreadsFor(const tl_runtime* rt, int64_t work, int64_t grain) {
  int64_t n = work / (grain < 1 ? 1 : grain);
  if (n < 1) n = 1;
  return n > rt->n_threads ? rt->n_threads : static_cast<int>(n);
}

// Up to kMaxOps operands walked over one shape: dims merged where every operand allows, size-1
// dims dropped. After coalescing, a contiguous operand of a contiguous output has ndim <= 1.
constexpr int kMaxOps = 4;
struct Walk {
  int ndim;
  int nops;
  int64_t shape[TL_MAX_DIMS];
  int64_t strides[kMaxOps][TL_MAX_DIMS];
};

// Builds the walk of `nops` views that share one shape (the first view's).
TL_INLINE void MakeWalk(Walk* w, const tl_tensor* const* views, int nops) {
  const tl_tensor& ref = *views[0];
  w->nops = nops;
  int nd = 0;
  for (int d = 0; d < ref.ndim; d++) {
    if (ref.shape[d] == 1) continue;
    bool merge = nd > 0;
    for (int k = 0; k < nops && merge; k++) {
      merge = w->strides[k][nd - 1] == views[k]->strides[d] * ref.shape[d];
    }
    if (merge) {
      w->shape[nd - 1] *= ref.shape[d];
      for (int k = 0; k < nops; k++) w->strides[k][nd - 1] = views[k]->strides[d];
    } else {
      w->shape[nd] = ref.shape[d];
      for (int k = 0; k < nops; k++) w->strides[k][nd] = views[k]->strides[d];
      nd++;
    }
  }
  if (nd == 0) {  // a scalar (or all dims 1): one element
    w->shape[0] = 1;
    for (int k = 0; k < nops; k++) w->strides[k][0] = 1;
    nd = 1;
  }
  w->ndim = nd;
}

// Calls row(pos, len, off[]) for consecutive runs of the flattened range [start, end) along the
// last walk dim; off[k] is operand k's element offset at flat position pos, and its stride along
// the run is w.strides[k][ndim - 1].
template <class Row>
TL_INLINE void WalkRows(const Walk& w, int64_t start, int64_t end, Row&& row) {
  int nd = w.ndim;
  int64_t idx[TL_MAX_DIMS];
  int64_t off[kMaxOps] = {0, 0, 0, 0};
  if (start == 0) {  // skip the divisions (most calls: one thread)
    for (int d = 0; d < nd; d++) idx[d] = 0;
  } else {
    int64_t rem = start;
    for (int d = nd - 1; d >= 0; d--) {
      idx[d] = rem % w.shape[d];
      rem /= w.shape[d];
      for (int k = 0; k < w.nops; k++) off[k] += idx[d] * w.strides[k][d];
    }
  }
  int64_t pos = start;
  const int64_t inner = w.shape[nd - 1];
  while (pos < end) {
    int64_t len = inner - idx[nd - 1];
    if (len > end - pos) len = end - pos;
    row(pos, len, off);
    pos += len;
    // Advance the odometer by len along the last dim, carrying into the outer dims.
    idx[nd - 1] += len;
    for (int k = 0; k < w.nops; k++) off[k] += len * w.strides[k][nd - 1];
    for (int d = nd - 1; d > 0 && idx[d] >= w.shape[d]; d--) {
      for (int k = 0; k < w.nops; k++) off[k] += w.strides[k][d - 1] - w.shape[d] * w.strides[k][d];
      idx[d] = 0;
      idx[d - 1]++;
    }
  }
}

// Copies n elements at stride s into a dense buffer (s may be 0: a broadcast value).
template <class T>
TL_INLINE void Gather(const T* src, int64_t s, T* dst, int64_t n) {
  if (s == 0) {
    T v = src[0];
    for (int64_t i = 0; i < n; i++) dst[i] = v;
  } else {
    for (int64_t i = 0; i < n; i++) dst[i] = src[i * s];
  }
}

// Elements gathered at a time for strided operands (on the stack: kernels never allocate).
constexpr int64_t kTile = 256;

// JavaScript's ToInt32 (what storing a number into an Int32Array does): wraps modulo 2^32; NaN and
// ±inf give 0. Casting an out-of-range double in C++ is undefined, so the slow path does it by hand.
TL_INLINE int32_t ToInt32(double v) {
  if (v > -2147483649.0 && v < 2147483648.0) return static_cast<int32_t>(v);
  if (!(v - v == 0.0)) return 0;  // NaN or inf
  double t = __builtin_trunc(v);
  double m = __builtin_fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  uint32_t u = static_cast<uint32_t>(m);
  return static_cast<int32_t>(u);
}

// ⌈a / b⌉ for a ≥ 0, b > 0: tiles, panels and slices covering a length.
TL_INLINE int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// n rounded up to a cache line (64 bytes): scratch regions laid out one after another.
constexpr size_t Align64(size_t n) { return (n + 63) & ~size_t(63); }

// JavaScript's ToUint8 (storing a number into a Uint8Array, the bool storage).
TL_INLINE uint8_t ToUint8(double v) { return static_cast<uint8_t>(ToInt32(v) & 0xFF); }

// Stores a JavaScript number into an element as a typed array store would.
template <class T>
TL_INLINE T StoreNumber(double v) {
  if constexpr (sizeof(T) == 1) {
    return ToUint8(v);
  } else if constexpr (static_cast<T>(0.5) == 0) {
    return ToInt32(v);
  } else {
    return static_cast<T>(v);
  }
}

}  // namespace TENSILE_ISA
}  // namespace tensile

// A family's table for this ISA: TL_FAMILY_TABLE(copy) = { {"copy", Copy}, ..., {nullptr, nullptr} };
// The names of the three builds' tables differ by ISA suffix (tl_family_copy_avx2, ...).
#define TL_CONCAT3_(a, b, c) a##b##c
#define TL_CONCAT3(a, b, c) TL_CONCAT3_(a, b, c)
#define TL_FAMILY_TABLE(family)                                                        \
  extern "C" const tl_kernel_def TL_CONCAT3(tl_family_, family##_, TENSILE_ISA)[];      \
  extern "C" const tl_kernel_def TL_CONCAT3(tl_family_, family##_, TENSILE_ISA)[]

#endif
