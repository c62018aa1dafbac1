/**
 * Pooling, Upsample and Embedding layers against PyTorch 1.13 (tools/fixtures/layers.py), max-pool
 * indices, Embedding's initialization and fromPretrained, and the Dropout2d / AlphaDropout statistics.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import {
  assertSameSpread, decode, readFixture, runLayerCase, stats, type Encoded, type Factory, type InitCase, type LayerCase,
} from "./layer-fixtures.js";

const nn = tl.nn;
const fixture = readFixture<{ cases: LayerCase[]; maxPoolIndices: Record<string, Encoded>; init: InitCase[] }>("misc");

type Size = number | number[];
const factories: Record<string, Factory> = {
  MaxPool2d: (a, o) => new nn.MaxPool2d(a[0] as Size, o),
  MaxPool1d: (a, o) => new nn.MaxPool1d(a[0] as Size, o),
  AvgPool2d: (a, o) => new nn.AvgPool2d(a[0] as Size, o),
  AvgPool1d: (a, o) => new nn.AvgPool1d(a[0] as Size, o),
  AdaptiveAvgPool2d: (a) => new nn.AdaptiveAvgPool2d(a[0] as Size),
  AdaptiveAvgPool1d: (a) => new nn.AdaptiveAvgPool1d(a[0] as number),
  AdaptiveMaxPool2d: (a) => new nn.AdaptiveMaxPool2d(a[0] as Size),
  Upsample: (_a, o) => new nn.Upsample(o as tl.nn.UpsampleOptions),
  Embedding: (a, o) => new nn.Embedding(a[0] as number, a[1] as number, o),
};

for (const c of fixture.cases) {
  test(`${c.layer} matches PyTorch: ${c.name}`, () => runLayerCase(c, factories[c.layer]));
}

test("MaxPool2d with returnIndices gives PyTorch's values and flat per-plane indices", () => {
  const f = fixture.maxPoolIndices;
  const pool = new nn.MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true });
  const { values, indices } = pool.call(decode(f.input));
  assertClose(values, decode(f.values), { atol: 0, rtol: 0 });
  assert.equal(indices.dtype, "int32");
  assert.deepEqual(Array.from(indices.dataSync()), f.indices.data);
  const adaptive = new nn.AdaptiveMaxPool2d(2, { returnIndices: true }).call(decode(f.input));
  assert.deepEqual(adaptive.values.shape, [2, 2, 2, 2]);
});

test("pooling and Upsample layers: repr, defaults and errors", () => {
  assert.equal(String(new nn.MaxPool2d(2)), "MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)");
  assert.equal(String(new nn.AvgPool1d(3, { stride: 1 })), "AvgPool1d(kernelSize=3, stride=1, padding=0)");
  assert.equal(String(new nn.AdaptiveAvgPool2d([null, 3])), "AdaptiveAvgPool2d(outputSize=[null,3])");
  assert.deepEqual(new nn.AdaptiveAvgPool2d([null, 3]).call(tl.zeros([1, 2, 5, 6])).shape, [1, 2, 5, 3]);
  assert.equal(String(new nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: false })),
    "Upsample(scaleFactor=2, mode=\"bilinear\", alignCorners=false)");
  assert.deepEqual(new nn.MaxPool2d(2).parameters(), []);
  assert.throws(() => new nn.MaxPool2d(3, { padding: 2 }).call(tl.zeros([1, 1, 6, 6])), /\[maxPool2d\] padding 2 must be at most half the kernel size 3/);
  assert.throws(() => new nn.AvgPool2d(4).call(tl.zeros([1, 1, 3, 3])), /\[avgPool2d\] kernel size 4 is larger than the padded input/);
  assert.throws(() => new nn.AdaptiveAvgPool2d([] as unknown as number), /\[AdaptiveAvgPool2d\] outputSize must be a number or a list of sizes/);
  assert.throws(() => new nn.Upsample({}), /\[Upsample\] give exactly one of size and scaleFactor, got neither/);
  assert.throws(() => new nn.Upsample({ size: 4, scaleFactor: 2 }), /\[Upsample\] give exactly one of size and scaleFactor, got both/);
  assert.throws(() => new nn.Upsample({ size: 4, alignCorners: true }), /\[Upsample\] alignCorners can only be set with the interpolating mode "bilinear"/);
  assert.throws(() => new nn.Upsample({ size: 4, mode: "bicubic" as "bilinear" }), /\[Upsample\] mode must be "nearest" or "bilinear", got "bicubic"/);
});

test("Embedding: N(0, 1) initialization like PyTorch's, with the paddingIdx row zeroed", () => {
  tl.manualSeed(0);
  for (const d of fixture.init) {
    const [rows, dim] = d.args as number[];
    const pad = d.options.paddingIdx as number;
    const emb = new nn.Embedding(rows, dim, { paddingIdx: pad });
    assertSameSpread(stats(emb.weight), d.tensors.weight, 0.02, "Embedding weight");
    assert.ok(Math.abs(d.tensors.weight.std - 1) < 0.02, "the fixture agrees with N(0, 1)");
    assert.deepEqual(Array.from(emb.weight.select(0, pad).dataSync()), new Array<number>(dim).fill(0));
    assert.ok(emb.weight.select(0, pad + 1).abs().sum().item() > 0);
  }
  const negative = new nn.Embedding(5, 2, { paddingIdx: -1 });
  assert.equal(negative.paddingIdx, 4);
  assert.deepEqual(Array.from(negative.weight.select(0, 4).dataSync()), [0, 0]);
  assert.equal(String(negative), "Embedding(5, 2, paddingIdx=4)");
});

test("Embedding.fromPretrained copies the table, frozen by default, and keeps the padding row's values", () => {
  const table = tl.tensor([[1, 2], [3, 4], [5, 6]]);
  const frozen = nn.Embedding.fromPretrained(table);
  assert.equal(frozen.weight.requiresGrad, false);
  assert.notEqual(frozen.weight, table);
  assertClose(frozen.call(tl.tensor([2, 0], { dtype: "int32" })), [[5, 6], [1, 2]]);
  tl.noGrad(() => table.fill_(0));
  assertClose(frozen.weight, [[1, 2], [3, 4], [5, 6]], { message: "a copy, not a view of the source" });
  const tuned = nn.Embedding.fromPretrained(tl.tensor([[1, 2], [3, 4], [5, 6]]), { freeze: false, paddingIdx: 1 });
  assert.equal(tuned.weight.requiresGrad, true);
  assertClose(tuned.weight.select(0, 1), [3, 4]);
  tuned.call(tl.tensor([[1, 2, 1]], { dtype: "int32" })).sum().backward();
  assertClose(tuned.weight.grad as tl.Tensor, [[0, 0], [0, 0], [1, 1]], { message: "paddingIdx row gets no gradient" });
  assert.deepEqual(tuned.parameters().length, 1);
  assert.throws(() => nn.Embedding.fromPretrained(tl.zeros([3])), /\[Embedding\.fromPretrained\] embeddings must be a 2-D tensor/);
  assert.throws(() => new nn.Embedding(4, 2, { paddingIdx: 4 }), /\[Embedding\] paddingIdx 4 must be within numEmbeddings/);
  assert.throws(() => new nn.Embedding(4, 2).call(tl.tensor([4])), /\[embedding\] indices holds index 4/);
});

test("Dropout2d zeroes whole channels with probability p and scales the rest by 1/(1 − p)", () => {
  tl.manualSeed(7);
  const drop = new nn.Dropout2d(0.3);
  const x = tl.ones([40, 50, 3, 2], { requiresGrad: true });
  const y = drop.call(x);
  const v = y.dataSync();
  let dropped = 0;
  for (let ch = 0; ch < 40 * 50; ch++) {
    const plane = Array.from(v.subarray(ch * 6, ch * 6 + 6));
    const first = plane[0];
    assert.ok(plane.every((p) => p === first), `channel ${ch} is all kept or all dropped`);
    assert.ok(first === 0 || Math.abs(first - 1 / 0.7) < 1e-6);
    if (first === 0) dropped++;
  }
  assert.ok(Math.abs(dropped / 2000 - 0.3) < 0.035, `dropped ${dropped / 2000} of the channels`);
  y.sum().backward();
  assertClose(x.grad as tl.Tensor, y.detach(), { message: "the gradient is the mask" });
  const unbatched = drop.call(tl.ones([500, 2, 2])).sum({ dim: [1, 2] }).dataSync();
  assert.ok(Array.from(unbatched).every((s) => s === 0 || Math.abs(s - 4 / 0.7) < 1e-5));
  drop.eval();
  const z = tl.randn([2, 3, 4, 4]);
  assert.equal(drop.call(z), z);
  assert.throws(() => new nn.Dropout2d(0.5).call(tl.zeros([2, 3])), /\[Dropout2d\] expected a 4-D \[N, C, H, W\] or 3-D \[C, H, W\] input/);
  assert.throws(() => new nn.Dropout2d(-0.1), /\[Dropout2d\] dropout probability p has to be between 0 and 1/);
});

test("AlphaDropout keeps a standardized input's mean 0 and variance 1, with PyTorch's two output values per input", () => {
  tl.manualSeed(3);
  const p = 0.2;
  const alpha = 1.7580993408473766;
  const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
  const x = tl.randn([200000], { dtype: "float64" });
  const y = new nn.AlphaDropout(p).call(x);
  const s = stats(y);
  assert.ok(Math.abs(s.mean) < 0.01, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std - 1) < 0.01, `std ${s.std}`);
  const xv = x.dataSync();
  const yv = y.dataSync();
  let dropped = 0;
  for (let i = 0; i < xv.length; i++) {
    const kept = a * xv[i] + alpha * a * p;
    const gone = alpha * a * (p - 1);
    if (Math.abs(yv[i] - gone) < 1e-12 && Math.abs(yv[i] - kept) > 1e-12) dropped++;
    else assert.ok(Math.abs(yv[i] - kept) < 1e-12, `element ${i}: ${yv[i]} is neither a·x + λα·a·p (${kept}) nor λα·a·(p − 1) (${gone})`);
  }
  assert.ok(Math.abs(dropped / xv.length - p) < 0.005, `dropped ${dropped / xv.length}`);
  const layer = new nn.AlphaDropout(p);
  layer.eval();
  assert.equal(layer.call(x), x);
  assertClose(new nn.AlphaDropout(1).call(tl.ones([3])), [0, 0, 0]);
  assert.equal(String(layer), "AlphaDropout(p=0.2)");
});
