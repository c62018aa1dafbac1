// Movement kernels: cat, pad and its gradient padBackward, flip, repeat, sliceBackward. Every dtype;
// elements move as raw bits of their size, runs that are contiguous on both sides go by memcpy (the
// training paths: ResNet padding, LSTM gate slices, cat of feature maps). padBackward adds in the
// element type in the js kernel's order, so every result is bit-identical to the js backend's.
#include "rows.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// The task of a byte-moving kernel for this element size (elements as unsigned integers).
template <template <class> class Task>
tl_task_fn ForSize(int elsize) {
  return elsize == 8 ? Task<uint64_t>::Run : elsize == 4 ? Task<uint32_t>::Run : Task<uint8_t>::Run;
}

// Row-major contiguous strides of `shape`.
void ContiguousStrides(const int64_t* shape, int ndim, int64_t* strides) {
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
}

// A view of `t`'s storage over `shape` with the given strides and offset (in elements).
tl_tensor ViewOver(const tl_tensor& t, int ndim, const int64_t* shape, const int64_t* strides, int64_t offset) {
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

// ---- pad / padBackward -------------------------------------------------------------------------

enum PadMode { kConstant = 0, kReflect = 1, kReplicate = 2, kCircular = 3 };

struct PadPlan {
  int nd;
  int mode;
  double value;
  int64_t before[TL_MAX_DIMS], after[TL_MAX_DIMS];
  int64_t n[TL_MAX_DIMS];       // unpadded sizes
  int64_t padded[TL_MAX_DIMS];  // padded sizes
};

// The unpadded index padded position i reads along a dim of size n, or -1 for the fill value
// (constant mode). Pads are at most n for circular and below n for reflect (checked by the op).
TL_INLINE int64_t Source(int64_t i, int64_t before, int64_t n, int mode) {
  int64_t j = i - before;
  if (j >= 0 && j < n) return j;
  switch (mode) {
    case kConstant: return -1;
    case kReplicate: return j < 0 ? 0 : n - 1;
    case kCircular: return j < 0 ? j + n : j - n;
    default: return j < 0 ? -j : 2 * (n - 1) - j;  // reflect about the edge, not repeating it
  }
}

// attrs: mode (0 constant, 1 reflect, 2 replicate, 3 circular), value, then (before, after) per dim.
// `unpadded` and `padded` are the two sides' tensors; false when they do not fit the pads.
bool MakePadPlan(const tl_args* a, const tl_tensor& unpadded, const tl_tensor& padded, PadPlan* p) {
  const int nd = unpadded.ndim;
  if (padded.ndim != nd || a->n_attrs < 2 + 2 * nd) return false;
  p->nd = nd;
  const double mode = a->attrs[0];
  if (!(mode >= kConstant && mode <= kCircular)) return false;
  p->mode = static_cast<int>(mode);
  p->value = a->attrs[1];
  for (int d = 0; d < nd; d++) {
    const double b = a->attrs[2 + 2 * d], e = a->attrs[3 + 2 * d];
    if (!(b >= 0 && e >= 0)) return false;
    p->before[d] = static_cast<int64_t>(b);
    p->after[d] = static_cast<int64_t>(e);
    p->n[d] = unpadded.shape[d];
    p->padded[d] = padded.shape[d];
    if (p->n[d] + p->before[d] + p->after[d] != p->padded[d]) return false;
    // Every padded position must read inside the unpadded dim (constant fills need no source).
    if (p->mode != kConstant && (p->before[d] > 0 || p->after[d] > 0)) {
      const int64_t n = p->n[d];
      const int64_t most = p->mode == kReflect ? n - 1 : p->mode == kCircular ? n : n == 0 ? -1 : INT64_MAX;
      if (p->before[d] > most || p->after[d] > most) return false;
    }
  }
  return true;
}

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

struct PadCtx {
  PadPlan plan;
  const tl_tensor* x;
  char* out;
  int64_t rows;  // output rows (all dims but the last)
};

// One output row from the input row it maps to: before-padding, the row (copied), after-padding.
template <class T>
TL_INLINE void PadRow(T* o, const T* row, int64_t xs, int64_t L, int64_t b, int64_t n, int mode, T fill) {
  for (int64_t i = 0; i < b; i++) {
    const int64_t j = Source(i, b, n, mode);
    o[i] = j < 0 ? fill : row[j * xs];
  }
  if (xs == 1) {
    CopyBytes(o + b, row, n * sizeof(T));
  } else {
    for (int64_t i = 0; i < n; i++) o[b + i] = row[i * xs];
  }
  for (int64_t i = b + n; i < L; i++) {
    const int64_t j = Source(i, b, n, mode);
    o[i] = j < 0 ? fill : row[j * xs];
  }
}

// Where a plane (a position of every dim but the last two) of the padded shape reads: the offset
// of its unpadded plane along `ustrides`, or false when it falls in constant padding; `poff` gets
// the plane's offset along `pstrides` (the padded side's).
TL_INLINE bool PlaneSource(const PadPlan& pl, int64_t plane, const int64_t* ustrides, const int64_t* pstrides,
                           int64_t* uoff, int64_t* poff) {
  bool inside = true;
  *uoff = *poff = 0;
  for (int d = pl.nd - 3; d >= 0; d--) {
    const int64_t i = plane % pl.padded[d];
    plane /= pl.padded[d];
    const int64_t j = Source(i, pl.before[d], pl.n[d], pl.mode);
    inside = inside && j >= 0;
    *uoff += j * ustrides[d];
    *poff += i * pstrides[d];
  }
  return inside;
}

// The second-last dim's geometry (a 1-D tensor is one row of one plane).
struct Rows2 {
  int64_t count, before, n;
};
TL_INLINE Rows2 SecondLast(const PadPlan& pl) {
  if (pl.nd < 2) return {1, 0, 1};
  return {pl.padded[pl.nd - 2], pl.before[pl.nd - 2], pl.n[pl.nd - 2]};
}

// The output's rows plane by plane: a plane in constant padding is all fill value, otherwise each
// row maps through the second-last dim to an input row.
template <class T>
struct PadTask {
  static void Run(void* p, int ith, int nth) {
    const PadCtx& c = *static_cast<const PadCtx*>(p);
    const PadPlan& pl = c.plan;
    const tl_tensor& x = *c.x;
    const int last = pl.nd - 1;
    int64_t start, end;
    Split(c.rows, ith, nth, &start, &end);
    const T fill = StoreNumber<T>(pl.value);
    const T* src = Base<const T>(x);
    const int mode = pl.mode;
    const int64_t L = pl.padded[last], n = pl.n[last], b = pl.before[last], xs = x.strides[last];
    const Rows2 h2 = SecondLast(pl);
    const int64_t hs = pl.nd < 2 ? 0 : x.strides[pl.nd - 2];
    T* o = reinterpret_cast<T*>(c.out) + start * L;
    for (int64_t r = start; r < end;) {
      const int64_t plane = r / h2.count;
      int64_t h = r % h2.count;
      const int64_t hend = h + (end - r) < h2.count ? h + (end - r) : h2.count;
      int64_t off, unused;
      const bool inside = PlaneSource(pl, plane, x.strides, x.strides, &off, &unused);
      r += hend - h;
      for (; h < hend; h++, o += L) {
        const int64_t j = Source(h, h2.before, h2.n, mode);
        if (!inside || j < 0) {
          for (int64_t i = 0; i < L; i++) o[i] = fill;
        } else {
          PadRow(o, src + off + j * hs, xs, L, b, n, mode, fill);
        }
      }
    }
  }
};

// pad: input x (any strides); output contiguous, x's shape plus the pads. attrs: see MakePadPlan.
int Pad(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &out = a->t[1];
  if (x.dtype != out.dtype) return TL_ERR_ARGS;
  PadCtx c;
  if (!MakePadPlan(a, x, out, &c.plan)) return TL_ERR_ARGS;
  if (out.size == 0) return TL_OK;
  const int elsize = ElSize(out.dtype);
  if (out.ndim == 0) {  // nothing to pad: one element
    memcpy(out.data + out.offset * elsize, x.data + x.offset * elsize, elsize);
    return TL_OK;
  }
  c.x = &x;
  c.out = out.data + out.offset * elsize;
  c.rows = out.size / out.shape[out.ndim - 1];
  tl_task_fn task;
  switch (out.dtype) {
    case TL_F32: task = PadTask<float>::Run; break;
    case TL_F64: task = PadTask<double>::Run; break;
    case TL_I32: task = PadTask<int32_t>::Run; break;
    default: task = PadTask<uint8_t>::Run; break;
  }
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 16), task, &c);
  return TL_OK;
}

struct PadBackCtx {
  PadPlan plan;
  const tl_tensor* gy;
  char* out;
  int64_t slices;  // positions of the leading unpadded dims: the threads' split
  int64_t rows;    // gy rows per slice
  int64_t ostrides[TL_MAX_DIMS];
};

// Adds one gradient row into the output row it was copied from.
template <class T>
TL_INLINE void PadBackRow(T* o, const T* g, int64_t gs, int64_t L, int64_t b, int64_t n, int mode) {
  for (int64_t i = 0; i < b; i++) {
    const int64_t j = Source(i, b, n, mode);
    if (j >= 0) o[j] = static_cast<T>(o[j] + g[i * gs]);
  }
  const T* gi = g + b * gs;
  if (gs == 1) {
    T* __restrict__ dst = o;
    const T* __restrict__ v = gi;
    for (int64_t i = 0; i < n; i++) dst[i] = static_cast<T>(dst[i] + v[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = static_cast<T>(o[i] + gi[i * gs]);
  }
  for (int64_t i = b + n; i < L; i++) {
    const int64_t j = Source(i, b, n, mode);
    if (j >= 0) o[j] = static_cast<T>(o[j] + g[i * gs]);
  }
}

// Walks gy's rows in order and adds each element into the output element it was copied from. The
// leading unpadded dims map one to one, so threads own whole slices of them: no two threads reach
// the same element, and each element receives its additions in gy's order, as in the js kernel.
template <class T>
struct PadBackTask {
  static void Run(void* p, int ith, int nth) {
    const PadBackCtx& c = *static_cast<const PadBackCtx*>(p);
    const PadPlan& pl = c.plan;
    const tl_tensor& gy = *c.gy;
    const int last = pl.nd - 1;
    int64_t s0, s1;
    Split(c.slices, ith, nth, &s0, &s1);
    const int64_t start = s0 * c.rows, end = s1 * c.rows;
    const T* src = Base<const T>(gy);
    T* out = reinterpret_cast<T*>(c.out);
    const int mode = pl.mode;
    const int64_t L = pl.padded[last], n = pl.n[last], b = pl.before[last], gs = gy.strides[last];
    if (n == 0) return;
    const Rows2 h2 = SecondLast(pl);
    const int64_t hs = pl.nd < 2 ? 0 : c.ostrides[pl.nd - 2], ghs = pl.nd < 2 ? 0 : gy.strides[pl.nd - 2];
    for (int64_t r = start; r < end;) {
      const int64_t plane = r / h2.count;
      int64_t h = r % h2.count;
      const int64_t hend = h + (end - r) < h2.count ? h + (end - r) : h2.count;
      int64_t off, goff;
      const bool inside = PlaneSource(pl, plane, c.ostrides, gy.strides, &off, &goff);
      r += hend - h;
      if (!inside) continue;
      for (; h < hend; h++) {
        const int64_t j = Source(h, h2.before, h2.n, mode);
        if (j >= 0) PadBackRow(out + off + j * hs, src + goff + h * ghs, gs, L, b, n, mode);
      }
    }
  }
};

// padBackward: input gy (the padded shape, any strides); output the unpadded shape, zeroed by the
// allocator. attrs: as pad's.
int PadBackward(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &gy = a->t[0], &out = a->t[1];
  if (gy.dtype != out.dtype) return TL_ERR_ARGS;
  PadBackCtx c;
  if (!MakePadPlan(a, out, gy, &c.plan)) return TL_ERR_ARGS;
  if (out.size == 0 || gy.size == 0) return TL_OK;
  const int elsize = ElSize(out.dtype);
  if (out.ndim == 0) {
    memcpy(out.data + out.offset * elsize, gy.data + gy.offset * elsize, elsize);
    return TL_OK;
  }
  const int last = out.ndim - 1;
  // Leading dims without padding (never the last: rows are the unit of work).
  int lead = 0;
  c.slices = 1;
  while (lead < last && c.plan.before[lead] == 0 && c.plan.after[lead] == 0) c.slices *= out.shape[lead++];
  c.rows = 1;
  for (int d = lead; d < last; d++) c.rows *= gy.shape[d];
  c.gy = &gy;
  c.out = out.data + out.offset * elsize;
  ContiguousStrides(out.shape, out.ndim, c.ostrides);
  tl_task_fn task;
  switch (out.dtype) {
    case TL_F32: task = PadBackTask<float>::Run; break;
    case TL_F64: task = PadBackTask<double>::Run; break;
    case TL_I32: task = PadBackTask<uint32_t>::Run; break;  // wraps like Int32Array
    default: task = PadBackTask<uint8_t>::Run; break;
  }
  int nth = ThreadsFor(rt, gy.size, 1 << 16);
  if (nth > c.slices) nth = static_cast<int>(c.slices);
  rt->parallel_for(nth, task, &c);
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(movement) = {
    {"cat", Cat},
    {"pad", Pad},
    {"padBackward", PadBackward},
    {"flip", Flip},
    {"repeat", Repeat},
    {"sliceBackward", SliceBackward},
    {nullptr, nullptr},
};
