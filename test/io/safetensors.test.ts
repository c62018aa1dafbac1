import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tl from "../../src/index.js";
import {
  deserialize, deserializeWithMetadata, load, loadSync, loadWithMetadata, save, saveSync, serialize,
} from "../../src/io/index.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "io");
const dir = mkdtempSync(join(tmpdir(), "tensile-safetensors-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** JSON fixtures write NaN and infinities as strings. */
function num(v: number | string | boolean): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number.NaN;
}

function assertSameTensor(actual: tl.Tensor, expected: tl.Tensor, name: string): void {
  assert.equal(actual.dtype, expected.dtype, `${name} dtype`);
  assert.deepEqual([...actual.shape], [...expected.shape], `${name} shape`);
  assert.deepEqual([...actual.dataSync()], [...expected.dataSync()], `${name} values`);
}

/** Builds a safetensors file by hand: a header (object or raw text), the data, and optionally a lying length. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function tempFiles(inDir: string): string[] {
  return readdirSync(inDir).filter((f) => f.includes(".tmp-"));
}

describe("safetensors round trip", () => {
  test("every dtype, scalars, empty and non-contiguous tensors, in the caller's order", () => {
    const sd = {
      f32: tl.tensor([[1.5, -2.25], [3e-38, 1e30]]),
      f64: tl.tensor([Math.PI, -1e-300, 5e-324], { dtype: "float64" }),
      i32: tl.tensor([-2147483648, -1, 0, 2147483647], { dtype: "int32" }),
      b: tl.tensor([true, false, true]),
      scalar: tl.tensor(7, { dtype: "float32" }),
      empty: tl.zeros([2, 0, 3], { dtype: "int32" }),
      transposed: tl.arange(6, undefined, 1, { dtype: "float32" }).reshape([2, 3]).t(),
      special: tl.tensor([NaN, Infinity, -Infinity, -0], { dtype: "float64" }),
    };
    const back = deserialize(serialize(sd));
    assert.deepEqual(Object.keys(back), Object.keys(sd));
    for (const [name, t] of Object.entries(sd)) assertSameTensor(back[name], t, name);
    assert.deepEqual(back.transposed.toArray(), [[0, 3], [1, 4], [2, 5]]);
    assert.ok(Object.is(back.special.dataSync()[3], -0), "negative zero survives");
  });

  test("a Map state dict, metadata, and a '__proto__' name stay plain data", () => {
    const sd = new Map([["__proto__", tl.ones([2])], ["layer.0.weight", tl.zeros([1, 2])]]);
    const { tensors, metadata } = deserializeWithMetadata(serialize(sd, { metadata: { epoch: "3", note: "héllo" } }));
    assert.deepEqual(Object.keys(tensors), ["__proto__", "layer.0.weight"]);
    assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
    assert.deepEqual(tensors["__proto__"].toArray(), [1, 1]);
    assert.deepEqual(metadata, { epoch: "3", note: "héllo" });
  });

  test("the header is padded to 8 bytes and every tensor is aligned to its element size", () => {
    const bytes = serialize({ b: tl.tensor([true]), x: tl.ones([3]), d: tl.ones([1], { dtype: "float64" }) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: number[] }>;
    const size: Record<string, number> = { BOOL: 1, F32: 4, F64: 8 };
    for (const [name, e] of Object.entries(header)) assert.equal(e.data_offsets[0] % size[e.dtype], 0, name);
    assert.deepEqual(header.d.data_offsets, [0, 8]);
  });

  test("save/load and saveSync/loadSync through files; a second save replaces the first", async () => {
    const path = join(dir, "roundtrip.safetensors");
    await save({ w: tl.tensor([[1, 2]]) }, path, { metadata: { v: "1" } });
    assert.deepEqual((await load(path)).w.toArray(), [[1, 2]]);
    saveSync({ w: tl.tensor([3]), extra: tl.tensor([true]) }, path);
    const sd = loadSync(path);
    assert.deepEqual(Object.keys(sd), ["w", "extra"]);
    assert.deepEqual(sd.w.toArray(), [3]);
    assert.deepEqual((await loadWithMetadata(path)).metadata, {});
    assert.deepEqual(tempFiles(dir), []);
  });
});

describe("PyTorch interoperability", () => {
  test("loads a file PyTorch wrote: every dtype, unaligned offsets, converted exactly", () => {
    const expected = JSON.parse(readFileSync(join(fixtures, "torch.json"), "utf8")) as Record<string, { dtype: string; shape: number[]; values: (number | string | boolean)[] }>;
    const { tensors, metadata } = deserializeWithMetadata(readFileSync(join(fixtures, "torch.safetensors")));
    assert.equal(metadata.format, "pt");
    const target: Record<string, tl.DType> = { F64: "float64", F32: "float32", F16: "float32", BF16: "float32", I64: "int32", I32: "int32", I16: "int32", I8: "int32", U8: "int32", BOOL: "bool" };
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected).sort());
    for (const [name, e] of Object.entries(expected)) {
      const t = tensors[name];
      assert.equal(t.dtype, target[e.dtype], `${name} (${e.dtype}) dtype`);
      assert.deepEqual([...t.shape], e.shape, `${name} shape`);
      const got = [...t.dataSync()];
      e.values.forEach((v, i) => assert.ok(Object.is(got[i], num(v)) || got[i] === num(v), `${name}[${i}]: got ${got[i]}, PyTorch has ${v}`));
      assert.equal(got.length, e.values.length);
    }
  });

  test("PyTorch reads the file Tensile wrote as the same values, and Tensile rewrites it byte for byte", () => {
    const bytes = readFileSync(join(fixtures, "tensile.safetensors"));
    const seen = JSON.parse(readFileSync(join(fixtures, "tensile_read_by_torch.json"), "utf8")) as {
      metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: (number | string | boolean)[] }>;
    };
    const { tensors, metadata } = deserializeWithMetadata(bytes);
    assert.deepEqual(metadata, seen.metadata);
    const code: Record<tl.DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
    assert.deepEqual(Object.keys(tensors), Object.keys(seen.tensors));
    for (const [name, t] of Object.entries(tensors)) {
      const s = seen.tensors[name];
      assert.equal(code[t.dtype], s.dtype, name);
      assert.deepEqual([...t.shape], s.shape, name);
      const got = [...t.dataSync()];
      assert.equal(got.length, s.values.length);
      s.values.forEach((v, i) => assert.ok(Object.is(got[i], num(v)), `${name}[${i}]: Tensile ${got[i]}, PyTorch ${v}`));
    }
    assert.deepEqual(serialize(tensors, { metadata }), new Uint8Array(bytes));
  });
});

describe("safetensors validation", () => {
  const f32 = (name: string, begin: number, end: number, shape = [(end - begin) / 4]) => ({ [name]: { dtype: "F32", shape, data_offsets: [begin, end] } });
  const bad: [string, Uint8Array, RegExp][] = [
    ["too short for the length", new Uint8Array(5), /5 bytes, too few for the 8-byte header length/],
    ["header length past the end", craft({}, new Uint8Array(0), 1000n), /header length is 1000 bytes but only 2 bytes follow/],
    ["header not JSON", craft("{not json"), /not valid UTF-8 JSON/],
    ["header not UTF-8", craft("{}").map((b, i) => (i === 8 ? 0xff : b)), /not valid UTF-8 JSON/],
    ["header an array", craft([]), /must be a JSON object/],
    ["unknown dtype", craft({ w: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor "w" has dtype "C64"; Tensile reads F64/],
    ["bad shape", craft({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "w" has shape \[-1\]/],
    ["bad offsets", craft({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, new Uint8Array(4)), /tensor "w" has data_offsets \[0\]/],
    ["shape disagrees with span", craft(f32("w", 0, 8, [3]), new Uint8Array(8)), /tensor "w" has dtype F32 and shape \[3\] \(12 bytes\) but data_offsets \[0,8\] span 8 bytes/],
    ["truncated data", craft({ ...f32("a", 0, 8), ...f32("b", 8, 16) }, new Uint8Array(12)), /tensor "b" .* only 12 bytes; the file is truncated/],
    ["overlapping tensors", craft({ ...f32("a", 0, 8), ...f32("b", 4, 12) }, new Uint8Array(12)), /tensor "b" \(bytes 4..12\) overlaps tensor "a" \(bytes 0..8\)/],
    ["a gap between tensors", craft({ ...f32("a", 0, 4), ...f32("b", 8, 12) }, new Uint8Array(12)), /bytes 4..8 of the data belong to no tensor/],
    ["bytes after the last tensor", craft(f32("a", 0, 4), new Uint8Array(8)), /the last 4 bytes belong to no tensor/],
    ["metadata not strings", craft({ __metadata__: { epoch: 3 } }), /metadata value "epoch" must be a string/],
    ["I64 out of int32 range", craft({ big: { dtype: "I64", shape: [2], data_offsets: [0, 16] } },
      new Uint8Array(new BigInt64Array([5n, 1n << 40n]).buffer)), /tensor "big" holds the I64 value 1099511627776 at element 1, outside the int32 range/],
    ["BOOL byte not 0/1", craft({ m: { dtype: "BOOL", shape: [2], data_offsets: [0, 2] } }, new Uint8Array([1, 2])), /tensor "m" holds the byte 2 at element 1/],
  ];
  for (const [what, bytes, message] of bad) {
    test(`rejects ${what}`, () => {
      assert.throws(() => deserialize(bytes), (err: Error) => {
        assert.match(err.message, /^\[safetensors\] <bytes>: /);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  test("a failed load makes no tensors", () => {
    const before = tl.memory().numTensors;
    const bytes = craft({ ok: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, big: { dtype: "I64", shape: [1], data_offsets: [4, 12] } },
      new Uint8Array([0, 0, 128, 63, 0, 0, 0, 0, 1, 0, 0, 0]));
    assert.throws(() => deserialize(bytes), /outside the int32 range/);
    assert.equal(tl.memory().numTensors, before);
  });

  test("errors from files name the file; a missing file is a clear error", async () => {
    const path = join(dir, "corrupt.safetensors");
    writeFileSync(path, craft("{oops"));
    assert.throws(() => loadSync(path), new RegExp(`^TensileError: \\[safetensors\\] ${path.replace(/[.]/g, "\\.")}: the header is not valid`));
    await assert.rejects(load(path), /corrupt\.safetensors: the header is not valid/);
    await assert.rejects(load(join(dir, "nope.safetensors")), /\[safetensors\] could not read .*nope\.safetensors: ENOENT/);
  });

  test("rejects state dicts it cannot write, naming the entry", () => {
    const disposed = tl.ones([2]);
    disposed.dispose();
    assert.throws(() => serialize({ w: [1, 2] as unknown as tl.Tensor }), /\[safetensors\] "w" is not a Tensor/);
    assert.throws(() => serialize({ w: disposed }), /tensor "w" with shape \[2\] was already disposed/);
    assert.throws(() => serialize({ __metadata__: tl.ones([1]) }), /"__metadata__" is reserved/);
    assert.throws(() => serialize({ "": tl.ones([1]) }), /non-empty strings/);
    assert.throws(() => serialize({}, { metadata: { n: 1 as unknown as string } }), /metadata value "n" must be a string/);
  });
});

describe("atomic saves", () => {
  /** A real tensor whose read fails, as a backend error mid-write would. */
  function failingTensor(): tl.Tensor {
    const t = tl.ones([4]);
    t.dataSync = () => {
      throw new Error("device lost");
    };
    return t;
  }

  test("a save that fails mid-write keeps the previous file and leaves no temp file (async and sync)", async () => {
    const sub = join(dir, "atomic");
    mkdirSync(sub);
    const path = join(sub, "model.safetensors");
    await save({ w: tl.tensor([1, 2, 3]) }, path);
    const before = readFileSync(path);
    await assert.rejects(save({ a: tl.ones([2]), b: failingTensor() }, path), /device lost/);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(tempFiles(sub), []);
    assert.throws(() => saveSync({ a: tl.ones([2]), b: failingTensor() }, path), /device lost/);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(tempFiles(sub), []);
    assert.deepEqual(loadSync(path).w.toArray(), [1, 2, 3]);
  });

  test("a state dict that cannot be serialized fails before the file is touched", async () => {
    const sub = join(dir, "atomic2");
    mkdirSync(sub);
    const path = join(sub, "model.safetensors");
    saveSync({ w: tl.tensor([4]) }, path);
    await assert.rejects(save({ w: "nope" as unknown as tl.Tensor }, path), /"w" is not a Tensor/);
    assert.deepEqual(loadSync(path).w.toArray(), [4]);
    assert.deepEqual(readdirSync(sub), ["model.safetensors"]);
  });

  test("a failed rename (target is a directory) and a missing directory are clear errors, with no temp file left", async () => {
    const sub = join(dir, "atomic3");
    mkdirSync(join(sub, "taken"), { recursive: true });
    await assert.rejects(save({ w: tl.ones([1]) }, join(sub, "taken")), /\[safetensors\] could not write .*taken: /);
    assert.throws(() => saveSync({ w: tl.ones([1]) }, join(sub, "taken")), /could not write .*taken: /);
    assert.deepEqual(tempFiles(sub), []);
    await assert.rejects(save({ w: tl.ones([1]) }, join(sub, "missing", "x.safetensors")), /could not write .*missing.*ENOENT/);
  });
});
