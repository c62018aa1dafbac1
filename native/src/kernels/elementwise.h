// The drivers behind elementwise kernels: they walk strided operands row by row, hand contiguous
// runs straight to a row function, gather other runs into stack tiles first, and split the flat
// range across the thread pool. Included by unary.cc and binary.cc (per-ISA namespace).
#ifndef TENSILE_KERNELS_ELEMENTWISE_H
#define TENSILE_KERNELS_ELEMENTWISE_H

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {

// Row function of a unary op: y[0..n) = f(x[0..n)), both contiguous.
template <class Tin, class Tout>
using UnaryRowFn = void (*)(const Tin* x, Tout* y, int64_t n, const double* params);

template <class Tin, class Tout>
struct UnaryCtx {
  Walk walk;  // operand 0: output (contiguous), 1: input
  const Tin* x;
  Tout* y;
  int64_t size;
  UnaryRowFn<Tin, Tout> row;
  const double* params;
};

template <class Tin, class Tout>
void UnaryTask(void* p, int ith, int nth) {
  const UnaryCtx<Tin, Tout>& c = *static_cast<const UnaryCtx<Tin, Tout>*>(p);
  int64_t start, end;
  Split(c.size, ith, nth, &start, &end);
  const int64_t s = c.walk.strides[1][c.walk.ndim - 1];
  WalkRows(c.walk, start, end, [&](int64_t pos, int64_t len, const int64_t* off) {
    if (s == 1) {
      c.row(c.x + off[1], c.y + pos, len, c.params);
      return;
    }
    Tin tile[kTile];
    for (int64_t done = 0; done < len; done += kTile) {
      int64_t m = len - done < kTile ? len - done : kTile;
      Gather(c.x + off[1] + done * s, s, tile, m);
      c.row(tile, c.y + pos + done, m, c.params);
    }
  });
}

// Runs `row` over input 0 (any strides) into output 0 (contiguous). `grain`: elements worth a thread.
template <class Tin, class Tout>
int RunUnary(const tl_args* a, const tl_runtime* rt, UnaryRowFn<Tin, Tout> row, const double* params, int64_t grain) {
  const tl_tensor& x = a->t[0];
  const tl_tensor& y = a->t[a->n_in];
  if (x.size != y.size) return TL_ERR_ARGS;
  if (y.size == 0) return TL_OK;
  UnaryCtx<Tin, Tout> c;
  const tl_tensor* views[2] = {&y, &x};
  MakeWalk(&c.walk, views, 2);
  c.x = Base<const Tin>(x);
  c.y = Base<Tout>(y);
  c.size = y.size;
  c.row = row;
  c.params = params;
  rt->parallel_for(ThreadsFor(rt, c.size, grain), UnaryTask<Tin, Tout>, &c);
  return TL_OK;
}

// Row function of a binary op over contiguous runs; `mode` says which operand is one broadcast
// value: 0 neither, 1 b, 2 a.
template <class Tin, class Tout>
using BinaryRowFn = void (*)(const Tin* a, const Tin* b, Tout* y, int64_t n, int mode);

template <class Tin, class Tout>
struct BinaryCtx {
  Walk walk;  // operand 0: output (contiguous), 1: a, 2: b
  const Tin* a;
  const Tin* b;
  Tout* y;
  int64_t size;
  BinaryRowFn<Tin, Tout> row;
};

template <class Tin, class Tout>
void BinaryTask(void* p, int ith, int nth) {
  const BinaryCtx<Tin, Tout>& c = *static_cast<const BinaryCtx<Tin, Tout>*>(p);
  int64_t start, end;
  Split(c.size, ith, nth, &start, &end);
  const int64_t sa = c.walk.strides[1][c.walk.ndim - 1];
  const int64_t sb = c.walk.strides[2][c.walk.ndim - 1];
  WalkRows(c.walk, start, end, [&](int64_t pos, int64_t len, const int64_t* off) {
    const Tin* pa = c.a + off[1];
    const Tin* pb = c.b + off[2];
    if (sa == 1 && sb == 1) return c.row(pa, pb, c.y + pos, len, 0);
    if (sa == 1 && sb == 0) return c.row(pa, pb, c.y + pos, len, 1);
    if (sa == 0 && sb == 1) return c.row(pa, pb, c.y + pos, len, 2);
    Tin ta[kTile], tb[kTile];
    for (int64_t done = 0; done < len; done += kTile) {
      int64_t m = len - done < kTile ? len - done : kTile;
      Gather(pa + done * sa, sa, ta, m);
      Gather(pb + done * sb, sb, tb, m);
      c.row(ta, tb, c.y + pos + done, m, 0);
    }
  });
}

// Runs `row` over inputs 0 and 1 (broadcast to the output's shape, any strides) into output 0.
template <class Tin, class Tout>
int RunBinary(const tl_args* a, const tl_runtime* rt, BinaryRowFn<Tin, Tout> row, int64_t grain) {
  const tl_tensor& x = a->t[0];
  const tl_tensor& z = a->t[1];
  const tl_tensor& y = a->t[2];
  if (x.size != y.size || z.size != y.size || x.ndim != y.ndim || z.ndim != y.ndim) return TL_ERR_ARGS;
  if (y.size == 0) return TL_OK;
  BinaryCtx<Tin, Tout> c;
  const tl_tensor* views[3] = {&y, &x, &z};
  MakeWalk(&c.walk, views, 3);
  c.a = Base<const Tin>(x);
  c.b = Base<const Tin>(z);
  c.y = Base<Tout>(y);
  c.size = y.size;
  c.row = row;
  rt->parallel_for(ThreadsFor(rt, c.size, grain), BinaryTask<Tin, Tout>, &c);
  return TL_OK;
}

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
