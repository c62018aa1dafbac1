// Indexing kernels: gather (and indexSelect / takeAlongDim, which run as gathers through an index
// view built here) and scatterAdd. Every dtype; indices are int32 (the ops cast them), any other
// index dtype answers "unsupported" and the js kernel runs. Gathers move elements as raw bits of
// their size; scatterAdd adds in the element type, wrapping int32 and bool like the js typed
// arrays, in the js kernel's order, so results are bit-identical. Out-of-range indices are refused.
#include <atomic>

#include "rows.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// ---- gather ----------------------------------------------------------------------------------
// out[p] = x[p with p[dim] := index[p]]: one walk over out's shape with three operands, x's stride
// along dim set to 0 so that the walk gives x's offset without dim and the index adds index * step.

struct GatherCtx {
  Walk walk;  // operands: out, index, x (stride 0 along dim)
  char* out;
  const int32_t* index;
  const char* x;
  int64_t step;   // x's stride along dim
  int64_t limit;  // x.shape[dim]: valid indices are 0..limit-1
  int64_t size;
  std::atomic<int> bad;
};

template <class T>
struct GatherTask {
  static void Run(void* p, int ith, int nth) {
    GatherCtx& c = *static_cast<GatherCtx*>(p);
    int64_t start, end;
    Split(c.size, ith, nth, &start, &end);
    T* out = reinterpret_cast<T*>(c.out);
    const T* x = reinterpret_cast<const T*>(c.x);
    const int nd = c.walk.ndim;
    const int64_t so = c.walk.strides[0][nd - 1], si = c.walk.strides[1][nd - 1], sx = c.walk.strides[2][nd - 1];
    const int64_t step = c.step;
    const uint64_t limit = static_cast<uint64_t>(c.limit);
    bool bad = false;
    ForRows<3>(c.walk, start, end, [&](int64_t, int64_t len, const int64_t* off) {
      T* o = out + off[0];
      const int32_t* ix = c.index + off[1];
      const T* xs = x + off[2];
      if (si == 0) {  // one index for the whole row (indexSelect, embeddings): a row copy
        int64_t j = ix[0];
        if (static_cast<uint64_t>(j) >= limit) {
          bad = true;
          return;
        }
        const T* src = xs + j * step;
        if (so == 1 && sx == 1) {
          CopyBytes(o, src, len * sizeof(T));
        } else {
          for (int64_t i = 0; i < len; i++) o[i * so] = src[i * sx];
        }
        return;
      }
      for (int64_t i = 0; i < len; i++) {
        int64_t j = ix[i * si];
        if (static_cast<uint64_t>(j) >= limit) {
          bad = true;
          j = 0;
        }
        o[i * so] = xs[i * sx + j * step];
      }
    });
    if (bad) c.bad.store(1, std::memory_order_relaxed);
  }
};

// Gathers into `out` (contiguous) through `index` and `x`, both views over out's shape, x with
// stride 0 along the gathered dim.
int RunGather(const tl_tensor& out, const tl_tensor& index, const tl_tensor& x, int64_t step, int64_t limit,
              const tl_runtime* rt) {
  if (out.size == 0) return TL_OK;
  GatherCtx c;
  const tl_tensor* views[3] = {&out, &index, &x};
  MakeWalk(&c.walk, views, 3);
  const int elsize = ElSize(out.dtype);
  c.out = out.data + out.offset * elsize;
  c.index = Base<const int32_t>(index);
  c.x = x.data + x.offset * elsize;
  c.step = step;
  c.limit = limit;
  c.size = out.size;
  c.bad.store(0);
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 15), ForSize<GatherTask>(elsize), &c);
  return c.bad.load() ? TL_ERR_BOUNDS : TL_OK;
}

// Index dim attribute, checked against ndim.
bool DimAttr(const tl_args* a, int ndim, int* dim) {
  if (a->n_attrs < 1) return false;
  double d = a->attrs[0];
  if (!(d >= 0 && d < ndim)) return false;
  *dim = static_cast<int>(d);
  return true;
}

// gather: inputs x, index (same ndim, int32); output of index's shape. attrs: dim.
int Gather(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &index = a->t[1], &out = a->t[2];
  if (index.dtype != TL_I32) return TL_ERR_UNSUPPORTED;
  if (x.dtype != out.dtype || index.ndim != x.ndim || out.ndim != x.ndim || out.size != index.size) return TL_ERR_ARGS;
  int dim;
  if (!DimAttr(a, x.ndim, &dim)) return TL_ERR_ARGS;
  for (int d = 0; d < x.ndim; d++) {
    if (d != dim && index.shape[d] > x.shape[d]) return TL_ERR_ARGS;
  }
  int64_t strides[TL_MAX_DIMS];
  for (int d = 0; d < x.ndim; d++) strides[d] = d == dim ? 0 : x.strides[d];
  tl_tensor xv = ViewOver(x, x.ndim, index.shape, strides, x.offset);
  return RunGather(out, index, xv, x.strides[dim], x.shape[dim], rt);
}

// indexSelect: inputs x, index (0-d or 1-D int32); output x's shape with index.size along dim.
// The index becomes a view over out's shape that moves only along dim.
int IndexSelect(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &index = a->t[1], &out = a->t[2];
  if (index.dtype != TL_I32) return TL_ERR_UNSUPPORTED;
  if (x.dtype != out.dtype || index.ndim > 1 || out.ndim != x.ndim) return TL_ERR_ARGS;
  int dim;
  if (!DimAttr(a, x.ndim, &dim)) return TL_ERR_ARGS;
  if (out.shape[dim] != index.size) return TL_ERR_ARGS;
  int64_t xs[TL_MAX_DIMS], is[TL_MAX_DIMS];
  for (int d = 0; d < x.ndim; d++) {
    if (d != dim && out.shape[d] != x.shape[d]) return TL_ERR_ARGS;
    xs[d] = d == dim ? 0 : x.strides[d];
    is[d] = d == dim && index.ndim == 1 ? index.strides[0] : 0;
  }
  tl_tensor xv = ViewOver(x, x.ndim, out.shape, xs, x.offset);
  tl_tensor iv = ViewOver(index, x.ndim, out.shape, is, index.offset);
  return RunGather(out, iv, xv, x.strides[dim], x.shape[dim], rt);
}

// takeAlongDim: inputs x, idx (x's shape with dim removed, or kept with size 1); output idx's
// shape: out[p] = x[p with dim := idx[p]]. Both run over x's shape with size 1 along dim.
int TakeAlongDim(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &idx = a->t[1], &out = a->t[2];
  if (idx.dtype != TL_I32) return TL_ERR_UNSUPPORTED;
  if (x.dtype != out.dtype) return TL_ERR_ARGS;
  int dim;
  if (!DimAttr(a, x.ndim, &dim)) return TL_ERR_UNSUPPORTED;  // a 0-d x: the js kernel
  const bool keep = idx.ndim == x.ndim;
  if (!(keep || idx.ndim == x.ndim - 1) || out.ndim != idx.ndim) return TL_ERR_ARGS;
  if (keep && (idx.shape[dim] != 1 || out.shape[dim] != 1)) return TL_ERR_ARGS;
  int64_t shape[TL_MAX_DIMS], xs[TL_MAX_DIMS], is[TL_MAX_DIMS], os[TL_MAX_DIMS];
  for (int d = 0, k = 0; d < x.ndim; d++) {
    if (d == dim) {
      shape[d] = 1;
      xs[d] = is[d] = os[d] = 0;
      if (keep) k++;
      continue;
    }
    if (idx.shape[k] != x.shape[d] || out.shape[k] != x.shape[d]) return TL_ERR_ARGS;
    shape[d] = x.shape[d];
    xs[d] = x.strides[d];
    is[d] = idx.strides[k];
    os[d] = out.strides[k];
    k++;
  }
  tl_tensor xv = ViewOver(x, x.ndim, shape, xs, x.offset);
  tl_tensor iv = ViewOver(idx, x.ndim, shape, is, idx.offset);
  tl_tensor ov = ViewOver(out, x.ndim, shape, os, out.offset);
  return RunGather(ov, iv, xv, x.strides[dim], x.shape[dim], rt);
}

// ---- scatterAdd ------------------------------------------------------------------------------
// out = x, then out[p with p[dim] := index[p]] += src[p] over index's shape. Two positions of the
// index reach the same element only when they differ in dim alone, so threads split the positions
// without dim (the walk), and each runs dim in order: no races, and every element receives its
// additions in the js kernel's order.

struct CopyCtx {
  Walk walk;  // operands: out, x
  char* out;
  const char* x;
  int64_t size;
};

template <class T>
struct CopyTask {
  static void Run(void* p, int ith, int nth) {
    const CopyCtx& c = *static_cast<const CopyCtx*>(p);
    int64_t start, end;
    Split(c.size, ith, nth, &start, &end);
    T* out = reinterpret_cast<T*>(c.out);
    const T* x = reinterpret_cast<const T*>(c.x);
    const int64_t so = c.walk.strides[0][c.walk.ndim - 1], sx = c.walk.strides[1][c.walk.ndim - 1];
    ForRows<2>(c.walk, start, end, [&](int64_t, int64_t len, const int64_t* off) {
      if (so == 1 && sx == 1) {
        CopyBytes(out + off[0], x + off[1], len * sizeof(T));
      } else {
        for (int64_t i = 0; i < len; i++) out[off[0] + i * so] = x[off[1] + i * sx];
      }
    });
  }
};

// Copies x (any strides) into out (same shape and dtype).
void CopyInto(const tl_tensor& out, const tl_tensor& x, const tl_runtime* rt) {
  if (out.size == 0) return;
  CopyCtx c;
  const tl_tensor* views[2] = {&out, &x};
  MakeWalk(&c.walk, views, 2);
  const int elsize = ElSize(out.dtype);
  c.out = out.data + out.offset * elsize;
  c.x = x.data + x.offset * elsize;
  c.size = out.size;
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 16), ForSize<CopyTask>(elsize), &c);
}

struct ScatterCtx {
  Walk walk;  // index's shape without dim; operands: index, src, out (out's strides, dim left out)
  int64_t positions;  // elements of that shape
  int64_t k;          // index.shape[dim]
  int64_t ki, ks;     // index's and src's strides along dim
  int64_t step;       // out's stride along dim
  int64_t limit;      // out.shape[dim]
  const int32_t* index;
  const char* src;
  char* out;
  std::atomic<int> bad;
};

template <class T>
struct ScatterTask {
  static void Run(void* p, int ith, int nth) {
    ScatterCtx& c = *static_cast<ScatterCtx*>(p);
    int64_t start, end;
    Split(c.positions, ith, nth, &start, &end);
    const T* src = reinterpret_cast<const T*>(c.src);
    T* out = reinterpret_cast<T*>(c.out);
    const int nd = c.walk.ndim;
    const int64_t si = c.walk.strides[0][nd - 1], ss = c.walk.strides[1][nd - 1], so = c.walk.strides[2][nd - 1];
    const uint64_t limit = static_cast<uint64_t>(c.limit);
    bool bad = false;
    ForRows<3>(c.walk, start, end, [&](int64_t, int64_t len, const int64_t* off) {
      for (int64_t k = 0; k < c.k; k++) {
        const int32_t* ix = c.index + off[0] + k * c.ki;
        const T* s = src + off[1] + k * c.ks;
        T* o = out + off[2];
        if (si == 0) {  // one index for the row (indexSelect's gradient, embeddings): a row add
          int64_t j = ix[0];
          if (static_cast<uint64_t>(j) >= limit) {
            bad = true;
            continue;
          }
          T* __restrict__ d = o + j * c.step;
          if (so == 1 && ss == 1) {
            const T* __restrict__ v = s;
            for (int64_t i = 0; i < len; i++) d[i] = static_cast<T>(d[i] + v[i]);
          } else {
            for (int64_t i = 0; i < len; i++) d[i * so] = static_cast<T>(d[i * so] + s[i * ss]);
          }
          continue;
        }
        for (int64_t i = 0; i < len; i++) {
          int64_t j = ix[i * si];
          if (static_cast<uint64_t>(j) >= limit) {
            bad = true;
            continue;
          }
          T& d = o[i * so + j * c.step];
          d = static_cast<T>(d + s[i * ss]);
        }
      }
    });
    if (bad) c.bad.store(1, std::memory_order_relaxed);
  }
};

// scatterAdd: inputs x, index (int32), src (x's dtype), all of one ndim; output x's shape.
// attrs: dim. index's sizes are at most src's, and at most x's except along dim.
int ScatterAdd(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 3 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &index = a->t[1], &src = a->t[2], &out = a->t[3];
  if (index.dtype != TL_I32) return TL_ERR_UNSUPPORTED;
  const int nd = x.ndim;
  if (x.dtype != out.dtype || src.dtype != x.dtype || index.ndim != nd || src.ndim != nd || out.ndim != nd ||
      out.size != x.size) {
    return TL_ERR_ARGS;
  }
  int dim;
  if (!DimAttr(a, nd, &dim)) return TL_ERR_ARGS;
  int64_t ostrides[TL_MAX_DIMS];
  int64_t s = 1;
  for (int d = nd - 1; d >= 0; d--) {
    if (out.shape[d] != x.shape[d] || index.shape[d] > src.shape[d] || (d != dim && index.shape[d] > x.shape[d])) {
      return TL_ERR_ARGS;
    }
    ostrides[d] = s;
    s *= out.shape[d];
  }
  CopyInto(out, x, rt);
  if (index.size == 0) return TL_OK;
  // The index's shape without dim, and each operand's strides over it.
  int64_t shape[TL_MAX_DIMS], is[TL_MAX_DIMS], ss[TL_MAX_DIMS], os[TL_MAX_DIMS];
  int n = 0;
  for (int d = 0; d < nd; d++) {
    if (d == dim) continue;
    shape[n] = index.shape[d];
    is[n] = index.strides[d];
    ss[n] = src.strides[d];
    os[n] = ostrides[d];
    n++;
  }
  tl_tensor iv = ViewOver(index, n, shape, is, index.offset);
  tl_tensor sv = ViewOver(src, n, shape, ss, src.offset);
  tl_tensor ov = ViewOver(out, n, shape, os, out.offset);
  ScatterCtx c;
  const tl_tensor* views[3] = {&iv, &sv, &ov};
  MakeWalk(&c.walk, views, 3);
  const int elsize = ElSize(x.dtype);
  c.positions = iv.size;
  c.k = index.shape[dim];
  c.ki = index.strides[dim];
  c.ks = src.strides[dim];
  c.step = ostrides[dim];
  c.limit = out.shape[dim];
  c.index = Base<const int32_t>(index);
  c.src = src.data + src.offset * elsize;
  c.out = out.data + out.offset * elsize;
  c.bad.store(0);
  int nth = ThreadsFor(rt, index.size, 1 << 15);
  if (nth > c.positions) nth = static_cast<int>(c.positions);
  rt->parallel_for(nth, ForAdd<ScatterTask>(x.dtype), &c);
  return c.bad.load() ? TL_ERR_BOUNDS : TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(index) = {
    {"gather", Gather},
    {"scatterAdd", ScatterAdd},
    {"indexSelect", IndexSelect},
    {"takeAlongDim", TakeAlongDim},
    {nullptr, nullptr},
};
