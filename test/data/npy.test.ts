import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { encodeNpy, npyToTensor, parseNpy, readNpy, readNpySync, writeNpy, type NpyArray } from "../../src/data/index.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/npy/", import.meta.url));
const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as Record<string, { descr: string; fortran: boolean; shape: number[]; values: number[] }>;
const dir = mkdtempSync(join(tmpdir(), "tensile-npy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const values = (a: NpyArray) => Array.from(a.data as ArrayLike<number | bigint>, (v) => Number(v));

describe("NPY", () => {
  for (const [name, want] of Object.entries(expected)) {
    test(`reads ${name}.npy written by NumPy (${want.descr}${want.fortran ? ", Fortran order" : ""})`, () => {
      const a = readNpySync(join(FIXTURES, `${name}.npy`));
      assert.deepEqual(a.shape, want.shape);
      assert.deepEqual(values(a), want.values);
      const t = npyToTensor(a);
      assert.deepEqual(t.shape, want.shape);
      assert.deepEqual(Array.from(t.dataSync(), Number), want.values.map((v) => (want.descr === "<f4" ? Math.fround(v) : v)));
    });
  }

  test("dtypes map to tensors: uint8 and int64 become int32, bool stays bool", () => {
    const dtypes = ["f4_2x3", "f8_4", "i4_2x2x2", "i8_3", "b1_5", "u1_2x3"].map((n) => npyToTensor(readNpySync(join(FIXTURES, `${n}.npy`))).dtype);
    assert.deepEqual(dtypes, ["float32", "float64", "int32", "int32", "bool", "int32"]);
    const tooBig: NpyArray = { dtype: "int64", shape: [2], data: BigInt64Array.of(1n, 2n ** 40n) };
    assert.throws(() => npyToTensor(tooBig), /\[npy\] int64 element 1 is 1099511627776, outside int32/);
  });

  test("what Tensile writes is byte for byte what NumPy writes", () => {
    const numpyBytes = readFileSync(join(FIXTURES, "f4_2x3.npy"));
    const ours = encodeNpy(tl.tensor(expected.f4_2x3.values, { shape: [2, 3] }));
    assert.deepEqual(Buffer.from(ours), numpyBytes);
    const u1 = encodeNpy({ data: Uint8Array.from(expected.u1_2x3.values), shape: [2, 3] });
    assert.deepEqual(Buffer.from(u1), readFileSync(join(FIXTURES, "u1_2x3.npy")));
    const b1 = encodeNpy({ data: Uint8Array.from(expected.b1_5.values), shape: [5], dtype: "bool" });
    assert.deepEqual(Buffer.from(b1), readFileSync(join(FIXTURES, "b1_5.npy")));
    assert.equal(ours.length % 64, 24 % 64, "data starts on a 64-byte boundary");
  });

  test("round trip through a file for every dtype Tensile writes", async () => {
    const cases: [string, tl.Tensor | NpyArray][] = [
      ["f32", tl.tensor([[1.5, -2], [3, 4.25]])],
      ["f64", tl.tensor([Math.PI, 1e-300], { dtype: "float64" })],
      ["i32", tl.tensor([[-7, 8, 2147483647]], { dtype: "int32" })],
      ["bool", tl.tensor([true, false, true])],
      ["i64", { dtype: "int64", shape: [2], data: BigInt64Array.of(-5n, 2n ** 40n) }],
      ["scalar", tl.tensor(3.5)],
      ["transposed", tl.tensor([[1, 2, 3], [4, 5, 6]]).t()],
    ];
    for (const [name, value] of cases) {
      const path = join(dir, `${name}.npy`);
      await writeNpy(path, value);
      const back = await readNpy(path);
      assert.deepEqual(back.shape, [...value.shape], name);
      const want = value instanceof tl.Tensor ? Array.from(value.dataSync(), Number) : values(value);
      assert.deepEqual(values(back), want, name);
    }
  });

  test("corrupt or unsupported files are clear errors naming the file", async () => {
    const good = encodeNpy(tl.tensor([1, 2, 3]));
    const header = (h: string) => {
      const bytes = Uint8Array.from(good);
      const text = h.padEnd(good.length - 10 - 12 - 1, " ") + "\n";
      for (let i = 0; i < text.length; i++) bytes[10 + i] = text.charCodeAt(i);
      return bytes.subarray(0, 10 + text.length + 12);
    };
    const bad: [Uint8Array, RegExp][] = [
      [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), /x\.npy: not a \.npy file/],
      [good.subarray(0, good.length - 4), /shape \[3\] of <f4 needs 12 bytes of data but the file has 8; it is truncated/],
      [header("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }"), /dtype '<c8' is not supported; Tensile reads <f4 <f8 <i4 <i8 \|b1 \|u1/],
      [header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }"), /structured dtypes/],
      [header("{'descr': '<f4', 'shape': (3,), }"), /the header has no 'fortran_order'/],
    ];
    for (const [bytes, message] of bad) assert.throws(() => parseNpy(bytes, "x.npy"), (e: Error) => {
      assert.match(e.message, /^\[npy\] x\.npy: /);
      assert.match(e.message, message);
      return true;
    });
    await assert.rejects(readNpy(join(dir, "absent.npy")), /\[npy\] could not read .*absent\.npy: ENOENT/);
    assert.throws(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3] }), /\[writeNpy\] shape \[2,3\] has 6 elements but the data has 5/);
  });
});
