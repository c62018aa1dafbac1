import { pushAttr } from "../frame.js";
import type { NativeKernelSpec, NativeKernelTable } from "./define.js";

const num = (a: Record<string, unknown>, key: string): number => a[key] as number;

/** Sliding max windows: kH, kW, sH, sW, pH, pW, dH, dW (plane sizes come from the tensors). */
const maxWindows: NativeKernelSpec = {
  strided: false,
  attrs: (a) => {
    for (const key of ["kH", "kW", "sH", "sW", "pH", "pW", "dH", "dW"]) pushAttr(num(a, key));
  },
};

/** Average windows: kH, kW, sH, sW, pH, pW, countIncludePad (0/1), divisor (0: none). */
const avgWindows: NativeKernelSpec = {
  strided: false,
  attrs: (a) => {
    for (const key of ["kH", "kW", "sH", "sW", "pH", "pW"]) pushAttr(num(a, key));
    pushAttr(a.countIncludePad === true ? 1 : 0);
    pushAttr(num(a, "divisor"));
  },
};

/** Adaptive windows and index pick/scatter: everything comes from the tensors' shapes. */
const shapesOnly: NativeKernelSpec = { strided: false };

/** Nearest: the user's scale factor per axis, 0 when a size was given. */
const nearest: NativeKernelSpec = {
  strided: false,
  attrs: (a) => {
    pushAttr((a.scaleH as number | null) ?? 0);
    pushAttr((a.scaleW as number | null) ?? 0);
  },
};

/** Bilinear: alignCorners (0/1), then the scale factors as for nearest. */
const bilinear: NativeKernelSpec = {
  strided: false,
  attrs: (a) => {
    pushAttr(a.alignCorners === true ? 1 : 0);
    pushAttr((a.scaleH as number | null) ?? 0);
    pushAttr((a.scaleW as number | null) ?? 0);
  },
};

/** gridSample: nearest (0/1), border padding (0/1), alignCorners (0/1). */
const gridSample: NativeKernelSpec = {
  strided: false,
  attrs: (a) => {
    pushAttr(a.mode === "nearest" ? 1 : 0);
    pushAttr(a.paddingMode === "border" ? 1 : 0);
    pushAttr(a.alignCorners === true ? 1 : 0);
  },
};

/**
 * native/src/kernels/pool.cc (max pooling: float32, float64, int32), resample.cc (average pools
 * and interpolation as separable linear maps: float32, float64) and sample.cc (gridSample's
 * forward: float32, float64).
 */
export const poolKernels: NativeKernelTable = {
  // Kernels marked overwrite store every output element (test/backends/native/pool.test.ts runs
  // them on NaN-filled outputs), so their outputs are not zeroed first.
  maxPool2dIndices: { ...maxWindows, overwrites: true },
  maxPool2dValues: { ...maxWindows, overwrites: true },
  maxPool2dBackward: { ...maxWindows, overwrites: true },
  adaptiveMaxPool2dIndices: shapesOnly,
  maxPoolPick: { ...shapesOnly, overwrites: true },
  maxPoolBackward: { ...shapesOnly, overwrites: true },
  avgPool2d: { ...avgWindows, overwrites: true },
  avgPool2dBackward: { ...avgWindows, overwrites: true },
  adaptiveAvgPool2d: shapesOnly,
  adaptiveAvgPool2dBackward: shapesOnly,
  upsampleNearest2d: nearest,
  upsampleNearest2dBackward: nearest,
  upsampleBilinear2d: bilinear,
  upsampleBilinear2dBackward: { ...bilinear, overwrites: true },
  gridSample,
};
