import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";

const { padSequences } = tl.data.text;

const rows = (t: tl.Tensor): number[][] => {
  const [n, l] = t.shape;
  const flat = Array.from(t.dataSync() as ArrayLike<number>, Number);
  return Array.from({ length: n }, (_, i) => flat.slice(i * l, (i + 1) * l));
};

describe("padSequences", () => {
  test("post padding to the longest sequence: shapes, dtypes, values, lengths, mask", () => {
    const { ids, lengths, mask } = padSequences([[5, 6, 7], [8], []]);
    assert.deepEqual(ids.shape, [3, 3]);
    assert.equal(ids.dtype, "int32");
    assert.equal(lengths.dtype, "int32");
    assert.equal(mask.dtype, "bool");
    assert.deepEqual(mask.shape, [3, 3]);
    assert.deepEqual(rows(ids), [[5, 6, 7], [8, 0, 0], [0, 0, 0]]);
    assert.deepEqual(Array.from(lengths.dataSync() as Int32Array), [3, 1, 0]);
    assert.deepEqual(rows(mask), [[1, 1, 1], [1, 0, 0], [0, 0, 0]]);
  });

  test("pre padding, a custom pad value, and post truncation", () => {
    const { ids, lengths, mask } = padSequences([[1, 2, 3, 4, 5], [6, 7]], { maxLength: 4, padding: "pre", value: -1 });
    assert.deepEqual(rows(ids), [[1, 2, 3, 4], [-1, -1, 6, 7]]);
    assert.deepEqual(Array.from(lengths.dataSync() as Int32Array), [4, 2]);
    assert.deepEqual(rows(mask), [[1, 1, 1, 1], [0, 0, 1, 1]]);
  });

  test("pre truncation keeps the tail", () => {
    const { ids } = padSequences([new Int32Array([1, 2, 3, 4, 5]), [9]], { maxLength: 3, truncation: "pre" });
    assert.deepEqual(rows(ids), [[3, 4, 5], [9, 0, 0]]);
  });

  test("lengths feed an LSTM: padded steps do not change the final state", () => {
    tl.manualSeed(0);
    const lstm = new tl.nn.LSTM(2, 3, { batchFirst: true });
    const emb = new tl.nn.Embedding(10, 2);
    const { ids, lengths } = padSequences([[1, 2, 3], [4, 5]], { maxLength: 5 });
    const [, [hN]] = lstm.call(emb.forward(ids), null, { lengths });
    const [, [hAlone]] = lstm.call(emb.forward(tl.tensor([[4, 5]], { dtype: "int32" })));
    const last = (t: tl.Tensor, row: number) => Array.from(t.select(1, row).dataSync() as Float32Array);
    const alone = last(hAlone, 0);
    last(hN, 1).forEach((v, i) => assert.ok(Math.abs(v - alone[i]) < 1e-6, `h[${i}] ${v} vs ${alone[i]}`));
  });

  test("an empty batch and maxLength 0 are valid", () => {
    assert.deepEqual(padSequences([]).ids.shape, [0, 0]);
    assert.deepEqual(padSequences([], { maxLength: 4 }).mask.shape, [0, 4]);
    const { ids, lengths } = padSequences([[1, 2]], { maxLength: 0 });
    assert.deepEqual(ids.shape, [1, 0]);
    assert.deepEqual(Array.from(lengths.dataSync() as Int32Array), [0]);
  });

  test("bad input is a clear error", () => {
    assert.throws(() => padSequences([[1, 2.5]]), /\[padSequences\] sequence 0 has 2.5 at position 1; ids must be whole numbers/);
    assert.throws(() => padSequences([[1], "ab" as never]), /sequence 1 must be an array of ids/);
    assert.throws(() => padSequences([[1]], { padding: "left" as never }), /padding must be "post" or "pre", got "left"/);
    assert.throws(() => padSequences([[1]], { truncation: "middle" as never }), /truncation must be "post" or "pre"/);
    assert.throws(() => padSequences([[1]], { maxLength: -1 }), /maxLength must be a whole number ≥ 0, got -1/);
    assert.throws(() => padSequences([[1]], { value: 0.5 }), /value must be a whole number in the int32 range/);
  });
});
