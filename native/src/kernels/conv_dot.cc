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

// Two ways to share the work. By images: threads take runs of images from an atomic counter (a
// parked thread holds up one run) and sum them into a C of their own, added up afterwards. By
// tiles (when C is too large to keep per thread): a fixed share of C's tiles each, every thread
// preparing every image.
template <class T>
struct DotJob {
  const DotCall<T>* call;
  int64_t mt, kt;        // tiles per group along m and k
  size_t stride;         // scratch bytes per prepared image
  size_t partial_bytes;  // by_images: bytes of one thread's partial C (all groups)
  bool by_images;
  int64_t run;           // by_images: images per unit
  int64_t next;          // by_images: the next unit (__atomic builtins)
  T* partial[kMaxThreads];
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
    T* partial = reinterpret_cast<T*>(scratch);
    bool fresh = true;
    for (;;) {
      const int64_t na = __atomic_fetch_add(&job.next, 1, __ATOMIC_RELAXED) * job.run;
      if (na >= call.images) break;
      const int64_t nb = call.images - na < job.run ? call.images : na + job.run;
      for (int64_t gi = 0; gi < call.groups; gi++) {
        DotGroup(call, job, gi, 0, per_group, na, nb, scratch + job.partial_bytes,
                 kConvScratchBytes - job.partial_bytes, partial + gi * call.m * call.k, call.k, fresh);
      }
      fresh = false;
    }
    if (!fresh) job.partial[ith] = partial;
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
  // prepares every image); it needs a partial C per thread, so only for a small C.
  job.partial_bytes = Align64(size_t(call.groups * call.m * call.k) * sizeof(T));
  job.by_images = nth > 1 && call.images >= nth && job.partial_bytes <= kConvScratchBytes / 4 &&
                  job.partial_bytes + job.stride <= kConvScratchBytes;
  job.next = 0;
  job.run = job.by_images ? CeilDiv(call.images, 4 * int64_t(nth)) : 1;  // about four runs per thread
  const int64_t units = job.by_images ? CeilDiv(call.images, job.run) : call.groups * job.mt * job.kt;
  if (nth > units) nth = static_cast<int>(units);
  for (int t = 0; t < nth; t++) job.partial[t] = nullptr;
  rt->parallel_for(nth, DotTask<T>, &job);
  if (job.status != TL_OK || !job.by_images) return job.status;
  for (int64_t g = 0; g < call.groups; g++) {
    for (int64_t i = 0; i < call.m; i++) {
      T* row = call.c + g * call.c_group + i * call.c_rs;
      const int64_t at = (g * call.m + i) * call.k;
      for (int64_t j = 0; j < call.k; j++) {
        T sum = T(0);
        for (int t = 0; t < nth; t++) sum += job.partial[t] != nullptr ? job.partial[t][at + j] : T(0);
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
