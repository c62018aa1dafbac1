// Movement kernels: cat, flip, repeat, sliceBackward. Every dtype; elements move as raw bits of
// their size and runs contiguous on both sides go by memcpy (the training paths: LSTM gate
// slices, cat of feature maps), so every result is bit-identical to the js backend's.
#include "rows.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Copies n elements from stride ss to stride ds: memcpy when both are 1, a fill when ss is 0.
template <class T>
TL_INLINE void MoveRun(T* dst, int64_t ds, const T* src, int64_t ss, int64_t n) {
  if (ds == 1 && ss == 1) {
    CopyBytes(dst, src, n * sizeof(T));
  } else if (ss == 0) {
    const T v = src[0];
    for (int64_t i = 0; i < n; i++) dst[i * ds] = v;
  } else if (ds == 1 && ss == -1) {
    for (int64_t i = 0; i < n; i++) dst[i] = src[-i];
  } else {
    for (int64_t i = 0; i < n; i++) dst[i * ds] = src[i * ss];
  }
}

// ---- a copy through one walk: flip, repeat, sliceBackward ---------------------------------------

struct MoveCtx {
  Walk walk;  // operands: destination, source
  char* dst;
  const char* src;
  int64_t size;
};

template <class T>
struct MoveTask {
  static void Run(void* p, int ith, int nth) {
    const MoveCtx& c = *static_cast<const MoveCtx*>(p);
    int64_t start, end;
    Split(c.size, ith, nth, &start, &end);
    T* dst = reinterpret_cast<T*>(c.dst);
    const T* src = reinterpret_cast<const T*>(c.src);
    const int nd = c.walk.ndim;
    const int64_t ds = c.walk.strides[0][nd - 1], ss = c.walk.strides[1][nd - 1];
    ForRows<2>(c.walk, start, end, [&](int64_t, int64_t len, const int64_t* off) {
      MoveRun(dst + off[0], ds, src + off[1], ss, len);
    });
  }
};

// Copies `src` into `dst`, two views of one shape (dst's), in parallel. Strides may be negative
// (flip); destinations must not overlap themselves.
void Move(const tl_tensor& dst, const tl_tensor& src, const tl_runtime* rt) {
  if (dst.size == 0) return;
  MoveCtx c;
  const tl_tensor* views[2] = {&dst, &src};
  MakeWalk(&c.walk, views, 2);
  const int elsize = ElSize(dst.dtype);
  c.dst = dst.data + dst.offset * elsize;
  c.src = src.data + src.offset * elsize;
  c.size = dst.size;
  rt->parallel_for(ThreadsFor(rt, dst.size, 1 << 16), ForSize<MoveTask>(elsize), &c);
}

// Reads attrs[from..from+n) as whole numbers; false when there are too few.
bool IntAttrs(const tl_args* a, int from, int n, int64_t* out) {
  if (from + n > a->n_attrs) return false;
  for (int i = 0; i < n; i++) out[i] = static_cast<int64_t>(a->attrs[from + i]);
  return true;
}

// flip: input x (any strides); output contiguous. attrs: count, then the flipped dims. x is read
// with negated strides on those dims, starting from their last element.
int Flip(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &out = a->t[1];
  if (x.dtype != out.dtype || x.ndim != out.ndim) return TL_ERR_ARGS;
  for (int d = 0; d < x.ndim; d++) {
    if (x.shape[d] != out.shape[d]) return TL_ERR_ARGS;
  }
  int64_t dims[TL_MAX_DIMS];
  const double count = a->attrs[0];
  if (!(count >= 0 && count <= x.ndim) || !IntAttrs(a, 1, static_cast<int>(count), dims)) return TL_ERR_ARGS;
  tl_tensor xv = x;
  bool seen[TL_MAX_DIMS] = {false};
  for (int i = 0; i < static_cast<int>(count); i++) {
    const int64_t d = dims[i];
    if (d < 0 || d >= x.ndim || seen[d]) return TL_ERR_ARGS;
    seen[d] = true;
    if (x.shape[d] == 0) return TL_OK;
    xv.offset += (x.shape[d] - 1) * x.strides[d];
    xv.strides[d] = -x.strides[d];
  }
  Move(out, xv, rt);
  return TL_OK;
}

// repeat: input x; output [r0·s0, r1·s1, ...] for sizes r (as many as or more than x's dims).
// attrs: count, then the sizes. The output read as [r0, s0, r1, s1, ...] walks x with stride 0
// over each r; dims of size 1 are dropped so that the pairs fit the walk (else the js kernel runs).
int Repeat(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &out = a->t[1];
  const double count = a->attrs[0];
  if (x.dtype != out.dtype || !(count >= x.ndim && count == out.ndim)) return TL_ERR_ARGS;
  int64_t sizes[TL_MAX_DIMS];
  if (!IntAttrs(a, 1, out.ndim, sizes)) return TL_ERR_ARGS;
  const int lead = out.ndim - x.ndim;
  int64_t shape[2 * TL_MAX_DIMS], os[2 * TL_MAX_DIMS], xs[2 * TL_MAX_DIMS];
  int n = 0;
  int64_t stride = 1;
  // Built from the last dim: the output's strides over [r, s] pairs are its contiguous strides.
  for (int i = out.ndim - 1; i >= 0; i--) {
    const int64_t s = i < lead ? 1 : x.shape[i - lead];
    if (sizes[i] * s != out.shape[i]) return TL_ERR_ARGS;
    if (s != 1) {
      shape[n] = s;
      os[n] = stride;
      xs[n] = x.strides[i - lead];
      n++;
    }
    stride *= s;
    if (sizes[i] != 1) {
      shape[n] = sizes[i];
      os[n] = stride;
      xs[n] = 0;
      n++;
    }
    stride *= sizes[i];
  }
  if (out.size == 0) return TL_OK;
  if (n > TL_MAX_DIMS) return TL_ERR_UNSUPPORTED;
  // Reverse into row-major order.
  int64_t rs[TL_MAX_DIMS], ros[TL_MAX_DIMS], rxs[TL_MAX_DIMS];
  for (int k = 0; k < n; k++) {
    rs[k] = shape[n - 1 - k];
    ros[k] = os[n - 1 - k];
    rxs[k] = xs[n - 1 - k];
  }
  tl_tensor ov = ViewOver(out, n, rs, ros, out.offset);
  tl_tensor xv = ViewOver(x, n, rs, rxs, x.offset);
  Move(ov, xv, rt);
  return TL_OK;
}

// sliceBackward: input gy (the slice's gradient, any strides); output the sliced tensor's shape,
// zeroed by the allocator; gy goes to positions start, start + step, ... along dim. attrs: dim,
// start, step.
int SliceBackward(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1 || a->n_attrs < 3) return TL_ERR_ARGS;
  const tl_tensor &gy = a->t[0], &out = a->t[1];
  const int nd = out.ndim;
  const double dim = a->attrs[0], start = a->attrs[1], step = a->attrs[2];
  if (gy.dtype != out.dtype || gy.ndim != nd || !(dim >= 0 && dim < nd) || !(start >= 0) || !(step >= 1)) {
    return TL_ERR_ARGS;
  }
  const int d = static_cast<int>(dim);
  for (int k = 0; k < nd; k++) {
    if (k != d && gy.shape[k] != out.shape[k]) return TL_ERR_ARGS;
  }
  if (gy.size == 0) return TL_OK;
  const int64_t first = static_cast<int64_t>(start), every = static_cast<int64_t>(step);
  if (first + (gy.shape[d] - 1) * every >= out.shape[d]) return TL_ERR_ARGS;
  int64_t strides[TL_MAX_DIMS];
  ContiguousStrides(out.shape, nd, strides);
  const int64_t offset = out.offset + first * strides[d];
  strides[d] *= every;
  tl_tensor ov = ViewOver(out, nd, gy.shape, strides, offset);
  Move(ov, gy, rt);
  return TL_OK;
}

// ---- cat ---------------------------------------------------------------------------------------

// Inputs of one call (the TypeScript wrapper sends at most TL_MAX_TENSORS − 1 per call).
constexpr int kMaxCat = TL_MAX_TENSORS - 1;

struct CatCtx {
  int n;
  Walk walk[kMaxCat];  // input i: operands its place in the output, the input
  char* dst[kMaxCat];
  const char* src[kMaxCat];
  int64_t first[kMaxCat + 1];  // input i covers flat positions [first[i], first[i + 1])
};

template <class T>
struct CatTask {
  static void Run(void* p, int ith, int nth) {
    const CatCtx& c = *static_cast<const CatCtx*>(p);
    int64_t start, end;
    Split(c.first[c.n], ith, nth, &start, &end);
    for (int i = 0; i < c.n; i++) {
      const int64_t lo = start > c.first[i] ? start : c.first[i];
      const int64_t hi = end < c.first[i + 1] ? end : c.first[i + 1];
      if (lo >= hi) continue;
      const Walk& w = c.walk[i];
      T* dst = reinterpret_cast<T*>(c.dst[i]);
      const T* src = reinterpret_cast<const T*>(c.src[i]);
      const int64_t ds = w.strides[0][w.ndim - 1], ss = w.strides[1][w.ndim - 1];
      ForRows<2>(w, lo - c.first[i], hi - c.first[i], [&](int64_t, int64_t len, const int64_t* off) {
        MoveRun(dst + off[0], ds, src + off[1], ss, len);
      });
    }
  }
};

// cat: inputs x0..x(n-1) (n <= TL_MAX_TENSORS − 1, any strides); output the whole concatenation
// (contiguous). attrs: dim, start: the inputs fill positions start, start + 1, ... along dim (the
// wrapper splits a long list of inputs over several calls into one output).
int Cat(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in < 1 || a->n_in > kMaxCat || a->n_out != 1 || a->n_attrs < 2) return TL_ERR_ARGS;
  const tl_tensor& out = a->t[a->n_in];
  const int nd = out.ndim;
  const double dim = a->attrs[0], start = a->attrs[1];
  if (!(dim >= 0 && dim < nd) || !(start >= 0)) return TL_ERR_ARGS;
  const int d = static_cast<int>(dim);
  int64_t strides[TL_MAX_DIMS];
  ContiguousStrides(out.shape, nd, strides);
  CatCtx c;
  c.n = a->n_in;
  c.first[0] = 0;
  int64_t at = static_cast<int64_t>(start);
  const int elsize = ElSize(out.dtype);
  for (int i = 0; i < c.n; i++) {
    const tl_tensor& x = a->t[i];
    if (x.dtype != out.dtype) return TL_ERR_UNSUPPORTED;
    if (x.ndim != nd) return TL_ERR_ARGS;
    for (int k = 0; k < nd; k++) {
      if (k != d && x.shape[k] != out.shape[k]) return TL_ERR_ARGS;
    }
    if (at + x.shape[d] > out.shape[d]) return TL_ERR_ARGS;
    tl_tensor place = ViewOver(out, nd, x.shape, strides, out.offset + at * strides[d]);
    c.first[i + 1] = c.first[i] + x.size;
    if (x.size > 0) {
      const tl_tensor* views[2] = {&place, &x};
      MakeWalk(&c.walk[i], views, 2);
    }
    c.dst[i] = out.data + place.offset * elsize;
    c.src[i] = x.data + x.offset * elsize;
    at += x.shape[d];
  }
  if (c.first[c.n] == 0) return TL_OK;
  rt->parallel_for(ThreadsFor(rt, c.first[c.n], 1 << 16), ForSize<CatTask>(elsize), &c);
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(movement) = {
    {"cat", Cat},
    {"flip", Flip},
    {"repeat", Repeat},
    {"sliceBackward", SliceBackward},
    {nullptr, nullptr},
};
