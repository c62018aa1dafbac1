// conv2d for short reductions (conv_small_k.cc): few input channels × kernel taps, like a network's
// first convolution (1 → 32 channels, 3 × 3: k = 9). The direct engines (conv_direct.h) are built
// for deep reductions: at k = 9 their tiles along padded rows waste lanes and their stores through
// a tile buffer cost more than the FMAs. Here each chunk of an image's output positions gets its
// patches built once, and every block of output channels runs over them as one flat run of vectors
// (across row ends), several channels per patch load, stored straight into y with the bias and the
// fused ReLU.
#ifndef TENSILE_KERNELS_CONV_SMALL_K_H
#define TENSILE_KERNELS_CONV_SMALL_K_H

#include "conv_pack.h"

namespace tensile {
namespace TENSILE_ISA {

// Runs conv2d (x, w, y contiguous; bias per output channel or null; ReLU fused when `relu`) when the
// path takes the geometry (column stride 1, cg · kh · kw ≤ 64, an AVX2 or AVX-512 level; any
// padding, row stride, dilation, groups); returns TL_ERR_UNSUPPORTED, having done nothing, when not.
int RunSmallK(const ConvGeom& g, const float* x, const float* w, const float* bias, float* y, bool relu,
              const tl_runtime* rt);
int RunSmallK(const ConvGeom& g, const double* x, const double* w, const double* bias, double* y, bool relu,
              const tl_runtime* rt);

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
