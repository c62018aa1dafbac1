/**
 * Conv1d, Conv2d and ConvTranspose2d against PyTorch 1.13 (tools/fixtures/layers.py): forward, input and
 * parameter gradients, state-dict keys, every padding mode, groups and dilation; default-initialization
 * statistics; outputSize, options and errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose, gradcheck } from "../harness.js";
import { assertSameSpread, readFixture, runLayerCase, stats, type Factory, type InitCase, type LayerCase } from "./layer-fixtures.js";

const nn = tl.nn;
const fixture = readFixture<{ cases: LayerCase[]; init: InitCase[] }>("conv");

type Opts = tl.nn.ConvOptions;
const factories: Record<string, Factory> = {
  Conv1d: (a, o) => new nn.Conv1d(a[0] as number, a[1] as number, a[2] as number, o as Opts),
  Conv2d: (a, o) => new nn.Conv2d(a[0] as number, a[1] as number, a[2] as number | number[], o as Opts),
  ConvTranspose2d: (a, o) => new nn.ConvTranspose2d(a[0] as number, a[1] as number, a[2] as number | number[], o as tl.nn.ConvTransposeOptions),
};

for (const c of fixture.cases) {
  test(`${c.layer} matches PyTorch: ${c.name}`, () => runLayerCase(c, factories[c.layer]));
}

test("the fixtures cover every padding mode of Conv2d and Conv1d, groups, and ConvTranspose2d with outputPadding and groups", () => {
  const modes = new Set(fixture.cases.filter((c) => c.layer === "Conv2d").map((c) => c.options.paddingMode ?? "zeros"));
  assert.deepEqual([...modes].sort(), ["circular", "reflect", "replicate", "zeros"]);
  const transposed = fixture.cases.filter((c) => c.layer === "ConvTranspose2d");
  assert.ok(transposed.some((c) => c.options.outputPadding !== undefined && c.options.groups === 2));
});

test("default initialization matches PyTorch: weight and bias U(±1/√fanIn)", () => {
  tl.manualSeed(0);
  for (const d of fixture.init) {
    const layer = factories[d.layer](d.args, d.options) as tl.nn.Conv2d;
    const groups = (d.options.groups as number | undefined) ?? 1;
    const [inC, outC, k] = d.args as number[];
    const perGroupIn = d.layer === "ConvTranspose2d" ? outC / groups : inC / groups;
    const fanIn = perGroupIn * k ** (d.layer === "Conv1d" ? 1 : 2);
    const bound = 1 / Math.sqrt(fanIn);
    for (const [name, torchStats] of Object.entries(d.tensors)) {
      const t = name === "weight" ? layer.weight : layer.bias;
      assert.ok(t);
      const s = stats(t);
      const what = `${d.layer}(${d.args.join(", ")}${groups > 1 ? `, groups ${groups}` : ""}).${name}`;
      assert.ok(s.max <= bound && s.min >= -bound, `${what} within ±${bound}: [${s.min}, ${s.max}]`);
      assert.ok(Math.abs(torchStats.max - bound) < 0.05 * bound, `${what}: the fixture agrees with the formula`);
      // The weights are large samples; the biases only outC values, so their spread is compared loosely.
      assertSameSpread(s, torchStats, name === "weight" ? 0.015 : 0.25, what);
    }
  }
});

test("Conv2d: parameter shapes and names for groups, no bias, and repr", () => {
  const dw = new nn.Conv2d(8, 16, 3, { groups: 8, bias: false, padding: 1 });
  assert.deepEqual(dw.weight.shape, [16, 1, 3, 3]);
  assert.equal(dw.bias, null);
  assert.deepEqual(Object.keys(dw.stateDict()), ["weight"]);
  assert.deepEqual(dw.call(tl.zeros([2, 8, 5, 5])).shape, [2, 16, 5, 5]);
  assert.equal(String(dw), "Conv2d(8, 16, kernelSize=[3,3], stride=[1,1], padding=[1,1], groups=8, bias=false)");
  assert.equal(String(new nn.Conv2d(2, 2, 3, { padding: "same", paddingMode: "circular" })),
    "Conv2d(2, 2, kernelSize=[3,3], stride=[1,1], padding=\"same\", paddingMode=\"circular\")");
  const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 });
  assert.deepEqual(t.weight.shape, [4, 3, 3, 3]);
  assert.deepEqual(new nn.Conv1d(4, 6, 5, { groups: 2 }).weight.shape, [6, 2, 5]);
});

test("Conv2d with a non-zero padding mode equals an explicit tl.pad followed by an unpadded convolution", () => {
  const conv = new nn.Conv2d(2, 3, [3, 2], { padding: [2, 1], paddingMode: "reflect", stride: 2 });
  const x = tl.randn([1, 2, 6, 5]);
  const expected = tl.conv2d(tl.pad(x, [1, 1, 2, 2], { mode: "reflect" }), conv.weight, conv.bias, { stride: 2 });
  assertClose(conv.call(x), expected);
  // "same" with an even kernel: pads (1, 2), the extra element after, like PyTorch: [1, 1, 2, 3, 4, 4, 4].
  const same = new nn.Conv1d(1, 1, 4, { padding: "same", paddingMode: "replicate", bias: false });
  tl.noGrad(() => same.weight.fill_(1));
  assertClose(same.call(tl.tensor([[[1, 2, 3, 4]]])), [[[7, 10, 13, 15]]]);
});

test("Conv2d's gradients pass a float64 finite-difference check through circular padding and groups", () => {
  const conv = new nn.Conv2d(4, 2, 3, { padding: 1, paddingMode: "circular", groups: 2, dtype: "float64" });
  const x = tl.randn([1, 4, 4, 3], { dtype: "float64" });
  gradcheck((xx, w) => tl.conv2d(tl.pad(xx, [1, 1, 1, 1], { mode: "circular" }), w, conv.bias, { groups: 2 }), [x, conv.weight.detach()], [0, 1],
    { name: "circular conv" });
  assertClose(conv.call(x), tl.conv2d(tl.pad(x, [1, 1, 1, 1], { mode: "circular" }), conv.weight, conv.bias, { groups: 2 }));
});

test("ConvTranspose2d: forward's outputSize picks the outputPadding, as in PyTorch", () => {
  const up = new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 });
  const x = tl.randn([1, 3, 4, 4]);
  assert.deepEqual(up.call(x).shape, [1, 2, 7, 7]);
  assert.deepEqual(up.call(x, [8, 8]).shape, [1, 2, 8, 8]);
  assert.deepEqual(up.call(x, [1, 2, 7, 8]).shape, [1, 2, 7, 8]);
  const withPad = new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 });
  withPad.loadStateDict(up.stateDict());
  assertClose(up.call(x, [8, 8]), withPad.call(x));
  assert.throws(() => up.call(x, [9, 7]), /\[ConvTranspose2d\] requested an output size of \[9,7\], but valid sizes range from 7 to 8/);
  assert.deepEqual(up.call(tl.randn([3, 4, 4])).shape, [2, 7, 7], "unbatched input");
});

test("conv layers: bad arguments are errors naming the layer and the argument", () => {
  assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /\[Conv2d\] inChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new nn.Conv2d(4, 3, 3, { groups: 2 }), /\[Conv2d\] outChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new nn.Conv2d(0, 3, 3), /\[Conv2d\] inChannels must be a whole number > 0, got 0/);
  assert.throws(() => new nn.Conv2d(2, 3, [3, 3, 3]), /\[Conv2d\] kernelSize must be a whole number ≥ 1 or a list of 2, got \[3,3,3\]/);
  assert.throws(() => new nn.Conv2d(2, 3, 3, { stride: 2, padding: "same" }), /\[Conv2d\] padding "same" is not supported for strided convolutions/);
  assert.throws(() => new nn.Conv2d(2, 3, 3, { paddingMode: "mirror" as "reflect" }), /\[Conv2d\] paddingMode must be one of "zeros", "reflect", "replicate", "circular", got "mirror"/);
  assert.throws(() => new nn.Conv1d(2, 3, 3, { padding: -1 }), /\[Conv1d\] padding must be a whole number ≥ 0/);
  assert.throws(() => new nn.ConvTranspose2d(2, 3, 3, { paddingMode: "reflect" as "zeros" }), /\[ConvTranspose2d\] only paddingMode "zeros" is supported/);
  assert.throws(() => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, outputPadding: 2 }), /\[ConvTranspose2d\] outputPadding \[2,2\] must be smaller than stride \[2,2\]/);
  assert.throws(() => new nn.Conv2d(2, 3, 3).call(tl.zeros([1, 4, 5, 5])), /\[conv2d\]/);
  assert.throws(() => new nn.Conv2d(2, 3, 3, { padding: 3, paddingMode: "reflect" }).call(tl.zeros([1, 2, 3, 3])), /\[pad\] reflect padding/);
});

test("resetParameters redraws a conv layer's weights from the seeded generator", () => {
  tl.manualSeed(11);
  const a = new nn.Conv2d(3, 4, 3);
  const first = Array.from(a.weight.dataSync());
  a.resetParameters();
  assert.notDeepEqual(Array.from(a.weight.dataSync()), first);
  tl.manualSeed(11);
  assert.deepEqual(Array.from(new nn.Conv2d(3, 4, 3).weight.dataSync()), first);
});
