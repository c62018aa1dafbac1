import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sharp, { type Sharp } from "sharp";
import "../../src/index.js"; // registers the backends (tl below is used for types only)
import type * as tl from "../../src/index.js";
import { ConcatDataset, DataLoader, ImageFolder, readImage, transforms } from "../../src/data/index.js";

const root = mkdtempSync(join(tmpdir(), "tensile-images-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A 4×3 (width × height) RGB image whose pixel (x, y) is [10x + y, 100 + y, 200 - x]. */
function pattern(): Buffer {
  const px = Buffer.alloc(4 * 3 * 3);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) px.set([10 * x + y, 100 + y, 200 - x], (y * 4 + x) * 3);
  return px;
}

async function write(path: string, image: Sharp): Promise<void> {
  mkdirSync(join(path, ".."), { recursive: true });
  await image.toFile(path);
}

before(async () => {
  const raw = { raw: { width: 4, height: 3, channels: 3 as const } };
  await write(join(root, "train", "dog", "b.png"), sharp(pattern(), raw).png());
  await write(join(root, "train", "dog", "a.jpg"), sharp({ create: { width: 6, height: 5, channels: 3, background: { r: 200, g: 40, b: 10 } } }).jpeg({ quality: 95 }));
  await write(join(root, "train", "dog", "nested", "c.PNG"), sharp({ create: { width: 4, height: 3, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).png());
  await write(join(root, "train", "ant", "gray.png"), sharp(Buffer.from([0, 50, 100, 150, 200, 250]), { raw: { width: 3, height: 2, channels: 1 } }).png());
  await write(join(root, "train", "cat", "z.png"), sharp(pattern(), raw).png());
  writeFileSync(join(root, "train", "cat", "notes.txt"), "not an image");
  await write(join(root, "broken", "ok", "fine.png"), sharp(pattern(), raw).png());
  writeFileSync(join(root, "broken", "ok", "zz-corrupt.png"), Buffer.from("\x89PNG\r\n\x1a\n this is not really a png"));
  await write(join(root, "noimages", "empty", "x.png"), sharp(pattern(), raw).png());
  mkdirSync(join(root, "noimages", "nothing-here"));
});

describe("ImageFolder", () => {
  test("classes sorted as torchvision; files sorted, sub-folders walked; other files reported", () => {
    const ds = new ImageFolder(join(root, "train"));
    assert.deepEqual(ds.classes, ["ant", "cat", "dog"]);
    assert.deepEqual(ds.classToIdx, { ant: 0, cat: 1, dog: 2 });
    assert.deepEqual(ds.samples.map((s) => s.path.slice(root.length + 7)), ["ant/gray.png", "cat/z.png", "dog/a.jpg", "dog/b.png", "dog/nested/c.PNG"]);
    assert.deepEqual(ds.targets, [0, 1, 2, 2, 2]);
    assert.deepEqual(ds.skipped.map((p) => p.slice(root.length)), ["/train/cat/notes.txt"]);
    assert.equal(ds.length, 5);
  });

  test("PNG decodes exactly to [C, H, W] in [0, 1]; alpha is dropped; grayscale PNGs become RGB", async () => {
    const ds = new ImageFolder(join(root, "train"));
    const [x, label] = await ds.get(3); // dog/b.png
    assert.equal(label, 2);
    assert.deepEqual(x.shape, [3, 3, 4]);
    const v = x.dataSync();
    for (let y = 0; y < 3; y++) for (let c = 0; c < 4; c++) {
      const want = [10 * c + y, 100 + y, 200 - c];
      for (let ch = 0; ch < 3; ch++) assert.equal(v[ch * 12 + y * 4 + c], Math.fround(want[ch] / 255), `channel ${ch} at (${c}, ${y})`);
    }
    const [rgba] = await ds.get(4);
    assert.deepEqual(rgba.shape, [3, 3, 4]);
    assert.deepEqual([...rgba.dataSync().subarray(0, 1)], [Math.fround(1 / 255)]);
    const [gray] = await ds.get(0);
    assert.deepEqual(gray.shape, [3, 2, 3]);
    assert.deepEqual(Array.from(gray.dataSync().subarray(0, 6), (p) => Math.round(p * 255)), [0, 50, 100, 150, 200, 250]);
  });

  test("JPEG decodes; size resizes every image; grayscale uses PIL's luma", async () => {
    const ds = new ImageFolder(join(root, "train"), { size: [2, 3] });
    const [jpg] = await ds.get(2);
    assert.deepEqual(jpg.shape, [3, 2, 3]);
    const px = Array.from(jpg.dataSync(), (p) => p * 255);
    for (const [ch, want] of [[0, 200], [1, 40], [2, 10]]) {
      for (let k = 0; k < 6; k++) assert.ok(Math.abs(px[ch * 6 + k] - want) < 4, `jpeg channel ${ch}: ${px[ch * 6 + k]}`);
    }
    const gray = new ImageFolder(join(root, "train"), { grayscale: true });
    const [g] = await gray.get(3);
    assert.deepEqual(g.shape, [1, 3, 4]);
    // L = (R·19595 + G·38470 + B·7471 + 32768) >> 16 at pixel (1, 2): RGB [12, 102, 199].
    assert.equal(Math.round(g.dataSync()[2 * 4 + 1] * 255), (12 * 19595 + 102 * 38470 + 199 * 7471 + 32768) >> 16);
    const bytes = await readImage(join(root, "train", "dog", "b.png"), { size: 6, fit: "fill", kernel: "nearest" });
    assert.deepEqual(bytes.shape, [6, 6, 3]);
  });

  test("a DataLoader batches the images (for await); a transform runs on each", async () => {
    const plain = new ImageFolder(join(root, "train"), { size: 8 });
    const doubled = new ImageFolder(join(root, "train"), { size: 8, transform: (x: tl.Tensor) => x.mul(2) });
    const batches: number[][] = [];
    const originals = new DataLoader(plain, { batchSize: 2 })[Symbol.asyncIterator]();
    for await (const [x, y] of new DataLoader(doubled, { batchSize: 2 })) {
      assert.deepEqual(x.shape.slice(1), [3, 8, 8]);
      const [x0] = (await originals.next()).value as tl.Tensor[];
      assert.deepEqual(x.toArray(), x0.mul(2).toArray());
      batches.push([...y.dataSync()]);
    }
    assert.deepEqual(batches, [[0, 1], [2, 2], [2]]);
  });

  test("unreadable images and empty class folders are errors naming the file or folder", async () => {
    const ds = new ImageFolder(join(root, "broken"));
    await ds.get(0);
    await assert.rejects(ds.get(1), /\[ImageFolder\] could not decode the image .*broken\/ok\/zz-corrupt\.png: /);
    assert.throws(() => new ImageFolder(join(root, "noimages")), /the class folder .*noimages\/nothing-here has no files with extensions \.png, \.jpg/);
    assert.throws(() => new ImageFolder(join(root, "train", "ant")), /train\/ant has no sub-folders: expected one folder per class/);
    assert.throws(() => new ImageFolder(join(root, "absent")), /\[ImageFolder\] could not read the folder .*absent: ENOENT/);
    assert.throws(() => new ImageFolder(join(root, "train"), { size: [0, 2] }), /size must be a whole number > 0/);
  });

  test("in a worker, with tl.data.transforms and with a transform given by module spec: the same batches as on the main thread", async () => {
    const custom = { module: new URL("./loader-fixture-tensors.ts", import.meta.url).href, export: "noisyFlip" };
    const pipeline = new transforms.Compose([new transforms.RandomHorizontalFlip(), new transforms.GaussianNoise({ std: 0.05 })]);
    const run = async (numWorkers: number) => {
      // One worker builds both parts of the ConcatDataset from its spec.
      const ds = new ConcatDataset([
        new ImageFolder(join(root, "train"), { size: [4, 4], transform: custom }),
        new ImageFolder(join(root, "train"), { size: [4, 4], transform: pipeline }),
      ]);
      const out: number[][] = [];
      for await (const [x, y] of new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1, numWorkers })) out.push([...y.dataSync()], [...x.dataSync()]);
      return out;
    };
    const main = await run(0);
    assert.deepEqual(await run(1), main);
    assert.equal(main.length, 8);
    const again = await run(0);
    assert.deepEqual(again, main, "seeded: the same augmentations every run");
    assert.throws(() => new DataLoader(new ImageFolder(join(root, "train"), { transform: (x: tl.Tensor) => x }), { numWorkers: 1 }),
      /\[ImageFolder\] its transform is a plain function, which cannot be rebuilt in a worker thread/);
  });
});
