/**
 * Sequential runs a Conv2d followed by a ReLU as one fused op (conv2dRelu). These tests check that
 * the fused path gives the same outputs and gradients, bit for bit, as calling the two modules
 * (on the backend under test: native first, js in the runner's second pass), and that hooks and
 * subclasses turn the fusion off.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import type { Tensor } from "../harness.js";

const nn = tl.nn;

interface Case {
  name: string;
  dtype: "float32" | "float64";
  x: number[];
  conv: () => tl.nn.Conv2d;
}

const cases: Case[] = [
  { name: "small CNN's first conv (1 channel, no padding, bias)", dtype: "float32", x: [3, 1, 12, 12], conv: () => new nn.Conv2d(1, 8, 3) },
  { name: "8 → 16 channels, padding 1 (channel-lane tiles)", dtype: "float32", x: [2, 8, 8, 8], conv: () => new nn.Conv2d(8, 16, 3, { padding: 1 }) },
  { name: "16 → 32 channels, padding 1 (native: the Winograd path)", dtype: "float32", x: [2, 16, 8, 8], conv: () => new nn.Conv2d(16, 32, 3, { padding: 1 }) },
  { name: "80 → 8 channels, float64 (two depth blocks: the ReLU only on the last)", dtype: "float64", x: [2, 80, 5, 6], conv: () => new nn.Conv2d(80, 8, 3, { padding: 1, bias: false }) },
  { name: "stride 9 (the GEMM path)", dtype: "float32", x: [2, 3, 20, 21], conv: () => new nn.Conv2d(3, 4, 2, { stride: 9, padding: 1 }) },
  { name: "groups 2, stride 2, reflect padding", dtype: "float32", x: [2, 4, 9, 9], conv: () => new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2, paddingMode: "reflect" }) },
];

/** Output and the gradients of Σ y·r for the input and every parameter. */
function outputAndGrads(run: (x: Tensor) => Tensor, x: Tensor, params: Tensor[]): Float64Array[] {
  const leaf = tl.tensor(x.dataSync(), { shape: x.shape, dtype: x.dtype, requiresGrad: true });
  for (const p of params) p.grad = null;
  const y = run(leaf);
  tl.manualSeed(7);
  y.mul(tl.randn(y.shape, { dtype: y.dtype })).sum().backward();
  return [y, leaf.grad as Tensor, ...params.map((p) => p.grad as Tensor)].map((t) => Float64Array.from(t.dataSync() as ArrayLike<number>));
}

for (const c of cases) {
  test(`Sequential(Conv2d, ReLU) fused equals the two modules bit for bit: ${c.name}`, () => {
    tl.manualSeed(11);
    const conv = c.conv();
    if (c.dtype === "float64") {
      conv.weight = new nn.Parameter(tl.cast(conv.weight, "float64"));
      if (conv.bias !== null) conv.bias = new nn.Parameter(tl.cast(conv.bias, "float64"));
    }
    const relu = new nn.ReLU();
    const seq = new nn.Sequential(conv, relu);
    const x = tl.randn(c.x, { dtype: c.dtype });
    const params = conv.parameters();
    const fused = outputAndGrads((t) => seq.call(t), x, params);
    const separate = outputAndGrads((t) => relu.call(conv.call(t)), x, params);
    fused.forEach((f, i) => assert.deepEqual(f, separate[i], `${i === 0 ? "output" : `gradient ${i}`} differs`));
    assert.ok(fused[0].some((v) => v === 0) && fused[0].some((v) => v > 0), "the ReLU clipped some outputs and kept others");
    // And it ran fused: the graph's last node is the fused op, not relu.
    const y = seq.call(x.requiresGrad_(true));
    assert.equal(y.gradFn?.name, "conv2dRelu");
  });
}

test("Sequential fuses in eval mode under noGrad too, and leaves the rest of the chain as it is", () => {
  tl.manualSeed(12);
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(4, 6, 3), new nn.ReLU(),
    new nn.Flatten(), new nn.Linear(6 * 3 * 3, 5), new nn.ReLU());
  model.eval();
  const x = tl.randn([2, 1, 12, 12]);
  const fused = tl.noGrad(() => model.call(x)).dataSync();
  let out: Tensor = x;
  const separate = tl.noGrad(() => {
    for (const m of model) out = m.call(out) as Tensor;
    return out;
  }).dataSync();
  assert.deepEqual(Array.from(fused), Array.from(separate));
});

test("Sequential does not fuse a hooked Conv2d or ReLU: the hooks see what they always saw", () => {
  tl.manualSeed(13);
  const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
  const relu = new nn.ReLU();
  const seq = new nn.Sequential(conv, relu);
  const x = tl.randn([1, 2, 5, 5]);
  const seen: Tensor[] = [];
  const handle = conv.registerForwardHook((_m, _inputs, output) => void seen.push(output as Tensor));
  const y = seq.call(x);
  assert.equal(seen.length, 1, "the conv's hook ran");
  assert.ok((seen[0].dataSync() as Float32Array).some((v) => v < 0), "it saw the pre-activation");
  assert.deepEqual(Array.from(y.dataSync()), Array.from(relu.call(seen[0]).dataSync()));
  handle.remove();
  const reluSeen: Tensor[] = [];
  const h2 = relu.registerForwardPreHook((_m, inputs) => void reluSeen.push(inputs[0] as Tensor));
  seq.call(x);
  assert.equal(reluSeen.length, 1, "the ReLU's pre-hook ran");
  h2.remove();
});

test("Sequential does not fuse a subclass of Conv2d (its forward may differ)", () => {
  class ShiftedConv extends nn.Conv2d {
    override forward(x: Tensor): Tensor {
      return super.forward(x).sub(10);
    }
  }
  tl.manualSeed(14);
  const conv = new ShiftedConv(1, 2, 3);
  const seq = new nn.Sequential(conv, new nn.ReLU());
  const x = tl.randn([1, 1, 6, 6]);
  const y = seq.call(x);
  assert.deepEqual(Array.from(y.dataSync()), Array.from(conv.call(x).relu().dataSync()));
  assert.ok(Array.from(y.dataSync()).every((v) => v === 0), "the shift to −10 made every output 0 after the ReLU");
});

test("Sequential does not fuse when a layer's forward was replaced on the instance (summary traces layers that way)", () => {
  tl.manualSeed(15);
  const conv = new nn.Conv2d(1, 2, 3);
  const seq = new nn.Sequential(conv, new nn.ReLU());
  let traced = 0;
  const original = conv.forward.bind(conv);
  conv.forward = (x: Tensor): Tensor => {
    traced++;
    return original(x);
  };
  seq.call(tl.randn([1, 1, 5, 5]));
  assert.equal(traced, 1);
  const s = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU()).summary([1, 1, 5, 5]);
  assert.deepEqual(s.rows.map((r) => r.name), ["0", "1"]);
});
