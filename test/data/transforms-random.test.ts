/**
 * Random transforms: seeding (per-transform seed and tl.manualSeed), the distributions of the sampled
 * parameters, and that each transform equals its functional form with the parameters it sampled, for one image
 * and image by image across a batch.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import { image } from "./transforms-fixture.js";

const T = tl.data.transforms;
const F = tl.data.transforms.functional;

/** A random transform with its sampling split out, as every built-in one has. */
interface Sampled<P> {
  sampleParams(x: tl.Tensor): P[];
  forward(x: tl.Tensor): tl.Tensor;
}

/** Five distinct images (the fixture image under different flips and brightness). */
const batch = (): tl.Tensor => {
  const x = image();
  return tl.stack([x, F.hflip(x), F.vflip(x), F.adjustBrightness(x, 0.7), F.hflip(F.vflip(x))]);
};

/**
 * Checks seeding and functional equivalence: two transforms with the same seed agree, a third with another
 * seed differs somewhere, and forward equals `fn` applied image by image with the parameters a twin sampled.
 */
function checkTransform<P>(name: string, make: (seed?: number) => Sampled<P>, fn: (img: tl.Tensor, p: P) => tl.Tensor, tol = 1e-5): void {
  test(`${name}: equals the functional form with its sampled parameters (image and batch)`, () => {
    for (const x of [image(), batch()]) {
      for (let call = 0; call < 3; call++) {
        const twin = make(40 + call);
        const params = twin.sampleParams(x);
        const out = make(40 + call).forward(x);
        const expected = x.ndim === 3 ? fn(x, params[0]) : tl.stack(params.map((p, i) => fn(tl.select(x, 0, i), p)));
        assertClose(out, expected, { atol: tol, rtol: tol, message: `${name} call ${call}` });
      }
    }
  });
  test(`${name}: the same seed gives the same outputs, tl.manualSeed makes the unseeded one reproducible`, () => {
    const x = batch();
    const a = make(7);
    const b = make(7);
    for (let call = 0; call < 3; call++) assertClose(a.forward(x), b.forward(x), { atol: 0, rtol: 0, message: `${name} call ${call}` });
    const outputs = [1, 2, 3, 4, 5, 6].map((s) => Array.from(make(s).forward(x).dataSync()).join(","));
    assert.ok(new Set(outputs).size > 1, `${name}: different seeds never differ`);
    tl.manualSeed(11);
    const u = make();
    const first = [u.forward(x), u.forward(x)];
    tl.manualSeed(11);
    const v = make();
    assertClose(v.forward(x), first[0], { atol: 0, rtol: 0 });
    assertClose(v.forward(x), first[1], { atol: 0, rtol: 0 });
  });
}

checkTransform("RandomHorizontalFlip", (seed) => new T.RandomHorizontalFlip({ p: 0.5, seed }), (img, flip) => (flip ? F.hflip(img) : img));
checkTransform("RandomVerticalFlip", (seed) => new T.RandomVerticalFlip({ p: 0.5, seed }), (img, flip) => (flip ? F.vflip(img) : img));
checkTransform("RandomRotation", (seed) => new T.RandomRotation([-40, 40], { interpolation: "bilinear", fill: [0.2, 0.4, 0.6], seed }),
  (img, angle) => F.rotate(img, angle, { interpolation: "bilinear", fill: [0.2, 0.4, 0.6] }));
checkTransform("RandomAffine", (seed) => new T.RandomAffine({ degrees: 30, translate: [0.2, 0.3], scale: [0.8, 1.2], shear: [-10, 10, -5, 5], fill: 0.5, seed }),
  (img, p) => F.affine(img, p, { fill: 0.5 }));
checkTransform("RandomResizedCrop", (seed) => new T.RandomResizedCrop([6, 7], { scale: [0.3, 1], seed }),
  (img, b) => F.resizedCrop(img, b.top, b.left, b.height, b.width, [6, 7]));
checkTransform("RandomCrop", (seed) => new T.RandomCrop([7, 9], { padding: [1, 2], paddingMode: "reflect", seed }),
  (img, c) => F.crop(F.pad(img, [1, 2], { paddingMode: "reflect" }), c.top, c.left, 7, 9));
checkTransform("ColorJitter", (seed) => new T.ColorJitter({ brightness: 0.5, contrast: 0.5, saturation: [0.2, 1.8], hue: 0.3, seed }), (img, p) => {
  const fns = [F.adjustBrightness, F.adjustContrast, F.adjustSaturation, F.adjustHue];
  const factors = [p.brightness, p.contrast, p.saturation, p.hue];
  return p.order.reduce((y, k) => fns[k](y, factors[k] as number), img);
}, 5e-5);
checkTransform("RandomGrayscale", (seed) => new T.RandomGrayscale({ p: 0.5, seed }), (img, g) => (g ? F.rgbToGrayscale(img, 3) : img));
checkTransform("RandomErasing", (seed) => new T.RandomErasing({ p: 0.7, value: [0.1, 0.2, 0.3], seed }),
  (img, p) => (p === null ? img : F.erase(img, p.i, p.j, p.h, p.w, [0.1, 0.2, 0.3])));
checkTransform("RandomErasing random values", (seed) => new T.RandomErasing({ p: 0.9, value: "random", seed }),
  (img, p) => (p === null ? img : F.erase(img, p.i, p.j, p.h, p.w, tl.tensor(p.values as Float32Array, { shape: [3, p.h, p.w] }))));

test("GaussianNoise: seeded, reproducible, and the noise has the requested mean and std", () => {
  const x = tl.full([4, 3, 20, 20], 0.5);
  const a = new T.GaussianNoise({ mean: 0.1, std: 0.2, clip: false, seed: 3 }).forward(x);
  assertClose(a, new T.GaussianNoise({ mean: 0.1, std: 0.2, clip: false, seed: 3 }).forward(x), { atol: 0, rtol: 0 });
  const noise = Array.from(a.sub(x).dataSync());
  const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
  const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length);
  assert.ok(Math.abs(mean - 0.1) < 0.02 && Math.abs(std - 0.2) < 0.02, `noise mean ${mean}, std ${std}`);
  const clipped = new T.GaussianNoise({ std: 1, seed: 3 }).forward(x).dataSync();
  assert.ok(Array.from(clipped).every((v) => v >= 0 && v <= 1) && Array.from(clipped).some((v) => v === 0 || v === 1));
  const t = new T.GaussianNoise({ std: 0.3, seed: 9 });
  const twin = new T.GaussianNoise({ std: 0.3, seed: 9 });
  assertClose(t.forward(x), twin.applyParams(x, twin.sampleParams(x)), { atol: 0, rtol: 0 });
});

/** Parameters sampled for a batch of `n` blank images of size h × w. */
function sampleMany<P>(t: Sampled<P>, n: number, h = 8, w = 10): P[] {
  return t.sampleParams(tl.zeros([n, 3, h, w]));
}

const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const varOf = (v: number[]): number => meanOf(v.map((x) => (x - meanOf(v)) ** 2));

test("sampling: flips with probability p, per image", () => {
  const flips = sampleMany(new T.RandomHorizontalFlip({ p: 0.3, seed: 1 }), 4000);
  const rate = flips.filter(Boolean).length / flips.length;
  assert.ok(Math.abs(rate - 0.3) < 3 * Math.sqrt(0.3 * 0.7 / 4000), `flip rate ${rate}`);
  assert.equal(sampleMany(new T.RandomVerticalFlip({ p: 0, seed: 1 }), 500).filter(Boolean).length, 0);
  assert.equal(sampleMany(new T.RandomVerticalFlip(1), 500).filter(Boolean).length, 500);
});

test("sampling: rotation angles are uniform over the range", () => {
  const angles = sampleMany(new T.RandomRotation([-30, 50], { seed: 2 }), 4000);
  assert.ok(angles.every((a) => a >= -30 && a < 50));
  assert.ok(Math.abs(meanOf(angles) - 10) < 1.5, `mean ${meanOf(angles)}`);
  assert.ok(Math.abs(varOf(angles) - 80 ** 2 / 12) < 40, `variance ${varOf(angles)}`);
  const sym = sampleMany(new T.RandomRotation(10, { seed: 2 }), 1000);
  assert.ok(sym.every((a) => a >= -10 && a < 10) && sym.some((a) => a < -9) && sym.some((a) => a > 9));
});

test("sampling: affine translations are whole pixels within ±fraction·size; scale and shear within their ranges", () => {
  const params = sampleMany(new T.RandomAffine({ degrees: [5, 6], translate: [0.25, 0.5], scale: [0.5, 0.7], shear: [1, 2, 3, 4], seed: 3 }), 3000, 8, 10);
  for (const p of params) {
    assert.ok(p.angle >= 5 && p.angle < 6 && p.scale >= 0.5 && p.scale < 0.7);
    const [tx, ty] = p.translate;
    assert.ok(Number.isInteger(tx) && Math.abs(tx) <= 2.5 && Number.isInteger(ty) && Math.abs(ty) <= 4, `translate ${tx}, ${ty}`);
    const [sx, sy] = p.shear as number[];
    assert.ok(sx >= 1 && sx < 2 && sy >= 3 && sy < 4);
  }
  // dx ~ round(U(-2.5, 2.5)): the five values -2..2 with 1/5 each (±2 also get the half-pixel tails).
  const counts = [-2, -1, 0, 1, 2].map((v) => params.filter((p) => p.translate[0] === v).length / params.length);
  counts.forEach((c) => assert.ok(Math.abs(c - 0.2) < 0.04, `translate distribution ${counts}`));
  const plain = sampleMany(new T.RandomAffine({ seed: 3 }), 10);
  assert.deepEqual(plain[0], { angle: 0, translate: [0, 0], scale: 1, shear: [0, 0] });
});

test("sampling: RandomResizedCrop windows fit, cover the scale range, follow the log-uniform ratio, and fall back centrally", () => {
  const [h, w] = [40, 50];
  const boxes = sampleMany(new T.RandomResizedCrop(8, { scale: [0.2, 0.6], ratio: [0.5, 2], seed: 4 }), 3000, h, w);
  for (const b of boxes) {
    assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.height <= h && b.left + b.width <= w, JSON.stringify(b));
    const area = (b.height * b.width) / (h * w);
    assert.ok(area > 0.17 && area < 0.65, `area fraction ${area}`);
    const ratio = b.width / b.height;
    assert.ok(ratio > 0.45 && ratio < 2.2, `ratio ${ratio}`);
  }
  const logRatios = boxes.map((b) => Math.log(b.width / b.height));
  assert.ok(Math.abs(meanOf(logRatios)) < 0.05, `log-ratio mean ${meanOf(logRatios)} (log-uniform over a symmetric range)`);
  assert.ok(new Set(boxes.map((b) => b.top)).size > 10 && new Set(boxes.map((b) => b.left)).size > 10);
  // No window of 2–3× the image fits in ten tries: the fallback takes the whole image, or trims it to the ratio range.
  assert.deepEqual(sampleMany(new T.RandomResizedCrop(8, { scale: [2, 3], seed: 4 }), 3, 8, 10)[0], { top: 0, left: 0, height: 8, width: 10 });
  assert.deepEqual(sampleMany(new T.RandomResizedCrop(8, { scale: [2, 3], ratio: [0.5, 1], seed: 4 }), 1, 8, 20)[0], { top: 0, left: 6, height: 8, width: 8 });
  assert.deepEqual(sampleMany(new T.RandomResizedCrop(8, { scale: [2, 3], ratio: [1, 2], seed: 4 }), 1, 20, 8)[0], { top: 6, left: 0, height: 8, width: 8 });
});

test("sampling: RandomCrop corners are uniform over the padded image; an exact fit draws nothing", () => {
  const corners = sampleMany(new T.RandomCrop([5, 6], { padding: 1, seed: 5 }), 3000, 8, 10);
  const tops = corners.map((c) => c.top);
  const lefts = corners.map((c) => c.left);
  assert.deepEqual([...new Set(tops)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...new Set(lefts)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(Math.abs(meanOf(tops) - 2.5) < 0.15 && Math.abs(meanOf(lefts) - 3) < 0.15);
  assert.deepEqual(sampleMany(new T.RandomCrop([8, 10], { seed: 5 }), 2, 8, 10), [{ top: 0, left: 0 }, { top: 0, left: 0 }]);
  const needs = new T.RandomCrop([10, 14], { padIfNeeded: true, fill: 0.5, seed: 5 }).forward(image());
  assert.deepEqual(needs.shape, [3, 10, 14]);
});

test("sampling: ColorJitter orders cover all 24 permutations evenly; factors lie in torchvision's ranges", () => {
  const params = sampleMany(new T.ColorJitter({ brightness: 0.4, contrast: [0.5, 0.6], saturation: 2, hue: 0.1, seed: 6 }), 4800);
  const counts = new Map<string, number>();
  for (const p of params) counts.set(p.order.join(""), (counts.get(p.order.join("")) ?? 0) + 1);
  assert.equal(counts.size, 24);
  for (const c of counts.values()) assert.ok(Math.abs(c - 200) < 60, `permutation count ${c}`);
  for (const p of params) {
    assert.ok((p.brightness as number) >= 0.6 && (p.brightness as number) < 1.4);
    assert.ok((p.contrast as number) >= 0.5 && (p.contrast as number) < 0.6);
    assert.ok((p.saturation as number) >= 0 && (p.saturation as number) < 3); // 1 − 2 clips at 0
    assert.ok((p.hue as number) >= -0.1 && (p.hue as number) < 0.1);
  }
  const off = sampleMany(new T.ColorJitter({ brightness: 0, hue: [0, 0], seed: 1 }), 1)[0];
  assert.deepEqual([off.brightness, off.contrast, off.saturation, off.hue], [null, null, null, null]);
  const x = batch();
  assertClose(new T.ColorJitter({ seed: 1 }).forward(x), x, { atol: 0, rtol: 0 });
});

test("sampling: RandomErasing erases with probability p a rectangle within the scale and ratio ranges", () => {
  const params = sampleMany(new T.RandomErasing({ p: 0.6, scale: [0.1, 0.3], ratio: [0.5, 2], seed: 7 }), 3000, 40, 50);
  const erased = params.filter((p) => p !== null);
  assert.ok(Math.abs(erased.length / params.length - 0.6) < 0.04, `erase rate ${erased.length / params.length}`);
  for (const p of erased) {
    if (p === null) continue;
    assert.ok(p.i >= 0 && p.j >= 0 && p.i + p.h <= 40 && p.j + p.w <= 50);
    const area = (p.h * p.w) / 2000;
    assert.ok(area > 0.08 && area < 0.33, `area ${area}`);
    assert.ok(p.h / p.w > 0.4 && p.h / p.w < 2.4, `ratio ${p.h / p.w}`);
  }
  // A rectangle that can never fit leaves the image alone, as torchvision does.
  const never = new T.RandomErasing({ p: 1, scale: [0.99, 1], ratio: [1, 1], seed: 7 });
  assert.deepEqual(sampleMany(never, 3), [null, null, null]);
});

test("RandomApply, RandomChoice and RandomOrder decide per image and run each choice once on its group", () => {
  const x = tl.stack(Array.from({ length: 6 }, (_, i) => tl.full([1, 2, 2], i)));
  let calls = 0;
  const double = new T.Lambda((t: tl.Tensor) => (calls++, t.mul(2)));
  const plusOne = new T.Lambda((t: tl.Tensor) => (calls++, t.add(1)));
  const apply = new T.RandomApply([double], { p: 0.5, seed: 3 });
  const on = new T.RandomApply([double], { p: 0.5, seed: 3 }).sampleParams(x);
  calls = 0;
  const applied = apply.forward(x);
  assert.ok(calls <= 1, "one call for the group that applies");
  on.forEach((o, i) => assert.equal(applied.select(0, i).dataSync()[0], o ? 2 * i : i));

  const choice = new T.RandomChoice([double, plusOne], { p: [1, 3], seed: 4 });
  const picks = new T.RandomChoice([double, plusOne], { p: [1, 3], seed: 4 }).sampleParams(x);
  const chosen = choice.forward(x);
  picks.forEach((k, i) => assert.equal(chosen.select(0, i).dataSync()[0], k === 0 ? 2 * i : i + 1));
  const many = new T.RandomChoice([double, plusOne], { p: [1, 3], seed: 4 }).sampleParams(tl.zeros([4000, 1, 1, 1]));
  const share = many.filter((k) => k === 1).length / many.length;
  assert.ok(Math.abs(share - 0.75) < 0.03, `weighted choice ${share}`);

  const order = new T.RandomOrder([double, plusOne], { seed: 5 });
  const orders = new T.RandomOrder([double, plusOne], { seed: 5 }).sampleParams(x);
  const ordered = order.forward(x);
  orders.forEach((o, i) => assert.equal(ordered.select(0, i).dataSync()[0], o[0] === 0 ? 2 * i + 1 : 2 * (i + 1)));
  assert.ok(new Set(orders.map((o) => o.join())).size === 2, "both orders occur in six images");
});

test("random transforms reject bad options and bad inputs with clear errors", () => {
  assert.throws(() => new T.RandomHorizontalFlip({ p: 2 }), /\[RandomHorizontalFlip\] p must be a probability/);
  assert.throws(() => new T.RandomRotation(-5), /\[RandomRotation\] degrees as a single number must be ≥ 0/);
  assert.throws(() => new T.RandomRotation([10, 5]), /degrees must be a number or \[min, max\]/);
  assert.throws(() => new T.RandomAffine({ translate: [0.5, 2] }), /\[RandomAffine\] translate must be \[a, b\] with fractions in \[0, 1\]/);
  assert.throws(() => new T.RandomAffine({ scale: [0, 1] }), /scale must be \[min, max\] with 0 < min/);
  assert.throws(() => new T.RandomAffine({ shear: [1, 2, 3] }), /shear must be a number, \[min, max\] or \[xmin, xmax, ymin, ymax\]/);
  assert.throws(() => new T.RandomResizedCrop(8, { ratio: [0, 1] }), /\[RandomResizedCrop\] ratio must be \[min, max\] with 0 < min/);
  assert.throws(() => new T.RandomCrop(20).forward(image()), /\[RandomCrop\] crop size 20×20 is larger than the 8×10 \(padded\) image/);
  assert.throws(() => new T.ColorJitter({ hue: 0.7 }), /\[ColorJitter\] hue range \[-0.7, 0.7\] leaves \[-0.5, 0.5\]/);
  assert.throws(() => new T.ColorJitter({ brightness: -1 }), /brightness as a single number must be ≥ 0/);
  assert.throws(() => new T.RandomErasing({ value: "noise" as "random" }), /\[RandomErasing\] value must be a number, one number per channel, or "random"/);
  assert.throws(() => new T.RandomErasing({ p: 1, value: [1, 2] }).forward(image()), /value must hold one number or one per channel \(3\)/);
  assert.throws(() => new T.GaussianNoise({ std: -1 }), /\[GaussianNoise\] std must be a number ≥ 0/);
  assert.throws(() => new T.RandomChoice([]), /\[RandomChoice\] needs at least one transform/);
  assert.throws(() => new T.RandomChoice([(t: tl.Tensor) => t], { p: [1, 2] }), /one non-negative weight per transform \(1\)/);
  assert.throws(() => new T.RandomRotation(5, { seed: 1.5 }), /seed must be a whole number/);
  assert.throws(() => new T.RandomRotation(5).forward(tl.zeros([8, 10])), /\[RandomRotation\] expects an image \[C, H, W\] or a batch/);
  assert.throws(() => new T.RandomRotation(90, { expand: true, seed: 1 }).forward(batch()), /expand gives the images of this batch different sizes/);
});
