/**
 * tl.data.transforms.functional against torchvision 0.14 (fixtures from tools/fixtures/transforms.py) on a
 * 3×8×10 image, single and batched, plus the argument errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import { fixture, fromFlat, image, type Flat } from "./transforms-fixture.js";

const F = tl.data.transforms.functional;
type Args = never[];

/** Calls the Tensile function a fixture case names, with the case's arguments. */
function call(fn: string, x: tl.Tensor, args: unknown[]): tl.Tensor {
  if (fn.endsWith("@gray")) return call(fn.slice(0, -5), F.rgbToGrayscale(x), args);
  const f = (F as unknown as Record<string, (x: tl.Tensor, ...a: Args) => tl.Tensor>)[fn];
  assert.equal(typeof f, "function", `no functional ${fn}`);
  return f(x, ...(args as Args));
}

/** Nearest warps can flip a pixel where a sampling point sits on a rounding tie; everything else is tight. */
function tolerance(name: string): { atol: number; rtol: number } {
  return { atol: 2e-5, rtol: 1e-5, ...(name.startsWith("adjustHue") ? { atol: 5e-5 } : {}) };
}

for (const c of fixture.cases) {
  test(`functional ${c.name} equals torchvision`, () => {
    assertClose(call(c.fn, image(), c.args), fromFlat(c.out), { ...tolerance(c.name), message: c.name });
  });
}

test("functional ops on a batch equal the per-image results (same parameters, one call)", () => {
  const batch = tl.stack([image(), image()]);
  for (const c of fixture.cases) {
    if (c.fn.includes("@")) continue;
    const expected = fromFlat(c.out);
    const out = call(c.fn, batch, c.args);
    assertClose(out, tl.stack([expected, expected]), { ...tolerance(c.name), message: `batched ${c.name}` });
  }
});

/** The fixture case named `name`. */
const named = (name: string): { args: unknown[]; out: Flat } => {
  const c = fixture.cases.find((k) => k.name === name);
  assert.ok(c, `fixture case ${name}`);
  return c;
};

test("per-image parameters: each image of a batch gets its own factor, angle or affine", () => {
  const batch = tl.stack([image(), image()]);
  const pairs: [string, string, (x: tl.Tensor, a: unknown, b: unknown) => tl.Tensor][] = [
    ["adjustBrightness 0.6", "adjustBrightness 1.5", (x, a, b) => F.adjustBrightness(x, [a, b] as number[])],
    ["adjustContrast 0.6", "adjustContrast 1.8", (x, a, b) => F.adjustContrast(x, [a, b] as number[])],
    ["adjustSaturation 0.3", "adjustSaturation 2.0", (x, a, b) => F.adjustSaturation(x, [a, b] as number[])],
    ["adjustHue 0.2", "adjustHue -0.35", (x, a, b) => F.adjustHue(x, [a, b] as number[])],
  ];
  for (const [first, second, fn] of pairs) {
    const out = fn(batch, named(first).args[0], named(second).args[0]);
    assertClose(out, tl.stack([fromFlat(named(first).out), fromFlat(named(second).out)]), { atol: 5e-5, rtol: 1e-5, message: `${first} / ${second}` });
  }
  const r1 = named("rotate 30 {'interpolation': 'bilinear'}");
  const r2 = fixture.cases.find((k) => k.fn === "rotate" && k.args[0] === -75);
  assert.ok(r2);
  const rotated = F.rotate(batch, [30, -75], { interpolation: "bilinear" });
  assertClose(tl.select(rotated, 0, 0), fromFlat(r1.out), { atol: 2e-5, rtol: 1e-5 });
  const a1 = fixture.cases.filter((k) => k.fn === "affine" && (k.args[1] as { interpolation: string }).interpolation === "bilinear" &&
    (k.args[1] as { fill?: unknown }).fill === undefined);
  assert.ok(a1.length > 0);
  const params = a1[0].args[0] as tl.data.transforms.functional.AffineParams;
  const id = { angle: 0, translate: [0, 0], scale: 1, shear: [0, 0] };
  const warped = F.affine(batch, [id, params], { interpolation: "bilinear" });
  assertClose(tl.select(warped, 0, 1), fromFlat(a1[0].out), { atol: 2e-5, rtol: 1e-5 });
  assertClose(tl.select(warped, 0, 0), image(), { atol: 1e-6, rtol: 1e-6, message: "identity affine" });
});

test("resizedCropBatch equals resizedCrop image by image", () => {
  const batch = tl.stack([image(), image(), image()]);
  const boxes = [{ top: 1, left: 2, height: 5, width: 6 }, { top: 0, left: 3, height: 8, width: 4 }, { top: 2, left: 0, height: 3, width: 10 }];
  for (const options of [{ antialias: true }, { antialias: false }, { interpolation: "nearest" as const }]) {
    for (const size of [[8, 8], [3, 4], [7, 9]]) {
      const out = F.resizedCropBatch(batch, boxes, size, options);
      boxes.forEach((b, k) => assertClose(tl.select(out, 0, k), F.resizedCrop(image(), b.top, b.left, b.height, b.width, size, options),
        { atol: 2e-6, rtol: 1e-5, message: `box ${k} ${JSON.stringify(options)} ${size}` }));
    }
  }
  // And the torchvision fixture directly.
  const c = named("resizedCrop [8, 8] {'antialias': True}");
  assertClose(tl.select(F.resizedCropBatch(batch, [boxes[0], boxes[0], boxes[0]], [8, 8], { antialias: true }), 0, 2), fromFlat(c.out), { atol: 2e-5, rtol: 1e-5 });
});

test("toTensor: HWC bytes to CHW floats / 255, like to_tensor", () => {
  const t = fixture.toTensor;
  const out = F.toTensor({ data: Uint8Array.from(t.bytes), shape: t.shape });
  assert.equal(out.dtype, "float32");
  assertClose(out, fromFlat(t.out), { atol: 1e-7, rtol: 0 });
  const [h, w, c] = t.shape;
  const sharpLike = F.toTensor({ data: Uint8Array.from(t.bytes), info: { width: w, height: h, channels: c } });
  assertClose(sharpLike, out, { atol: 0, rtol: 0 });
  const batch = F.toTensor({ data: Uint8Array.from([...t.bytes, ...t.bytes]), shape: [2, h, w, c] });
  assertClose(batch, tl.stack([out, out]), { atol: 0, rtol: 0 });
  assert.deepEqual(F.toTensor({ data: Uint8Array.from([0, 255, 51, 102]), shape: [2, 2] }).toArray(), [[[0, 1], [0.2, 0.4]]].map((p) => p.map((r) => r.map(Math.fround))));
});

test("resize picks torchvision's sizes: shorter side, maxSize, same size returns the input", () => {
  assert.deepEqual(F.resizedSize(8, 10, 5), [5, 6]);
  assert.deepEqual(F.resizedSize(10, 8, 5), [6, 5]);
  assert.deepEqual(F.resizedSize(8, 10, [5]), [5, 6]);
  assert.deepEqual(F.resizedSize(8, 10, [4, 7]), [4, 7]);
  assert.deepEqual(F.resizedSize(8, 20, 4, 6), [2, 6]); // 4×10 capped: int(6 · 4 / 10) = 2
  const x = image();
  assert.equal(F.resize(x, [8, 10]), x);
});

test("functional errors name the function and the argument", () => {
  const x = image();
  assert.throws(() => F.normalize(x, [0.5, 0.5], [1, 1, 1]), /\[normalize\] mean must hold 1 or 3/);
  assert.throws(() => F.normalize(x, [0.5], [0]), /\[normalize\] std must not contain zeros/);
  assert.throws(() => F.normalize(tl.zeros([8, 10]), [0], [1]), /\[normalize\] expects an image \[C, H, W\]/);
  assert.throws(() => F.normalize(tl.zeros([3, 8, 10], { dtype: "int32" }), [0], [1]), /float image/);
  assert.throws(() => F.resize(x, [0, 3]), /\[resize\] size must be/);
  assert.throws(() => F.resize(x, [4, 4], { maxSize: 9 }), /maxSize only applies/);
  assert.throws(() => F.resize(x, 5, { interpolation: "nearest", antialias: true }), /antialias only applies to bilinear/);
  assert.throws(() => F.resize(x, 5, { interpolation: "bicubic" as "nearest" }), /interpolation must be/);
  assert.throws(() => F.centerCrop(x, [2, 0]), /\[centerCrop\] size must be/);
  assert.throws(() => F.crop(x, 0.5, 0, 2, 2), /\[crop\] top must be a whole number/);
  assert.throws(() => F.pad(x, [1, 2, 3]), /\[pad\] padding must be/);
  assert.throws(() => F.pad(x, 1, { paddingMode: "wrap" as "edge" }), /paddingMode must be/);
  assert.throws(() => F.pad(x, -1, { paddingMode: "reflect" }), /must not be negative/);
  assert.throws(() => F.rgbToGrayscale(tl.zeros([2, 4, 4])), /\[rgbToGrayscale\] expects 1 or 3 channels/);
  assert.throws(() => F.adjustBrightness(x, -1), /\[adjustBrightness\] brightness factor -1 is out of range/);
  assert.throws(() => F.adjustHue(x, 0.7), /\[adjustHue\] hue factor 0.7 is out of range/);
  assert.throws(() => F.adjustContrast(tl.stack([x, x]), [1, 2, 3]), /one number per image \(2\)/);
  assert.throws(() => F.rotate(x, 10, { fill: [1, 2] }), /fill must be one number or one per channel \(3\)/);
  assert.throws(() => F.rotate(tl.stack([x, x]), [10, 50], { expand: true }), /expand gives the images of this batch different sizes/);
  assert.throws(() => F.affine(x, { angle: 0, translate: [0], scale: 1, shear: 0 }), /translate \[dx, dy\]/);
  assert.throws(() => F.affine(x, { angle: 0, translate: [0, 0], scale: 0, shear: 0 }), /scale > 0/);
  assert.throws(() => F.erase(x, 6, 0, 3, 2, 0), /\[erase\] region \(6, 0\) of size 3×2 must lie inside the 8×10 image/);
  assert.throws(() => F.resizedCropBatch(tl.stack([x, x]), [{ top: 0, left: 0, height: 9, width: 2 }, { top: 0, left: 0, height: 2, width: 2 }], 4),
    /box 0 .* must be whole numbers lying inside the 8×10 image/);
  assert.throws(() => F.toTensor({ data: new Uint8Array(5), shape: [2, 2] }), /\[toTensor\] shape \[2,2\] holds 4 bytes but data has 5/);
  assert.throws(() => F.toTensor(x as never), /expects \{ data: Uint8Array/);
});

test("crop pads with zeros where the window leaves the image, and returns zeros wholly outside", () => {
  const x = tl.arange(1, 7).reshape([1, 2, 3]).float();
  assert.deepEqual(F.crop(x, -1, 1, 2, 3).toArray(), [[[0, 0, 0], [2, 3, 0]]]);
  assert.deepEqual(F.crop(x, 5, 5, 1, 2).toArray(), [[[0, 0]]]);
});
