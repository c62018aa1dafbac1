// pad (constant, reflect, replicate, circular) and its gradient padBackward. Every dtype; rows go
// plane by plane with the input row copied by memcpy (ResNet-style padding of feature maps);
// padBackward adds in the element type in the js kernel's order, so results are bit-identical.
#include "rows.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

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
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 16), ForType<PadTask>(out.dtype), &c);
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
  int nth = ThreadsFor(rt, gy.size, 1 << 16);
  if (nth > c.slices) nth = static_cast<int>(c.slices);
  rt->parallel_for(nth, ForAdd<PadBackTask>(out.dtype), &c);
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(pad) = {
    {"pad", Pad},
    {"padBackward", PadBackward},
    {nullptr, nullptr},
};
