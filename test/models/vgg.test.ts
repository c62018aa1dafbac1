/**
 * VGG: torchvision's state dict keys, shapes and order (whole models for vgg11_bn and vgg16, the
 * `features` trunk of all eight variants), PyTorch's parameter counts through `summary`, and options.
 * vgg11's keys and logits are checked in vgg-parity.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { initTorchvision } from "../../src/models/common.js";
import { assertSameKeys, keysOf, STRUCTURE } from "./torchvision.js";

/** torchvision's name of a variant: vgg16Bn → vgg16_bn. */
const torchName = (variant: string): string => variant.replace(/Bn$/, "_bn");

function checkWhole(model: tl.models.VGG, name: string): void {
  assertSameKeys(model, name);
  const s = model.summary([1, 3, 32, 32]);
  assert.equal(s.totalParams, STRUCTURE[name].params, `${name}: summary's total vs PyTorch's parameter count`);
  assert.equal(s.rows.reduce((n, r) => n + r.params, 0), s.totalParams);
  assert.equal(s.rows.find((r) => r.name === "avgpool")?.outputShape, "[1,512,7,7]", "AdaptiveAvgPool2d(7, 7) after the 1×1 trunk output");
  assert.equal(s.rows.at(-1)?.name, "classifier.6");
  assert.equal(s.rows.at(-1)?.outputShape, "[1,1000]");
  assert.deepEqual(model.classifier.children().map((m) => m.constructor.name),
    ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]);
}

// initWeights: false skips torchvision's second pass over 133M weights; the structure is the same.
test("vgg11Bn: torchvision's vgg11_bn state dict (features.N with BatchNorm2d buffers, classifier.0/3/6) and parameter count", () => {
  checkWhole(tl.models.vgg11Bn({ initWeights: false }), "vgg11_bn");
});

test("vgg16: torchvision's state dict keys, shapes and order and 138,357,544 parameters", () => {
  checkWhole(tl.models.vgg16({ initWeights: false }), "vgg16");
});

test("every VGG variant's features trunk has torchvision's keys and shapes, and its classifier torchvision's", () => {
  const classifier = STRUCTURE.vgg11.keys.filter(([k]) => !k.startsWith("features."));
  assert.equal(classifier.length, 6);
  for (const [variant, [config, batchNorm]] of Object.entries(tl.models.VGG_VARIANTS)) {
    const name = torchName(variant);
    const theirs = STRUCTURE[name];
    assert.ok(theirs, `torchvision structure for ${name}`);
    const features = tl.models.vggFeatures(tl.models.VGG_CONFIGS[config], batchNorm);
    const ours = keysOf(features).map(([k, s]): [string, number[]] => [`features.${k}`, s]);
    assert.deepEqual([...ours, ...classifier], theirs.keys, `${variant} (configuration ${config}, batchNorm ${batchNorm})`);
    const count = (keys: [string, number[]][]): number => keys.filter(([k]) => !/running_|num_batches/.test(k)).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
    assert.equal(count(ours) + count(classifier), theirs.params, `${variant}: parameter count`);
    assert.equal(typeof (tl.models as Record<string, unknown>)[variant], "function", `tl.models.${variant} exists`);
  }
});

test("the deepest trunk (vgg19Bn's) maps 32×32 inputs to 512×1×1", () => {
  const features = tl.models.vggFeatures(tl.models.VGG_CONFIGS.E, true).eval();
  const y = tl.noGrad(() => features.call(tl.randn([2, 3, 32, 32])));
  assert.deepEqual([...y.shape], [2, 512, 1, 1]);
});

test("torchvision's VGG initialization (initTorchvision with linearStd 0.01): convs kaimingNormal(fanOut), BN 1/0, Linear N(0, 0.01²), biases 0", () => {
  tl.manualSeed(5);
  const net = new tl.nn.Sequential(new tl.nn.Conv2d(16, 64, 3, { padding: 1 }), new tl.nn.BatchNorm2d(64), new tl.nn.Flatten(), new tl.nn.Linear(400, 300));
  tl.noGrad(() => {
    for (const p of net.parameters()) p.fill_(7);
  });
  initTorchvision(net, 0.01);
  const sd = net.stateDict();
  const std = (t: tl.Tensor): number => tl.tidy(() => t.double().std().item());
  const convStd = Math.sqrt(2 / (64 * 9));
  assert.ok(Math.abs(std(sd["0.weight"]) - convStd) < 0.05 * convStd, `conv std ${std(sd["0.weight"])} vs ${convStd}`);
  assert.ok(Math.abs(std(sd["3.weight"]) - 0.01) < 0.0005, `linear std ${std(sd["3.weight"])}`);
  for (const key of ["0.bias", "1.bias", "3.bias"]) assert.ok(sd[key].dataSync().every((v) => v === 0), `${key} zeroed`);
  assert.ok(sd["1.weight"].dataSync().every((v) => v === 1), "BN weight 1");
});

test("VGG options: inChannels, dropout and numClasses errors", () => {
  const features = tl.models.vggFeatures([8, "M", 16, "M"], true, 1);
  assert.deepEqual(keysOf(features).slice(0, 2), [["0.weight", [8, 1, 3, 3]], ["0.bias", [8]]]);
  assert.throws(() => tl.models.vgg11({ dropout: 1 }), /\[VGG\].*dropout must be a number in \[0, 1\), got 1/);
  assert.throws(() => tl.models.vgg16({ numClasses: -1 }), /numClasses must be a whole number ≥ 1/);
  assert.throws(() => tl.models.vgg19({ inChannels: 0 }), /\[vgg19\].*inChannels/);
});
