// Copies and fills for every dtype: copy/cast (strided → contiguous, converting like the js
// kernels), assign (into a strided destination: the in-place writes), full, arange, eye.
#include "common.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// One element converted as the js backend converts it: to int32 truncates and wraps (ToInt32), to
// bool is "≠ 0" (NaN is true), to float rounds to nearest.
template <class To, class From>
TL_INLINE To Convert(From v) {
  if constexpr (sizeof(To) == 1) {
    return v != 0 ? 1 : 0;
  } else if constexpr (static_cast<To>(0.5) == 0 && sizeof(From) >= 4 && static_cast<From>(0.5) != 0) {
    return ToInt32(static_cast<double>(v));  // float → int32
  } else {
    return static_cast<To>(v);
  }
}

template <class To, class From>
void ConvertRun(const From* src, int64_t stride, To* dst, int64_t n) {
  if (stride == 1) {
    if constexpr (sizeof(To) == sizeof(From) && static_cast<To>(0.5) == static_cast<From>(0.5) &&
                  (sizeof(To) != 1)) {
      memcpy(dst, src, n * sizeof(To));
    } else {
      for (int64_t i = 0; i < n; i++) dst[i] = Convert<To>(src[i]);
    }
  } else if (stride == 0) {
    To v = Convert<To>(src[0]);
    for (int64_t i = 0; i < n; i++) dst[i] = v;
  } else {
    for (int64_t i = 0; i < n; i++) dst[i] = Convert<To>(src[i * stride]);
  }
}

struct CopyCtx {
  Walk walk;  // operand 0: the output (contiguous), operand 1: the input
  const tl_tensor* in;
  const tl_tensor* out;
  bool transposed;  // the input's stride-1 dim is the walk's second last: copy by tiles
};

// A transposed copy goes by strips of 8 output rows: each input read is 8 consecutive elements,
// and only 8 output lines are open at once. (Square tiles of 32 rows thrash L1 when the row length
// is a power of two: every row of the tile maps to the same cache set.)
constexpr int64_t kStrip = 8;

// The transposed case: every [R, C] plane of the output reads the input's [C, R]-contiguous plane.
template <class To, class From>
void TransposeTask(const CopyCtx& c, int ith, int nth) {
  const Walk& w = c.walk;
  const int nd = w.ndim;
  const int64_t R = w.shape[nd - 2], C = w.shape[nd - 1], cs = w.strides[1][nd - 1];
  const int64_t strips = (R + kStrip - 1) / kStrip;
  const int64_t planes = c.out->size / (R * C);
  int64_t start, end;
  Split(planes * strips, ith, nth, &start, &end);
  const From* src = Base<const From>(*c.in);
  To* dst = Base<To>(*c.out);
  for (int64_t item = start; item < end; item++) {
    int64_t plane = item / strips, r0 = (item % strips) * kStrip;
    int64_t in_off = 0, rem = plane;
    for (int d = nd - 3; d >= 0; d--) {
      in_off += (rem % w.shape[d]) * w.strides[1][d];
      rem /= w.shape[d];
    }
    const From* in = src + in_off + r0;
    To* out = dst + plane * R * C + r0 * C;
    if (r0 + kStrip <= R) {
      for (int64_t col = 0; col < C; col++) {
        const From* v = in + col * cs;
        for (int64_t r = 0; r < kStrip; r++) out[r * C + col] = Convert<To>(v[r]);
      }
    } else {
      const int64_t rows = R - r0;
      for (int64_t col = 0; col < C; col++) {
        const From* v = in + col * cs;
        for (int64_t r = 0; r < rows; r++) out[r * C + col] = Convert<To>(v[r]);
      }
    }
  }
}

template <class To, class From>
void CopyTask(void* p, int ith, int nth) {
  const CopyCtx& c = *static_cast<const CopyCtx*>(p);
  if (c.transposed) {
    TransposeTask<To, From>(c, ith, nth);
    return;
  }
  int64_t start, end;
  Split(c.out->size, ith, nth, &start, &end);
  const From* src = Base<const From>(*c.in);
  To* dst = Base<To>(*c.out);
  const int64_t s = c.walk.strides[1][c.walk.ndim - 1];
  WalkRows(c.walk, start, end, [&](int64_t pos, int64_t len, const int64_t* off) {
    ConvertRun<To, From>(src + off[1], s, dst + pos, len);
  });
}

template <class To>
tl_task_fn CopyTaskFor(int from) {
  switch (from) {
    case TL_F32: return CopyTask<To, float>;
    case TL_F64: return CopyTask<To, double>;
    case TL_I32: return CopyTask<To, int32_t>;
    default: return CopyTask<To, uint8_t>;
  }
}

// copy / cast: any strided input into a contiguous output of any dtype.
int Copy(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  CopyCtx c;
  c.in = &a->t[0];
  c.out = &a->t[1];
  if (c.out->size != c.in->size) return TL_ERR_ARGS;
  if (c.out->size == 0) return TL_OK;
  const tl_tensor* views[2] = {c.out, c.in};
  MakeWalk(&c.walk, views, 2);
  const int nd = c.walk.ndim;
  c.transposed = nd >= 2 && c.walk.strides[1][nd - 2] == 1 && c.walk.strides[1][nd - 1] != 1 &&
                 c.walk.shape[nd - 1] >= 8 && c.walk.shape[nd - 2] >= 8;
  tl_task_fn task;
  switch (c.out->dtype) {
    case TL_F32: task = CopyTaskFor<float>(c.in->dtype); break;
    case TL_F64: task = CopyTaskFor<double>(c.in->dtype); break;
    case TL_I32: task = CopyTaskFor<int32_t>(c.in->dtype); break;
    default: task = CopyTaskFor<uint8_t>(c.in->dtype); break;
  }
  rt->parallel_for(ThreadsFor(rt, c.out->size, 1 << 16), task, &c);
  return TL_OK;
}

struct AssignCtx {
  Walk walk;  // operand 0: the destination, operand 1: the source
  char* dst;
  const char* src;
  int64_t size;
  int elsize;
};

template <class T>
void AssignTask(void* p, int ith, int nth) {
  const AssignCtx& c = *static_cast<const AssignCtx*>(p);
  int64_t start, end;
  Split(c.size, ith, nth, &start, &end);
  T* dst = reinterpret_cast<T*>(c.dst);
  const T* src = reinterpret_cast<const T*>(c.src);
  const int64_t ds = c.walk.strides[0][c.walk.ndim - 1];
  const int64_t ss = c.walk.strides[1][c.walk.ndim - 1];
  WalkRows(c.walk, start, end, [&](int64_t, int64_t len, const int64_t* off) {
    T* d = dst + off[0];
    const T* s = src + off[1];
    if (ds == 1 && ss == 1) {
      memcpy(d, s, len * sizeof(T));
    } else {
      for (int64_t i = 0; i < len; i++) d[i * ds] = s[i * ss];
    }
  });
}

// assign: writes the input (already broadcast to the destination's shape, same dtype) into the
// output view, which may have any strides. Overlapping source and destination go to the js kernel.
int Assign(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 1 || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& src = a->t[0];
  const tl_tensor& dst = a->t[1];
  if (src.size != dst.size) return TL_ERR_ARGS;
  if (src.dtype != dst.dtype || src.data == dst.data) return TL_ERR_UNSUPPORTED;
  if (dst.size == 0) return TL_OK;
  AssignCtx c;
  const tl_tensor* views[2] = {&dst, &src};
  MakeWalk(&c.walk, views, 2);
  c.elsize = ElSize(dst.dtype);
  c.dst = dst.data + dst.offset * c.elsize;
  c.src = src.data + src.offset * c.elsize;
  c.size = dst.size;
  // A destination with a zero stride writes one place many times: keep js's order (last wins).
  bool aliased = false;
  for (int d = 0; d < c.walk.ndim; d++) aliased = aliased || c.walk.strides[0][d] == 0;
  int nth = aliased ? 1 : ThreadsFor(rt, c.size, 1 << 16);
  tl_task_fn task = c.elsize == 8 ? AssignTask<uint64_t> : c.elsize == 4 ? AssignTask<uint32_t> : AssignTask<uint8_t>;
  rt->parallel_for(nth, task, &c);
  return TL_OK;
}

struct FillCtx {
  char* data;
  int64_t size;
  double value;
};

template <class T>
void FillTask(void* p, int ith, int nth) {
  const FillCtx& c = *static_cast<const FillCtx*>(p);
  int64_t start, end;
  Split(c.size, ith, nth, &start, &end);
  T v = StoreNumber<T>(c.value);
  T* d = reinterpret_cast<T*>(c.data);
  for (int64_t i = start; i < end; i++) d[i] = v;
}

// full: every element of the contiguous output = attrs[0].
int Full(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 0 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor& out = a->t[0];
  FillCtx c{out.data + out.offset * ElSize(out.dtype), out.size, a->attrs[0]};
  tl_task_fn task = out.dtype == TL_F32 ? FillTask<float>
                  : out.dtype == TL_F64 ? FillTask<double>
                  : out.dtype == TL_I32 ? FillTask<int32_t> : FillTask<uint8_t>;
  rt->parallel_for(ThreadsFor(rt, out.size, 1 << 17), task, &c);
  return TL_OK;
}

template <class T>
void ArangeRun(T* d, int64_t n, double start, double step) {
  for (int64_t i = 0; i < n; i++) d[i] = StoreNumber<T>(start + static_cast<double>(i) * step);
}

// arange / linspace: start + i * step, in float64 arithmetic like the js kernel. attrs: start, step.
int Arange(const tl_args* a, const tl_runtime*) {
  if (a->n_in != 0 || a->n_out != 1 || a->n_attrs < 2) return TL_ERR_ARGS;
  const tl_tensor& out = a->t[0];
  double start = a->attrs[0], step = a->attrs[1];
  switch (out.dtype) {
    case TL_F32: ArangeRun(Base<float>(out), out.size, start, step); break;
    case TL_F64: ArangeRun(Base<double>(out), out.size, start, step); break;
    case TL_I32: ArangeRun(Base<int32_t>(out), out.size, start, step); break;
    default: ArangeRun(Base<uint8_t>(out), out.size, start, step); break;
  }
  return TL_OK;
}

template <class T>
void EyeRun(T* d, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows * cols; i++) d[i] = 0;
  for (int64_t i = 0; i < rows && i < cols; i++) d[i * cols + i] = 1;
}

// eye: ones on the diagonal of a [rows, cols] output. attrs: cols.
int Eye(const tl_args* a, const tl_runtime*) {
  if (a->n_in != 0 || a->n_out != 1 || a->n_attrs < 1) return TL_ERR_ARGS;
  const tl_tensor& out = a->t[0];
  int64_t cols = static_cast<int64_t>(a->attrs[0]);
  if (cols <= 0) return TL_OK;
  int64_t rows = out.size / cols;
  switch (out.dtype) {
    case TL_F32: EyeRun(Base<float>(out), rows, cols); break;
    case TL_F64: EyeRun(Base<double>(out), rows, cols); break;
    case TL_I32: EyeRun(Base<int32_t>(out), rows, cols); break;
    default: EyeRun(Base<uint8_t>(out), rows, cols); break;
  }
  return TL_OK;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

using namespace tensile::TENSILE_ISA;

TL_FAMILY_TABLE(copy) = {
    {"copy", Copy},
    {"cast", Copy},
    {"contiguous", Copy},
    {"assign", Assign},
    {"full", Full},
    {"arange", Arange},
    {"eye", Eye},
    {nullptr, nullptr},
};
