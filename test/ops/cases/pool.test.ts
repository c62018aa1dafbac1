/**
 * Pooling and interpolation: forward values computed by hand, float64 gradient checks (first and
 * second order), and the argument errors. PyTorch comparisons live in test/ops/pytorch-pool.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { runCases, type OpCase, type Tensor } from "../../harness.js";

// Distinct values, at least 0.5 apart, so every max-pool window has one clear winner.
const x44 = [[[[1, 5, 2, 8], [3, 0.5, 7, 4], [9, 6, 1.5, 10], [2.5, 11, 3.5, 12]]]];
const x8 = [[[3, 1, 4, 1.5, 5, 9, 2, 6]]];
const x22 = [[[[1, 2], [3, 4]]]];
const ninths = (sums: number[][]) => [[sums.map((r) => r.map((v) => v / 9))]];

/** The input gradient of f for upstream gradient g, recorded so it can be differentiated again. */
const gradOf = (f: (x: Tensor) => Tensor) => (x: Tensor, g: Tensor): Tensor => {
  const leaf = x.requiresGrad ? x : x.detach().requiresGrad_();
  const [dx] = tl.autograd.grad(f(leaf), [leaf], { gradOutputs: [g], createGraph: true });
  return dx as Tensor;
};

const cases: OpCase[] = [
  { op: "maxPool2d", name: "maxPool2d k2", inputs: [x44], fn: (x) => tl.maxPool2d(x, { kernelSize: 2 }), expected: [[[[5, 8], [11, 12]]]] },
  {
    op: "maxPool2d", name: "maxPool2d indices (flat in the plane)", inputs: [x44], gradInputs: [],
    fn: (x) => tl.maxPool2d(x, { kernelSize: 2, returnIndices: true }).indices, expected: [[[[1, 3], [13, 15]]]],
    check: (out) => assert.equal(out.dtype, "int32"),
  },
  { op: "maxPool2d", name: "maxPool2d dilation 2", inputs: [x44], fn: (x) => tl.maxPool2d(x, { kernelSize: 2, stride: 1, dilation: 2 }), expected: [[[[9, 10], [7, 12]]]] },
  { op: "maxPool2d", name: "maxPool2d ceilMode", inputs: [x44], fn: (x) => tl.maxPool2d(x, { kernelSize: 3, stride: 2, ceilMode: true }), expected: [[[[9, 10], [11, 12]]]] },
  {
    op: "maxPool2d", name: "maxPool2d unbatched float32 keeps its dtype", inputs: [tl.tensor(x44[0])], gradInputs: [],
    fn: (x) => tl.maxPool2d(x, { kernelSize: [2, 4], stride: [2, 1] }), expected: [[[8], [12]]],
    check: (out) => assert.equal(out.dtype, "float32"),
  },
  {
    op: "maxPool2d", name: "maxPool2d on int32", inputs: [tl.tensor([[[[1, 7], [4, 2]]]], { dtype: "int32" })],
    fn: (x) => tl.maxPool2d(x, { kernelSize: 2 }), expected: [[[[7]]]], check: (out) => assert.equal(out.dtype, "int32"),
  },
  {
    op: "maxPool2d", name: "maxPool2d double backward", inputs: [x44, [[[[0.3, -1.2, 0.7], [2, 0.1, -0.4], [1.1, -0.6, 0.9]]]]], gradInputs: [1],
    fn: gradOf((x) => tl.maxPool2d(x, { kernelSize: 2, stride: 1 })),
    // Overlapping windows: 7 and 11 win twice, so their upstream gradients add up.
    expected: [[[[0, 0.3, 0, 0.7], [0, 0, -1.1, 0], [2, 0, 0, -0.4], [0, 0.5, 0, 0.9]]]],
  },
  { op: "maxPool1d", name: "maxPool1d k3 s2 p1", inputs: [x8], fn: (x) => tl.maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1 }), expected: [[[3, 4, 9, 9]]] },
  {
    op: "maxPool1d", name: "maxPool1d indices", inputs: [x8], gradInputs: [],
    fn: (x) => tl.maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true }).indices, expected: [[[0, 2, 5, 5]]],
  },
  { op: "avgPool2d", name: "avgPool2d k2", inputs: [x44], fn: (x) => tl.avgPool2d(x, { kernelSize: 2 }), expected: [[[[2.375, 5.25], [7.125, 6.75]]]] },
  {
    op: "avgPool2d", name: "avgPool2d padding counts the zeros", inputs: [x44],
    fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), expected: ninths([[9.5, 26.5], [32, 55.5]]),
  },
  {
    op: "avgPool2d", name: "avgPool2d countIncludePad false", inputs: [x44],
    fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }), expected: [[[[9.5 / 4, 26.5 / 6], [32 / 6, 55.5 / 9]]]],
  },
  {
    op: "avgPool2d", name: "avgPool2d divisorOverride", inputs: [x44],
    fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, divisorOverride: 2 }), expected: [[[[4.75, 13.25], [16, 27.75]]]],
  },
  {
    op: "avgPool2d", name: "avgPool2d ceilMode divides a partial window by its size", inputs: [x44],
    fn: (x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, ceilMode: true }), expected: [[[[35 / 9, 32.5 / 6], [33.5 / 6, 27 / 4]]]],
  },
  {
    op: "avgPool2d", name: "avgPool2d double backward", inputs: [x44, [[[[0.3, -1.2], [2, 0.1]]]]], gradInputs: [1],
    fn: gradOf((x) => tl.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false })),
  },
  {
    op: "avgPool1d", name: "avgPool1d countIncludePad false", inputs: [x8],
    fn: (x) => tl.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }), expected: [[[2, 6.5 / 3, 15.5 / 3, 17 / 3]]],
  },
  { op: "avgPool1d", name: "avgPool1d padding counts the zeros", inputs: [x8], fn: (x) => tl.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1 }), expected: [[[4 / 3, 6.5 / 3, 15.5 / 3, 17 / 3]]] },
  { op: "adaptiveAvgPool1d", name: "adaptiveAvgPool1d 8 to 3 (overlapping windows)", inputs: [x8], fn: (x) => tl.adaptiveAvgPool1d(x, 3), expected: [[[8 / 3, 19.5 / 4, 17 / 3]]] },
  {
    op: "adaptiveAvgPool2d", name: "adaptiveAvgPool2d 4x4 to 3x2", inputs: [x44], fn: (x) => tl.adaptiveAvgPool2d(x, [3, 2]),
    expected: [[[[2.375, 5.25], [4.625, 5.625], [7.125, 6.75]]]],
  },
  { op: "adaptiveAvgPool2d", name: "adaptiveAvgPool2d global", inputs: [x44], fn: (x) => tl.adaptiveAvgPool2d(x, 1), expected: [[[[86 / 16]]]] },
  {
    op: "adaptiveAvgPool2d", name: "adaptiveAvgPool2d double backward", inputs: [x44, [[[[0.3, -1.2], [2, 0.1], [-0.7, 0.4]]]]], gradInputs: [1],
    fn: gradOf((x) => tl.adaptiveAvgPool2d(x, [3, 2])),
  },
  { op: "adaptiveMaxPool2d", name: "adaptiveMaxPool2d 4x4 to 3x2", inputs: [x44], fn: (x) => tl.adaptiveMaxPool2d(x, [3, 2]), expected: [[[[5, 8], [9, 10], [11, 12]]]] },
  {
    op: "adaptiveMaxPool2d", name: "adaptiveMaxPool2d indices", inputs: [x44], gradInputs: [],
    fn: (x) => tl.adaptiveMaxPool2d(x, [3, 2], { returnIndices: true }).indices, expected: [[[[1, 3], [8, 11], [13, 15]]]],
  },
  {
    op: "interpolate", name: "interpolate nearest size", inputs: [x22], fn: (x) => tl.interpolate(x, { size: [3, 3] }),
    expected: [[[[1, 1, 2], [1, 1, 2], [3, 3, 4]]]],
  },
  {
    op: "interpolate", name: "interpolate nearest scaleFactor 2", inputs: [x22], fn: (x) => tl.interpolate(x, { scaleFactor: 2, mode: "nearest" }),
    expected: [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]],
  },
  { op: "interpolate", name: "interpolate nearest 3-D", inputs: [[[[1, 2, 3]]]], fn: (x) => tl.interpolate(x, { size: 5 }), expected: [[[1, 1, 2, 2, 3]]] },
  {
    op: "interpolate", name: "interpolate bilinear half-pixel", inputs: [x22], fn: (x) => tl.interpolate(x, { size: 4, mode: "bilinear" }),
    expected: [[[[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]]]],
  },
  {
    op: "interpolate", name: "interpolate bilinear alignCorners", inputs: [x22], fn: (x) => tl.interpolate(x, { size: [3, 3], mode: "bilinear", alignCorners: true }),
    expected: [[[[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]],
  },
  {
    op: "interpolate", name: "interpolate bilinear downsample (gradient)", inputs: [x44],
    fn: (x) => tl.interpolate(x, { scaleFactor: [0.6, 0.75], mode: "bilinear" }), check: (out) => assert.deepEqual([...out.shape], [1, 1, 2, 3]),
  },
  {
    op: "interpolate", name: "interpolate bilinear double backward", inputs: [x22, [[[[0.3, -1.2, 0.5], [2, 0.1, -0.8], [0.6, 1.4, -0.2]]]]], gradInputs: [1],
    fn: gradOf((x) => tl.interpolate(x, { scaleFactor: 1.5, mode: "bilinear" })),
  },
  {
    op: "interpolate", name: "interpolate nearest double backward", inputs: [x22, [[[[0.3, -1.2, 0.5], [2, 0.1, -0.8], [0.6, 1.4, -0.2]]]]], gradInputs: [1],
    fn: gradOf((x) => tl.interpolate(x, { size: 3 })), expected: [[[[1.2, -0.3], [2, -0.2]]]],
  },
];

runCases("pool", cases);

const throwsWith = (fn: () => unknown, pattern: RegExp): void => assert.throws(fn, (e: Error) => e instanceof tl.TensileError && pattern.test(e.message));

test("pool: argument errors name the op and the problem", () => {
  const x = tl.zeros([1, 1, 3, 3]);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: 4 }), /^\[maxPool2d\] kernel size 4 is larger than the padded input \(3 \+ 2·0 = 3\) along height/);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: 2, dilation: 3 }), /^\[maxPool2d\] kernel size 2 with dilation 3 \(spanning 4\) is larger/);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: 2, padding: 2 }), /^\[maxPool2d\] padding 2 must be at most half the kernel size 2/);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: [3, 1], padding: [1, 1] }), /^\[maxPool2d\] padding 1 must be at most half the kernel size 1 along width/);
  throwsWith(() => tl.maxPool2d(tl.zeros([3, 3]), { kernelSize: 2 }), /^\[maxPool2d\] expects an input of shape \[C, H, W\] or \[N, C, H, W\], got shape \[3,3\]/);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: 0 }), /^\[maxPool2d\] kernelSize must hold whole numbers ≥ 1/);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: [2, 2, 2] }), /^\[maxPool2d\] kernelSize must be a number or a list of 2/);
  throwsWith(() => tl.maxPool2d(x, { kernelSize: 2, stride: 1.5 }), /^\[maxPool2d\] stride must hold whole numbers ≥ 1/);
  throwsWith(() => tl.maxPool2d(tl.zeros([1, 1, 3, 3], { dtype: "bool" }), { kernelSize: 2 }), /^\[maxPool2d\] expects a float or int32 input, got bool/);
  throwsWith(() => tl.maxPool2d(tl.zeros([1, 0, 3, 3]), { kernelSize: 2 }), /^\[maxPool2d\] expects non-zero channel and spatial sizes/);
  throwsWith(() => tl.maxPool1d(tl.zeros([1, 2, 4]), { kernelSize: 5 }), /^\[maxPool1d\] kernel size 5 is larger than the padded input \(4 \+ 2·0 = 4\) along length/);
  throwsWith(() => tl.avgPool2d(tl.zeros([1, 1, 3, 3], { dtype: "int32" }), { kernelSize: 2 }), /^\[avgPool2d\] expects a float input, got int32/);
  throwsWith(() => tl.avgPool2d(x, { kernelSize: 2, divisorOverride: 0 }), /^\[avgPool2d\] divisorOverride must be a non-zero number/);
  throwsWith(() => tl.avgPool2d(x, { kernelSize: 2, dilation: 2 } as tl.AvgPoolOptions), /^\[avgPool2d\] average pooling has no dilation option/);
  throwsWith(() => tl.avgPool1d(tl.zeros([1, 2, 4]), { kernelSize: 2, padding: 2 }), /^\[avgPool1d\] padding 2 must be at most half the kernel size 2 along length/);
  throwsWith(() => tl.adaptiveAvgPool2d(x, 0), /^\[adaptiveAvgPool2d\] outputSize must hold whole numbers ≥ 1/);
  throwsWith(() => tl.adaptiveAvgPool2d(x, [2]), /^\[adaptiveAvgPool2d\] outputSize must be a number or a list of 2/);
  throwsWith(() => tl.adaptiveMaxPool2d(tl.zeros([4]), 2), /^\[adaptiveMaxPool2d\] expects an input of shape/);
});

test("interpolate: argument errors name the problem", () => {
  const x = tl.zeros([1, 1, 3, 3]);
  throwsWith(() => tl.interpolate(x, { size: 4, scaleFactor: 2 }), /^\[interpolate\] give exactly one of size and scaleFactor, got both/);
  throwsWith(() => tl.interpolate(x, {}), /^\[interpolate\] give exactly one of size and scaleFactor, got neither/);
  throwsWith(() => tl.interpolate(tl.zeros([1, 1, 3]), { size: 4, mode: "bilinear" }), /^\[interpolate\] bilinear mode needs a 4-D input \[N, C, H, W\], got shape \[1,1,3\]/);
  throwsWith(() => tl.interpolate(x, { size: 4, alignCorners: true }), /^\[interpolate\] alignCorners can only be set with the interpolating mode "bilinear"/);
  throwsWith(() => tl.interpolate(x, { size: [4, 2.5] }), /^\[interpolate\] size must hold whole numbers ≥ 1/);
  throwsWith(() => tl.interpolate(x, { size: [4, 4, 4] }), /^\[interpolate\] size must be a number or a list of 2/);
  throwsWith(() => tl.interpolate(x, { scaleFactor: 0.2 }), /^\[interpolate\] scaleFactor 0.2 gives an empty output for input shape \[1,1,3,3\]/);
  throwsWith(() => tl.interpolate(x, { scaleFactor: -1 }), /^\[interpolate\] scaleFactor must hold positive numbers/);
  throwsWith(() => tl.interpolate(x, { size: 4, mode: "bicubic" as "bilinear" }), /^\[interpolate\] mode must be "nearest" or "bilinear"/);
  throwsWith(() => tl.interpolate(tl.zeros([1, 1, 3, 3], { dtype: "int32" }), { size: 4, mode: "bilinear" }), /^\[interpolate\] bilinear mode expects a float input, got int32/);
});

test("pool: an empty batch gives an empty output of the right shape", () => {
  const x = tl.zeros([0, 2, 5, 5]);
  assert.deepEqual([...tl.maxPool2d(x, { kernelSize: 2 }).shape], [0, 2, 2, 2]);
  assert.deepEqual([...tl.avgPool2d(x, { kernelSize: 3, padding: 1, stride: 2 }).shape], [0, 2, 3, 3]);
  assert.deepEqual([...tl.interpolate(x, { scaleFactor: 2, mode: "bilinear" }).shape], [0, 2, 10, 10]);
});

test("pool: max pooling propagates NaN like PyTorch", () => {
  const y = tl.maxPool1d(tl.tensor([[[1, NaN, 3, 2]]]), { kernelSize: 2, returnIndices: true });
  assert.ok(Number.isNaN(y.values.dataSync()[0]));
  assert.deepEqual(Array.from(y.indices.dataSync()), [1, 2]);
});

test("pool: a strided (transposed) input pools like its contiguous copy", () => {
  const x = tl.tensor(x44).transpose(2, 3);
  assert.deepEqual(Array.from(tl.maxPool2d(x, { kernelSize: 2 }).dataSync()), [5, 11, 8, 12]);
  assert.deepEqual(Array.from(tl.avgPool2d(x, { kernelSize: 2 }).dataSync()), [2.375, 7.125, 5.25, 6.75]);
});

test("pool: a training step through pooling leaves no tensors behind", () => {
  const w = tl.randn([1, 1, 4, 4], { requiresGrad: true }).keep();
  const before = tl.memory().numTensors;
  tl.tidy(() => {
    const h = tl.maxPool2d(w.mul(2), { kernelSize: 2, stride: 1 });
    const loss = tl.interpolate(tl.avgPool2d(h, { kernelSize: 2, stride: 1, padding: 1 }), { size: 5, mode: "bilinear" }).sum();
    loss.backward();
  });
  assert.ok(w.grad);
  assert.equal(tl.memory().numTensors, before + 1); // the new .grad
});
