// RunDotOuter (conv_direct.h): weight gradients as sums of outer products. With G transposed
// (Gᵀ: each output cell's m channels contiguous), Cᵀ[k, o..o+W) += Gᵀ[p, o..o+W) · x_k(p), the
// input value tap k reads at cell p broadcast to all lanes. Vectors run along output channels, so
// cells take no lanes: no tails, no dropped pad columns, no horizontal sums, and a tile's whole
// reduction over a chunk of images stays in registers. Two kinds of tile:
//   direct: one tap × a block of input channels, read from x itself (DotTaps); the cells where the
//           tap reads padding are skipped. Nothing but Gᵀ is prepared per image.
//   planes: any run of taps, read from conv2d's zero-padded planes (src[off[k] + r·pitch + c]),
//           for groups with too few input channels to fill a direct tile (a 3-channel stem).
// Each thread sums its own runs of images into a Cᵀ of its own; the last step adds them up and
// transposes into C.
#include "conv_direct.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {


// Tile: MV vectors of output channels × NK taps of accumulators; kNK[mv] taps for mv vectors.
// MV + NK loads (NK of them broadcasts) feed MV · NK FMAs per output cell; NK base pointers and
// the cell index must fit the general registers.
#if defined(TENSILE_ISA_AVX512)
constexpr int kMV = 4;
constexpr int kNK[kMV + 1] = {0, 10, 10, 8, 6};
#elif defined(TENSILE_ISA_AVX2)
constexpr int kMV = 3;
constexpr int kNK[kMV + 1] = {0, 8, 6, 4};
#elif defined(TENSILE_ISA_NEON)
constexpr int kMV = 3;
constexpr int kNK[kMV + 1] = {0, 10, 8, 6};
#else
constexpr int kMV = 2;
constexpr int kNK[kMV + 1] = {0, 4, 4};
#endif

// Most images prepared at once (their descriptors live on the stack).
constexpr int64_t kMaxChunk = 256;
// Scratch bytes of images a chunk aims at: every tile of the chunk rereads them, so they should
// stay in L2.
constexpr size_t kChunkBytes = size_t(512) << 10;

// Cache lines of the images after the current ones, a few issued per output row from inside the
// tiles, so that their x and gy are in L2 when prepared (a prepare that waits for memory costs as
// much as a tenth of the sums).
struct Prefetch {
  const char* at[2 * kMaxChunk];
  int64_t lines[2 * kMaxChunk];
  int n, i;
  int64_t done, per_row;
};

TL_INLINE void PrefetchRow(Prefetch* p) {
  for (int64_t l = 0; l < p->per_row && p->i < p->n; l++) {
    __builtin_prefetch(p->at[p->i] + p->done * 64, 0, 2);
    if (++p->done >= p->lines[p->i]) {
      p->i++;
      p->done = 0;
    }
  }
}

template <class T>
using OuterFn = void (*)(const DotImage<T>* imgs, int64_t count, int64_t o0, int64_t k0, T* ct, int64_t ct_rs,
                         bool fresh, Prefetch* pf);

// ct[(k0 + j) · ct_rs + o0 + i·W + lane] (+)= Σ over images and cells p of
// g[p][o0 + i·W + lane] · src[off[k0 + j] + p]; `fresh`: ct's old contents are overwritten.
template <class T, int MV, int NK>
__attribute__((noinline)) void OuterTile(const DotImage<T>* imgs, int64_t count, int64_t o0, int64_t k0, T* ct,
                                         int64_t ct_rs, bool fresh, Prefetch* pf) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  typename V::V acc[MV][NK];
#pragma GCC unroll 16
  for (int j = 0; j < NK; j++) {
#pragma GCC unroll 16
    for (int i = 0; i < MV; i++) acc[i][j] = fresh ? V::set1(T(0)) : V::load(ct + (k0 + j) * ct_rs + o0 + i * W);
  }
  for (int64_t n = 0; n < count; n++) {
    const DotImage<T>& im = imgs[n];
    const T* g = im.g + o0;
    const int64_t gp = im.g_pitch, cols = im.cols, pitch = im.pitch;
    const T* s[NK];
#pragma GCC unroll 16
    for (int j = 0; j < NK; j++) s[j] = im.src + im.off[k0 + j];
    for (int64_t r = 0; r < im.rows; r++) {
      PrefetchRow(pf);
      for (int64_t c = 0; c < cols; c++, g += gp) {
        typename V::V gv[MV];
#pragma GCC unroll 16
        for (int i = 0; i < MV; i++) gv[i] = V::load(g + i * W);
#pragma GCC unroll 16
        for (int j = 0; j < NK; j++) {
          const typename V::V b = V::set1(s[j][c]);
#pragma GCC unroll 16
          for (int i = 0; i < MV; i++) acc[i][j] = V::fma(gv[i], b, acc[i][j]);
        }
      }
#pragma GCC unroll 16
      for (int j = 0; j < NK; j++) s[j] += pitch;
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < NK; j++) {
#pragma GCC unroll 16
    for (int i = 0; i < MV; i++) V::store(ct + (k0 + j) * ct_rs + o0 + i * W, acc[i][j]);
  }
}

// Tile<MV, NK>::fn for the runtime shape (mv, nk), searched over every mv ≤ MV and nk ≤ kNK[mv] at
// compile time, so each shape runs a fully unrolled tile (null when none has that shape).
template <template <int, int> class Tile, int MV, int NK>
auto PickTile(int mv, int nk) -> decltype(Tile<1, 1>::fn) {
  if constexpr (MV == 0) {
    return nullptr;
  } else if constexpr (NK == 0) {
    return PickTile<Tile, MV - 1, kNK[MV - 1]>(mv, nk);
  } else {
    return mv == MV && nk == NK ? Tile<MV, NK>::fn : PickTile<Tile, MV, NK - 1>(mv, nk);
  }
}

template <class T>
struct OuterTiles {
  template <int MV, int NK>
  struct At {
    static constexpr OuterFn<T> fn = &OuterTile<T, MV, NK>;
  };
};

// The part of one tap (ky, kx) that falls inside the image: output rows [r0, r1), columns [c0, c1),
// and the tap's shift (oy, ox) into the image at cell (0, 0).
struct TapRange {
  int64_t r0, r1, c0, c1, oy, ox;
};

// Cells i in [0, cells) with 0 ≤ i·s + o < size: [*lo, *hi).
TL_INLINE void Inside(int64_t cells, int64_t s, int64_t o, int64_t size, int64_t* lo, int64_t* hi) {
  *lo = o >= 0 ? 0 : (-o + s - 1) / s;
  *hi = size - 1 - o < 0 ? 0 : (size - 1 - o) / s + 1;
  if (*hi > cells) *hi = cells;
  if (*lo > *hi) *lo = *hi;
}

template <class T>
using DirectFn = void (*)(const DotImage<T>* imgs, int64_t count, int64_t o0, int64_t ci0, const DotTaps& tp,
                          const TapRange& tr, T* ct, int64_t kstride, int64_t ct_rs, bool fresh, Prefetch* pf);

// As OuterTile for NK channels ci0 … ci0 + NK − 1 of one tap, read from the image itself (DotTaps):
// ct[(kbase + j · kstride) · ct_rs + …] with kbase the tap's row of channel ci0; cells where the tap
// reads padding are skipped (their products are zero).
template <class T, int MV, int NK>
__attribute__((noinline)) void DirectTile(const DotImage<T>* imgs, int64_t count, int64_t o0, int64_t ci0,
                                          const DotTaps& tp, const TapRange& tr, T* ct, int64_t kstride,
                                          int64_t ct_rs, bool fresh, Prefetch* pf) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  typename V::V acc[MV][NK];
#pragma GCC unroll 16
  for (int j = 0; j < NK; j++) {
#pragma GCC unroll 16
    for (int i = 0; i < MV; i++) acc[i][j] = fresh ? V::set1(T(0)) : V::load(ct + j * kstride * ct_rs + o0 + i * W);
  }
  const int64_t hw = tp.h * tp.w, sw = tp.sw, row_step = tp.sh * tp.w;
  const int64_t c0 = tr.c0, c1 = tr.c1;
  for (int64_t n = 0; n < count; n++) {
    const DotImage<T>& im = imgs[n];
    const int64_t gp = im.g_pitch;
    const T* s[NK];
#pragma GCC unroll 16
    for (int j = 0; j < NK; j++) s[j] = im.src + (ci0 + j) * hw + (tr.r0 * tp.sh + tr.oy) * tp.w + tr.ox;
    for (int64_t r = tr.r0; r < tr.r1; r++) {
      PrefetchRow(pf);
      const T* g = im.g + o0 + (r * im.cols + c0) * gp;
#pragma GCC unroll 2
      for (int64_t c = c0; c < c1; c++, g += gp) {
        typename V::V gv[MV];
#pragma GCC unroll 16
        for (int i = 0; i < MV; i++) gv[i] = V::load(g + i * W);
#pragma GCC unroll 16
        for (int j = 0; j < NK; j++) {
          const typename V::V b = V::set1(s[j][c * sw]);
#pragma GCC unroll 16
          for (int i = 0; i < MV; i++) acc[i][j] = V::fma(gv[i], b, acc[i][j]);
        }
      }
#pragma GCC unroll 16
      for (int j = 0; j < NK; j++) s[j] += row_step;
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < NK; j++) {
#pragma GCC unroll 16
    for (int i = 0; i < MV; i++) V::store(ct + j * kstride * ct_rs + o0 + i * W, acc[i][j]);
  }
}

template <class T>
struct DirectTiles {
  template <int MV, int NK>
  struct At {
    static constexpr DirectFn<T> fn = &DirectTile<T, MV, NK>;
  };
};

// Most threads a job keeps per-thread results for (the pool's own limit).
constexpr int kMaxThreads = 256;

template <class T>
struct OuterJob {
  const DotCall<T>* call;
  int64_t mp;           // Gᵀ and Cᵀ row pitch
  size_t stride;        // scratch bytes per prepared image
  size_t ct_bytes;      // one thread's Cᵀ (all groups)
  int64_t chunk;        // images prepared at once
  bool direct;          // tiles read the images themselves (prepare_d), not planes (prepare_t)
  int64_t run;          // images per unit
  // Slice i's Cᵀ at partials + i · ct_elems, at the end of the calling thread's scratch (own), so
  // two slices run by one thread never share it; the caller prepares images below them.
  T* partials;
  int64_t ct_elems;
  bool used[kMaxThreads];
  int threads;          // used[0, threads): slice i summed some images
  volatile int status;
};

// Elements of Cᵀ partials worth a thread in the final sum.
constexpr int64_t kReduceGrain = int64_t(1) << 15;

// C[g][i][j] = Σ over slices, in slice order, of Cᵀ[g][j][i], for this thread's share of the (g, j)
// rows of Cᵀ.
template <class T>
void ReduceTask(void* p, int ith, int nth) {
  const OuterJob<T>& job = *static_cast<const OuterJob<T>*>(p);
  const DotCall<T>& call = *job.call;
  int64_t r0, r1;
  Split(call.groups * call.k, ith, nth, &r0, &r1);
  for (int64_t r = r0; r < r1; r++) {
    const int64_t g = r / call.k, j = r % call.k;
    T* col = call.c + g * call.c_group + j;
    for (int64_t i = 0; i < call.m; i++) {
      T sum = T(0);
      for (int t = 0; t < job.threads; t++) sum += job.used[t] ? job.partials[t * job.ct_elems + r * job.mp + i] : T(0);
      col[i * call.c_rs] = sum;
    }
  }
}

// Tap (ky, kx)'s range in image `im`'s output grid.
template <class T>
TL_INLINE void Range(const DotImage<T>& im, const DotTaps& tp, int64_t ky, int64_t kx, TapRange* tr) {
  tr->oy = ky * tp.dh - tp.pt;
  tr->ox = kx * tp.dw - tp.pl;
  Inside(im.rows, tp.sh, tr->oy, tp.h, &tr->r0, &tr->r1);
  Inside(im.cols, tp.sw, tr->ox, tp.w, &tr->c0, &tr->c1);
}

// Queues the sources of images [n0, n1) of group gi in pf, to be issued over `rows` output rows.
template <class T>
void QueueSources(const DotCall<T>& call, int64_t gi, int64_t n0, int64_t n1, int64_t rows, Prefetch* pf) {
  pf->n = pf->i = 0;
  pf->done = 0;
  int64_t total = 0;
  for (int64_t n = n0; n < n1 && call.sources != nullptr; n++) {
    const char* at[2];
    size_t bytes[2];
    const int got = call.sources(call.ctx, gi, n, at, bytes);
    for (int r = 0; r < got && pf->n < 2 * kMaxChunk; r++) {
      // Whole lines from the one holding the first byte.
      const uintptr_t first = reinterpret_cast<uintptr_t>(at[r]) & ~uintptr_t(63);
      const uintptr_t end = reinterpret_cast<uintptr_t>(at[r]) + bytes[r];
      pf->at[pf->n] = reinterpret_cast<const char*>(first);
      pf->lines[pf->n] = static_cast<int64_t>((end - first + 63) / 64);
      total += pf->lines[pf->n++];
    }
  }
  pf->per_row = rows > 0 ? CeilDiv(total, rows) : 0;
}

template <class T>
void OuterTask(void* p, int ith, int nth) {
  OuterJob<T>& job = *static_cast<OuterJob<T>*>(p);
  const DotCall<T>& call = *job.call;
  constexpr int W = VecOf<T>::V::W;
  char* scratch = ConvScratch();
  if (scratch == nullptr) {
    job.status = TL_ERR_NOMEM;
    return;
  }
  T* ct = job.partials + ith * job.ct_elems;
  char* area = scratch;  // job.chunk images fit the smaller area, the calling thread's
  const int64_t nv = job.mp / W;
  const DotTaps& tp = call.taps;
  const int64_t taps = tp.kh * tp.kw;
  int64_t tiles = 0;  // tile calls per chunk
  for (int64_t v0 = 0; v0 < nv; v0 += kMV) {
    const int nk = kNK[nv - v0 < kMV ? nv - v0 : kMV];
    tiles += job.direct ? taps * CeilDiv(tp.cg, nk) : CeilDiv(call.k, nk);
  }
  const DotPrepareFn<T> prepare = job.direct ? call.prepare_d : call.prepare_t;
  DotImage<T> imgs[kMaxChunk];
  Prefetch pf;
  bool fresh = true;
  // Slice ith sums runs ith, ith + nth, ...: a fixed set in a fixed order into its own Cᵀ, so the
  // total is the same bits on every call (runs claimed as threads finished made training
  // irreproducible on 2 threads). The next run is known ahead, so its first images can be
  // prefetched.
  int64_t na = ith * job.run;
  while (na < call.images) {
    const int64_t nb = call.images - na < job.run ? call.images : na + job.run;
    const int64_t next = na + nth * job.run;
    for (int64_t gi = 0; gi < call.groups; gi++) {
      T* ctg = ct + gi * call.k * job.mp;
      for (int64_t n0 = na; n0 < nb; n0 += job.chunk) {
        const int64_t count = nb - n0 < job.chunk ? nb - n0 : job.chunk;
        for (int64_t n = 0; n < count; n++) prepare(call.ctx, gi, n0 + n, area + n * job.stride, &imgs[n]);
        // The chunk after this one: the rest of this group's run, the next group, or the next run.
        int64_t qg = gi, q0 = n0 + count, q1 = nb;
        if (q0 >= nb) {
          qg = gi + 1 < call.groups ? gi + 1 : 0;
          q0 = gi + 1 < call.groups ? na : next;
          q1 = gi + 1 < call.groups ? nb : (call.images - next < job.run ? call.images : next + job.run);
        }
        if (q1 - q0 > job.chunk) q1 = q0 + job.chunk;
        QueueSources(call, qg, q0, q1 < call.images ? q1 : call.images, tiles * count * imgs[0].rows, &pf);
        for (int64_t v0 = 0; v0 < nv; v0 += kMV) {
          const int mv = nv - v0 < kMV ? static_cast<int>(nv - v0) : kMV;
          if (job.direct) {
            // Per tap, the channels in as many tiles as kNK[mv] needs, widths differing by at most one.
            const int64_t ct_n = CeilDiv(tp.cg, kNK[mv]), base = tp.cg / ct_n, wider = tp.cg % ct_n;
            for (int64_t ky = 0; ky < tp.kh; ky++) {
              for (int64_t kx = 0; kx < tp.kw; kx++) {
                TapRange tr;
                Range(imgs[0], tp, ky, kx, &tr);
                for (int64_t t = 0, ci0 = 0; t < ct_n; t++) {
                  const int nd = static_cast<int>(t < wider ? base + 1 : base);
                  PickTile<DirectTiles<T>::template At, kMV, kNK[kMV]>(mv, nd)(imgs, count, v0 * W, ci0, tp, tr, ctg + (ci0 * taps + ky * tp.kw + kx) * job.mp,
                                             taps, job.mp, fresh && n0 == na, &pf);
                  ci0 += nd;
                }
              }
            }
            continue;
          }
          // As many tiles as kNK[mv] needs, their widths differing by at most one.
          const int64_t kt = CeilDiv(call.k, kNK[mv]), base = call.k / kt, wider = call.k % kt;
          for (int64_t t = 0, k0 = 0; t < kt; t++) {
            const int nd = static_cast<int>(t < wider ? base + 1 : base);
            PickTile<OuterTiles<T>::template At, kMV, kNK[kMV]>(mv, nd)(imgs, count, v0 * W, k0, ctg, job.mp, fresh && n0 == na, &pf);
            k0 += nd;
          }
        }
      }
    }
    fresh = false;
    na = next;
  }
  job.used[ith] = !fresh;
}

// Whether broadcasting beats the row engine on this geometry. The row engine wastes the lanes
// past each image's last full vector of positions and its dropped pad columns, and pays a
// horizontal sum per tile and chunk; this one wastes the lanes past m and pays Gᵀ's transposition.
// Measured (AVX-512, ResNet and LeNet shapes with m = 16 … 64): this one wins by 5–60% wherever m
// fills its vectors, so the test is on lane use alone, with a margin for the row engine's sums.
template <class T>
bool OuterWins(const DotCall<T>& call) {
  constexpr int64_t W = VecOf<T>::V::W;
  const double outer_use = double(call.m) / double(DotTPitch<T>(call.m));
  const double rows_use = double(call.rows * call.cols) / double(CeilDiv(call.rows * call.pitch, W) * W);
  return outer_use >= 0.9 * rows_use;
}

// Direct tiles hold one tap's channels, so they need enough of them per group to fill a tile.
template <class T>
bool UseDirect(const DotCall<T>& call) {
  if (call.prepare_d == nullptr) return false;
  const int64_t nv = DotTPitch<T>(call.m) / VecOf<T>::V::W;
  const int nk = kNK[nv < kMV ? nv : kMV];
  const int64_t tiles = CeilDiv(call.taps.cg, nk);
  return call.taps.cg / tiles >= (nk * 2 + 2) / 3;
}

template <class T>
int Outer(const DotCall<T>& call, const tl_runtime* rt) {
  if (call.prepare_t == nullptr || call.groups <= 0 || call.m <= 0 || call.k <= 0 || call.images <= 0) {
    return TL_ERR_UNSUPPORTED;
  }
  OuterJob<T> job;
  job.call = &call;
  job.status = TL_OK;
  job.mp = DotTPitch<T>(call.m);
  job.direct = UseDirect(call);
  job.stride = Align64(job.direct ? call.scratch_d : call.scratch_t);
  job.ct_bytes = Align64(size_t(call.groups * call.k * job.mp) * sizeof(T));
  int nth = call.macs > 0 ? ThreadsFor(rt, call.macs, kConvGrainMacs) : rt->n_threads;
  if (nth > kMaxThreads) nth = kMaxThreads;
  // Every slice's Cᵀ lives in the calling thread's scratch, beside room for at least one image.
  const size_t all_ct = job.ct_bytes * size_t(nth);
  if (all_ct > kConvScratchBytes / 4 || all_ct + job.stride > kConvScratchBytes) return TL_ERR_UNSUPPORTED;
  // Images are the unit of work: with fewer images than threads, the row engine splits tiles.
  if (call.images < nth || !OuterWins(call)) return TL_ERR_UNSUPPORTED;
  // About eight runs per thread.
  job.run = CeilDiv(call.images, 8 * int64_t(nth));
  const size_t room = (kConvScratchBytes - all_ct) / job.stride;
  // Direct tiles reread the images themselves too.
  const size_t per_image =
      job.stride + (job.direct ? size_t(call.taps.cg * call.taps.h * call.taps.w) * sizeof(T) : size_t(0));
  const size_t want = kChunkBytes / per_image;
  int64_t chunk = static_cast<int64_t>(want < 1 ? 1 : (want < room ? want : room));
  if (chunk > kMaxChunk) chunk = kMaxChunk;
  job.chunk = chunk;
  const int64_t units = CeilDiv(call.images, job.run);
  if (nth > units) nth = static_cast<int>(units);
  char* own = ConvScratch();
  if (own == nullptr) return TL_ERR_NOMEM;
  job.ct_elems = static_cast<int64_t>(job.ct_bytes / sizeof(T));
  job.partials = reinterpret_cast<T*>(own + kConvScratchBytes - job.ct_bytes * size_t(nth));
  for (int t = 0; t < nth; t++) job.used[t] = false;
  rt->parallel_for(nth, OuterTask<T>, &job);
  if (job.status != TL_OK) return job.status;
  job.threads = nth;
  const int64_t rows = call.groups * call.k;
  int rth = static_cast<int>(rows * call.m * nth / kReduceGrain);
  rth = rth < 1 ? 1 : (rth > nth ? nth : rth);
  rt->parallel_for(rth, ReduceTask<T>, &job);
  return TL_OK;
}

}  // namespace

int RunDotOuter(const DotCall<float>& call, const tl_runtime* rt) { return Outer(call, rt); }
int RunDotOuter(const DotCall<double>& call, const tl_runtime* rt) { return Outer(call, rt); }

}  // namespace TENSILE_ISA
}  // namespace tensile
