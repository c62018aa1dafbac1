// The GEMM engine behind matmul and the convolutions: C = alpha · A·B + beta · C over a batch, with
// operands given as strided views (any row/column/batch strides, so a transposed or broadcast
// operand costs no copy) or as custom packers (the convolutions pack image patches straight into
// GEMM panels: im2col without the im2col buffer). Defined in gemm.cc, once per ISA level.
//
// Both operands are described the same way, as a matrix X[r, k] whose second index runs along the
// reduction: A is X = A [M, K], B is X = Bᵀ [N, K]. Packing either one produces panels of `w` rows,
// k-major inside: dst[(r / w) · depth · w + k · w + r % w] (the micro-kernel reads w values per k).
#ifndef TENSILE_KERNELS_GEMM_H
#define TENSILE_KERNELS_GEMM_H

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {

// Packs X[r0 + i, k0 + k] (i < rows, k < depth) of batch item `batch` into panels of w rows as
// above, writing zeros for the rows of the last panel past `rows`.
template <class T>
using GemmPackFn = void (*)(const void* ctx, int64_t batch, int64_t r0, int64_t rows, int64_t k0,
                            int64_t depth, int w, T* dst);

// Where batch item b starts: (b / inner) · outer + (b % inner) · stride_inner, so a batch that
// runs over (image, group) pairs or broadcasts (stride 0) needs no per-item table.
struct GemmBatch {
  int64_t outer = 0;
  int64_t inner_stride = 0;
  int64_t inner = 1;
  TL_INLINE int64_t Offset(int64_t b) const { return (b / inner) * outer + (b % inner) * inner_stride; }
};

// One operand, X[r, k] = p[batch offset + r · rs + k · ks], unless `pack` is set.
template <class T>
struct GemmOperand {
  const T* p = nullptr;
  int64_t rs = 0;
  int64_t ks = 0;
  GemmBatch batch;
  GemmPackFn<T> pack = nullptr;  // a custom packer replaces p/rs/ks/batch
  const void* ctx = nullptr;
};

// C[b][i, j] = alpha · Σ_k A[b][i, k] · Bᵀ[b][j, k] + beta · C[b][i, j]; beta == 0 never reads C
// (so it may hold garbage). C's elements must not overlap across (b, i, j).
template <class T>
struct GemmCall {
  int64_t batch = 1;
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  GemmOperand<T> a;   // [M, K]
  GemmOperand<T> bt;  // [N, K], i.e. B transposed
  T* c = nullptr;
  int64_t c_rs = 0;
  int64_t c_cs = 1;
  GemmBatch c_batch;
  T alpha = 1;
  T beta = 0;
};

// Runs the product across the pool. Returns TL_OK, or TL_ERR_NOMEM when a thread's packing arena
// (allocated once per thread, on its first GEMM) could not be allocated.
int Gemm(const GemmCall<float>& call, const tl_runtime* rt);
int Gemm(const GemmCall<double>& call, const tl_runtime* rt);

// A plain strided operand view.
template <class T>
TL_INLINE GemmOperand<T> StridedOperand(const T* p, int64_t rs, int64_t ks, int64_t bs) {
  GemmOperand<T> o;
  o.p = p;
  o.rs = rs;
  o.ks = ks;
  o.batch.outer = bs;
  return o;
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
