/**
 * affineGrid and gridSample: forward values and gradients (input, grid, theta) against PyTorch 1.13
 * (fixtures from tools/fixtures/transforms.py), float64 gradient checks, double backward, and the errors.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertClose, runCases, type OpCase, type Tensor } from "../../harness.js";

interface Flat { shape: number[]; data: number[] }
interface SampleCase { mode: "bilinear" | "nearest"; paddingMode: "zeros" | "border"; alignCorners: boolean; out: Flat; gradInput: Flat; gradGrid: Flat }
interface Fixture {
  x: Flat; grid: Flat; upstream: Flat; theta: Flat;
  gridSample: SampleCase[];
  affineGrid: { alignCorners: boolean; size: number[]; out: Flat }[];
}

const fx = JSON.parse(readFileSync(new URL("../../fixtures/transforms/sample.json", import.meta.url), "utf8")) as Fixture;
const t64 = (f: Flat, requiresGrad = false): Tensor => tl.tensor(f.data, { shape: f.shape, dtype: "float64", requiresGrad });

const sampleCases: OpCase[] = fx.gridSample.map((c) => ({
  op: "gridSample",
  name: `gridSample ${c.mode} ${c.paddingMode} alignCorners=${c.alignCorners} vs PyTorch`,
  inputs: [t64(fx.x), t64(fx.grid)],
  fn: (x: Tensor, g: Tensor) => tl.gridSample(x, g, { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners }),
  check: (out: Tensor) => assertClose(out, t64(c.out), { atol: 1e-9, rtol: 1e-9 }),
  // Nearest is piecewise constant in the grid: only the input gradient is meaningful.
  gradInputs: c.mode === "nearest" ? [0] : [0, 1],
}));

const cases: OpCase[] = [
  ...sampleCases,
  {
    op: "gridSample", name: "gridSample identity grid reproduces the input",
    inputs: [[[[[1, 2, 3], [4, 5, 6]]]]],
    fn: (x) => tl.gridSample(x, tl.affineGrid(tl.tensor([[[1, 0, 0], [0, 1, 0]]], { dtype: "float64" }), x.shape)),
    expected: [[[[1, 2, 3], [4, 5, 6]]]],
  },
  {
    op: "gridSample", name: "gridSample far outside reads zeros (and borders with border padding)",
    inputs: [[[[[1, 2], [3, 4]]]]], gradInputs: [],
    fn: (x) => tl.cat([
      tl.gridSample(x, tl.tensor([[[[-5, 0], [7, 9]]]], { dtype: "float64" })),
      tl.gridSample(x, tl.tensor([[[[-5, -5], [7, 9]]]], { dtype: "float64" }), { paddingMode: "border" }),
    ], 1),
    expected: [[[[0, 0]], [[1, 4]]]],
  },
  {
    op: "gridSample", name: "gridSample float32 keeps its dtype",
    inputs: [tl.tensor([[[[0, 1], [2, 3]]]]), tl.tensor([[[[0, 0]]]])], gradInputs: [],
    fn: (x, g) => tl.gridSample(x, g), expected: [[[[1.5]]]],
    check: (out) => assert.equal(out.dtype, "float32"),
  },
  ...fx.affineGrid.map((c): OpCase => ({
    op: "affineGrid", name: `affineGrid alignCorners=${c.alignCorners} vs PyTorch`,
    inputs: [t64(fx.theta)],
    fn: (theta) => tl.affineGrid(theta, c.size, { alignCorners: c.alignCorners }),
    check: (out) => assertClose(out, t64(c.out), { atol: 1e-9, rtol: 1e-9 }),
  })),
  {
    op: "gridSample", name: "gridSample double backward: both gradients, differentiated again",
    inputs: [t64(fx.x), t64(fx.grid)],
    fn: (x, g) => {
      const [xl, gl] = [x, g].map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
      const [dx, dg] = tl.autograd.grad(tl.gridSample(xl, gl, { paddingMode: "border" }).mul(t64(fx.upstream)).sum(), [xl, gl], { createGraph: true });
      return tl.cat([(dx as Tensor).flatten(), (dg as Tensor).flatten()]);
    },
  },
  {
    op: "affineGrid", name: "affineGrid through gridSample: gradient to theta",
    inputs: [[[[0.9, -0.2, 0.15], [0.3, 1.05, -0.1]]]],
    fn: (theta) => tl.gridSample(tl.tensor([[[[0.1, 0.7, 0.3], [0.9, 0.2, 0.5], [0.4, 0.8, 0.6]]]], { dtype: "float64" }), tl.affineGrid(theta, [1, 1, 3, 3])),
  },
];

runCases("sample", cases);

test("gridSample gradients equal PyTorch's", () => {
  for (const c of fx.gridSample) {
    const x = t64(fx.x, true);
    const g = t64(fx.grid, true);
    tl.gridSample(x, g, c).mul(t64(fx.upstream)).sum().backward();
    assertClose(x.grad as Tensor, t64(c.gradInput), { atol: 1e-9, rtol: 1e-9, message: `${c.mode} ${c.paddingMode} ${c.alignCorners} input` });
    // Nearest is piecewise constant: zeros, as in PyTorch.
    assertClose(g.grad as Tensor, t64(c.gradGrid), { atol: 1e-9, rtol: 1e-9, message: `${c.mode} ${c.paddingMode} ${c.alignCorners} grid` });
  }
});

test("gridSample double backward (gradient penalty through the grid)", () => {
  const x = t64(fx.x);
  const g = t64(fx.grid, true);
  const [dg] = tl.autograd.grad(tl.gridSample(x, g, { paddingMode: "border" }).square().sum(), [g], { createGraph: true });
  (dg as Tensor).square().sum().backward();
  assert.ok(g.grad, "the grid received a second-order gradient");
  assert.ok(Array.from(g.grad.dataSync()).some((v) => v !== 0));
});

test("gridSample and affineGrid reject bad arguments with clear errors", () => {
  const x = tl.zeros([1, 1, 2, 2]);
  assert.throws(() => tl.gridSample(x, tl.zeros([1, 2, 2, 3])), /\[gridSample\] grid must have shape \[N, Hout, Wout, 2\]/);
  assert.throws(() => tl.gridSample(x, tl.zeros([2, 2, 2, 2])), /N = 1/);
  assert.throws(() => tl.gridSample(tl.zeros([1, 2, 2]), tl.zeros([1, 2, 2, 2])), /input must be 4-D/);
  assert.throws(() => tl.gridSample(x, tl.zeros([1, 2, 2, 2], { dtype: "float64" })), /share a float dtype/);
  assert.throws(() => tl.gridSample(x, tl.zeros([1, 2, 2, 2]), { mode: "bicubic" as "nearest" }), /mode must be/);
  assert.throws(() => tl.gridSample(x, tl.zeros([1, 2, 2, 2]), { paddingMode: "reflection" as "zeros" }), /paddingMode must be/);
  assert.throws(() => tl.affineGrid(tl.zeros([1, 2, 3]), [2, 1, 4, 4]), /\[affineGrid\] theta must have shape \[N, 2, 3\] = \[2, 2, 3\]/);
  assert.throws(() => tl.affineGrid(tl.zeros([1, 2, 3]), [1, 4, 4]), /size must be \[N, C, H, W\]/);
});
