// maxPool2dValues when every window is a whole 2×2 block at stride 2 (pool_2x2.cc). Per-ISA namespace.
#ifndef TENSILE_KERNELS_POOL_2X2_H
#define TENSILE_KERNELS_POOL_2X2_H

#include "common.h"

namespace tensile {
namespace TENSILE_ISA {

// y = the maxima of x's 2 × 2 blocks: contiguous x [..., in_h, in_w] and y [..., out_h, out_w] of
// float32 or float64 with 2·out_h ≤ in_h and 2·out_w ≤ in_w, scanned as maxPool2d scans (bit-exact
// with the js kernel).
int RunMaxPool2x2Values(const tl_tensor& x, const tl_tensor& y, int64_t in_h, int64_t in_w, int64_t out_h,
                        int64_t out_w, const tl_runtime* rt);

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
