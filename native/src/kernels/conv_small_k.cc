// RunSmallK (conv_small_k.h): conv2d over a short reduction, output vectors computed in registers
// and stored once, straight into y.
//
// An item (image, group) is cut into chunks of output positions (whole rows while their patches fit
// kColBytes, else segments of a row). A chunk's patches are built once in the thread's conv scratch
// (BuildPatches: at row stride 1 one copy per channel and kernel column of the rows the chunk
// reads, so the kh taps of a column share it), then each block of OB output channels runs over the
// chunk's positions as one flat run: per group of NV vectors, each tap's NV patch vectors are
// loaded once and multiplied into OB × NV accumulators by the OB weights, broadcast. Flat runs
// cross row ends, so lanes are wasted only at the chunk's end (W3's 26 × 26 plane: 43 vectors of
// 16 lanes for 676 positions, against 52 as 26-wide rows), and that last vector is masked. The
// bias and the fused ReLU are applied as the accumulators are stored; y is written once, nothing
// else is written but the small patches. For W3's first layer (64 × 1 × 28 × 28 → 64 × 32 × 26 × 26)
// the FMAs (one zmm FMA per cycle on Zen 4) and writing y's 5.5 MB take about the same time.
#include "conv_small_k.h"

#include <utility>

#include "conv_direct.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// The longest reduction (cg · kh · kw) taken. Measured on Zen 4, one thread, float32 (CPU time,
// bench/micro/conv-small-k.ts shapes): 1 → 32 channels 3 × 3 on 28 × 28 0.34 ms against 0.71 for
// the direct engines, 3 → 16 "same" on 32 × 32 0.71 against 0.90, 4 → 32 (k = 36) 1.1 against 1.5,
// 7 → 32 (k = 63) 1.8 against 2.1 (AVX2 alike); 8 → 32 (k = 72) only 0.78 against 0.82, where the
// direct engines' channel-lane tiles start (k ≥ 64) and where wider layers run.
constexpr int64_t kSmallKMaxTaps = 64;

// Bytes of patches built per chunk of output positions: the chunk is read once per channel block,
// so it should stay in L1 (W3's item: 3 · 28 rows of 26, 8.7 KB, one chunk). 12 KB made 7-channel
// items of 28 × 28 twice as slow (more chunks, each rebuilding kh − 1 overlapping rows); 24 and 32
// measured alike.
constexpr size_t kColBytes = size_t(32) << 10;

// OB output channels × NV vectors of accumulators per ISA level, with NV patch vectors and a
// broadcast beside them in the register file (32 zmm: 24 + 3 + 1; 16 ymm: 12 + 3 + 1). On AVX2,
// 4 × 3 measured ~5% faster than 4 × 2 and 6 × 2 (more independent FMA chains per load).
struct SmallKBlocking {
#if defined(TENSILE_ISA_AVX512)
  static constexpr int OB = 8, NV = 3;
#elif defined(TENSILE_ISA_AVX2)
  static constexpr int OB = 4, NV = 3;
#elif defined(TENSILE_ISA_NEON)  // 32 q registers, as AVX-512's 32 zmm
  static constexpr int OB = 8, NV = 3;
#else  // unused: the portable level does not take this path (SmallK)
  static constexpr int OB = 1, NV = 1;
#endif
};

// One channel block over one chunk of positions.
template <class T>
struct BlockArgs {
  int64_t k;
  const T* w;          // [k][OB]: the block's weights, zeros for channels past mr
  const T* src;        // the chunk's patches (BuildPatches)
  const int64_t* off;  // tap k of the chunk's position j is src[off[k] + j]
  int64_t len;         // positions of the chunk
  T* out;              // y at the block's first channel and the chunk's first position
  int64_t out_ms;      // elements between channels of y (ho · wo)
  int mr;              // channels of the block that exist
  const T* bias;       // mr values, or null
  bool relu;
};

// NV vectors of positions from q: Σ_k w[k] · (tap k's patches) per channel, then + bias (the order
// of the js kernel), then the ReLU; the last vector keeps `tail` lanes when TAIL.
template <class T, int NV, bool TAIL>
TL_INLINE void SmallKGroup(const BlockArgs<T>& a, int64_t q, int tail) {
  using V = typename VecOf<T>::V;
  using R = typename V::V;
  constexpr int W = V::W, OB = SmallKBlocking::OB;
  const R zero = V::set1(T(0));
  R acc[OB][NV];
#pragma GCC unroll 8
  for (int i = 0; i < OB; i++) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[i][v] = zero;
  }
  const T* wk = a.w;
  for (int64_t k = 0; k < a.k; k++, wk += OB) {
    const T* c = a.src + a.off[k] + q;
    R xv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) xv[v] = V::load(c + v * W);
#pragma GCC unroll 8
    for (int i = 0; i < OB; i++) {
      const R wv = V::set1(wk[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[i][v] = V::fma(wv, xv[v], acc[i][v]);
    }
  }
  // Locals: the stores below may alias `a` as far as the compiler knows.
  T* o = a.out + q;
  const T* bias = a.bias;
  const bool relu = a.relu;
  const int mr = a.mr;
  const int64_t ms = a.out_ms;
#pragma GCC unroll 8
  for (int i = 0; i < OB; i++) {
    if (i >= mr) break;
    const R bv = V::set1(bias != nullptr ? bias[i] : T(0));
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) {
      R y = bias != nullptr ? V::add(acc[i][v], bv) : acc[i][v];
      // max(y, 0) is y > 0 ? y : 0 exactly: x86's max returns its second operand (+0) when y is
      // NaN or ±0, as the portable level's a > b ? a : b does; one instruction against two.
      if (relu) y = V::max(y, zero);
      if (TAIL && v == NV - 1) {
        V::storen(o + i * ms + v * W, y, tail);
      } else {
        V::store(o + i * ms + v * W, y);
      }
    }
  }
}

// The remaining n < NV vectors from q (the last one `tail` lanes wide).
template <class T, int NV>
TL_INLINE void SmallKRest(const BlockArgs<T>& a, int64_t q, int n, int tail) {
  constexpr int W = VecOf<T>::V::W;
  if constexpr (NV > 1) {
    if (n == NV - 1) {
      if (tail < W) {
        SmallKGroup<T, NV - 1, true>(a, q, tail);
      } else {
        SmallKGroup<T, NV - 1, false>(a, q, tail);
      }
      return;
    }
    SmallKRest<T, NV - 1>(a, q, n, tail);
  }
}

// One channel block over the chunk: whole groups of NV vectors, then what is left.
template <class T>
__attribute__((noinline)) void SmallKBlock(const BlockArgs<T>& a) {
  constexpr int NV = SmallKBlocking::NV, W = VecOf<T>::V::W;
  const int64_t nvec = CeilDiv(a.len, W);
  const int tail = static_cast<int>(a.len - (nvec - 1) * W);
  int64_t v = 0;
  for (; v + NV < nvec; v += NV) SmallKGroup<T, NV, false>(a, v * W, W);
  // The last 1..NV vectors.
  const int n = static_cast<int>(nvec - v);
  if (n == NV) {
    if (tail < W) {
      SmallKGroup<T, NV, true>(a, v * W, tail);
    } else {
      SmallKGroup<T, NV, false>(a, v * W, W);
    }
  } else {
    SmallKRest<T, NV>(a, v * W, n, tail);
  }
}

// How an item's output positions are cut into chunks: runs of `rows` whole output rows, or (rows
// = 0: one row's patches pass the budget) segments of `seg` positions of one row, `segs` per row.
struct Chunking {
  int64_t rows, seg, segs, chunks;
};

template <class T>
struct SmallKJob {
  const ConvGeom* g;
  const T *x, *w, *bias;
  T* y;
  bool relu;
  int64_t k;
  Chunking ch;
  int64_t blocks;       // channel blocks (OB each) per group
  size_t wbytes;        // the packed weights of one group, at the start of each thread's scratch
  int64_t cparts;       // units per chunk: parts of its channel blocks
  int64_t units;
  int64_t next;         // the next unit to take (__atomic builtins)
  volatile int status;
};

// d[0, len) = s[0, len) in whole vectors: the last may write up to W − 1 elements past len (the
// next patch row, written after this one, or the patches' trailing zeros, written last) and reads
// past len only while that stays within `avail` elements of s (else it is masked).
template <class T>
TL_INLINE void CopyInside(T* d, const T* s, int64_t len, int64_t avail) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  int64_t j = 0;
  for (; j + W <= len; j += W) V::store(d + j, V::load(s + j));
  if (j < len) V::store(d + j, j + W <= avail ? V::load(s + j) : V::loadn(s + j, static_cast<int>(len - j)));
}

// The patches of output positions [q0, q0 + len) (whole rows, or a part of one row) in `src`, and
// off[t] such that tap t = (ci, ky, kx) of position q0 + j reads src[off[t] + j] (zero where the
// tap falls in the padding); W zeros follow, so the last vector of the last tap reads inside the
// patches (lanes past len are never stored). Row stride 1: one copy per (channel, kx) of the input
// rows the chunk reads, each cut to the columns that tap column reads, so that every ky of it is
// the same run shifted by whole rows (W3: 3 · 28 row copies instead of 9 · 26). Other row strides:
// one run per tap and output row (im2col of the chunk).
template <class T>
void BuildPatches(const ConvGeom& g, const T* img, int64_t q0, int64_t len, T* src, int64_t* off) {
  constexpr int W = VecOf<T>::V::W;
  const int64_t r0 = q0 / g.wo, c0 = q0 % g.wo;
  const int64_t out_rows = len >= g.wo ? len / g.wo : 1;  // whole rows, or one part of a row
  const int64_t cols = len >= g.wo ? g.wo : len;
  T* d = src;
  if (g.sh == 1) {
    const int64_t rows = out_rows + (g.kh - 1) * g.dh;
    for (int64_t ci = 0; ci < g.cg; ci++) {
      const T* plane = img + ci * g.h * g.w;
      for (int64_t kx = 0; kx < g.kw; kx++) {
        for (int64_t ky = 0; ky < g.kh; ky++) off[(ci * g.kh + ky) * g.kw + kx] = (d - src) + ky * g.dh * cols;
        const int64_t cs = c0 + kx * g.dw - g.pl;  // the first input column this kx reads
        for (int64_t r = 0; r < rows; r++, d += cols) {
          const int64_t iy = r0 + r - g.pt;
          if (iy < 0 || iy >= g.h) {
            for (int64_t j = 0; j < cols; j++) d[j] = T(0);
          } else if (cs >= 0 && cs + cols <= g.w) {
            CopyInside(d, plane + iy * g.w + cs, cols, g.h * g.w - (iy * g.w + cs));
          } else {
            CopyRun(d, 1, plane + iy * g.w, cs, 1, cols, g.w);  // conv_pack.h
          }
        }
      }
    }
  } else {
    for (int64_t ci = 0; ci < g.cg; ci++) {
      const T* plane = img + ci * g.h * g.w;
      for (int64_t ky = 0; ky < g.kh; ky++) {
        for (int64_t kx = 0; kx < g.kw; kx++) {
          off[(ci * g.kh + ky) * g.kw + kx] = d - src;
          for (int64_t r = 0; r < out_rows; r++, d += cols) {
            const int64_t iy = (r0 + r) * g.sh + ky * g.dh - g.pt;
            if (iy < 0 || iy >= g.h) {
              for (int64_t j = 0; j < cols; j++) d[j] = T(0);
            } else {
              CopyRun(d, 1, plane + iy * g.w, c0 + kx * g.dw - g.pl, 1, cols, g.w);
            }
          }
        }
      }
    }
  }
  for (int j = 0; j < W; j++) d[j] = T(0);
}

// Elements BuildPatches writes for `rows` whole output rows or (rows = 0) a `seg`-long part of one.
inline int64_t PatchElems(const ConvGeom& g, int64_t rows, int64_t seg, int W) {
  const int64_t cols = rows > 0 ? g.wo : seg, out_rows = rows > 0 ? rows : 1;
  if (g.sh != 1) return g.cg * g.kh * g.kw * out_rows * cols + W;
  return g.cg * g.kw * (out_rows + (g.kh - 1) * g.dh) * cols + W;
}

// The largest chunks whose patches fit `budget` elements: whole rows (as many as fit, evened out
// over the item), else segments of one row (whole groups of `group` positions, evened out).
inline Chunking ChooseChunks(const ConvGeom& g, int64_t budget, int64_t group, int W) {
  Chunking ch{0, 0, 1, 0};
  // PatchElems is affine in rows: the largest count within budget.
  const int64_t base = PatchElems(g, 1, 0, W), step = PatchElems(g, 2, 0, W) - base;
  if (base <= budget) {
    const int64_t fit = 1 + (budget - base) / step;
    const int64_t rows = fit < g.ho ? fit : g.ho;
    ch.rows = CeilDiv(g.ho, CeilDiv(g.ho, rows));
    ch.chunks = CeilDiv(g.ho, ch.rows);
    return ch;
  }
  const int64_t per = PatchElems(g, 0, group, W) - W;  // per group of positions
  const int64_t fit = budget > W + per ? (budget - W) / per : 1;
  const int64_t segs = CeilDiv(g.wo, fit * group);
  ch.seg = CeilDiv(CeilDiv(g.wo, segs), group) * group;
  ch.segs = CeilDiv(g.wo, ch.seg);
  ch.chunks = g.ho * ch.segs;
  return ch;
}

// Units are taken one at a time from an atomic counter, so a thread parked by the OS on a busy
// machine holds up one unit, not a fixed share.
template <class T>
void SmallKTask(void* p, int, int) {
  constexpr int OB = SmallKBlocking::OB;
  SmallKJob<T>& job = *static_cast<SmallKJob<T>*>(p);
  const ConvGeom& g = *job.g;
  // The thread's scratch: the group's packed weights, then the chunk's patches.
  char* scratch = ConvScratch();
  if (scratch == nullptr) {
    job.status = TL_ERR_NOMEM;
    return;
  }
  T* wpk = reinterpret_cast<T*>(scratch);
  T* patches = reinterpret_cast<T*>(scratch + job.wbytes);
  int64_t off[kSmallKMaxTaps];
  const int64_t plen = g.ho * g.wo;
  int64_t built = -1;   // the (item, chunk) whose patches are built
  int64_t packed = -1;  // the group whose weights are packed
  for (;;) {
    const int64_t u = __atomic_fetch_add(&job.next, 1, __ATOMIC_RELAXED);
    if (u >= job.units) return;
    // Group-major: runs of units share the group's weights.
    const int64_t part = u % job.cparts, ic = u / job.cparts, item = ic / job.ch.chunks, chunk = ic % job.ch.chunks;
    const int64_t gi = item / g.n, n = item % g.n;
    int64_t q0, len;
    if (job.ch.rows > 0) {
      const int64_t r0 = chunk * job.ch.rows;
      q0 = r0 * g.wo;
      len = (g.ho - r0 < job.ch.rows ? g.ho - r0 : job.ch.rows) * g.wo;
    } else {
      const int64_t c0 = (chunk % job.ch.segs) * job.ch.seg;
      q0 = (chunk / job.ch.segs) * g.wo + c0;
      len = g.wo - c0 < job.ch.seg ? g.wo - c0 : job.ch.seg;
    }
    if (packed != gi) {
      // Block b at wpk + b · k · OB, [k][OB], zeros for the channels past og.
      for (int64_t m = 0; m < job.blocks * OB; m++) {
        T* d = wpk + (m / OB) * job.k * OB + m % OB;
        if (m >= g.og) {
          for (int64_t t = 0; t < job.k; t++) d[t * OB] = T(0);
          continue;
        }
        const T* wm = job.w + (gi * g.og + m) * job.k;
        for (int64_t t = 0; t < job.k; t++) d[t * OB] = wm[t];
      }
      packed = gi;
    }
    if (built != ic) {
      BuildPatches(g, job.x + (n * g.c + gi * g.cg) * g.h * g.w, q0, len, patches, off);
      built = ic;
    }
    int64_t b0, b1;
    Split(job.blocks, static_cast<int>(part), static_cast<int>(job.cparts), &b0, &b1);
    for (int64_t b = b0; b < b1; b++) {
      const int64_t m0 = b * OB;
      const int mr = static_cast<int>(g.og - m0 < OB ? g.og - m0 : OB);
      BlockArgs<T> a;
      a.k = job.k;
      a.w = wpk + b * job.k * OB;
      a.src = patches;
      a.off = off;
      a.len = len;
      a.out = job.y + (n * g.o + gi * g.og + m0) * plen + q0;
      a.out_ms = plen;
      a.mr = mr;
      a.bias = job.bias != nullptr ? job.bias + gi * g.og + m0 : nullptr;
      a.relu = job.relu;
      SmallKBlock(a);
    }
  }
}

template <class T>
int SmallK(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y, bool relu, const tl_runtime* rt) {
  constexpr int W = VecOf<T>::V::W, NV = SmallKBlocking::NV;
  // The portable level's one-lane registers lose to the direct engines there (W3's first layer:
  // 10 ms against 4.6 on one thread), whose loops the compiler vectorizes.
  if constexpr (W == 1) return TL_ERR_UNSUPPORTED;
  SmallKJob<T> job;
  job.k = g.cg * g.kh * g.kw;
  // Column stride 1: patch rows are vector copies (a strided gather made stride 2 slower than the
  // direct engines' phase planes).
  if (g.sw != 1 || job.k < 1 || job.k > kSmallKMaxTaps) return TL_ERR_UNSUPPORTED;
  const int64_t items = g.n * g.groups, plen = g.ho * g.wo;
  if (items <= 0 || g.og <= 0 || plen <= 0) return TL_OK;
  job.g = &g;
  job.x = x;
  job.w = w;
  job.bias = bias;
  job.y = y;
  job.relu = relu;
  job.ch = ChooseChunks(g, int64_t(kColBytes / sizeof(T)), int64_t(NV) * W, W);
  const int64_t patch = PatchElems(g, job.ch.rows, job.ch.seg, W);
  job.blocks = CeilDiv(g.og, SmallKBlocking::OB);
  job.wbytes = Align64(size_t(job.blocks * SmallKBlocking::OB * job.k) * sizeof(T));
  if (job.wbytes + size_t(patch) * sizeof(T) > kConvScratchBytes) return TL_ERR_UNSUPPORTED;
  job.next = 0;
  job.status = TL_OK;
  // Whole chunks when there are enough to share out (~4 per thread), else parts of their blocks.
  int nth = ThreadsFor(rt, g.n * g.o * plen * (job.k + 8), kConvGrainMacs);
  const int64_t whole = items * job.ch.chunks;
  job.cparts = 1;
  if (whole < 4 * nth) {
    const int64_t split = CeilDiv(4 * nth, whole);
    job.cparts = split < job.blocks ? split : job.blocks;
  }
  job.units = whole * job.cparts;
  if (nth > job.units) nth = static_cast<int>(job.units);
  rt->parallel_for(nth, SmallKTask<T>, &job);
  return job.status;
}

}  // namespace

int RunSmallK(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y, bool relu,
              const tl_runtime* rt) {
  return SmallK(g, x, w, bias, y, relu, rt);
}
int RunSmallK(const ConvGeom& g, const double* x, const double* w, const double* bias, double* y, bool relu,
              const tl_runtime* rt) {
  return SmallK(g, x, w, bias, y, relu, rt);
}

}  // namespace TENSILE_ISA
}  // namespace tensile
