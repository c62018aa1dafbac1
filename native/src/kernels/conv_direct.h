// Direct convolution engines: the patch matrix is never packed. A convolution's source (image or
// output gradient) is copied once per image into zero-padded planes, split by stride phase, so
// that every tap's input row is a contiguous run: tap k reads planes[off[k] + q] at tile position
// q = r · pitch + c (output row r, column c; columns c ≥ cols of each pitch-wide row are computed
// and dropped). Defined in conv_direct.cc and conv_dot.cc, once per ISA level; conv.cc builds the
// plans (conv_plan.h).
//
//   RunDirect: out[m, r, c] (+)= Σ_k A[m, k] · src[off[k] + r · pitch + c]   (conv2d, conv2dInputGrad)
//   RunDot:    C[m, k] = Σ_images Σ_q G[m, q] · src[off[k] + q]              (conv2dWeightGrad)
//              either as dot products along q (conv_dot.cc) or, when m fills whole vectors, as
//              outer products of Gᵀ rows and broadcast inputs (RunDotOuter, conv_dot_outer.cc)
#ifndef TENSILE_KERNELS_CONV_DIRECT_H
#define TENSILE_KERNELS_CONV_DIRECT_H

#include "gemm.h"

namespace tensile {
namespace TENSILE_ISA {

// Per-thread scratch of the engines (allocated on a thread's first direct convolution, kept for
// its lifetime). A convolution whose planes do not fit runs on the packing GEMM path instead.
constexpr size_t kConvScratchBytes = size_t(4) << 20;
// Reads may run up to pitch + kPlaneSlack elements past the end of an item's planes (prepare()
// zeroes them): the last tile's dropped positions, shifted by the largest tap offset.
constexpr int64_t kPlaneSlack = 64;
// Widest register tile (NR) of any ISA level, in elements.
constexpr int kMaxTileWidth = 64;

// One item (an image and group, or a stride phase of one) as prepare() lays it out in scratch.
template <class T>
struct DirectItem {
  const T* src;          // the planes, followed by kPlaneSlack zeros
  const int32_t* off;    // off[k]: the plane offset of reduction index k
  int64_t k;             // reduction length (0: the output is zeroed)
  int64_t rows, cols;    // output grid
  int64_t pitch;         // tile positions per grid row (≥ cols)
  T* out;                // out + m·out_ms + r·out_rs + c·out_cs is output (m, r, c)
  int64_t out_ms, out_rs, out_cs;
  const T* bias;         // added to row m's first store (the k == 0 block), or null
};

// Builds item `item`'s planes and offsets in `scratch` and describes them in `it`.
template <class T>
using DirectPrepareFn = void (*)(const void* ctx, int64_t item, char* scratch, DirectItem<T>* it);

template <class T>
struct DirectCall {
  int64_t items = 0;
  int64_t m = 0;       // rows of A (output channels) per item
  size_t scratch = 0;  // bytes prepare() writes per item
  DirectPrepareFn<T> prepare = nullptr;
  GemmPackFn<T> pack_a = nullptr;  // A[item] [m, k] into MR panels (batch argument = item)
  int64_t a_run = 1;               // runs of a_run consecutive items share A (packed once per run)
  // Runs of a_run · a_cycle items, within which items equal modulo a_cycle share A (an input
  // gradient's stride phases, image after image); k_max bounds every item's k (0: unknown).
  int64_t a_cycle = 1;
  int64_t k_max = 0;
  // conv2d followed by ReLU (fused for inference and Sequential): out = x > 0 ? x : 0 as each
  // output is stored for the last time, the same select as the relu kernel.
  bool relu = false;
  const void* ctx = nullptr;
  int64_t macs = 0;  // total multiply-adds, to size the thread count (0: use every thread)
};

// Multiply-adds worth waking a thread for.
constexpr int64_t kConvGrainMacs = int64_t(1) << 18;

// This thread's scratch (kConvScratchBytes, then the packed weights of RunDirect), or null when it
// could not be allocated.
char* ConvScratch();

// Bytes RunDirect needs beyond the caller's per-item scratch (the packed A block).
size_t DirectOverheadBytes();
int RunDirect(const DirectCall<float>& call, const tl_runtime* rt);
int RunDirect(const DirectCall<double>& call, const tl_runtime* rt);

// One image of a weight gradient: G rows (m of them, `q` long, `g_pitch` apart; zeros where a
// position is padding) and the planes its taps read. Transposed (prepare_t): g is Gᵀ, one row of
// g_pitch = DotTPitch(m) elements per output cell r · cols + c (zeros past m), and output cell
// (r, c) reads src[off[k] + r · pitch + c].
template <class T>
struct DotImage {
  const T* src;
  const int32_t* off;
  const T* g;
  int64_t g_pitch;
  int64_t q;
  int64_t rows, cols, pitch;  // output grid and plane row pitch
};

// Gᵀ's row pitch: m rounded up to whole vectors.
template <class T>
TL_INLINE int64_t DotTPitch(int64_t m) {
  constexpr int64_t W = VecOf<T>::V::W;
  return (m + W - 1) / W * W;
}

// Builds image `n` of group `group` in `scratch`.
template <class T>
using DotPrepareFn = void (*)(const void* ctx, int64_t group, int64_t n, char* scratch, DotImage<T>* img);

// The memory prepare() reads for image `n` of group `group`: up to two byte ranges (returns how
// many), which RunDot may prefetch while it works on earlier images.
using DotSourcesFn = int (*)(const void* ctx, int64_t group, int64_t n, const char** at, size_t* bytes);

// Where RunDotOuter's direct tiles read a tap: tap k = (ci, ky, kx) (k = (ci·kh + ky)·kw + kx) of
// output cell (r, c) is src[ci·h·w + iy·w + ix] with iy = r·sh + ky·dh − pt, ix = c·sw + kx·dw − pl,
// and zero where (iy, ix) falls outside h × w: no planes at all, src is the image itself.
struct DotTaps {
  int64_t cg, kh, kw, h, w, sh, sw, dh, dw, pt, pl;
};

template <class T>
struct DotCall {
  int64_t groups = 1, images = 0, m = 0, k = 0;
  int64_t rows = 0, cols = 0, pitch = 0;  // every image's output grid and plane pitch
  size_t scratch = 0;  // bytes prepare() writes per image
  DotPrepareFn<T> prepare = nullptr;
  size_t scratch_t = 0;                // the same with Gᵀ (prepare_t), which RunDot may choose
  DotPrepareFn<T> prepare_t = nullptr;  // null: G rows only
  DotSourcesFn sources = nullptr;       // null: nothing is prefetched
  // Gᵀ only (src = the image, read through `taps`); null: no direct tiles.
  size_t scratch_d = 0;
  DotPrepareFn<T> prepare_d = nullptr;
  DotTaps taps{};
  const void* ctx = nullptr;
  T* c = nullptr;           // group g's C[m, k] at c + g·c_group + m·c_rs + k
  int64_t c_rs = 0, c_group = 0;
  int64_t macs = 0;         // total multiply-adds, to size the thread count (0: use every thread)
};

int RunDot(const DotCall<float>& call, const tl_runtime* rt);
int RunDot(const DotCall<double>& call, const tl_runtime* rt);

// The outer-product engine of RunDot (conv_dot_outer.cc): vectors along output channels, plane
// values broadcast. RunDotOuter returns TL_ERR_UNSUPPORTED (having done nothing) when it does not
// take the call; RunDot then runs its own engine.
int RunDotOuter(const DotCall<float>& call, const tl_runtime* rt);
int RunDotOuter(const DotCall<double>& call, const tl_runtime* rt);

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
