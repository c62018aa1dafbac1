/** clipGradNorm_ and clipGradValue_ against PyTorch 1.13 (tools/fixtures/optim.py). */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { assertAllClose, fixture } from "./helpers.js";

interface ClipFixture {
  grads: [number[][], number[]];
  norm: { normType: number | "inf"; maxNorm: number; totalNorm: number; grads: number[][] }[];
  value: { clipValue: number; grads: number[][] };
}

const fx = fixture<ClipFixture>("clip.json");

function paramsWithGrads(): tl.Tensor[] {
  return fx.grads.map((g) => {
    const p = tl.zerosLike(tl.tensor(g)).requiresGrad_();
    p.grad = tl.tensor(g);
    return p;
  });
}

for (const c of fx.norm) {
  test(`clipGradNorm_ normType=${c.normType} maxNorm=${c.maxNorm} matches PyTorch`, () => {
    const params = paramsWithGrads();
    const total = optim.clipGradNorm_(params, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
    assert.equal(typeof total, "number");
    assertAllClose([total], [c.totalNorm], "total norm");
    params.forEach((p, i) => assertAllClose((p.grad as tl.Tensor).dataSync(), c.grads[i], `grad ${i}`));
  });
}

test("clipGradValue_ matches PyTorch", () => {
  const params = paramsWithGrads();
  optim.clipGradValue_(params, fx.value.clipValue);
  params.forEach((p, i) => assertAllClose((p.grad as tl.Tensor).dataSync(), fx.value.grads[i], `grad ${i}`));
});

test("clipGradNorm_ takes a single tensor, skips parameters without grad, and leaks nothing", () => {
  const [p1, p2] = paramsWithGrads();
  const none = tl.zeros([4], { requiresGrad: true });
  const start = tl.memory().numTensors;
  const total = optim.clipGradNorm_([p1, none, p2], 1e9);
  assert.equal(tl.memory().numTensors, start);
  assert.ok(Math.abs(total - Math.hypot(...fx.grads[0].flat(), ...fx.grads[1])) < 1e-5);
  assert.equal(none.grad, null);
  const single = optim.clipGradNorm_(p2, 1e9, 1);
  assert.ok(Math.abs(single - 1.4) < 1e-6);
  assert.equal(optim.clipGradNorm_([none], 1), 0);
});

test("clipGradNorm_ with a non-finite norm: errors on request, else scales like PyTorch", () => {
  const p = tl.zeros([3], { requiresGrad: true });
  p.grad = tl.tensor([1, Number.NaN, 2]);
  assert.throws(() => optim.clipGradNorm_([p], 1, 2, { errorIfNonfinite: true }),
    /\[clipGradNorm_\] the total norm of order 2 of the gradients is NaN/);
  const total = optim.clipGradNorm_([p], 1);
  assert.ok(Number.isNaN(total));
  assert.ok(Array.from((p.grad as tl.Tensor).dataSync()).every(Number.isNaN));
});

test("clipping rejects bad arguments", () => {
  const params = paramsWithGrads();
  assert.throws(() => optim.clipGradNorm_(params, -1), /\[clipGradNorm_\] maxNorm must be a number >= 0, got -1/);
  assert.throws(() => optim.clipGradNorm_(params, 1, 0), /normType must be a positive number or Infinity, got 0/);
  assert.throws(() => optim.clipGradNorm_([1 as never], 1), /parameter 0 is not a Tensor/);
  assert.throws(() => optim.clipGradValue_(params, -0.5), /\[clipGradValue_\] clipValue must be a number >= 0, got -0.5/);
});

test("clipping works on gradients that require grad (createGraph) without recording", () => {
  const x = tl.tensor([3, 4], { requiresGrad: true });
  x.square().sum().backward(undefined, { createGraph: true });
  const total = optim.clipGradNorm_([x], 5);
  assert.ok(Math.abs(total - 10) < 1e-5);
  assertAllClose((x.grad as tl.Tensor).dataSync(), [3, 4], "clipped grad");
});
