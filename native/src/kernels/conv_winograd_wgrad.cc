// Winograd F(3×3, 4×4) for conv2dWeightGrad of the convolutions conv_winograd.cc runs forward
// (float32 3 × 3, stride 1, undilated, ungrouped, ≥ 16 channels each side). The weight gradient
// dW[o][c][ky][kx] = Σ_n Σ_(y, x) gy[n][o][y][x] · x[n][c][y + ky − pt][x + kx − pl] is, over one
// 4 × 4 tile of gy and the 6 × 6 input patch under it, a correlation with 3 × 3 outputs, so
//   dW[o][c] = Aᵀ [ Σ_(n, tiles) (G gy_t Gᵀ)[o] ⊙ (Bᵀ x_t B)[c] ] A,
// where the sum inside is, for each of the 36 products ξ, a GEMM [O × tiles] · [tiles × C]: long
// reductions, 4× fewer multiply-adds than the direct sums. Interpolation points 0, 1, −1, 2, −½, ∞:
// measured on 16–64 channels, they round like the direct sums (~1e-6 of max |dW|).
//
// Output channels run in passes of Oc (all of them unless the slices' sums would not fit the
// scratch). Layouts (Cp, Op = C, Oc rounded up to whole vectors):
//   per band (R tile rows of one image, or I whole images), in the running thread's scratch:
//   xin [4R + 2][4TW + 2][Cp] one image's input rows, channel-last, zero outside the image
//   gin [4R][4TW][Op]          its output-gradient rows, channel-last, zero past HO × WO
//   xh  [36][I·R·TW][Cp]       transformed input patches
//   gh  [36][I·R·TW][Op]       transformed output-gradient tiles
//   per slice, at the end of the calling thread's scratch: p [36][Oc][Cp], that slice's sums
#include "conv_direct.h"
#include "conv_winograd.h"
#include "conv_winograd_parts.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

using namespace winograd;
constexpr int kT = 4;  // output-gradient tile side
constexpr int kK = 3;  // kernel side
static_assert(kA == kT + kK - 1, "F(3×3, 4×4) works on 6 × 6 tiles");

// The transforms of the points 0, 1, −1, 2, −½, ∞ (columns of Aᵀ and rows of G in that order).
constexpr float kBT[kA][kA] = {
    {1, 1.5f, -2, -1.5f, 1, 0},   {0, -1, -2.5f, -0.5f, 1, 0}, {0, 1, 0.5f, -2.5f, 1, 0},
    {0, -0.5f, -1, 0.5f, 1, 0},   {0, 2, -1, -2, 1, 0},        {0, 1, 1.5f, -2, -1.5f, 1},
};
constexpr float kG[kA][kT] = {
    {1, 0, 0, 0},
    {-1.0f / 3, -1.0f / 3, -1.0f / 3, -1.0f / 3},
    {1.0f / 3, -1.0f / 3, 1.0f / 3, -1.0f / 3},
    {1.0f / 15, 2.0f / 15, 4.0f / 15, 8.0f / 15},
    {-16.0f / 15, 8.0f / 15, -4.0f / 15, 2.0f / 15},
    {0, 0, 0, 1},
};
constexpr float kAT[kK][kA] = {
    {1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -0.5f, 0},
    {0, 1, 1, 4, 0.25f, 1},
};

constexpr int kMaxSlices = 64;                      // slices with their own sums

struct Sizes {
  int64_t tw, th;          // tiles per row, tile rows
  int64_t tiles;           // tiles per band: I·R·tw (Bands' images and rows), the pitch of xh's and gh's ξ planes
  int64_t cp, op;
  int64_t xcols, gcols;    // xin and gin columns
  size_t xin, gin, xh, gh, band;  // byte offsets in the band scratch, and its size
};

// Buffers for bands of `rows` tile rows (`images` whole images when > 1) and `oc` output channels.
Sizes SizesFor(const ConvGeom& g, int64_t oc, int64_t rows, int64_t images) {
  Sizes s;
  s.tw = CeilDiv(g.wo, kT);
  s.th = CeilDiv(g.ho, kT);
  s.tiles = images * rows * s.tw;
  s.cp = CeilDiv(g.c, W) * W;
  s.op = CeilDiv(oc, W) * W;
  s.xcols = kT * s.tw + 2;
  s.gcols = kT * s.tw;
  s.xin = 0;
  s.gin = s.xin + Bytes((kT * rows + 2) * s.xcols * s.cp);
  s.xh = s.gin + Bytes(kT * rows * s.gcols * s.op);
  s.gh = s.xh + Bytes(kXi * s.tiles * s.cp);
  s.band = s.gh + Bytes(kXi * s.tiles * s.op);
  return s;
}

struct Job {
  const ConvGeom* g;
  const float* x;
  const float* gy;
  float* dw;
  int64_t ob, oc;  // this pass's output channels [ob, ob + oc)
  Sizes s;
  Bands bands;
  float* partials;        // slice i's sums at partials + i · partial_floats
  int64_t partial_floats;
  bool used[kMaxSlices];  // slice i claimed a band (its sums are initialized)
  int status;
  int nonfinite;
};

// xh[ξ][t0 + t] = Bᵀ x_t B and gh[ξ][t0 + t] = G gy_t Gᵀ for the tiles of rows [0, rows) of one image.
void Transform(const Job& job, int64_t rows, const float* xin, const float* gin, int64_t t0, float* xh, float* gh) {
  const Sizes& s = job.s;
  const int64_t xplane = s.tiles * s.cp, gplane = s.tiles * s.op;
  for (int64_t i = 0; i < rows; i++) {
    for (int64_t j = 0; j < s.tw; j++) {
      const int64_t t = t0 + i * s.tw + j;
      for (int64_t c0 = 0; c0 < s.cp; c0 += W) {
        TransformTile(kBT, xin + ((kT * i) * s.xcols + kT * j) * s.cp + c0, s.xcols * s.cp, s.cp, xh + t * s.cp + c0, xplane);
      }
      for (int64_t o0 = 0; o0 < s.op; o0 += W) {
        TransformTile(kG, gin + ((kT * i) * s.gcols + kT * j) * s.op + o0, s.gcols * s.op, s.op, gh + t * s.op + o0, gplane);
      }
    }
  }
}

// p[ξ] += gh[ξ]ᵀ · xh[ξ] over the band's first `count` tiles: rows o, vectors of c.
void Accumulate(const Job& job, int64_t count, const float* xh, const float* gh, float* p) {
  const Sizes& s = job.s;
  for (int xi = 0; xi < kXi; xi++) {
    const float* gx = gh + xi * s.tiles * s.op;
    const float* xx = xh + xi * s.tiles * s.cp;
    float* px = p + xi * job.oc * s.cp;
    for (int64_t o0 = 0; o0 < job.oc; o0 += kRows) {
      const int nr = job.oc - o0 < kRows ? static_cast<int>(job.oc - o0) : kRows;
      for (int64_t c0 = 0; c0 < s.cp; c0 += kCols * W) {
        const int nv = (s.cp - c0) / W < kCols ? static_cast<int>((s.cp - c0) / W) : kCols;
        PickDot<true>(nr, nv)(count, gx + o0, 1, s.op, xx + c0, s.cp, px + o0 * s.cp + c0, s.cp);
      }
    }
  }
}


// Slice ith sums the bands [b0, b1) of a fixed split, not bands claimed as they come: the order in
// which the slices' sums add up then depends only on the thread count, so gradients repeat bit for bit.
void BandTask(void* p, int ith, int nth) {
  Job& job = *static_cast<Job*>(p);
  char* scratch = ConvScratch();
  if (scratch == nullptr) {
    job.status = TL_ERR_NOMEM;
    return;
  }
  const ConvGeom& g = *job.g;
  const Sizes& s = job.s;
  float* xin = reinterpret_cast<float*>(scratch + s.xin);
  float* gin = reinterpret_cast<float*>(scratch + s.gin);
  float* xh = reinterpret_cast<float*>(scratch + s.xh);
  float* gh = reinterpret_cast<float*>(scratch + s.gh);
  float* sums = job.partials + ith * job.partial_floats;
  int64_t b0, b1;
  Split(job.bands.count, ith, nth, &b0, &b1);
  if (b1 > b0) {
    memset(sums, 0, size_t(job.partial_floats) * sizeof(float));
    job.used[ith] = true;
  }
  for (int64_t band = b0; band < b1; band++) {
    const Band b = BandAt(job.bands, job.g->n, band);
    const int64_t per_image = b.rows * s.tw;
    for (int64_t k = 0; k < b.images; k++) {
      const int64_t n = b.n + k;
      GatherChannelLast(job.x + n * g.c * g.h * g.w, g.c, g.h, g.w, kT * b.i0 - g.pt, kT * b.rows + 2, g.pl, s.xcols,
                        s.cp, xin);
      GatherChannelLast(job.gy + (n * g.o + job.ob) * g.ho * g.wo, job.oc, g.ho, g.wo, kT * b.i0, kT * b.rows, 0, s.gcols,
                        s.op, gin);
      Transform(job, b.rows, xin, gin, k * per_image, xh, gh);
    }
    Accumulate(job, b.images * per_image, xh, gh, sums);
  }
}

// dW[o][c] = Aᵀ (Σ over slices of p[·][o][c]) A for the output channels of this slice.
void FinishTask(void* p, int ith, int nth) {
  Job& job = *static_cast<Job*>(p);
  const ConvGeom& g = *job.g;
  const int64_t cp = job.s.cp, plane = job.oc * cp;
  int64_t o0, o1;
  Split(job.oc, ith, nth, &o0, &o1);
  const Vec zero = V::set1(0.0f);
  Vec finite = zero;  // stays zero while every output is finite
  for (int64_t o = o0; o < o1; o++) {
    for (int64_t c0 = 0; c0 < cp; c0 += W) {
      Vec m[kXi];
      for (int xi = 0; xi < kXi; xi++) m[xi] = zero;
      for (int slice = 0; slice < kMaxSlices; slice++) {
        if (!job.used[slice]) continue;
        const float* at = job.partials + slice * job.partial_floats + o * cp + c0;
        for (int xi = 0; xi < kXi; xi++) m[xi] = V::add(m[xi], V::load(at + xi * plane));
      }
      Vec am[kA][kK];  // Aᵀ m, by column
      for (int q = 0; q < kA; q++) {
        const Vec col[kA] = {m[q], m[kA + q], m[2 * kA + q], m[3 * kA + q], m[4 * kA + q], m[5 * kA + q]};
        Apply(kAT, col, am[q]);
      }
      alignas(64) float taps[kK * kK][W];
      for (int r = 0; r < kK; r++) {
        const Vec row[kA] = {am[0][r], am[1][r], am[2][r], am[3][r], am[4][r], am[5][r]};
        Vec out[kK];
        Apply(kAT, row, out);
        for (int q = 0; q < kK; q++) {
          finite = V::fma(out[q], zero, finite);
          V::store(taps[kK * r + q], out[q]);
        }
      }
      const int live = g.c - c0 < W ? static_cast<int>(g.c - c0) : W;
      for (int i = 0; i < live; i++) {
        float* kernel = job.dw + ((job.ob + o) * g.c + c0 + i) * kK * kK;
        for (int k = 0; k < kK * kK; k++) kernel[k] = taps[k][i];
      }
    }
  }
  if (V::bits(V::isnan(finite)) != 0) __atomic_store_n(&job.nonfinite, 1, __ATOMIC_RELAXED);
}

}  // namespace

int RunWinogradWeightGrad(const ConvGeom& g, const float* x, const float* gy, float* dw, const tl_runtime* rt) {
  if (rt->conv_winograd == 0 || !WinogradApplies(g)) return TL_ERR_UNSUPPORTED;
  const size_t scratch_bytes = kConvScratchBytes + DirectOverheadBytes();
  Job job;
  job.g = &g;
  job.x = x;
  job.gy = gy;
  job.dw = dw;
  job.status = TL_OK;
  job.nonfinite = 0;
  const int64_t macs = g.n * g.o * g.ho * g.wo * g.c * 9;
  int nth = ThreadsFor(rt, macs, kConvGrainMacs);
  if (nth > kMaxSlices) nth = kMaxSlices;
  // Output channels run in passes of `chunk` (whole vectors) so that every slice's sums fit the
  // caller's scratch; the input is transformed again for every pass.
  int64_t chunk = CeilDiv(g.o, W) * W;
  const auto fits = [&](int64_t oc) {
    return SizesFor(g, oc, 1, 1).band + Bytes(kXi * oc * CeilDiv(g.c, W) * W) * size_t(nth) <= scratch_bytes;
  };
  while (chunk > W && !fits(chunk)) chunk -= W;
  if (!fits(chunk)) return TL_ERR_UNSUPPORTED;
  // Bands as large as the budget allows while every slice gets at least two.
  const Sizes one = SizesFor(g, chunk, 1, 1);
  job.bands = PlanBands(g.n, one.th, one.tw, 2 * nth,
                        [&](int64_t rows, int64_t images) { return SizesFor(g, chunk, rows, images).band; });
  if (nth > job.bands.count) nth = static_cast<int>(job.bands.count);
  if (nth < 1) nth = 1;
  // Each slice's sums live at the end of the calling thread's scratch, past its own band buffers.
  job.partial_floats = int64_t(Bytes(kXi * chunk * one.cp) / sizeof(float));
  const size_t partial_bytes = size_t(job.partial_floats) * sizeof(float) * size_t(nth);
  char* own = ConvScratch();
  if (own == nullptr) return TL_ERR_NOMEM;
  job.partials = reinterpret_cast<float*>(own + scratch_bytes - partial_bytes);
  for (job.ob = 0; job.ob < g.o; job.ob += chunk) {
    job.oc = g.o - job.ob < chunk ? g.o - job.ob : chunk;
    job.s = SizesFor(g, job.oc, job.bands.rows, job.bands.images);
    for (bool& u : job.used) u = false;
    rt->parallel_for(nth, BandTask, &job);
    if (job.status != TL_OK) return job.status;
    rt->parallel_for(nth < job.oc ? nth : static_cast<int>(job.oc), FinishTask, &job);
    // Non-finite sums (a NaN or infinity in x or gy, or an overflow in the transforms): the direct
    // engines redo the gradient, so it is non-finite exactly where theirs would be.
    if (job.nonfinite != 0) return TL_ERR_UNSUPPORTED;
  }
  return TL_OK;
}

}  // namespace TENSILE_ISA
}  // namespace tensile
