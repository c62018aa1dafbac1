import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { NestedArray } from "../../../src/core/nested.js";
import { conv2dRelu } from "../../../src/ops/conv.js";
import { gradcheck, runCases, type OpCase, type Tensor } from "../../harness.js";

const F = tl.nn.functional;

/** Deterministic values in about [-1, 1] with `shape`, as a flat array. */
const flat = (shape: number[], seed: number): number[] =>
  Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => Math.round(Math.sin(seed * 5.1 + i * 2.3) * 1000) / 1000);
const nested = (data: number[], shape: number[]): NestedArray => tl.tensor(data, { shape, dtype: "float64" }).toArray();
const vals = (shape: number[], seed: number): NestedArray => nested(flat(shape, seed), shape);

interface Geo {
  stride: [number, number];
  /** [top, bottom, left, right] */
  pad: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}

/** conv2d by its definition (direct loops over output positions), independent of the library. */
function refConv2d(xs: number[], x: number[], ws: number[], w: number[], g: Geo, bias?: number[]): NestedArray {
  const [n, c, h, wd] = xs;
  const [o, cg, kh, kw] = ws;
  const ho = Math.floor((h + g.pad[0] + g.pad[1] - g.dilation[0] * (kh - 1) - 1) / g.stride[0]) + 1;
  const wo = Math.floor((wd + g.pad[2] + g.pad[3] - g.dilation[1] * (kw - 1) - 1) / g.stride[1]) + 1;
  const og = o / g.groups;
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let oc = 0; oc < o; oc++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) {
    let s = bias ? bias[oc] : 0;
    const grp = Math.floor(oc / og);
    for (let ci = 0; ci < cg; ci++) for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) {
      const ih = i * g.stride[0] - g.pad[0] + p * g.dilation[0];
      const iw = j * g.stride[1] - g.pad[2] + q * g.dilation[1];
      if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
      s += x[((b * c + grp * cg + ci) * h + ih) * wd + iw] * w[((oc * cg + ci) * kh + p) * kw + q];
    }
    out.push(s);
  }
  return nested(out, [n, o, ho, wo]);
}

/** conv_transpose2d by its definition: every input element scatters weight·value into the output. */
function refConvT(xs: number[], x: number[], ws: number[], w: number[], g: Geo & { outputPadding: [number, number] }, bias?: number[]): NestedArray {
  const [n, cin, h, wd] = xs;
  const [, cog, kh, kw] = ws;
  const ho = (h - 1) * g.stride[0] - g.pad[0] - g.pad[1] + g.dilation[0] * (kh - 1) + g.outputPadding[0] + 1;
  const wo = (wd - 1) * g.stride[1] - g.pad[2] - g.pad[3] + g.dilation[1] * (kw - 1) + g.outputPadding[1] + 1;
  const cout = cog * g.groups;
  const cig = cin / g.groups;
  const out = new Array<number>(n * cout * ho * wo).fill(0);
  for (let b = 0; b < n; b++) for (let oc = 0; oc < cout; oc++) for (let i = 0; i < ho * wo; i++) out[(b * cout + oc) * ho * wo + i] = bias ? bias[oc] : 0;
  for (let b = 0; b < n; b++) for (let ci = 0; ci < cin; ci++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) {
    const grp = Math.floor(ci / cig);
    for (let co = 0; co < cog; co++) for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) {
      const oh = i * g.stride[0] - g.pad[0] + p * g.dilation[0];
      const ow = j * g.stride[1] - g.pad[2] + q * g.dilation[1];
      if (oh < 0 || oh >= ho || ow < 0 || ow >= wo) continue;
      out[((b * cout + grp * cog + co) * ho + oh) * wo + ow] += x[((b * cin + ci) * h + i) * wd + j] * w[((ci * cog + co) * kh + p) * kw + q];
    }
  }
  return nested(out, [n, cout, ho, wo]);
}

const geo = (o: Partial<Geo> = {}): Geo => ({ stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...o });

/** A conv2d case whose expected value comes from refConv2d. */
function convCase(name: string, xs: number[], ws: number[], g: Geo, options: tl.Conv2dOptions, withBias: boolean, seed: number): OpCase {
  const x = flat(xs, seed);
  const w = flat(ws, seed + 1);
  const b = flat([ws[0]], seed + 2);
  return {
    op: "conv2d", name,
    inputs: withBias ? [nested(x, xs), nested(w, ws), b] : [nested(x, xs), nested(w, ws)],
    fn: (xt, wt, bt) => F.conv2d(xt, wt, bt, options),
    expected: refConv2d(xs, x, ws, w, g, withBias ? b : undefined),
  };
}

/** A convTranspose2d case whose expected value comes from refConvT. */
function convTCase(name: string, xs: number[], ws: number[], g: Geo & { outputPadding: [number, number] }, options: tl.ConvTranspose2dOptions, seed: number): OpCase {
  const x = flat(xs, seed);
  const w = flat(ws, seed + 1);
  const b = flat([ws[1] * g.groups], seed + 2);
  return {
    op: "convTranspose2d", name, inputs: [nested(x, xs), nested(w, ws), b],
    fn: (xt, wt, bt) => F.convTranspose2d(xt, wt, bt, options),
    expected: refConvT(xs, x, ws, w, g, b),
  };
}

/** The input gradient (or weight gradient) of Σ conv2d(x, w)²: a function of both x and w, for double backward. */
function gradOfSquares(which: 0 | 1, conv: (x: tl.Tensor, w: tl.Tensor) => tl.Tensor) {
  return (x: tl.Tensor, w: tl.Tensor): tl.Tensor => {
    const leaves = [x, w].map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
    const [g] = tl.autograd.grad(conv(leaves[0], leaves[1]).square().sum(), [leaves[which]], { createGraph: true });
    return g as tl.Tensor;
  };
}

const cases: OpCase[] = [
  {
    op: "conv2d", name: "conv2d literal 2x2 kernel",
    inputs: [[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], [[[[1, 0], [0, -1]]]]],
    fn: (x, w) => F.conv2d(x, w), expected: [[[[-4, -4], [-4, -4]]]],
  },
  convCase("conv2d with bias", [2, 2, 4, 4], [3, 2, 3, 3], geo(), {}, true, 1),
  convCase("conv2d stride 2, padding 1", [1, 2, 5, 6], [2, 2, 3, 3], geo({ stride: [2, 2], pad: [1, 1, 1, 1] }), { stride: 2, padding: 1 }, true, 2),
  convCase("conv2d groups 2, dilation 2, padding [1,0]", [1, 4, 6, 5], [4, 2, 2, 2], geo({ groups: 2, dilation: [2, 2], pad: [1, 1, 0, 0] }),
    { groups: 2, dilation: 2, padding: [1, 0] }, true, 3),
  convCase("conv2d padding same, even kernel 2x4 (extra on bottom/right)", [1, 2, 4, 5], [2, 2, 2, 4], geo({ pad: [0, 1, 1, 2] }), { padding: "same" }, false, 4),
  convCase("conv2d padding same, dilation 2", [1, 1, 5, 5], [2, 1, 3, 2], geo({ pad: [2, 2, 1, 1], dilation: [2, 2] }), { padding: "same", dilation: 2 }, false, 5),
  convCase("conv2d padding valid, stride [1,2]", [1, 1, 5, 6], [1, 1, 3, 2], geo({ stride: [1, 2] }), { padding: "valid", stride: [1, 2] }, true, 6),
  convCase("conv2d depthwise (groups = channels)", [2, 3, 4, 4], [3, 1, 2, 2], geo({ groups: 3 }), { groups: 3 }, true, 7),
  convCase("conv2d stride 3 leaves rows unused", [1, 1, 7, 5], [2, 1, 3, 2], geo({ stride: [3, 3] }), { stride: 3 }, false, 8),
  // Native: a one-phase stride-2 plane copy in runs of 64 columns (rows wider than 128).
  convCase("conv2d 1x1 stride 2 on 140-wide rows", [1, 2, 3, 140], [2, 2, 1, 1], geo({ stride: [2, 2] }), { stride: 2 }, false, 40),
  // Native: stride-1 plane rows share their pad columns (pitch w + left pad).
  convCase("conv2d 3x3 padding [1,2] (rows share pad columns)", [1, 2, 4, 6], [2, 2, 3, 3], geo({ pad: [1, 1, 2, 2] }), { padding: [1, 2] }, true, 41),
  // Sequential's fused Conv2d + ReLU: relu of the reference, and its gradient through the kink-free points.
  {
    op: "conv2dRelu", name: "conv2dRelu literal: negative sums become 0",
    inputs: [[[[[1, 5, 2], [3, 0, 4], [6, 1, 1]]]], [[[[1, -1], [0, 0]]]]],
    fn: (x, w) => conv2dRelu(x, w), expected: [[[[0, 3], [3, 0]]]],
  },
  (() => {
    const c = convCase("conv2dRelu stride 2, padding 1, bias", [1, 2, 5, 6], [3, 2, 3, 3], geo({ stride: [2, 2], pad: [1, 1, 1, 1] }), {}, true, 42);
    const relu = (v: NestedArray): NestedArray => (Array.isArray(v) ? v.map(relu) : Math.max(Number(v), 0));
    return { ...c, op: "conv2dRelu", fn: (x: Tensor, w: Tensor, b: Tensor) => conv2dRelu(x, w, b, { stride: 2, padding: 1 }), expected: relu(c.expected as NestedArray) };
  })(),
  {
    op: "conv2d", name: "conv2d unbatched [C,H,W] input", inputs: [vals([2, 3, 3], 9), vals([1, 2, 2, 2], 10)],
    fn: (x, w) => F.conv2d(x, w),
    expected: (refConv2d([1, 2, 3, 3], flat([2, 3, 3], 9), [1, 2, 2, 2], flat([1, 2, 2, 2], 10), geo()) as NestedArray[])[0],
  },
  {
    op: "conv2d", name: "conv2d float32 keeps its dtype", inputs: [tl.ones([1, 1, 2, 2]), tl.ones([1, 1, 2, 2])],
    fn: (x, w) => F.conv2d(x, w), expected: [[[[4]]]], check: (y) => assert.equal(y.dtype, "float32"),
  },
  {
    op: "conv1d", name: "conv1d stride 2, padding 1, bias", inputs: [vals([2, 2, 7], 11), vals([3, 2, 3], 12), flat([3], 13)],
    fn: (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 }),
    expected: (refConv2d([2, 2, 1, 7], flat([2, 2, 7], 11), [3, 2, 1, 3], flat([3, 2, 3], 12), geo({ stride: [1, 2], pad: [0, 0, 1, 1] }), flat([3], 13)) as number[][][][])
      .map((b) => b.map((c) => c[0])),
  },
  {
    op: "conv1d", name: "conv1d groups 2, same with even kernel, dilation 1", inputs: [vals([1, 4, 6], 14), vals([4, 2, 4], 15)],
    fn: (x, w) => F.conv1d(x, w, null, { groups: 2, padding: "same" }),
    expected: (refConv2d([1, 4, 1, 6], flat([1, 4, 6], 14), [4, 2, 1, 4], flat([4, 2, 4], 15), geo({ groups: 2, pad: [0, 0, 1, 2] })) as number[][][][])
      .map((b) => b.map((c) => c[0])),
  },
  {
    op: "conv1d", name: "conv1d dilation 2, unbatched", inputs: [vals([2, 7], 16), vals([1, 2, 3], 17)],
    fn: (x, w) => F.conv1d(x, w, null, { dilation: 2 }),
    expected: (refConv2d([1, 2, 1, 7], flat([2, 7], 16), [1, 2, 1, 3], flat([1, 2, 3], 17), geo({ dilation: [1, 2] })) as number[][][][])[0]
      .map((c) => c[0]),
  },
  convTCase("convTranspose2d stride 2, padding 1, outputPadding 1", [1, 2, 3, 3], [2, 3, 3, 3],
    { ...geo({ stride: [2, 2], pad: [1, 1, 1, 1] }), outputPadding: [1, 1] }, { stride: 2, padding: 1, outputPadding: 1 }, 20),
  convTCase("convTranspose2d groups 2, dilation [1,2], outputPadding [0,1]", [2, 4, 2, 3], [4, 1, 2, 2],
    { ...geo({ groups: 2, stride: [1, 2], dilation: [1, 2] }), outputPadding: [0, 1] }, { groups: 2, stride: [1, 2], dilation: [1, 2], outputPadding: [0, 1] }, 21),
  convTCase("convTranspose2d outputPadding below dilation (stride 1)", [1, 1, 3, 2], [1, 2, 2, 2],
    { ...geo({ dilation: [2, 2] }), outputPadding: [1, 1] }, { dilation: 2, outputPadding: 1 }, 22),
  {
    op: "conv2dInputGrad", name: "double backward: input gradient of Σ conv2d(x, w)² (groups, stride, padding)",
    inputs: [vals([1, 2, 4, 4], 30), vals([2, 1, 2, 3], 31)],
    fn: gradOfSquares(0, (x, w) => F.conv2d(x, w, null, { groups: 2, stride: [2, 1], padding: [1, 0] })),
  },
  {
    op: "conv2dWeightGrad", name: "double backward: weight gradient of Σ conv2d(x, w)² (dilation, same)",
    inputs: [vals([2, 1, 4, 4], 32), vals([2, 1, 2, 2], 33)],
    fn: gradOfSquares(1, (x, w) => F.conv2d(x, w, null, { dilation: [1, 2], padding: "same" })),
  },
  {
    op: "conv2dInputGrad", name: "double backward: input gradient of Σ convTranspose2d(x, w)² (outputPadding < dilation)",
    inputs: [vals([1, 2, 2, 3], 34), vals([2, 1, 2, 2], 35)],
    fn: gradOfSquares(0, (x, w) => F.convTranspose2d(x, w, null, { dilation: 2, outputPadding: 1 })),
  },
  {
    op: "conv2dWeightGrad", name: "double backward: weight gradient of Σ convTranspose2d(x, w)² (stride 2)",
    inputs: [vals([1, 2, 2, 2], 36), vals([2, 2, 3, 2], 37)],
    fn: gradOfSquares(1, (x, w) => F.convTranspose2d(x, w, null, { stride: 2, padding: [1, 0], groups: 2 })),
  },
];

runCases("conv", cases);

test("conv: a third derivative of conv2d matches finite differences", () => {
  // h(x, w) = ∂/∂x Σ (∂/∂w Σ conv2d(x, w)³): differentiates weightGrad's and inputGrad's gradients once more.
  const fn = (x: tl.Tensor, w: tl.Tensor): tl.Tensor => {
    const [xl, wl] = [x, w].map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
    const [gw] = tl.autograd.grad(F.conv2d(xl, wl, null, { padding: 1 }).pow(3).sum(), [wl], { createGraph: true });
    const [gx] = tl.autograd.grad((gw as tl.Tensor).square().sum(), [xl], { createGraph: true });
    return gx as tl.Tensor;
  };
  const inputs = [tl.tensor(vals([1, 1, 3, 3], 40), { dtype: "float64" }), tl.tensor(vals([1, 1, 2, 2], 41), { dtype: "float64" })];
  gradcheck(fn, inputs, [0, 1], { name: "conv2d third derivative", tol: 1e-5 });
});

test("conv: shape, option and dtype errors name the op and the shapes", () => {
  const z = (...s: number[]) => tl.zeros(s);
  const throws = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, pattern);
  throws(() => F.conv2d(z(1, 3, 8, 8), z(4, 2, 3, 3)),
    /^TensileError: \[conv2d\] input has shape \[1,3,8,8\] but weight has shape \[4,2,3,3\]: input channels \(3\) must equal weight\.shape\[1\] \(2\) × groups \(1\)/);
  throws(() => F.conv2d(z(1, 4, 8, 8), z(3, 2, 3, 3), null, { groups: 2 }), /\[conv2d\] .*weight\.shape\[0\] \(3\) must be divisible by groups/);
  throws(() => F.conv2d(z(1, 1, 2, 2), z(1, 1, 3, 3)), /\[conv2d\] input of spatial size 2x2 \(padded 2x2\) is smaller than the dilated kernel 3x3/);
  throws(() => F.conv2d(z(1, 1, 5, 5), z(1, 1, 3, 3), null, { padding: "same", stride: 2 }), /\[conv2d\] padding "same" needs stride 1/);
  throws(() => F.conv2d(z(1, 1, 5, 5), z(2, 1, 3, 3), z(3)), /\[conv2d\] bias has shape \[3\] but the output has 2 channels/);
  throws(() => F.conv2d(z(1, 1, 5, 5), z(1, 1, 3, 3), null, { stride: 0 }), /\[conv2d\] stride must be a whole number ≥ 1/);
  throws(() => F.conv2d(z(1, 1, 5, 5), z(1, 1, 3, 3), null, { padding: [1, 2, 3] as unknown as [number, number] }), /\[conv2d\] padding must be/);
  throws(() => F.conv2d(z(5, 5), z(1, 1, 3, 3)), /\[conv2d\] input must have 4 dimensions \(batched\) or 3 \(unbatched\), got shape \[5,5\]/);
  throws(() => F.conv2d(tl.zeros([1, 1, 3, 3], { dtype: "int32" }), tl.zeros([1, 1, 2, 2], { dtype: "int32" })), /\[conv2d\] input must be float32 or float64/);
  throws(() => F.conv2d(z(1, 1, 3, 3), tl.zeros([1, 1, 2, 2], { dtype: "float64" })), /\[conv2d\] input has dtype float32 but weight has dtype float64/);
  throws(() => F.conv1d(z(1, 2, 5), z(1, 2, 3), null, { stride: [1, 2] as unknown as number }), /\[conv1d\] stride must be a number/);
  throws(() => F.conv1d(z(1, 2, 5), z(1, 2, 2, 2)), /\[conv1d\] weight must have 3 dimensions, got shape \[1,2,2,2\]/);
  throws(() => F.convTranspose2d(z(1, 2, 3, 3), z(2, 1, 3, 3), null, { stride: 2, outputPadding: 2 }),
    /\[convTranspose2d\] outputPadding \[2,2\] must be smaller than stride \[2,2\] or dilation \[1,1\]/);
  throws(() => F.convTranspose2d(z(1, 3, 3, 3), z(2, 1, 3, 3)),
    /\[convTranspose2d\] input has shape \[1,3,3,3\] but weight has shape \[2,1,3,3\]: input channels \(3\) must equal weight\.shape\[0\] \(2\)/);
  throws(() => F.convTranspose2d(z(1, 1, 1, 1), z(1, 1, 1, 1), null, { padding: 1 }), /\[convTranspose2d\] output size would be -1/);
});
