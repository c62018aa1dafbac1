/**
 * BatchNorm1d/2d, InstanceNorm2d, LayerNorm, GroupNorm and RMSNorm against PyTorch 1.13 (RMSNorm and
 * LayerNorm without bias against PyTorch 2.4's formulas): forward and gradients in train then eval mode,
 * running statistics after each step (momentum null too), PyTorch's state-dict keys; defaults and errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import { keysAndShapes, readFixture, runLayerCase, type Factory, type LayerCase } from "./layer-fixtures.js";

const nn = tl.nn;
const fixture = readFixture<{ cases: LayerCase[] }>("norm");

const factories: Record<string, Factory> = {
  BatchNorm1d: (a, o) => new nn.BatchNorm1d(a[0] as number, o),
  BatchNorm2d: (a, o) => new nn.BatchNorm2d(a[0] as number, o),
  InstanceNorm2d: (a, o) => new nn.InstanceNorm2d(a[0] as number, o),
  LayerNorm: (a, o) => new nn.LayerNorm(a[0] as number | number[], o),
  GroupNorm: (a, o) => new nn.GroupNorm(a[0] as number, a[1] as number, o),
  RMSNorm: (a, o) => new nn.RMSNorm(a[0] as number | number[], o as tl.nn.RMSNormOptions),
};

for (const c of fixture.cases) {
  test(`${c.layer} matches PyTorch: ${c.name}`, () => runLayerCase(c, factories[c.layer]));
}

test("the BatchNorm fixtures train twice then evaluate, with momentum null among them", () => {
  const bn = fixture.cases.filter((c) => c.layer.startsWith("BatchNorm"));
  assert.ok(bn.every((c) => c.steps.map((s) => s.mode).join() === "train,train,eval"));
  assert.ok(bn.some((c) => c.options.momentum === null));
  // After two training steps PyTorch counted two batches.
  const first = bn[0].steps[1].buffers.num_batches_tracked;
  assert.deepEqual(first.data, [2]);
});

test("BatchNorm2d: torchvision's state-dict keys, camelCase views of the buffers, and defaults", () => {
  const bn = new nn.BatchNorm2d(4);
  assert.deepEqual(keysAndShapes(bn), [["weight", [4]], ["bias", [4]], ["running_mean", [4]], ["running_var", [4]], ["num_batches_tracked", []]]);
  assert.equal(bn.runningMean, bn.stateDict().running_mean);
  assert.equal(bn.runningVar, bn.stateDict().running_var);
  assert.equal(bn.numBatchesTracked, bn.stateDict().num_batches_tracked);
  assert.deepEqual(bn.numBatchesTracked?.toArray(), 0);
  assertClose(bn.runningVar as tl.Tensor, [1, 1, 1, 1]);
  assert.equal(bn.eps, 1e-5);
  assert.equal(bn.momentum, 0.1);
  const fresh = tl.zeros([4]);
  bn.runningMean = fresh;
  assert.equal(bn.stateDict().running_mean, fresh, "assigning runningMean replaces the registered buffer");
  bn.call(tl.randn([3, 4, 2, 2]));
  bn.call(tl.randn([3, 4, 2, 2]));
  assert.equal(bn.numBatchesTracked?.item(), 2);
  bn.eval();
  bn.call(tl.randn([3, 4, 2, 2]));
  assert.equal(bn.numBatchesTracked?.item(), 2, "eval mode counts nothing");
  bn.resetParameters();
  assert.equal(bn.numBatchesTracked?.item(), 0);
  assertClose(bn.runningMean as tl.Tensor, [0, 0, 0, 0]);
  assert.equal(String(bn), "BatchNorm2d(4, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)");
  const noTrack = new nn.BatchNorm1d(3, { trackRunningStats: false, affine: false });
  assert.deepEqual(Object.keys(noTrack.stateDict()), []);
  assert.equal(noTrack.runningMean, null);
  assert.deepEqual(noTrack.parameters(), []);
});

test("BatchNorm loads a PyTorch-style state dict with an int32 num_batches_tracked and reports wrong keys", () => {
  const bn = new nn.BatchNorm1d(2);
  const state = {
    weight: tl.tensor([2, 3]), bias: tl.tensor([0.5, -0.5]), running_mean: tl.tensor([1, -1]), running_var: tl.tensor([4, 0.25]),
    num_batches_tracked: tl.tensor(7, { dtype: "int32" }),
  };
  bn.loadStateDict(state);
  bn.eval();
  // (x − mean)/√(var + eps)·w + b with eps negligible here.
  assertClose(bn.call(tl.tensor([[3, 0]])), [[2 * 2 / 2 + 0.5, 3 * 1 / 0.5 - 0.5]], { rtol: 1e-4 });
  assert.equal(bn.numBatchesTracked?.item(), 7);
  assert.throws(() => bn.loadStateDict({ ...state, runningMean: state.running_mean }), /unexpected key\(s\): "runningMean"/);
});

test("BatchNorm momentum null is a cumulative average of the batch statistics", () => {
  const bn = new nn.BatchNorm1d(1, { momentum: null, affine: false, dtype: "float64" });
  const batches = [[1, 3], [5, 7], [0, 10]];
  for (const b of batches) bn.call(tl.tensor(b.map((v) => [v]), { dtype: "float64" }));
  // Means 2, 6, 5 → average 13/3; unbiased variances 2, 2, 50 → 18.
  assertClose(bn.runningMean as tl.Tensor, [13 / 3], { atol: 1e-12 });
  assertClose(bn.runningVar as tl.Tensor, [18], { atol: 1e-12 });
  assert.equal(bn.numBatchesTracked?.item(), 3);
});

test("InstanceNorm2d: no state by default, batch statistics in eval unless tracking, unbatched input", () => {
  const inorm = new nn.InstanceNorm2d(3);
  assert.deepEqual(Object.keys(inorm.stateDict()), []);
  const x = tl.randn([2, 3, 4, 4], { dtype: "float64" });
  inorm.eval();
  const y = inorm.call(x);
  assertClose(y.mean({ dim: [2, 3] }), tl.zeros([2, 3]), { atol: 1e-12 });
  assertClose(inorm.call(x.select(0, 1)), y.select(0, 1), { atol: 1e-12 });
  const tracked = new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true });
  assert.deepEqual(keysAndShapes(tracked).map(([k]) => k), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
  assert.throws(() => tracked.call(tl.zeros([1, 4, 2, 2])), /\[InstanceNorm2d\] input of shape \[1,4,2,2\] has 4 channels, expected numFeatures = 3/);
  assert.throws(() => inorm.call(tl.zeros([3, 4])), /\[InstanceNorm2d\] expected a 3-D \[C, H, W\] or 4-D/);
});

test("LayerNorm, GroupNorm, RMSNorm: parameters, defaults and repr", () => {
  assert.deepEqual(keysAndShapes(new nn.LayerNorm([3, 4])), [["weight", [3, 4]], ["bias", [3, 4]]]);
  assert.deepEqual(keysAndShapes(new nn.LayerNorm(4, { bias: false })), [["weight", [4]]]);
  assert.deepEqual(keysAndShapes(new nn.LayerNorm(4, { elementwiseAffine: false })), []);
  assert.deepEqual(keysAndShapes(new nn.GroupNorm(2, 6)), [["weight", [6]], ["bias", [6]]]);
  assert.deepEqual(keysAndShapes(new nn.RMSNorm([2, 8])), [["weight", [2, 8]]]);
  assert.equal(new nn.RMSNorm(8).eps, null);
  assert.equal(String(new nn.LayerNorm(4)), "LayerNorm([4], eps=0.00001, elementwiseAffine=true)");
  assert.equal(String(new nn.GroupNorm(2, 6)), "GroupNorm(2, 6, eps=0.00001, affine=true)");
});

test("RMSNorm's default eps is the machine epsilon of the input's dtype", () => {
  const rms = new nn.RMSNorm(2, { elementwiseAffine: false });
  const tiny32 = rms.call(tl.tensor([[1e-4, 0]])).dataSync()[0];
  // float32: 1e-4 / √(5e-9 + 2⁻²³) ≈ 0.2652; a zero eps would give √2.
  assert.ok(Math.abs(tiny32 - 1e-4 / Math.sqrt(5e-9 + 2 ** -23)) < 1e-4, `float32 result ${tiny32}`);
  const tiny64 = rms.call(tl.tensor([[1e-8, 0]], { dtype: "float64" })).dataSync()[0];
  assert.ok(Math.abs(tiny64 - 1e-8 / Math.sqrt(5e-17 + Number.EPSILON)) < 1e-12, `float64 result ${tiny64}`);
});

test("normalization layers: bad arguments and inputs are errors naming the layer", () => {
  assert.throws(() => new nn.BatchNorm2d(0), /\[BatchNorm2d\] numFeatures must be a whole number > 0, got 0/);
  assert.throws(() => new nn.BatchNorm2d(3, { momentum: 2 }), /\[BatchNorm2d\] momentum must be a number between 0 and 1 or null/);
  assert.throws(() => new nn.BatchNorm2d(3).call(tl.zeros([2, 3, 4])), /\[BatchNorm2d\] expected a 4-D \[N, C, H, W\] input, got shape \[2,3,4\]/);
  assert.throws(() => new nn.BatchNorm1d(3).call(tl.zeros([2, 4])), /\[BatchNorm1d\] input of shape \[2,4\] has 4 channels \(dim 1\), expected numFeatures = 3/);
  assert.throws(() => new nn.BatchNorm1d(3).call(tl.zeros([1, 3])), /\[batchNorm\] expected more than 1 value per channel when training/);
  assert.throws(() => new nn.GroupNorm(4, 6), /\[GroupNorm\] numChannels \(6\) must be divisible by numGroups \(4\)/);
  assert.throws(() => new nn.GroupNorm(2, 6).call(tl.zeros([2, 4, 3])), /\[GroupNorm\] expected an input \[N, 6, \.\.\.\], got shape \[2,4,3\]/);
  assert.throws(() => new nn.LayerNorm([]), /\[LayerNorm\] normalizedShape must be a size > 0 or a non-empty list/);
  assert.throws(() => new nn.LayerNorm(4).call(tl.zeros([2, 5])), /\[layerNorm\] input of shape \[2,5\] does not end with normalizedShape \[4\]/);
  assert.throws(() => new nn.RMSNorm(4).call(tl.zeros([4, 3])), /\[RMSNorm\] input of shape \[4,3\] does not end with normalizedShape \[4\]/);
  assert.throws(() => new nn.RMSNorm(4, { eps: -1 }), /\[RMSNorm\] eps must be a number ≥ 0, got -1/);
});
