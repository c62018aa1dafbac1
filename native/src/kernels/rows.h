// Shared by the indexing, masking, movement and padding kernels (index.cc, mask.cc, movement.cc,
// pad.cc): task selection by dtype, views built over a storage, short copies, and row iteration.
// ForRows is common.h's WalkRows with the operand count fixed at compile time, so that the per-row
// offset updates unroll: gathers and pads run many short rows (an embedding row, a 32-wide image
// row) where WalkRows' generic loops cost as much as the copy itself.
#ifndef TENSILE_KERNELS_ROWS_H
#define TENSILE_KERNELS_ROWS_H

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {

// The task of a byte-moving kernel for this element size: elements move as unsigned integers of
// their size (a copy never looks at values).
template <template <class> class Task>
tl_task_fn ForSize(int elsize) {
  return elsize == 8 ? Task<uint64_t>::Run : elsize == 4 ? Task<uint32_t>::Run : Task<uint8_t>::Run;
}

// The task of an adding kernel: int32 adds as uint32 and bool as uint8 (wrapping, like Int32Array
// and Uint8Array stores), floats in their own type (float32 + float32 rounds like js's float64 sum
// stored back to float32).
template <template <class> class Task>
tl_task_fn ForAdd(int dtype) {
  switch (dtype) {
    case TL_F32: return Task<float>::Run;
    case TL_F64: return Task<double>::Run;
    case TL_I32: return Task<uint32_t>::Run;
    default: return Task<uint8_t>::Run;
  }
}

// The task of a kernel that stores numbers: each dtype in its own storage type.
template <template <class> class Task>
tl_task_fn ForType(int dtype) {
  switch (dtype) {
    case TL_F32: return Task<float>::Run;
    case TL_F64: return Task<double>::Run;
    case TL_I32: return Task<int32_t>::Run;
    default: return Task<uint8_t>::Run;
  }
}

// Row-major contiguous strides of `shape`.
TL_INLINE void ContiguousStrides(const int64_t* shape, int ndim, int64_t* strides) {
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
}

// A view of `t`'s storage over `shape` (ndim dims) with the given strides and offset (elements).
TL_INLINE tl_tensor ViewOver(const tl_tensor& t, int ndim, const int64_t* shape, const int64_t* strides, int64_t offset) {
  tl_tensor v = t;
  v.ndim = ndim;
  v.offset = offset;
  v.size = 1;
  for (int d = 0; d < ndim; d++) {
    v.shape[d] = shape[d];
    v.strides[d] = strides[d];
    v.size *= shape[d];
  }
  return v;
}

// memcpy for the short runs these kernels copy by the thousand (a 32-float image row): inline
// 32-byte moves below 256 bytes instead of a library call per run.
TL_INLINE void CopyBytes(void* dst, const void* src, int64_t bytes) {
  if (bytes >= 256) {
    memcpy(dst, src, bytes);
    return;
  }
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  for (; bytes >= 32; bytes -= 32, d += 32, s += 32) __builtin_memcpy(d, s, 32);
  for (; bytes >= 8; bytes -= 8, d += 8, s += 8) __builtin_memcpy(d, s, 8);
  for (; bytes > 0; bytes--) *d++ = *s++;
}

// Calls row(pos, len, off) for the runs of the flat range [start, end) along the walk's last dim,
// off[k] being operand k's offset at flat position pos (as WalkRows does); N = w.nops.
template <int N, class Row>
TL_INLINE void ForRows(const Walk& w, int64_t start, int64_t end, Row&& row) {
  const int nd = w.ndim;
  const int64_t inner = w.shape[nd - 1];
  int64_t off[N];
  int64_t idx[TL_MAX_DIMS];
  int64_t i0 = start % inner, rem = start / inner;
  for (int k = 0; k < N; k++) off[k] = i0 * w.strides[k][nd - 1];
  for (int d = nd - 2; d >= 0; d--) {
    idx[d] = rem % w.shape[d];
    rem /= w.shape[d];
    for (int k = 0; k < N; k++) off[k] += idx[d] * w.strides[k][d];
  }
  int64_t pos = start;
  while (pos < end) {
    const int64_t len = inner - i0 < end - pos ? inner - i0 : end - pos;
    row(pos, len, static_cast<const int64_t*>(off));
    pos += len;
    if (pos >= end) break;
    // The next row: back to column 0, one step along the outer dims (carrying).
    for (int k = 0; k < N; k++) off[k] -= i0 * w.strides[k][nd - 1];
    i0 = 0;
    for (int d = nd - 2; d >= 0; d--) {
      for (int k = 0; k < N; k++) off[k] += w.strides[k][d];
      if (++idx[d] < w.shape[d]) break;
      for (int k = 0; k < N; k++) off[k] -= w.shape[d] * w.strides[k][d];
      idx[d] = 0;
    }
  }
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
