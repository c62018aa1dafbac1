/**
 * The small members of tl.models: mlp, lenet5, the CIFAR ResNets, lstmClassifier and dcgan —
 * structure, output shapes, parameter counts, initialization, a training step, and option errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import { assertSameKeys, keysOf } from "./torchvision.js";

const countParams = (m: tl.nn.Module): number => m.parameters().reduce((n, p) => n + p.size, 0);
const shapeOf = (t: tl.Tensor): number[] => [...t.shape];

test("mlp: Linear/activation/Dropout stack with PyTorch's positional names, forward shape and options", () => {
  const net = tl.models.mlp({ inFeatures: 6, hidden: [16, 8], outFeatures: 3, activation: "tanh", dropout: 0.25 });
  assert.ok(net instanceof tl.nn.Sequential);
  assert.deepEqual(net.children().map((m) => m.constructor.name), ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]);
  assert.deepEqual(keysOf(net), [["0.weight", [16, 6]], ["0.bias", [16]], ["3.weight", [8, 16]], ["3.bias", [8]], ["6.weight", [3, 8]], ["6.bias", [3]]]);
  assert.deepEqual(shapeOf(net.call(tl.randn([5, 6]))), [5, 3]);
  const plain = tl.models.mlp({ inFeatures: 4, hidden: [10], outFeatures: 2 });
  assert.deepEqual(plain.children().map((m) => m.constructor.name), ["Linear", "ReLU", "Linear"], "relu and no dropout by default");
  assert.equal(countParams(tl.models.mlp({ inFeatures: 4, outFeatures: 2 })), 10, "no hidden layers: one Linear");
  const custom = tl.models.mlp({ inFeatures: 2, hidden: [4], outFeatures: 1, activation: () => new tl.nn.LeakyReLU(0.2) });
  assert.equal(custom.get(1).constructor.name, "LeakyReLU");
  assert.throws(() => tl.models.mlp({ hidden: [4], outFeatures: 2 } as never), /\[mlp\] inFeatures must be a whole number ≥ 1, got undefined/);
  assert.throws(() => tl.models.mlp({ inFeatures: 2, hidden: [4, 0], outFeatures: 2 }), /hidden\[1\] must be a whole number/);
  assert.throws(() => tl.models.mlp({ inFeatures: 2, outFeatures: 2, activation: "swish" as never }), /activation must be one of "relu"/);
  assert.throws(() => tl.models.mlp({ inFeatures: 2, outFeatures: 2, dropout: 1 }), /dropout must be a number in \[0, 1\)/);
});

test("lenet5: 61,706 parameters, [N, 10] logits from 32×32 (or 28×28 with padding), variants and a clear size error", () => {
  const net = tl.models.lenet5();
  assert.equal(countParams(net), 61706);
  assert.deepEqual(keysOf(net).map(([k, s]) => `${k}:${s.join("x")}`), [
    "features.0.weight:6x1x5x5", "features.0.bias:6", "features.3.weight:16x6x5x5", "features.3.bias:16",
    "classifier.0.weight:120x400", "classifier.0.bias:120", "classifier.2.weight:84x120", "classifier.2.bias:84",
    "classifier.4.weight:10x84", "classifier.4.bias:10",
  ]);
  assert.deepEqual(net.features.children().map((m) => m.constructor.name), ["Conv2d", "Tanh", "AvgPool2d", "Conv2d", "Tanh", "AvgPool2d"]);
  assert.deepEqual(shapeOf(net.call(tl.randn([3, 1, 32, 32]))), [3, 10]);
  const mnist = tl.models.lenet5({ padding: true, activation: "relu", pool: "max", numClasses: 5, inChannels: 3 });
  assert.deepEqual(mnist.features.children().map((m) => m.constructor.name), ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d"]);
  assert.deepEqual(shapeOf(mnist.call(tl.randn([2, 3, 28, 28]))), [2, 5]);
  assert.throws(() => net.call(tl.randn([1, 1, 28, 28])), /\[LeNet5\] input of shape \[1,1,28,28\].*\{ padding: true \}/);
  assert.throws(() => tl.models.lenet5({ activation: "gelu" as never }), /activation must be "tanh" or "relu"/);
});

test("CIFAR ResNets 20/32/56: 16/32/64 stages, option-B projections, parameter counts, [N, 10] logits", () => {
  const counts = { resnet20: 272474, resnet32: 466906, resnet56: 855770 } as const;
  for (const [name, want] of Object.entries(counts) as [keyof typeof counts, number][]) {
    const net = tl.models[name]();
    assert.equal(countParams(net), want, `${name} parameters (option A would have 2,752 fewer)`);
    assert.equal(net.layer1.length, net.blocksPerStage);
    assert.deepEqual(shapeOf(net.conv1.weight), [16, 3, 3, 3]);
    assert.deepEqual(shapeOf(net.fc.weight), [10, 64]);
    assert.deepEqual(shapeOf(tl.noGrad(() => net.eval().call(tl.randn([1, 3, 32, 32])))), [1, 10], `${name} forward`);
  }
  const net = tl.models.resnet20({ numClasses: 100, inChannels: 1 });
  const sd = net.stateDict();
  assert.deepEqual(shapeOf(sd["layer2.0.downsample.0.weight"]), [32, 16, 1, 1]);
  assert.deepEqual(shapeOf(sd["layer3.0.downsample.1.running_var"]), [64]);
  assert.ok(!("layer1.0.downsample.0.weight" in sd), "layer1 keeps width and resolution: identity shortcut");
  assert.deepEqual(shapeOf(tl.noGrad(() => net.eval().call(tl.randn([2, 1, 32, 32])))), [2, 100]);
  assert.throws(() => new tl.models.CifarResNet(21), /\[CifarResNet\] \(depth - 2\) \/ 6 must be a whole number/);
});

test("resnet20 trains: one SGD step in train mode gives every parameter a gradient and lowers the loss on its batch", () => {
  tl.manualSeed(7);
  const net = tl.models.resnet20();
  const x = tl.randn([4, 3, 32, 32]);
  const y = tl.tensor([0, 3, 5, 9], { dtype: "int32" });
  const opt = new tl.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0 });
  const lossOf = (): tl.Tensor => tl.nn.functional.crossEntropy(net.call(x), y);
  const before = lossOf();
  before.backward();
  for (const [name, p] of net.namedParameters()) assert.ok(p.grad !== null, `${name} got a gradient`);
  opt.step();
  opt.zeroGrad();
  const after = tl.noGrad(lossOf);
  assert.ok(after.item() < before.item(), `loss ${before.item()} → ${after.item()}`);
  assert.equal(net.getSubmodule("bn1").stateDict().num_batches_tracked.item(), 2, "train-mode BN counted both passes");
});

test("lstmClassifier: embedding → LSTM → final states → fc, keys, shapes, bidirectional, lengths", () => {
  tl.manualSeed(11);
  const net = tl.models.lstmClassifier({ vocabSize: 20, paddingIdx: 0, inputSize: 6, hiddenSize: 5, numLayers: 2, numClasses: 3, bidirectional: true });
  const keys = keysOf(net).map(([k]) => k);
  assert.deepEqual(keys.slice(0, 2), ["embedding.weight", "lstm.weight_ih_l0"]);
  assert.ok(keys.includes("lstm.weight_hh_l1_reverse"));
  assert.deepEqual(keys.slice(-2), ["fc.weight", "fc.bias"]);
  assert.deepEqual(shapeOf(net.fc.weight), [3, 10], "forward and backward states are concatenated");
  net.eval();
  const ids = tl.tensor([[3, 7, 1, 0, 0], [4, 2, 9, 8, 5]], { dtype: "int32" });
  const y = net.call(ids, { lengths: [3, 5] });
  assert.deepEqual(shapeOf(y), [2, 3]);
  // The padded first sequence, cut to its length, must classify the same as on its own.
  const alone = net.call(tl.tensor([[3, 7, 1]], { dtype: "int32" }));
  assertClose(y.narrow(0, 0, 1), alone, { atol: 1e-5, message: "lengths ignore padding" });
  const unmasked = net.call(ids);
  assert.ok(Math.abs(unmasked.narrow(0, 0, 1).sub(alone).abs().max().item()) > 1e-6, "without lengths the padding is read");

  const features = tl.models.lstmClassifier({ inputSize: 4, hiddenSize: 7, numClasses: 2 });
  assert.equal(features.embedding, null);
  assert.deepEqual(keysOf(features).map(([k, s]) => `${k}:${s.join("x")}`), [
    "lstm.weight_ih_l0:28x4", "lstm.weight_hh_l0:28x7", "lstm.bias_ih_l0:28", "lstm.bias_hh_l0:28", "fc.weight:2x7", "fc.bias:2",
  ]);
  assert.deepEqual(shapeOf(features.call(tl.randn([3, 9, 4]))), [3, 2]);
  assert.throws(() => features.call(tl.randn([3, 9, 5])), /\[LstmClassifier\] input has shape \[3,9,5\]; expected \[batch, time, 4\]/);
  assert.throws(() => tl.models.lstmClassifier({ inputSize: 4, hiddenSize: 7, numClasses: 2, paddingIdx: 0 }), /paddingIdx needs vocabSize/);
});

test("dcgan: the PyTorch tutorial's Generator/Discriminator keys and shapes; [N, 3, 64, 64] images in [-1, 1], [N] probabilities", () => {
  tl.manualSeed(2);
  const { generator, discriminator } = tl.models.dcgan({ nz: 100, ngf: 64, ndf: 64, nc: 3, imageSize: 64 });
  assertSameKeys(generator, "dcgan_generator");
  assertSameKeys(discriminator, "dcgan_discriminator");
  generator.eval();
  discriminator.eval();
  const fake = tl.noGrad(() => generator.call(tl.randn([2, 100])));
  assert.deepEqual(shapeOf(fake), [2, 3, 64, 64]);
  assert.ok(fake.dataSync().every((v) => v >= -1 && v <= 1));
  assert.deepEqual(shapeOf(tl.noGrad(() => generator.call(tl.randn([1, 100, 1, 1])))), [1, 3, 64, 64]);
  const score = tl.noGrad(() => discriminator.call(fake));
  assert.deepEqual(shapeOf(score), [2]);
  assert.ok(score.dataSync().every((v) => v > 0 && v < 1));
});

test("dcgan weights_init: convolutions N(0, 0.02²), batch norm weights N(1, 0.02²) and biases 0; other sizes; errors", () => {
  tl.manualSeed(4);
  const { generator, discriminator } = tl.models.dcgan({ ngf: 32, ndf: 32 });
  const std = (t: tl.Tensor): number => tl.tidy(() => t.double().std().item());
  const mean = (t: tl.Tensor): number => tl.tidy(() => t.double().mean().item());
  for (const [name, t] of [...Object.entries(generator.stateDict()), ...Object.entries(discriminator.stateDict())]) {
    if (t.ndim === 4) assert.ok(Math.abs(std(t) - 0.02) < 0.002 && Math.abs(mean(t)) < 0.002, `${name}: std ${std(t)}`);
    if (name.endsWith(".bias")) assert.ok(t.dataSync().every((v) => v === 0), `${name} zeroed`);
    if (name.endsWith(".weight") && t.ndim === 1) assert.ok(Math.abs(mean(t) - 1) < 0.01 && std(t) > 0.005 && std(t) < 0.04, `${name}: mean ${mean(t)}`);
  }
  const small = tl.models.dcgan({ nz: 16, ngf: 8, ndf: 8, nc: 1, imageSize: 32 });
  assert.equal(small.generator.main.length, 3 * 3 + 2, "one block fewer than at 64×64");
  const images = small.generator.call(tl.randn([3, 16]));
  assert.deepEqual(shapeOf(images), [3, 1, 32, 32]);
  assert.deepEqual(shapeOf(small.discriminator.call(images)), [3]);
  assert.throws(() => tl.models.dcgan({ imageSize: 48 }), /\[dcgan\] imageSize must be a power of two ≥ 16/);
  assert.throws(() => small.discriminator.call(tl.randn([1, 1, 64, 64])), /images have shape \[1,1,64,64\]; expected \[N, 1, 32, 32\]/);
  assert.throws(() => small.generator.call(tl.randn([2, 15])), /z has shape \[2,15\]; expected \[N, 16\]/);
});
