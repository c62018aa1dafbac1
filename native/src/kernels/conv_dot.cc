// RunDot (conv_direct.h): weight gradients as dot products. Both operands of dw = Σ gy · patchesᵀ
// run along the reduction (image positions), so instead of transposing either into GEMM panels,
// an MD × ND tile of vector accumulators sums G rows times plane rows, 16 positions per step, over
// a chunk of images, then reduces each accumulator once.
#include "conv_direct.h"

// GCC 12's own AVX-512 headers trip -Wuninitialized inside _mm512_reduce_add_ps (V::hsum).
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace tensile {
namespace TENSILE_ISA {
namespace {


// Rows of G × taps per dot tile: MD + ND vector loads feed MD · ND FMAs per step.
#if defined(TENSILE_ISA_AVX512)
constexpr int MD = 4, ND = 6;
#elif defined(TENSILE_ISA_AVX2)
constexpr int MD = 3, ND = 3;
#elif defined(TENSILE_ISA_NEON)
constexpr int MD = 4, ND = 4;
#else
constexpr int MD = 2, ND = 2;
#endif

// Most images prepared at once (their descriptors live on the stack).
constexpr int64_t kMaxChunk = 256;

// sums[i·ND + j] = Σ over images of Σ_q g[m0 + i][q] · src[off[k0 + j] + q]; rows and taps past
// the edge repeat the last one (their sums are not stored).
template <class T>
__attribute__((noinline)) void DotTile(const DotImage<T>* imgs, int64_t count, int64_t m0, int md, int64_t k0, int nd,
                                       T* sums) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  typename V::V acc[MD][ND];
#pragma GCC unroll 8
  for (int i = 0; i < MD; i++) {
#pragma GCC unroll 8
    for (int j = 0; j < ND; j++) acc[i][j] = V::set1(T(0));
  }
  for (int64_t n = 0; n < count; n++) {
    const DotImage<T>& im = imgs[n];
    const T* g[MD];
    const T* s[ND];
#pragma GCC unroll 8
    for (int i = 0; i < MD; i++) g[i] = im.g + (m0 + (i < md ? i : md - 1)) * im.g_pitch;
#pragma GCC unroll 8
    for (int j = 0; j < ND; j++) s[j] = im.src + im.off[k0 + (j < nd ? j : nd - 1)];
    int64_t q = 0;
    for (; q + W <= im.q; q += W) {
      typename V::V gv[MD];
#pragma GCC unroll 8
      for (int i = 0; i < MD; i++) gv[i] = V::load(g[i] + q);
#pragma GCC unroll 8
      for (int j = 0; j < ND; j++) {
        const typename V::V sv = V::load(s[j] + q);
#pragma GCC unroll 8
        for (int i = 0; i < MD; i++) acc[i][j] = V::fma(gv[i], sv, acc[i][j]);
      }
    }
    if (q < im.q) {
      const int left = static_cast<int>(im.q - q);
      typename V::V gv[MD];
#pragma GCC unroll 8
      for (int i = 0; i < MD; i++) gv[i] = V::loadn(g[i] + q, left);
#pragma GCC unroll 8
      for (int j = 0; j < ND; j++) {
        const typename V::V sv = V::loadn(s[j] + q, left);
#pragma GCC unroll 8
        for (int i = 0; i < MD; i++) acc[i][j] = V::fma(gv[i], sv, acc[i][j]);
      }
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MD; i++) {
#pragma GCC unroll 8
    for (int j = 0; j < ND; j++) sums[i * ND + j] = V::hsum(acc[i][j]);
  }
}

// Most threads a job keeps per-thread results for (the pool's own limit).
constexpr int kMaxThreads = 256;

// Two ways to share the work. By images: slice i sums runs i, i + nth, ... of images, a fixed set
// in a fixed order, into a C of its own at the end of the calling thread's scratch (two slices run
// by one thread never share it), and the Cs are added in slice order: the same bits on every call
// (runs claimed as threads finished made training irreproducible on 2 threads). By tiles (when C
// is too large to keep per slice): a fixed share of C's tiles each, every thread preparing every
// image.
template <class T>
struct DotJob {
  const DotCall<T>* call;
  int64_t mt, kt;        // tiles per group along m and k
  size_t stride;         // scratch bytes per prepared image
  size_t partial_bytes;  // by_images: bytes of one slice's partial C (all groups)
  bool by_images;
  int64_t run;           // by_images: images per unit
  T* partials;           // by_images: slice i's C at partials + i · partial_elems
  int64_t partial_elems;
  bool used[kMaxThreads];
  volatile int status;
};

// C (row stride c_rs) (+)= Σ over images [na, nb) for tiles [ta, tb) of group gi, preparing as
// many images at a time as `bytes` of scratch hold; `fresh`: C's old contents are overwritten.
template <class T>
void DotGroup(const DotCall<T>& call, const DotJob<T>& job, int64_t gi, int64_t ta, int64_t tb, int64_t na, int64_t nb,
              char* scratch, size_t bytes, T* c, int64_t c_rs, bool fresh) {
  int64_t chunk = static_cast<int64_t>(bytes / job.stride);
  if (chunk > kMaxChunk) chunk = kMaxChunk;
  DotImage<T> imgs[kMaxChunk];
  T sums[MD * ND];
  for (int64_t n0 = na; n0 < nb; n0 += chunk) {
    const int64_t count = nb - n0 < chunk ? nb - n0 : chunk;
    for (int64_t n = 0; n < count; n++) call.prepare(call.ctx, gi, n0 + n, scratch + n * job.stride, &imgs[n]);
    for (int64_t t = ta; t < tb; t++) {
      const int64_t m0 = (t / job.kt) * MD, k0 = (t % job.kt) * ND;
      const int md = call.m - m0 < MD ? static_cast<int>(call.m - m0) : MD;
      const int nd = call.k - k0 < ND ? static_cast<int>(call.k - k0) : ND;
      DotTile<T>(imgs, count, m0, md, k0, nd, sums);
      for (int i = 0; i < md; i++) {
        T* row = c + (m0 + i) * c_rs + k0;
        for (int j = 0; j < nd; j++) row[j] = fresh && n0 == na ? sums[i * ND + j] : row[j] + sums[i * ND + j];
      }
    }
  }
}

template <class T>
void DotTask(void* p, int ith, int nth) {
  DotJob<T>& job = *static_cast<DotJob<T>*>(p);
  const DotCall<T>& call = *job.call;
  const int64_t per_group = job.mt * job.kt;
  char* scratch = ConvScratch();
  if (scratch == nullptr) {
    job.status = TL_ERR_NOMEM;
    return;
  }
  if (job.by_images) {
    T* partial = job.partials + ith * job.partial_elems;
    // Images are prepared from the start of this thread's scratch, below the calling thread's Cs.
    const size_t area = kConvScratchBytes - job.partial_bytes * size_t(nth);
    bool fresh = true;
    for (int64_t na = ith * job.run; na < call.images; na += nth * job.run) {
      const int64_t nb = call.images - na < job.run ? call.images : na + job.run;
      for (int64_t gi = 0; gi < call.groups; gi++) {
        DotGroup(call, job, gi, 0, per_group, na, nb, scratch, area, partial + gi * call.m * call.k, call.k, fresh);
      }
      fresh = false;
    }
    job.used[ith] = !fresh;
    return;
  }
  int64_t u0, u1;
  Split(call.groups * per_group, ith, nth, &u0, &u1);
  for (int64_t gi = u0 / per_group; u0 < u1 && gi * per_group < u1; gi++) {
    const int64_t ta = u0 > gi * per_group ? u0 - gi * per_group : 0;
    const int64_t tb = u1 < (gi + 1) * per_group ? u1 - gi * per_group : per_group;
    DotGroup(call, job, gi, ta, tb, 0, call.images, scratch, kConvScratchBytes, call.c + gi * call.c_group, call.c_rs,
             true);
  }
}

template <class T>
int Dot(const DotCall<T>& call, const tl_runtime* rt) {
  if (call.groups <= 0 || call.m <= 0 || call.k <= 0) return TL_OK;
  DotJob<T> job;
  job.call = &call;
  job.status = TL_OK;
  job.stride = Align64(call.scratch);
  if (job.stride > kConvScratchBytes) return TL_ERR_ARGS;
  job.mt = CeilDiv(call.m, MD);
  job.kt = CeilDiv(call.k, ND);
  if (call.images == 0) {  // no images: the gradient is zero
    for (int64_t g = 0; g < call.groups; g++) {
      for (int64_t i = 0; i < call.m; i++) {
        for (int64_t j = 0; j < call.k; j++) call.c[g * call.c_group + i * call.c_rs + j] = T(0);
      }
    }
    return TL_OK;
  }
  int nth = call.macs > 0 ? ThreadsFor(rt, call.macs, kConvGrainMacs) : rt->n_threads;
  if (nth > kMaxThreads) nth = kMaxThreads;
  // Splitting images lets each thread prepare only its own images (splitting tiles, every thread
  // prepares every image); it needs a partial C per slice, so only for a small C.
  job.partial_bytes = Align64(size_t(call.groups * call.m * call.k) * sizeof(T));
  const size_t all_partials = job.partial_bytes * size_t(nth);
  job.by_images = nth > 1 && call.images >= nth && all_partials <= kConvScratchBytes / 4 &&
                  all_partials + job.stride <= kConvScratchBytes;
  job.run = job.by_images ? CeilDiv(call.images, 4 * int64_t(nth)) : 1;  // about four runs per thread
  const int64_t units = job.by_images ? CeilDiv(call.images, job.run) : call.groups * job.mt * job.kt;
  if (nth > units) nth = static_cast<int>(units);
  if (job.by_images) {
    char* own = ConvScratch();
    if (own == nullptr) return TL_ERR_NOMEM;
    job.partials = reinterpret_cast<T*>(own + kConvScratchBytes - job.partial_bytes * size_t(nth));
    job.partial_elems = static_cast<int64_t>(job.partial_bytes / sizeof(T));
    for (int t = 0; t < nth; t++) job.used[t] = false;
  }
  rt->parallel_for(nth, DotTask<T>, &job);
  if (job.status != TL_OK || !job.by_images) return job.status;
  for (int64_t g = 0; g < call.groups; g++) {
    for (int64_t i = 0; i < call.m; i++) {
      T* row = call.c + g * call.c_group + i * call.c_rs;
      const int64_t at = (g * call.m + i) * call.k;
      for (int64_t j = 0; j < call.k; j++) {
        T sum = T(0);
        for (int t = 0; t < nth; t++) sum += job.used[t] ? job.partials[t * job.partial_elems + at + j] : T(0);
        row[j] = sum;
      }
    }
  }
  return TL_OK;
}

}  // namespace

int RunDot(const DotCall<float>& call, const tl_runtime* rt) {
  const int status = RunDotOuter(call, rt);
  return status == TL_ERR_UNSUPPORTED ? Dot(call, rt) : status;
}
int RunDot(const DotCall<double>& call, const tl_runtime* rt) {
  const int status = RunDotOuter(call, rt);
  return status == TL_ERR_UNSUPPORTED ? Dot(call, rt) : status;
}

}  // namespace TENSILE_ISA
}  // namespace tensile
