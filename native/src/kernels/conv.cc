// The convolution kernels, with the contracts of src/backends/js/conv.ts: contiguous NCHW inputs,
// weights [O, C/groups, KH, KW], contiguous outputs. Attributes, in order: stride (h, w), padding
// (top, bottom, left, right), dilation (h, w), groups.
//
// Float32 3 × 3 stride-1 ungrouped convolutions of ≥ 16 channels take Winograd first
// (conv_winograd.h), and conv2d with a short reduction (a first layer) conv_small_k.h; each
// returns TL_ERR_UNSUPPORTED for what it does not take. Everything else runs on two paths.
// The direct engines (conv_direct.h, plans in conv_plan.h) copy each image once into
// padded planes and read every tap from there: no patch matrix at all. When an image's planes do
// not fit their per-thread scratch, the GEMM path packs patches straight into GEMM panels
// (conv_pack.h):
//   conv2d            per (image, group): y [og, ho·wo] = w_g [og, cg·kh·kw] · patches
//   conv2dInputGrad   per (image, group): dx [cg, h·w] = w_gᵀ [cg, og·kh·kw] · gy patches
//   conv2dWeightGrad  per group: dw_g [og, cg·kh·kw] = Σ over images and positions of gy · patchesᵀ
#include <type_traits>

#include "conv_plan.h"
#include "conv_small_k.h"
#include "conv_winograd.h"
#include "gemm.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

constexpr int kConvAttrs = 9;  // a tenth, conv2d's fused ReLU (0/1), is optional

// Fills the geometry from x-side [N, C, H, W], weight [O, Cg, KH, KW] and y-side [N, O, HO, WO]
// views and the attributes; false when they do not describe one convolution.
bool MakeGeom(const tl_tensor& x, const tl_tensor& wt, const tl_tensor& y, const tl_args* a, ConvGeom* g) {
  if (a->n_attrs < kConvAttrs || x.ndim != 4 || wt.ndim != 4 || y.ndim != 4) return false;
  const double* at = a->attrs;
  g->n = x.shape[0];
  g->c = x.shape[1];
  g->h = x.shape[2];
  g->w = x.shape[3];
  g->o = wt.shape[0];
  g->cg = wt.shape[1];
  g->kh = wt.shape[2];
  g->kw = wt.shape[3];
  g->ho = y.shape[2];
  g->wo = y.shape[3];
  g->sh = static_cast<int64_t>(at[0]);
  g->sw = static_cast<int64_t>(at[1]);
  g->pt = static_cast<int64_t>(at[2]);
  g->pl = static_cast<int64_t>(at[4]);
  g->dh = static_cast<int64_t>(at[6]);
  g->dw = static_cast<int64_t>(at[7]);
  g->groups = static_cast<int64_t>(at[8]);
  if (g->groups < 1 || g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1 || g->pt < 0 || g->pl < 0) return false;
  if (g->o % g->groups != 0 || g->c != g->cg * g->groups || y.shape[0] != g->n || y.shape[1] != g->o) return false;
  g->og = g->o / g->groups;
  return IsContiguous(x) && IsContiguous(wt) && IsContiguous(y);
}

// Whether the direct engines can take this geometry: its scratch fits (which also keeps plane
// offsets within int32), the input gradient's tap lists (64 per axis) hold the kernel, and the
// stride phases fit PlaneShape's 8 × 8 slots.
bool DirectFits(size_t scratch, const ConvGeom& g) {
  return scratch <= kConvScratchBytes && g.kh <= 64 && g.kw <= 64 && g.sh <= 8 && g.sw <= 8;
}

template <class T>
ConvPlan<T> MakePlan(const ConvGeom& g, const T* x, const T* w, const T* gy, T* out) {
  ConvPlan<T> p;
  p.bias = nullptr;
  p.g = &g;
  p.x = x;
  p.w = w;
  p.gy = gy;
  p.out = out;
  p.planes = ForwardPlanes(g);
  p.q_pitch = (g.ho * p.planes.wq + 15) & ~int64_t(15);
  return p;
}

template <class T>
int Conv2dGemm(const tl_tensor& x, const tl_tensor& wt, const tl_tensor& y, const ConvGeom& g, const T* bias,
               bool relu, const tl_runtime* rt) {
  const int64_t taps = g.kh * g.kw, plen = g.ho * g.wo;
  GemmCall<T> call;
  if (bias != nullptr) {  // y starts as the bias, and the GEMM adds to it
    T* out = Base<T>(y);
    for (int64_t i = 0; i < g.n * g.o; i++) {
      for (int64_t j = 0; j < plen; j++) out[i * plen + j] = bias[i % g.o];
    }
    call.beta = T(1);
  }
  call.batch = g.n * g.groups;
  call.m = g.og;
  call.n = plen;
  call.k = g.cg * taps;
  call.a.p = Base<const T>(wt);
  call.a.rs = call.k;
  call.a.ks = 1;
  call.a.batch.inner = g.groups;
  call.a.batch.inner_stride = g.og * call.k;
  PatchCtx<T> patches{&g, Base<const T>(x)};
  const bool pointwise = taps == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.ho == g.h && g.wo == g.w;
  if (pointwise) {
    // 1×1, stride 1, no padding: the patches are the image itself, [cg, h·w] read transposed.
    call.bt = StridedOperand<T>(Base<const T>(x), 1, g.h * g.w, g.c * g.h * g.w);
    call.bt.batch.inner = g.groups;
    call.bt.batch.inner_stride = g.cg * g.h * g.w;
  } else {
    call.bt.pack = PackPatchesT<T>;
    call.bt.ctx = &patches;
  }
  call.c = Base<T>(y);
  call.c_rs = plen;
  call.c_batch.outer = g.og * plen;  // item n·groups + gi starts at (n·o + gi·og)·plen
  const int status = Gemm(call, rt);
  if (status != TL_OK || !relu) return status;
  // The fused ReLU on this (rare: strides past 8, huge planes) path: one more pass, same select.
  T* out = Base<T>(y);
  for (int64_t i = 0; i < g.n * g.o * plen; i++) out[i] = out[i] > 0 ? out[i] : T(0);
  return TL_OK;
}

template <class T>
int Conv2dInputGradGemm(const tl_tensor& gy, const tl_tensor& wt, const tl_tensor& dx, const ConvGeom& g,
                        const tl_runtime* rt) {
  const int64_t taps = g.kh * g.kw;
  GemmCall<T> call;
  call.batch = g.n * g.groups;
  call.m = g.cg;
  call.n = g.h * g.w;
  call.k = g.og * taps;
  WeightTCtx<T> weights{&g, Base<const T>(wt)};
  call.a.pack = PackWeightT<T>;
  call.a.ctx = &weights;
  GradPatchCtx<T> patches{&g, Base<const T>(gy)};
  call.bt.pack = PackGradPatchesT<T>;
  call.bt.ctx = &patches;
  call.c = Base<T>(dx);
  call.c_rs = g.h * g.w;
  call.c_batch.outer = g.cg * g.h * g.w;
  return Gemm(call, rt);
}

template <class T>
int Conv2dWeightGradGemm(const tl_tensor& x, const tl_tensor& gy, const tl_tensor& dw, const ConvGeom& g,
                         const tl_runtime* rt) {
  const int64_t taps = g.kh * g.kw;
  GemmCall<T> call;
  call.batch = g.groups;
  call.m = g.og;
  call.n = g.cg * taps;
  call.k = g.n * g.ho * g.wo;
  GradPatchCtx<T> rows{&g, Base<const T>(gy)};
  call.a.pack = PackGradRows<T>;
  call.a.ctx = &rows;
  PatchCtx<T> patches{&g, Base<const T>(x)};
  call.bt.pack = PackPatchRows<T>;
  call.bt.ctx = &patches;
  call.c = Base<T>(dw);
  call.c_rs = call.n;
  call.c_batch.outer = g.og * call.n;
  return Gemm(call, rt);
}

template <class T>
int Conv2dT(const tl_tensor& x, const tl_tensor& wt, const tl_tensor& y, const ConvGeom& g, const T* bias,
            bool relu, const tl_runtime* rt) {
  if constexpr (std::is_same<T, float>::value) {  // Winograd is float32 only
    const int status = RunWinograd(g, Base<const float>(x), Base<const float>(wt), false, bias, Base<float>(y), relu, rt);
    if (status != TL_ERR_UNSUPPORTED) return status;
  }
  const int small_k = RunSmallK(g, Base<const T>(x), Base<const T>(wt), bias, Base<T>(y), relu, rt);  // conv_small_k.h
  if (small_k != TL_ERR_UNSUPPORTED) return small_k;
  ConvPlan<T> plan = MakePlan<T>(g, Base<const T>(x), Base<const T>(wt), nullptr, Base<T>(y));
  plan.bias = bias;
  DirectCall<T> call;
  call.scratch = ForwardScratch(plan);
  if (DirectFits(call.scratch, g)) {
    call.items = g.n * g.groups;
    call.m = g.og;
    call.prepare = PrepareForward<T>;
    call.pack_a = PackForwardWeights<T>;
    call.a_run = g.n;
    call.ctx = &plan;
    call.macs = g.n * g.o * g.ho * plan.planes.wq * g.cg * g.kh * g.kw;
    call.relu = relu;
    return RunDirect(call, rt);
  }
  return Conv2dGemm<T>(x, wt, y, g, bias, relu, rt);
}

// conv2dInputGrad of a 3 × 3, stride-1 convolution as the forward Winograd path: dx = conv2d(gy, w
// with C and O swapped and each kernel turned 180°), padded by 2 − p (top and left; the bottom and
// right follow from the sizes).
int InputGradWinograd(const tl_tensor& gy, const tl_tensor& wt, const tl_tensor& dx, const ConvGeom& g,
                      const tl_runtime* rt) {
  if (g.pt > 2 || g.pl > 2) return TL_ERR_UNSUPPORTED;
  ConvGeom t = g;
  t.c = t.cg = g.o;
  t.h = g.ho;
  t.w = g.wo;
  t.o = t.og = g.c;
  t.ho = g.h;
  t.wo = g.w;
  t.pt = 2 - g.pt;
  t.pl = 2 - g.pl;
  if (!WinogradApplies(t) || g.groups != 1) return TL_ERR_UNSUPPORTED;
  return RunWinograd(t, Base<const float>(gy), Base<const float>(wt), true, nullptr, Base<float>(dx), false, rt);
}

template <class T>
int Conv2dInputGradT(const tl_tensor& gy, const tl_tensor& wt, const tl_tensor& dx, const ConvGeom& g,
                     const tl_runtime* rt) {
  if constexpr (std::is_same<T, float>::value) {  // Winograd is float32 only
    const int status = InputGradWinograd(gy, wt, dx, g, rt);
    if (status != TL_ERR_UNSUPPORTED) return status;
  }
  ConvPlan<T> plan = MakePlan<T>(g, nullptr, Base<const T>(wt), Base<const T>(gy), Base<T>(dx));
  DirectCall<T> call;
  call.scratch = g.kh <= 64 && g.kw <= 64 ? InputGradScratch<T>(g) : ~size_t(0) / 2;
  if (DirectFits(call.scratch, g)) {
    call.items = g.n * g.groups * g.sh * g.sw;
    call.m = g.cg;
    call.prepare = PrepareInputGrad<T>;
    call.pack_a = PackInputGradWeights<T>;
    call.a_run = g.n;
    call.a_cycle = g.sh * g.sw;
    call.k_max = g.og * g.kh * g.kw;
    call.ctx = &plan;
    call.macs = g.n * g.o * g.ho * g.wo * g.cg * g.kh * g.kw;
    return RunDirect(call, rt);
  }
  return Conv2dInputGradGemm<T>(gy, wt, dx, g, rt);
}

template <class T>
int Conv2dWeightGradT(const tl_tensor& x, const tl_tensor& gy, const tl_tensor& dw, const ConvGeom& g,
                      const tl_runtime* rt) {
  if constexpr (std::is_same<T, float>::value) {  // Winograd is float32 only
    const int status = RunWinogradWeightGrad(g, Base<const float>(x), Base<const float>(gy), Base<float>(dw), rt);
    if (status != TL_ERR_UNSUPPORTED) return status;
  }
  ConvPlan<T> plan = MakePlan<T>(g, Base<const T>(x), nullptr, Base<const T>(gy), Base<T>(dw));
  DotCall<T> call;
  call.scratch = WeightGradScratch(plan);
  if (DirectFits(call.scratch, g)) {
    call.groups = g.groups;
    call.images = g.n;
    call.m = g.og;
    call.k = g.cg * g.kh * g.kw;
    call.rows = g.ho;
    call.cols = g.wo;
    call.pitch = plan.planes.wq;
    call.prepare = PrepareWeightGrad<T>;
    call.scratch_t = WeightGradScratchT(plan);
    call.prepare_t = PrepareWeightGradT<T>;
    call.sources = WeightGradSources<T>;
    call.scratch_d = WeightGradScratchD(plan);
    call.prepare_d = PrepareWeightGradD<T>;
    call.taps = DotTaps{g.cg, g.kh, g.kw, g.h, g.w, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl};
    call.ctx = &plan;
    call.c = Base<T>(dw);
    call.c_rs = call.k;
    call.c_group = g.og * call.k;
    call.macs = g.n * g.o * g.ho * plan.planes.wq * call.k;
    return RunDot(call, rt);
  }
  return Conv2dWeightGradGemm<T>(x, gy, dw, g, rt);
}

// Dispatches on dtype: in0/in1/out all float32 or all float64.
template <int (*F32)(const tl_tensor&, const tl_tensor&, const tl_tensor&, const ConvGeom&, const tl_runtime*),
          int (*F64)(const tl_tensor&, const tl_tensor&, const tl_tensor&, const ConvGeom&, const tl_runtime*)>
int ByDtype(const tl_args* a, const ConvGeom& g, const tl_runtime* rt) {
  const tl_tensor &p = a->t[0], &q = a->t[1], &out = a->t[2];
  if (p.dtype != q.dtype || p.dtype != out.dtype) return TL_ERR_UNSUPPORTED;
  if (p.dtype == TL_F32) return F32(p, q, out, g, rt);
  if (p.dtype == TL_F64) return F64(p, q, out, g, rt);
  return TL_ERR_UNSUPPORTED;
}

// conv2d: x [N, C, H, W], w [O, C/groups, KH, KW] (, bias [O]) → y [N, O, HO, WO]; the bias is
// added as each output tile is first stored.
int Conv2d(const tl_args* a, const tl_runtime* rt) {
  if ((a->n_in != 2 && a->n_in != 3) || a->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor &x = a->t[0], &wt = a->t[1], &y = a->t[a->n_in];
  ConvGeom g;
  if (!MakeGeom(x, wt, y, a, &g)) return TL_ERR_ARGS;
  if (x.dtype != wt.dtype || x.dtype != y.dtype) return TL_ERR_UNSUPPORTED;
  const tl_tensor* bias = a->n_in == 3 ? &a->t[2] : nullptr;
  if (bias != nullptr && (bias->ndim != 1 || bias->shape[0] != g.o || bias->dtype != x.dtype || !IsContiguous(*bias))) {
    return TL_ERR_ARGS;
  }
  const bool relu = a->n_attrs > kConvAttrs && a->attrs[kConvAttrs] != 0;
  if (x.dtype == TL_F32) return Conv2dT<float>(x, wt, y, g, bias != nullptr ? Base<const float>(*bias) : nullptr, relu, rt);
  if (x.dtype == TL_F64) return Conv2dT<double>(x, wt, y, g, bias != nullptr ? Base<const double>(*bias) : nullptr, relu, rt);
  return TL_ERR_UNSUPPORTED;
}

// conv2dInputGrad: gy [N, O, HO, WO], w [O, C/groups, KH, KW] → dx [N, C, H, W].
int Conv2dInputGrad(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  ConvGeom g;
  if (!MakeGeom(a->t[2], a->t[1], a->t[0], a, &g)) return TL_ERR_ARGS;
  return ByDtype<Conv2dInputGradT<float>, Conv2dInputGradT<double>>(a, g, rt);
}

// conv2dWeightGrad: x [N, C, H, W], gy [N, O, HO, WO] → dw [O, C/groups, KH, KW].
int Conv2dWeightGrad(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in != 2 || a->n_out != 1) return TL_ERR_ARGS;
  ConvGeom g;
  if (!MakeGeom(a->t[0], a->t[2], a->t[1], a, &g)) return TL_ERR_ARGS;
  return ByDtype<Conv2dWeightGradT<float>, Conv2dWeightGradT<double>>(a, g, rt);
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

TL_FAMILY_TABLE(conv) = {
    {"conv2d", tensile::TENSILE_ISA::Conv2d},                      // attrs: sh sw pt pb pl pr dh dw groups
    {"conv2dInputGrad", tensile::TENSILE_ISA::Conv2dInputGrad},    // same attrs
    {"conv2dWeightGrad", tensile::TENSILE_ISA::Conv2dWeightGrad},  // same attrs
    {nullptr, nullptr},
};
