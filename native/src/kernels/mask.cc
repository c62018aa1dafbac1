// Masking kernels: maskedFill (a value where a bool mask is set), tril/triu (a triangle of the last
// two dims kept, the rest zeroed) and oneHot (ones at class indices of a zeroed output). Every
// dtype; values are stored as the js typed arrays store them, so results are bit-identical.
#include "rows.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// ---- maskedFill ------------------------------------------------------------------------------


struct MaskedCtx {
  Walk walk;  // operands: out, x, mask
  char* out;
  const char* x;
  const uint8_t* mask;
  double value;
  int64_t size;
};

template <class T>
struct MaskedTask {
  static void Run(void* p, int ith, int nth) {
    const MaskedCtx& c = *static_cast<const MaskedCtx*>(p);
    int64_t start, end;
    Split(c.size, ith, nth, &start, &end);
    const T v = StoreNumber<T>(c.value);
    T* out = reinterpret_cast<T*>(c.out);
    const T* x = reinterpret_cast<const T*>(c.x);
    const int nd = c.walk.ndim;
    const int64_t so = c.walk.strides[0][nd - 1], sx = c.walk.strides[1][nd - 1], sm = c.walk.strides[2][nd - 1];
    ForRows<3>(c.walk, start, end, [&](int64_t, int64_t len, const int64_t* off) {
      T* o = out + off[0];
      const T* xs = x + off[1];
      const uint8_t* m = c.mask + off[2];
      if (so == 1 && sx == 1 && sm == 1) {
        for (int64_t i = 0; i < len; i++) o[i] = m[i] ? v : xs[i];
      } else {
        for (int64_t i = 0; i < len; i++) o[i * so] = m[i * sm] ? v : xs[i * sx];
      }
    });
  }
};

// maskedFill: inputs x, mask (bool), both of out's shape (broadcast by the op); attrs: value.
int MaskedFill(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &mask = a->t[1], &out = a->t[2];
  if (mask.dtype != TL_BOOL || x.dtype != out.dtype) return TL_ERR_UNSUPPORTED;
  if (x.ndim != out.ndim || mask.ndim != out.ndim) return TL_ERR_ARGS;
  for (int d = 0; d < out.ndim; d++) {
    if (x.shape[d] != out.shape[d] || mask.shape[d] != out.shape[d]) return TL_ERR_ARGS;
  }
  if (out.size == 0) return TL_OK;
  MaskedCtx c;
  const tl_tensor* views[3] = {&out, &x, &mask};
  MakeWalk(&c.walk, views, 3);
  const int elsize = ElSize(out.dtype);
  c.out = out.data + out.offset * elsize;
  c.x = x.data + x.offset * elsize;
  c.mask = Base<const uint8_t>(mask);
  c.value = a->attrs[0];
  c.size = out.size;
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 16), ForType<MaskedTask>(out.dtype), &c);
  return TL_OK;
}

// ---- oneHot ----------------------------------------------------------------------------------

// oneHot: input index (int32, any strides); output int32 [...index.shape, classes], zeroed by the
// allocator: a 1 at column index[i] of row i. attrs: numClasses.
int OneHot(const tl_args* a, const tl_runtime*) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor &index = a->t[0], &out = a->t[1];
  if (index.dtype != TL_I32 || out.dtype != TL_I32) return TL_ERR_UNSUPPORTED;
  const double cls = a->attrs[0];
  if (!(cls >= 1) || out.size != index.size * static_cast<int64_t>(cls)) return TL_ERR_ARGS;
  const int64_t classes = static_cast<int64_t>(cls);
  if (index.size == 0) return TL_OK;
  Walk w;
  const tl_tensor* views[1] = {&index};
  MakeWalk(&w, views, 1);
  const int32_t* ix = Base<const int32_t>(index);
  int32_t* o = Base<int32_t>(out);
  const int64_t si = w.strides[0][w.ndim - 1];
  bool bad = false;
  // Memory-light (one store per row of the output): one thread.
  ForRows<1>(w, 0, index.size, [&](int64_t pos, int64_t len, const int64_t* off) {
    for (int64_t i = 0; i < len; i++) {
      int64_t j = ix[off[0] + i * si];
      if (static_cast<uint64_t>(j) >= static_cast<uint64_t>(classes)) {
        bad = true;
        continue;
      }
      o[(pos + i) * classes + j] = 1;
    }
  });
  return bad ? TL_ERR_BOUNDS : TL_OK;
}

// ---- tril / triu -----------------------------------------------------------------------------

struct TriangleCtx {
  Walk walk;  // the rows: out's shape without its last dim; operands out, x
  char* out;
  const char* x;
  int64_t rows, cols;  // the last two dims
  int64_t xcol;        // x's stride along the last dim
  int64_t diagonal;
  bool lower;  // tril keeps col - row <= diagonal; triu keeps col - row >= diagonal
  int64_t nrows;
};

template <class T>
struct TriangleTask {
  static void Run(void* p, int ith, int nth) {
    const TriangleCtx& c = *static_cast<const TriangleCtx*>(p);
    int64_t start, end;
    Split(c.nrows, ith, nth, &start, &end);
    T* out = reinterpret_cast<T*>(c.out);
    const T* x = reinterpret_cast<const T*>(c.x);
    const int nd = c.walk.ndim;
    const int64_t so = c.walk.strides[0][nd - 1], sx = c.walk.strides[1][nd - 1];
    const int64_t C = c.cols;
    ForRows<2>(c.walk, start, end, [&](int64_t pos, int64_t len, const int64_t* off) {
      for (int64_t i = 0; i < len; i++) {
        const int64_t r = (pos + i) % c.rows;
        T* o = out + off[0] + i * so;
        const T* xs = x + off[1] + i * sx;
        // Kept columns form one run [lo, hi): a prefix for tril, a suffix for triu.
        int64_t lo = 0, hi = C;
        if (c.lower) {
          hi = r + c.diagonal + 1;
          hi = hi < 0 ? 0 : hi > C ? C : hi;
        } else {
          lo = r + c.diagonal;
          lo = lo < 0 ? 0 : lo > C ? C : lo;
        }
        for (int64_t j = 0; j < lo; j++) o[j] = 0;
        if (c.xcol == 1) {
          CopyBytes(o + lo, xs + lo, (hi - lo) * sizeof(T));
        } else {
          for (int64_t j = lo; j < hi; j++) o[j] = xs[j * c.xcol];
        }
        for (int64_t j = hi; j < C; j++) o[j] = 0;
      }
    });
  }
};

// tril / triu: input x (ndim >= 2, any strides); output contiguous. attrs: diagonal.
int Triangle(const tl_args* a, const tl_runtime* rt, bool lower) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &out = a->t[1];
  const int nd = out.ndim;
  if (x.dtype != out.dtype || x.ndim != nd || nd < 2) return TL_ERR_ARGS;
  for (int d = 0; d < nd; d++) {
    if (x.shape[d] != out.shape[d]) return TL_ERR_ARGS;
  }
  if (out.size == 0) return TL_OK;
  const double diag = a->attrs[0];
  TriangleCtx c;
  c.cols = out.shape[nd - 1];
  c.rows = out.shape[nd - 2];
  c.xcol = x.strides[nd - 1];
  // Beyond ±(rows + cols) every diagonal keeps everything or nothing: clamp before converting.
  const double reach = static_cast<double>(c.rows + c.cols);
  c.diagonal = static_cast<int64_t>(diag > reach ? reach : diag < -reach ? -reach : diag);
  c.lower = lower;
  c.nrows = out.size / c.cols;
  int64_t os[TL_MAX_DIMS];
  int64_t s = c.cols;
  for (int d = nd - 2; d >= 0; d--) {
    os[d] = s;
    s *= out.shape[d];
  }
  tl_tensor ov = ViewOver(out, nd - 1, out.shape, os, out.offset);
  tl_tensor xv = ViewOver(x, nd - 1, x.shape, x.strides, x.offset);
  const tl_tensor* views[2] = {&ov, &xv};
  MakeWalk(&c.walk, views, 2);
  const int elsize = ElSize(out.dtype);
  c.out = out.data + out.offset * elsize;
  c.x = x.data + x.offset * elsize;
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 16), ForSize<TriangleTask>(elsize), &c);
  return TL_OK;
}

int Tril(const tl_args* a, const tl_runtime* rt) { return Triangle(a, rt, true); }
int Triu(const tl_args* a, const tl_runtime* rt) { return Triangle(a, rt, false); }

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(mask) = {
    {"maskedFill", MaskedFill},
    {"oneHot", OneHot},
    {"tril", Tril},
    {"triu", Triu},
    {nullptr, nullptr},
};
