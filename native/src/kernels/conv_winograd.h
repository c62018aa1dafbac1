// Winograd convolutions, which conv2d and its gradients take for float32 3 × 3, stride 1,
// undilated, ungrouped convolutions with enough channels: F(4×4, 3×3) forward and for the input
// gradient (conv_winograd.cc), F(3×3, 4×4) for the weight gradient (conv_winograd_wgrad.cc).
// Per-ISA namespace.
#ifndef TENSILE_KERNELS_CONV_WINOGRAD_H
#define TENSILE_KERNELS_CONV_WINOGRAD_H

#include "conv_pack.h"

namespace tensile {
namespace TENSILE_ISA {

// Below this many input or output channels the transforms cost more than the products save.
constexpr int64_t kWinogradMinChannels = 16;

// Whether RunWinograd takes geometry g.
bool WinogradApplies(const ConvGeom& g);

// y = conv2d(x, w) (+ bias, then ReLU when relu) for contiguous NCHW x and y and [O, C, 3, 3] w,
// or, when `flipped`, w [C, O, 3, 3] with each kernel turned 180° (an input gradient's weights).
// Returns TL_ERR_UNSUPPORTED when it does not take the call: a geometry it does not handle, or an
// output that came out NaN or infinite (the caller then runs the direct engines, which overwrite y).
int RunWinograd(const ConvGeom& g, const float* x, const float* w, bool flipped, const float* bias, float* y,
                bool relu, const tl_runtime* rt);

// dw = conv2dWeightGrad(x, gy) for the geometries WinogradApplies takes (conv_winograd_wgrad.cc):
// contiguous NCHW x and gy, dw [O, C, 3, 3]. TL_ERR_UNSUPPORTED as RunWinograd.
int RunWinogradWeightGrad(const ConvGeom& g, const float* x, const float* gy, float* dw, const tl_runtime* rt);

}  // namespace TENSILE_ISA
}  // namespace tensile

#endif
