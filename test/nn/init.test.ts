/**
 * tl.nn.init: calculateGain against PyTorch, statistics of every initializer over large tensors
 * against the formulas and against PyTorch's own draws, layers' default initialization, orthogonality,
 * seeding and errors.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as tl from "../../src/index.js";

const init = tl.nn.init;

interface Stats { mean: number; std: number; min: number; max: number; numel: number }
interface Fixture {
  gains: { nonlinearity: tl.nn.init.Nonlinearity; param: number | null; gain: number }[];
  layerDefaults: { layer: "Linear" | "Bilinear"; args: number[]; weight: Stats; bias: Stats }[];
  init: ({ fn: string; shape: number[]; options: Record<string, number | string> } & Stats)[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/nn/init.json", import.meta.url), "utf8")) as Fixture;

const throwsWith = (fn: () => unknown, ...parts: string[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message "${e.message}" should include "${p}"`);
    return true;
  });
};

function stats(t: tl.Tensor): Stats {
  const v = t.dataSync();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    sum += v[i];
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / (v.length - 1)), min, max, numel: v.length };
}

/** Checks sampled statistics against expected ones: std within `rel`, mean within 6 standard errors. */
function assertStats(actual: Stats, expected: { mean: number; std: number }, rel: number, what: string): void {
  assert.ok(Math.abs(actual.std - expected.std) <= rel * expected.std, `${what}: std ${actual.std}, expected ${expected.std}`);
  const meanTol = (6 * expected.std) / Math.sqrt(actual.numel);
  assert.ok(Math.abs(actual.mean - expected.mean) <= meanTol, `${what}: mean ${actual.mean}, expected ${expected.mean} ± ${meanTol}`);
}

test("calculateGain matches torch.nn.init.calculate_gain", () => {
  for (const g of fixture.gains) {
    const got = init.calculateGain(g.nonlinearity, g.param ?? undefined);
    assert.ok(Math.abs(got - g.gain) < 1e-8, `${g.nonlinearity}(${g.param}): ${got} vs ${g.gain}`);
  }
  assert.equal(init.calculateGain("leaky_relu", 0.2), init.calculateGain("leakyRelu", 0.2));
  throwsWith(() => init.calculateGain("swish" as "relu"), "[calculateGain]", "swish");
});

test("Linear and Bilinear default initialization matches PyTorch's bounds and spread", () => {
  tl.manualSeed(0);
  for (const d of fixture.layerDefaults) {
    const layer = d.layer === "Linear" ? new tl.nn.Linear(d.args[0], d.args[1]) : new tl.nn.Bilinear(d.args[0], d.args[1], d.args[2]);
    // Both use U(±1/√fanIn) with fanIn = in (Linear) or in1 (Bilinear).
    const bound = 1 / Math.sqrt(d.args[0]);
    const w = stats(layer.weight);
    const b = stats(layer.bias as tl.Tensor);
    assert.equal(w.numel, d.weight.numel);
    assert.ok(w.max <= bound && w.min >= -bound, `${d.layer} weight within ±${bound}: [${w.min}, ${w.max}]`);
    assert.ok(w.max > 0.99 * bound && w.min < -0.99 * bound, `${d.layer} weight fills ±${bound}`);
    assert.ok(Math.abs(d.weight.max - bound) < 1e-3 * bound, "the fixture agrees with the formula");
    assertStats(w, d.weight, 0.01, `${d.layer} weight vs torch`);
    assertStats(w, { mean: 0, std: bound / Math.sqrt(3) }, 0.01, `${d.layer} weight vs formula`);
    assert.ok(b.max <= bound && b.min >= -bound);
    assertStats(b, { mean: 0, std: d.bias.std }, 0.15, `${d.layer} bias vs torch`);
  }
});

test("xavier, kaiming and truncNormal statistics over 900k elements match PyTorch's draws", () => {
  tl.manualSeed(1);
  for (const c of fixture.init) {
    const t = tl.zeros(c.shape, { dtype: "float64" });
    const o = c.options;
    const what = `${c.fn}(${JSON.stringify(o)})`;
    if (c.fn === "xavierUniform_") init.xavierUniform_(t, o.gain as number);
    else if (c.fn === "xavierNormal_") init.xavierNormal_(t, o.gain as number);
    else if (c.fn === "kaimingUniform_") init.kaimingUniform_(t, o as tl.nn.init.KaimingOptions);
    else if (c.fn === "kaimingNormal_") init.kaimingNormal_(t, o as tl.nn.init.KaimingOptions);
    else init.truncNormal_(t, o.mean as number, o.std as number, o.a as number, o.b as number);
    const s = stats(t);
    assertStats(s, c, 0.01, what);
    if (c.fn.endsWith("Uniform_") || c.fn === "truncNormal_") {
      // Uniform and truncated draws share PyTorch's bounds (to within sampling of the extremes).
      assert.ok(Math.abs(s.max - c.max) < 0.01 * Math.abs(c.max - c.min) && Math.abs(s.min - c.min) < 0.01 * Math.abs(c.max - c.min),
        `${what}: range [${s.min}, ${s.max}] vs torch [${c.min}, ${c.max}]`);
    }
    t.dispose();
  }
});

test("the initializers follow their formulas (fans of a conv kernel)", () => {
  tl.manualSeed(2);
  const t = tl.zeros([256, 128, 3, 3]);
  const fanIn = 128 * 9;
  const fanOut = 256 * 9;
  assert.deepEqual(init.calculateFanInAndFanOut(t), { fanIn, fanOut });
  const gain = init.calculateGain("tanh");
  init.xavierUniform_(t, gain);
  const xb = gain * Math.sqrt(6 / (fanIn + fanOut));
  let s = stats(t);
  assert.ok(s.max <= xb && s.min >= -xb && s.max > 0.99 * xb);
  assertStats(s, { mean: 0, std: xb / Math.sqrt(3) }, 0.01, "xavierUniform_");
  assertStats(stats(init.xavierNormal_(t)), { mean: 0, std: Math.sqrt(2 / (fanIn + fanOut)) }, 0.01, "xavierNormal_");
  assertStats(stats(init.kaimingNormal_(t, { mode: "fanOut", nonlinearity: "relu" })), { mean: 0, std: Math.SQRT2 / Math.sqrt(fanOut) }, 0.01, "kaimingNormal_");
  init.kaimingUniform_(t, { a: 0.2, nonlinearity: "leakyRelu" });
  const kb = Math.sqrt(3) * init.calculateGain("leakyRelu", 0.2) / Math.sqrt(fanIn);
  s = stats(t);
  assert.ok(s.max <= kb && s.min >= -kb && s.max > 0.99 * kb);
  assertStats(stats(init.normal_(t, 3, 0.5)), { mean: 3, std: 0.5 }, 0.01, "normal_");
  s = stats(init.uniform_(t, -1, 2));
  assert.ok(s.min >= -1 && s.max < 2);
  assertStats(s, { mean: 0.5, std: 3 / Math.sqrt(12) }, 0.01, "uniform_");
  s = stats(init.truncNormal_(t, 0, 1, -0.5, 1));
  assert.ok(s.min >= -0.5 && s.max <= 1);
});

test("constant_, zeros_, ones_ and eye_", () => {
  const t = tl.zeros([2, 3]);
  assert.deepEqual(init.constant_(t, 0.5).toArray(), [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  assert.deepEqual(init.ones_(t).toArray(), [[1, 1, 1], [1, 1, 1]]);
  assert.deepEqual(init.zeros_(t).toArray(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(init.eye_(t).toArray(), [[1, 0, 0], [0, 1, 0]]);
  throwsWith(() => init.eye_(tl.zeros([2, 2, 2])), "[eye_]", "2-D");
});

test("orthogonal_ gives orthonormal rows or columns, times gain, for tall, wide and 4-D shapes", () => {
  tl.manualSeed(4);
  for (const shape of [[6, 4], [4, 6], [5, 5], [3, 2, 2, 2]]) {
    const gain = 1.5;
    const t = init.orthogonal_(tl.zeros(shape, { dtype: "float64" }), gain);
    const rows = shape[0];
    const m = t.reshape([rows, -1]);
    const cols = m.shape[1];
    // QᵀQ = gain²·I for tall matrices, QQᵀ = gain²·I for wide ones.
    const gram = rows >= cols ? m.t().matmul(m) : m.matmul(m.t());
    const n = Math.min(rows, cols);
    const expected = tl.eye(n, n, { dtype: "float64" }).mul(gain * gain);
    const err = gram.sub(expected).abs().max().item();
    assert.ok(err < 1e-10, `shape ${JSON.stringify(shape)}: |gram − gain²I| = ${err}`);
  }
  throwsWith(() => init.orthogonal_(tl.zeros([4])), "[orthogonal_]", "2 or more");
});

test("initializers are repeatable under tl.manualSeed and write into parameters that require grad", () => {
  const draw = (): number[] => {
    tl.manualSeed(42);
    const p = new tl.nn.Parameter(tl.zeros([8, 8]));
    init.orthogonal_(p);
    init.truncNormal_(p, 0, 0.02);
    init.kaimingNormal_(p);
    return Array.from(p.dataSync());
  };
  const a = draw();
  assert.deepEqual(draw(), a);
  tl.manualSeed(43);
  assert.notDeepEqual(Array.from(init.kaimingNormal_(tl.zeros([8, 8])).dataSync()), a);
  assert.ok(tl.isGradEnabled());
});

test("initializer errors: fans of a 1-D tensor, integer tensors, bad options", () => {
  throwsWith(() => init.xavierUniform_(tl.zeros([5])), "fewer than 2 dimensions", "[5]");
  throwsWith(() => init.kaimingUniform_(tl.zeros([5])), "fewer than 2 dimensions");
  throwsWith(() => init.normal_(tl.zeros([2, 2], { dtype: "int32" })), "[normal_]", "int32");
  throwsWith(() => init.kaimingNormal_(tl.zeros([2, 2]), { mode: "fan_in" as "fanIn" }), "[kaimingNormal_]", "fanOut");
  throwsWith(() => init.uniform_(tl.zeros([2]), 1, 0), "[uniform_]");
  throwsWith(() => init.truncNormal_(tl.zeros([2]), 0, 1, 2, 1), "[truncNormal_]", "a < b");
  // Zero-element tensors are left alone, as in PyTorch (Linear(0, n) is legal).
  assert.deepEqual(init.kaimingUniform_(tl.zeros([3, 0])).shape, [3, 0]);
});
