// Winograd F(4×4, 3×3) for conv2d's float32 3 × 3, stride 1, undilated, ungrouped case (Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016). Each 4 × 4 output tile is
// Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A over the 6 × 6 input tiles d_c, so the 36 elementwise
// products, summed over input channels, are 36 GEMMs [tiles × C] · [C × O] with 4× fewer
// multiply-adds than the direct engines. The transforms come from the interpolation points 0, −1,
// 1, ½, −2 and ∞ rather than the usual 0, ±1, ±2, ∞: measured on 16–64 channels, the largest error
// relative to max |y| is ~1e-6 instead of ~3e-6 (the direct sum's is ~2e-7; F(2×2, 3×3) matches
// it but saves only 2.25×).
//
// Output channels run in passes of Oc (all of them unless u would pass 2 MiB). Layouts (W = vector
// width; Cp, Op = C, Oc rounded up to whole vectors, zeros past C, Oc):
//   u   [36][C][Op]          transformed weights, once per pass, shared by the threads
//   per band (R consecutive tile rows of one image, or I whole images when one has few tiles), in
//   the running thread's scratch:
//   xin [4R + 2][4TW + 2][Cp] one image's input rows, channel-last, zero outside the image
//   v   [36][I·R·TW][Cp]      transformed input tiles
//   m   [36][I·R·TW][Op]      the GEMMs' products
//   yb  [4R·WO][Op]           one image's outputs, channel-last; transposed into y (NCHW)
#include "conv_winograd.h"

#include "conv_direct.h"
#include "conv_winograd_parts.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

using namespace winograd;
constexpr int kM = 4;  // output tile side
static_assert(kA == kM + 2, "F(4×4, 3×3) works on 6 × 6 tiles");

// The transforms of the points 0, −1, 1, ½, −2, ∞ (columns of Aᵀ and rows of G in that order).
constexpr float kBT[kA][kA] = {
    {1, -1.5f, -2, 1.5f, 1, 0},   {0, 1, -2.5f, 0.5f, 1, 0}, {0, -1, 0.5f, 2.5f, 1, 0},
    {0, -2, -1, 2, 1, 0},         {0, 0.5f, -1, -0.5f, 1, 0}, {0, 1, -1.5f, -2, 1.5f, 1},
};
constexpr float kG[kA][3] = {
    {1, 0, 0},
    {-1.0f / 3, 1.0f / 3, -1.0f / 3},
    {1.0f / 3, 1.0f / 3, 1.0f / 3},
    {-16.0f / 15, -8.0f / 15, -4.0f / 15},
    {1.0f / 15, -2.0f / 15, 4.0f / 15},
    {0, 0, 1},
};
constexpr float kAT[kM][kA] = {
    {1, 1, 1, 1, 1, 0},
    {0, -1, 1, 0.5f, -2, 0},
    {0, 1, 1, 0.25f, 4, 0},
    {0, -1, 1, 0.125f, -8, 1},
};

// The transformed weights must fit the caller's scratch beside its own band.
constexpr size_t kMaxWeightBytes = size_t(2) << 20;

struct Sizes {
  int64_t tw, th;   // tiles per row, tile rows
  int64_t tiles;    // tiles per band: I·R·tw (Bands' images and rows), the pitch of v's and m's ξ planes
  int64_t cp, op;   // channels rounded up to whole vectors
  int64_t cols;     // xin columns: 4·tw + 2
  size_t xin, v, m, yb;  // byte offsets of the buffers in the band scratch
  size_t band;      // bytes of one band's buffers
};

// Buffers for bands of `rows` tile rows (`images` whole images when > 1) and `oc` output channels.
Sizes SizesFor(const ConvGeom& g, int64_t oc, int64_t rows, int64_t images) {
  Sizes s;
  s.tw = CeilDiv(g.wo, kM);
  s.th = CeilDiv(g.ho, kM);
  s.cp = CeilDiv(g.c, W) * W;
  s.op = CeilDiv(oc, W) * W;
  s.cols = kM * s.tw + 2;
  const int64_t tiles = images * rows * s.tw;
  s.tiles = tiles;
  s.xin = 0;
  s.v = s.xin + Bytes((kM * rows + 2) * s.cols * s.cp);
  s.m = s.v + Bytes(kXi * tiles * s.cp);
  s.yb = s.m + Bytes(kXi * tiles * s.op);
  s.band = s.yb + Bytes(kM * rows * g.wo * s.op);
  return s;
}

struct Job {
  const ConvGeom* g;
  const float* x;
  const float* w;
  bool flipped;  // w is [C][O][3][3] with each kernel turned 180°: an input gradient's
  const float* bias;
  float* y;
  bool relu;
  int64_t ob, oc;  // this pass's output channels [ob, ob + oc)
  float* u;
  Sizes s;
  Bands bands;
  int64_t next;  // the next band to claim
  int status;
  mutable int nonfinite;  // set by any thread whose outputs (before ReLU) hold a NaN or ±inf
};

// ---- weights: u[ξ][c][o] = (G g Gᵀ)[ξ], output channels in the lanes ----------------------------

void WeightTask(void* p, int ith, int nth) {
  Job& job = *static_cast<Job*>(p);
  const ConvGeom& g = *job.g;
  const int64_t op = job.s.op;
  int64_t c0, c1;
  Split(g.c, ith, nth, &c0, &c1);
  for (int64_t c = c0; c < c1; c++) {
    for (int64_t o0 = 0; o0 < op; o0 += W) {
      Vec k[9];  // k[3·row + col]: that tap of channel c for output channels o0 …
      for (int k0 = 0; k0 < 9; k0 += W) {
        const int nk = 9 - k0 < W ? 9 - k0 : W;
        Vec r[W];
        for (int i = 0; i < W; i++) {
          const int64_t o = job.ob + o0 + i;
          const int64_t kernel = job.flipped ? c * g.o + o : o * g.c + c;
          r[i] = o0 + i < job.oc ? V::loadn(job.w + kernel * 9 + k0, nk) : V::set1(0.0f);
        }
        TransposeBlock(r);
        for (int j = 0; j < nk; j++) k[job.flipped ? 8 - k0 - j : k0 + j] = r[j];
      }
      Vec cols[3][kA];  // G applied to each kernel column
      for (int j = 0; j < 3; j++) {
        const Vec col[3] = {k[j], k[3 + j], k[6 + j]};
        Apply(kG, col, cols[j]);
      }
      for (int i = 0; i < kA; i++) {
        const Vec row[3] = {cols[0][i], cols[1][i], cols[2][i]};
        Vec out[kA];
        Apply(kG, row, out);
        for (int j = 0; j < kA; j++) V::store(job.u + ((kA * i + j) * g.c + c) * op + o0, out[j]);
      }
    }
  }
}

// ---- one band -----------------------------------------------------------------------------

// xin = the input rows of tile rows [i0, i0 + rows), channel-last, zero outside the image.
void GatherInput(const Job& job, int64_t n, int64_t i0, int64_t rows, float* xin) {
  const ConvGeom& g = *job.g;
  GatherChannelLast(job.x + n * g.c * g.h * g.w, g.c, g.h, g.w, kM * i0 - g.pt, kM * rows + 2, g.pl, job.s.cols,
                    job.s.cp, xin);
}

// v[ξ][t0 + t] = Bᵀ d B for the tiles t of rows [0, rows) of the image in xin.
void TransformInput(const Job& job, int64_t rows, const float* xin, int64_t t0, float* v) {
  const Sizes& s = job.s;
  const int64_t plane = s.tiles * s.cp;  // one ξ's tiles
  for (int64_t i = 0; i < rows; i++) {
    for (int64_t j = 0; j < s.tw; j++) {
      const int64_t t = t0 + i * s.tw + j;
      for (int64_t c0 = 0; c0 < s.cp; c0 += W) {
        TransformTile(kBT, xin + ((kM * i) * s.cols + kM * j) * s.cp + c0, s.cols * s.cp, s.cp, v + t * s.cp + c0, plane);
      }
    }
  }
}

// m[ξ] = v[ξ] · u[ξ] for the band's first `count` tiles.
void Multiply(const Job& job, int64_t count, const float* v, float* m) {
  const ConvGeom& g = *job.g;
  const Sizes& s = job.s;
  const int64_t tiles = s.tiles;
  for (int xi = 0; xi < kXi; xi++) {
    const float* vx = v + xi * tiles * s.cp;
    const float* ux = job.u + xi * g.c * s.op;
    float* mx = m + xi * tiles * s.op;
    for (int64_t o0 = 0; o0 < s.op; o0 += kCols * W) {
      const int nv = (s.op - o0) / W < kCols ? static_cast<int>((s.op - o0) / W) : kCols;
      for (int64_t t0 = 0; t0 < count; t0 += kRows) {
        const int nr = count - t0 < kRows ? static_cast<int>(count - t0) : kRows;
        PickDot<false>(nr, nv)(g.c, vx + t0 * s.cp, s.cp, 1, ux + o0, s.op, mx + t0 * s.op + o0, s.op);
      }
    }
  }
}

// One image's outputs yb = Aᵀ m A (+ bias, then ReLU), channel-last, from its tiles t0 … of m:
// tile rows [i0, i0 + rows).
void TransformOutput(const Job& job, int64_t i0, int64_t rows, const float* m, int64_t t0, float* yb) {
  const ConvGeom& g = *job.g;
  const Sizes& s = job.s;
  const int64_t plane = s.tiles * s.op;
  const Vec zero = V::set1(0.0f);
  Vec finite = zero;  // stays zero while every output is finite: 0 · (NaN or ±inf) is NaN
  for (int64_t o0 = 0; o0 < s.op; o0 += W) {
    const int live = job.oc - o0 < W ? static_cast<int>(job.oc - o0) : W;
    const Vec bias = job.bias == nullptr ? zero : V::loadn(job.bias + job.ob + o0, live);
    for (int64_t i = 0; i < rows; i++) {
      const int64_t left = g.ho - kM * (i0 + i);
      const int out_rows = left < kM ? static_cast<int>(left) : kM;
      for (int64_t j = 0; j < s.tw; j++) {
        const int out_cols = g.wo - kM * j < kM ? static_cast<int>(g.wo - kM * j) : kM;
        const float* at = m + (t0 + i * s.tw + j) * s.op + o0;
        Vec am[kA][kM];  // Aᵀ m, by column
        for (int q = 0; q < kA; q++) {
          Vec col[kA];
          for (int r = 0; r < kA; r++) col[r] = V::load(at + (kA * r + q) * plane);
          Apply(kAT, col, am[q]);
        }
        for (int r = 0; r < out_rows; r++) {
          const Vec row[kA] = {am[0][r], am[1][r], am[2][r], am[3][r], am[4][r], am[5][r]};
          Vec out[kM];
          Apply(kAT, row, out);
          for (int q = 0; q < out_cols; q++) {
            const Vec val = V::add(out[q], bias);
            finite = V::fma(val, zero, finite);
            V::store(yb + ((kM * i + r) * g.wo + kM * j + q) * s.op + o0,
                     job.relu ? V::select(V::gt(val, zero), val, zero) : val);
          }
        }
      }
    }
  }
  if (V::bits(V::isnan(finite)) != 0) __atomic_store_n(&job.nonfinite, 1, __ATOMIC_RELAXED);
}

// y[n][o][kM·i0·wo + p] = yb[p][o]: W positions × W channels at a time, transposed in registers.
void ScatterOutput(const Job& job, int64_t n, int64_t i0, int64_t rows, const float* yb) {
  const ConvGeom& g = *job.g;
  const Sizes& s = job.s;
  const int64_t lines = g.ho - kM * i0 < kM * rows ? g.ho - kM * i0 : kM * rows;
  const int64_t cells = lines * g.wo, plane = g.ho * g.wo;
  float* dst = job.y + (n * g.o + job.ob) * plane + kM * i0 * g.wo;
  for (int64_t p0 = 0; p0 < cells; p0 += W) {
    const int np = cells - p0 < W ? static_cast<int>(cells - p0) : W;
    for (int64_t o0 = 0; o0 < s.op; o0 += W) {
      Vec r[W];
      for (int i = 0; i < W; i++) r[i] = i < np ? V::load(yb + (p0 + i) * s.op + o0) : V::set1(0.0f);
      TransposeBlock(r);
      const int live = job.oc - o0 < W ? static_cast<int>(job.oc - o0) : W;
      for (int c = 0; c < live; c++) {
        float* at = dst + (o0 + c) * plane + p0;
        if (np == W) {
          V::store(at, r[c]);
        } else {
          V::storen(at, r[c], np);
        }
      }
    }
  }
}


// Asks for the input rows band b reads to be brought towards this core's cache.
void PrefetchInput(const Job& job, const Band& b) {
  const ConvGeom& g = *job.g;
  int64_t y0 = kM * b.i0 - g.pt, y1 = kM * (b.i0 + b.rows) + 2 - g.pt;
  y0 = y0 < 0 ? 0 : y0;
  y1 = y1 > g.h ? g.h : y1;
  if (y1 <= y0) return;
  for (int64_t n = b.n; n < b.n + b.images; n++) {
    for (int64_t c = 0; c < g.c; c++) {
      const char* row = reinterpret_cast<const char*>(job.x + ((n * g.c + c) * g.h + y0) * g.w);
      const int64_t bytes = (y1 - y0) * g.w * int64_t(sizeof(float));
      for (int64_t k = 0; k < bytes; k += 64) __builtin_prefetch(row + k, 0, 2);
    }
  }
}

void RunBand(const Job& job, const Band& b, float* xin, float* v, float* m, float* yb) {
  const int64_t per_image = b.rows * job.s.tw;
  for (int64_t k = 0; k < b.images; k++) {
    GatherInput(job, b.n + k, b.i0, b.rows, xin);
    TransformInput(job, b.rows, xin, k * per_image, v);
  }
  Multiply(job, b.images * per_image, v, m);
  for (int64_t k = 0; k < b.images; k++) {
    TransformOutput(job, b.i0, b.rows, m, k * per_image, yb);
    ScatterOutput(job, b.n + k, b.i0, b.rows, yb);
  }
}

void BandTask(void* p, int, int) {
  Job& job = *static_cast<Job*>(p);
  char* scratch = ConvScratch();
  if (scratch == nullptr) {
    job.status = TL_ERR_NOMEM;
    return;
  }
  const Sizes& s = job.s;
  float* xin = reinterpret_cast<float*>(scratch + s.xin);
  float* v = reinterpret_cast<float*>(scratch + s.v);
  float* m = reinterpret_cast<float*>(scratch + s.m);
  float* yb = reinterpret_cast<float*>(scratch + s.yb);
  // Each band is claimed one band ahead, so its input can be prefetched while this one runs.
  int64_t band = __atomic_fetch_add(&job.next, 1, __ATOMIC_RELAXED);
  while (band < job.bands.count) {
    const int64_t next = __atomic_fetch_add(&job.next, 1, __ATOMIC_RELAXED);
    if (next < job.bands.count) PrefetchInput(job, BandAt(job.bands, job.g->n, next));
    RunBand(job, BandAt(job.bands, job.g->n, band), xin, v, m, yb);
    band = next;
  }
}

}  // namespace

bool WinogradApplies(const ConvGeom& g) {
  return g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1 &&
         g.c >= kWinogradMinChannels && g.o >= kWinogradMinChannels && g.ho >= 1 && g.wo >= 1;
}

int RunWinograd(const ConvGeom& g, const float* x, const float* w, bool flipped, const float* bias, float* y,
                bool relu, const tl_runtime* rt) {
  if (rt->conv_winograd == 0 || !WinogradApplies(g)) return TL_ERR_UNSUPPORTED;
  const size_t scratch_bytes = kConvScratchBytes + DirectOverheadBytes();
  // Output channels run in passes of `chunk` (whole vectors), each with its own transformed weights
  // of at most kMaxWeightBytes; the input is transformed again for every pass.
  int64_t chunk = CeilDiv(g.o, W) * W;
  while (chunk > W && Bytes(kXi * g.c * chunk) > kMaxWeightBytes) chunk -= W;
  const size_t u_bytes = Bytes(kXi * g.c * chunk);
  if (u_bytes > kMaxWeightBytes || SizesFor(g, chunk, 1, 1).band + u_bytes > scratch_bytes) return TL_ERR_UNSUPPORTED;
  Job job;
  job.g = &g;
  job.x = x;
  job.w = w;
  job.flipped = flipped;
  job.bias = bias;
  job.y = y;
  job.relu = relu;
  job.status = TL_OK;
  job.nonfinite = 0;
  // Bands as large as the budget allows while every thread gets at least two.
  const Sizes one = SizesFor(g, chunk, 1, 1);
  job.bands = PlanBands(g.n, one.th, one.tw, 2 * rt->n_threads,
                        [&](int64_t rows, int64_t images) { return SizesFor(g, chunk, rows, images).band; });
  // u lives at the end of the calling thread's scratch, past any band buffers it uses itself.
  char* own = ConvScratch();
  if (own == nullptr) return TL_ERR_NOMEM;
  job.u = reinterpret_cast<float*>(own + scratch_bytes - u_bytes);
  const int64_t macs = g.n * g.o * g.ho * g.wo * g.c * 9;
  const int nth = ThreadsFor(rt, macs, kConvGrainMacs);
  for (job.ob = 0; job.ob < g.o; job.ob += chunk) {
    job.oc = g.o - job.ob < chunk ? g.o - job.ob : chunk;
    job.s = SizesFor(g, job.oc, job.bands.rows, job.bands.images);
    job.next = 0;
    rt->parallel_for(nth < g.c ? nth : static_cast<int>(g.c), WeightTask, &job);
    rt->parallel_for(nth < job.bands.count ? nth : static_cast<int>(job.bands.count), BandTask, &job);
    // A NaN or infinity in x or w spreads across whole tiles here, and huge finite values may
    // overflow in the transforms: the direct engines redo such a convolution, so that each output
    // is non-finite exactly when its own window makes it so.
    if (job.status != TL_OK) return job.status;
    if (job.nonfinite != 0) return TL_ERR_UNSUPPORTED;
  }
  return TL_OK;
}

}  // namespace TENSILE_ISA
}  // namespace tensile
