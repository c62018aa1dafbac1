/**
 * ResNet-18/34/50: torchvision's state dict keys, shapes and order, PyTorch's parameter counts through
 * `summary`, torchvision's initialization, and the options.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertSameKeys, STRUCTURE } from "./torchvision.js";

/** Mean and standard deviation of a tensor's values. */
function stats(t: tl.Tensor): { mean: number; std: number } {
  const v = t.dataSync();
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { mean, std: Math.sqrt(q / v.length) };
}

function checkSummary(model: tl.nn.Module, name: string, input: number[]): tl.nn.ModelSummary {
  const s = model.summary(input);
  assert.equal(s.totalParams, STRUCTURE[name].params, `${name}: summary's total vs PyTorch's parameter count`);
  assert.equal(s.trainableParams, STRUCTURE[name].params);
  assert.equal(s.rows.reduce((n, r) => n + r.params, 0), s.totalParams, `${name}: the rows' parameters add up to the total`);
  assert.equal(s.rows.at(-1)?.name, "fc");
  assert.equal(s.rows.at(-1)?.outputShape, "[1,1000]");
  return s;
}

test("resnet18: torchvision's state dict keys, shapes and order; summary([1, 3, 224, 224]) counts 11,689,512 parameters", () => {
  const model = tl.models.resnet18();
  assertSameKeys(model, "resnet18");
  const s = checkSummary(model, "resnet18", [1, 3, 224, 224]);
  const row = s.rows.find((r) => r.name === "layer4.1.conv2");
  assert.equal(row?.outputShape, "[1,512,7,7]");
});

test("resnet34: torchvision's state dict keys, shapes and order and parameter count", () => {
  const model = tl.models.resnet34();
  assertSameKeys(model, "resnet34");
  checkSummary(model, "resnet34", [1, 3, 32, 32]);
});

test("resnet50: torchvision's state dict keys (Bottleneck conv1..3/bn1..3, downsample.0/1), shapes, order and parameter count", () => {
  const model = tl.models.resnet50();
  assertSameKeys(model, "resnet50");
  checkSummary(model, "resnet50", [1, 3, 32, 32]);
  assert.ok(model.getSubmodule("layer1.0.downsample") instanceof tl.nn.Sequential, "the first Bottleneck projects 64 → 256 channels");
  assert.equal((model.getSubmodule("layer2.0.conv2") as tl.nn.Conv2d).stride[0], 2, "ResNet v1.5: the stride sits on the 3×3");
});

test("resnet18 is initialized like torchvision: convs kaimingNormal(fanOut, relu), BN 1/0, fc PyTorch's Linear default", () => {
  tl.manualSeed(3);
  const model = tl.models.resnet18();
  const sd = model.stateDict();
  for (const key of ["conv1.weight", "layer1.0.conv1.weight", "layer4.1.conv2.weight", "layer3.0.downsample.0.weight"]) {
    const w = sd[key];
    const fanOut = w.shape[0] * w.shape[2] * w.shape[3];
    const { mean, std } = stats(w);
    const want = Math.sqrt(2 / fanOut);
    assert.ok(Math.abs(std - want) < 0.05 * want, `${key}: std ${std}, expected ≈ ${want}`);
    assert.ok(Math.abs(mean) < 0.1 * want, `${key}: mean ${mean}`);
  }
  for (const [key, t] of Object.entries(sd)) {
    if (/bn\d\.weight$|downsample\.1\.weight$/.test(key)) assert.ok(t.dataSync().every((v) => v === 1), `${key} is all ones`);
    if (/bn\d\.bias$|downsample\.1\.bias$/.test(key)) assert.ok(t.dataSync().every((v) => v === 0), `${key} is all zeros`);
  }
  const bound = 1 / Math.sqrt(512);
  const fc = stats(sd["fc.weight"]);
  assert.ok(Math.abs(fc.std - bound / Math.sqrt(3)) < 0.02 * bound, `fc.weight std ${fc.std}: U(±1/√512)`);
  assert.ok(sd["fc.weight"].abs().max().item() <= bound);
});

test("resnet18({ numClasses, inChannels }) reshapes conv1 and fc and runs on 1×64×64 images", () => {
  const model = tl.models.resnet18({ numClasses: 10, inChannels: 1 });
  assert.deepEqual([...model.conv1.weight.shape], [64, 1, 7, 7]);
  assert.deepEqual([...model.fc.weight.shape], [10, 512]);
  const y = tl.noGrad(() => model.eval().call(tl.randn([2, 1, 64, 64])));
  assert.deepEqual([...y.shape], [2, 10]);
  assert.ok(y.dataSync().every(Number.isFinite));
});

test("resnet constructors reject bad options with errors that name them", () => {
  assert.throws(() => tl.models.resnet18({ numClasses: 0 }), /\[ResNet\].*numClasses must be a whole number ≥ 1, got 0/);
  assert.throws(() => tl.models.resnet50({ inChannels: 2.5 }), /inChannels must be a whole number/);
  assert.throws(() => tl.models.resnet34(10 as never), /one options object/);
});
