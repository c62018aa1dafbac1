import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as tl from "../../src/index.js";
import { idxToTensor, loadMnist, loadMnistAsync, parseIdx, readIdx, readIdxSync } from "../../src/data/index.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-idx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** Encodes an IDX file: magic (00 00 type ndim), big-endian dims, big-endian elements. */
function idx(type: number, dims: number[], values: number[]): Uint8Array {
  const size = SIZES[type];
  const out = new Uint8Array(4 + 4 * dims.length + values.length * size);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const at = 4 + 4 * dims.length;
  values.forEach((v, i) => {
    const o = at + i * size;
    if (type === 0x08) view.setUint8(o, v);
    else if (type === 0x09) view.setInt8(o, v);
    else if (type === 0x0b) view.setInt16(o, v, false);
    else if (type === 0x0c) view.setInt32(o, v, false);
    else if (type === 0x0d) view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return out;
}

describe("IDX reader", () => {
  test("decodes every element type, big-endian, with its shape", () => {
    const u8 = parseIdx(idx(0x08, [2, 3], [0, 1, 2, 127, 128, 255]));
    assert.equal(u8.type, "uint8");
    assert.deepEqual(u8.shape, [2, 3]);
    assert.deepEqual([...u8.data], [0, 1, 2, 127, 128, 255]);
    assert.deepEqual([...parseIdx(idx(0x09, [3], [-128, -1, 127])).data], [-128, -1, 127]);
    assert.deepEqual([...parseIdx(idx(0x0b, [2], [-32768, 258])).data], [-32768, 258]);
    assert.deepEqual([...parseIdx(idx(0x0c, [2], [-2147483648, 16909060])).data], [-2147483648, 16909060]);
    assert.deepEqual([...parseIdx(idx(0x0d, [2], [1.5, -0.25])).data], [1.5, -0.25]);
    const f64 = parseIdx(idx(0x0e, [1, 2], [Math.PI, -1e300]));
    assert.equal(f64.type, "float64");
    assert.deepEqual([...f64.data], [Math.PI, -1e300]);
  });

  test("gzipped bytes decode the same; files are read sync and async", async () => {
    const raw = idx(0x08, [2, 2], [9, 8, 7, 6]);
    assert.deepEqual(parseIdx(gzipSync(raw)), parseIdx(raw));
    const plain = join(dir, "plain-idx1-ubyte");
    const packed = join(dir, "packed-idx1-ubyte.gz");
    writeFileSync(plain, raw);
    writeFileSync(packed, gzipSync(raw));
    assert.deepEqual(readIdxSync(packed), parseIdx(raw));
    assert.deepEqual(await readIdx(packed), parseIdx(raw));
    assert.deepEqual(await readIdx(plain), parseIdx(raw));
  });

  test("idxToTensor: integers become int32, floats keep their precision", () => {
    const t = idxToTensor(parseIdx(idx(0x08, [2, 2], [0, 255, 3, 4])));
    assert.equal(t.dtype, "int32");
    assert.deepEqual(t.toArray(), [[0, 255], [3, 4]]);
    assert.equal(idxToTensor(parseIdx(idx(0x0d, [1], [0.5]))).dtype, "float32");
    assert.equal(idxToTensor(parseIdx(idx(0x0e, [1], [0.1]))).item(), 0.1);
  });

  const good = idx(0x08, [2, 2], [1, 2, 3, 4]);
  const corrupt: [string, Uint8Array, RegExp][] = [
    ["too short for a magic number", new Uint8Array([0, 0]), /2 bytes, too few for the 4-byte IDX magic number/],
    ["a wrong magic number", Uint8Array.from([0x50, 0x4b, 3, 4, ...good.subarray(4)]), /starts with bytes 50 4b, not 00 00: this is not an IDX file/],
    ["an unknown type byte", Uint8Array.from([0, 0, 0x0a, ...good.subarray(3)]), /the type byte is 0a/],
    ["a header cut short", good.subarray(0, 10), /declares 2 dimensions \(12 bytes\) but the file has 10 bytes/],
    ["truncated data", good.subarray(0, good.length - 1), /shape \[2,2\] of uint8 needs 16 bytes but the file has 15; it is truncated/],
    ["bytes left over", Uint8Array.from([...good, 0]), /1 bytes are left over/],
    ["a broken gzip stream", Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), /starts like gzip but does not decompress/],
    ["a truncated gzip stream", gzipSync(good).subarray(0, 15), /starts like gzip but does not decompress/],
  ];
  for (const [what, bytes, message] of corrupt) {
    test(`rejects ${what}, naming the file`, () => {
      assert.throws(() => parseIdx(bytes, "digits.idx"), (err: Error) => {
        assert.match(err.message, /^\[idx\] digits\.idx: /);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  test("a missing file is a clear error", async () => {
    assert.throws(() => readIdxSync(join(dir, "absent")), /\[idx\] could not read .*absent: ENOENT/);
    await assert.rejects(readIdx(join(dir, "absent")), /could not read .*absent/);
  });
});

describe("MNIST", () => {
  test("the training split: 60000 images in [0, 1], the first one a 5", () => {
    const { images, labels } = loadMnist({ split: "train" });
    try {
      assert.deepEqual(images.shape, [60000, 1, 28, 28]);
      assert.equal(images.dtype, "float32");
      assert.deepEqual(labels.shape, [60000]);
      assert.equal(labels.dtype, "int32");
      const y = labels.dataSync();
      assert.deepEqual([...y.subarray(0, 5)], [5, 0, 4, 1, 9]);
      // Every digit occurs, and only digits 0..9.
      const counts = new Array(10).fill(0);
      for (const v of y) counts[v]++;
      assert.equal(counts.reduce((a, b) => a + b, 0), 60000);
      assert.ok(counts.every((c) => c > 5000), `digit counts ${counts}`);
      assert.equal(tl.min(images).item(), 0);
      assert.equal(tl.max(images).item(), 1);
      // The first image, checked against its raw bytes (read with Python): pixel sum 27525, centre 240.
      const first = images.select(0, 0).dataSync();
      assert.equal(first.length, 784);
      assert.equal(Math.round(Array.from(first).reduce((a, v) => a + v * 255, 0)), 27525);
      assert.equal(first[14 * 28 + 14], Math.fround(240 / 255));
      assert.equal(first.indexOf(1), 161);
    } finally {
      images.dispose();
      labels.dispose();
    }
  });

  test("the test split (async): 10000 images, the first one a 7; normalize and limit", async () => {
    const { images, labels } = await loadMnistAsync({ split: "test" });
    assert.deepEqual(images.shape, [10000, 1, 28, 28]);
    assert.deepEqual(labels.shape, [10000]);
    assert.equal(labels.dataSync()[0], 7);
    const small = loadMnist({ split: "test", limit: 3, normalize: true });
    assert.deepEqual(small.images.shape, [3, 1, 28, 28]);
    assert.deepEqual(small.labels.toArray(), [...labels.dataSync().subarray(0, 3)]);
    const a = images.dataSync().subarray(0, 784);
    const b = small.images.dataSync().subarray(0, 784);
    for (let i = 0; i < 784; i++) assert.ok(Math.abs(b[i] - (a[i] - 0.1307) / 0.3081) < 1e-5, `pixel ${i}`);
    images.dispose();
    labels.dispose();
  });

  /** Writes a fake MNIST split (gzipped, as the original downloads are) into a fresh directory. */
  function fakeMnist(name: string, images: Uint8Array, labels: Uint8Array): string {
    const d = join(dir, name);
    mkdirSync(d);
    writeFileSync(join(d, "t10k-images-idx3-ubyte.gz"), gzipSync(images));
    writeFileSync(join(d, "t10k-labels-idx1-ubyte.gz"), gzipSync(labels));
    return d;
  }

  const pixels = (n: number) => idx(0x08, [n, 28, 28], new Array(n * 784).fill(0).map((_, i) => i % 256));

  test("reads a directory of gzipped files, scaled exactly as p / 255", () => {
    const d = fakeMnist("ok", pixels(2), idx(0x08, [2], [3, 9]));
    const { images, labels } = loadMnist({ split: "test", dir: d });
    assert.deepEqual(labels.toArray(), [3, 9]);
    const x = images.dataSync();
    assert.equal(x[255], Math.fround(255 / 255));
    assert.equal(x[100], Math.fround(100 / 255));
  });

  test("missing or inconsistent files are clear errors naming the file", () => {
    assert.throws(() => loadMnist({ split: "test", dir: join(dir, "nowhere") }), /\[loadMnist\] the MNIST file .*nowhere\/t10k-images-idx3-ubyte \(or .*\.gz\) is missing/);
    const mismatch = fakeMnist("mismatch", pixels(3), idx(0x08, [2], [1, 2]));
    assert.throws(() => loadMnist({ split: "test", dir: mismatch }), /t10k-images-idx3-ubyte\.gz holds 3 images but .*t10k-labels-idx1-ubyte\.gz holds 2 labels/);
    const swapped = fakeMnist("swapped", idx(0x08, [2], [1, 2]), pixels(2));
    assert.throws(() => loadMnist({ split: "test", dir: swapped }), /t10k-images-idx3-ubyte\.gz holds uint8 of shape \[2\]; MNIST images are uint8 of shape \[N,28,28\]/);
    const badLabel = fakeMnist("badlabel", pixels(2), idx(0x08, [2], [1, 12]));
    assert.throws(() => loadMnist({ split: "test", dir: badLabel }), /label 1 is 12; MNIST labels are digits 0..9/);
    const truncated = fakeMnist("truncated", pixels(2).subarray(0, 800), idx(0x08, [2], [1, 2]));
    assert.throws(() => loadMnist({ split: "test", dir: truncated }), /\[idx\] .*t10k-images-idx3-ubyte\.gz: shape \[2,28,28\] of uint8 needs 1584 bytes but the file has 800; it is truncated/);
    assert.throws(() => loadMnist({ split: "valid" as "test" }), /split must be "train" or "test", got "valid"/);
    assert.throws(() => loadMnist({ split: "test", normalize: { mean: 0, std: 0 } }), /std > 0/);
  });
});
