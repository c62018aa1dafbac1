/**
 * The preprocessing classes against torchvision fixtures, and the plain specs that rebuild a pipeline
 * elsewhere: JSON round trips of every built-in transform, reseeding for workers, a real worker thread, and
 * the errors for what cannot be sent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import { fixture, fromFlat, image } from "./transforms-fixture.js";

const T = tl.data.transforms;

const expectedOf = (name: string): tl.Tensor => {
  const c = fixture.cases.find((k) => k.name === name);
  assert.ok(c, `fixture case ${name}`);
  return fromFlat(c.out);
};

test("preprocessing classes equal torchvision (Normalize, Resize, CenterCrop, Grayscale, Pad, ToTensor)", () => {
  const x = image();
  const tol = { atol: 2e-5, rtol: 1e-5 };
  assertClose(new T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).forward(x), expectedOf("normalize"), tol);
  assertClose(new T.Resize(5, { antialias: false }).forward(x), expectedOf("resize 5 bilinear"), tol);
  assertClose(new T.Resize([5, 7]).forward(x), expectedOf("resize [5, 7] bilinear antialias"), tol);
  assertClose(new T.Resize([12, 6], { interpolation: "nearest" }).forward(x), expectedOf("resize [12, 6] nearest"), tol);
  assertClose(new T.CenterCrop([5, 5]).forward(x), expectedOf("centerCrop [5, 5]"), tol);
  assertClose(new T.CenterCrop(7).forward(x), expectedOf("centerCrop 7"), tol);
  assertClose(new T.Grayscale({ numOutputChannels: 3 }).forward(x), expectedOf("rgbToGrayscale 3"), tol);
  assertClose(new T.Grayscale().forward(x), expectedOf("rgbToGrayscale 1"), tol);
  assertClose(new T.Pad([2, 1, 3, 0], { paddingMode: "symmetric" }).forward(x), expectedOf("pad [2, 1, 3, 0] {'paddingMode': 'symmetric'}"), tol);
  const bytes = fixture.toTensor;
  assertClose(new T.ToTensor().forward({ data: Uint8Array.from(bytes.bytes), shape: bytes.shape }), fromFlat(bytes.out), { atol: 1e-7, rtol: 0 });
  const pipeline = new T.Compose<tl.data.transforms.functional.ImageBytes, tl.Tensor>([new T.ToTensor(), new T.Normalize(0.5, 0.5)]);
  assertClose(pipeline.forward({ data: Uint8Array.from(bytes.bytes), shape: bytes.shape }), fromFlat(bytes.out).sub(0.5).div(0.5), { atol: 1e-6, rtol: 0 });
});

/** One of every built-in transform, seeded, in a pipeline over float images. */
function everything(seed: number): tl.data.transforms.Compose {
  return new T.Compose([
    new T.RandomApply([new T.ColorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.05, seed: seed + 1 })], { p: 0.8, seed: seed + 2 }),
    new T.RandomGrayscale({ p: 0.2, seed: seed + 3 }),
    new T.RandomChoice([new T.RandomRotation(20, { interpolation: "bilinear", fill: [0.1, 0.2, 0.3], seed: seed + 4 }),
      new T.RandomAffine({ degrees: 5, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5, seed: seed + 5 })], { p: [1, 2], seed: seed + 6 }),
    new T.RandomOrder([new T.RandomHorizontalFlip({ seed: seed + 7 }), new T.RandomVerticalFlip({ p: 0.3, seed: seed + 8 })], { seed: seed + 9 }),
    new T.Pad([1, 2], { paddingMode: "edge" }),
    new T.RandomCrop([8, 10], { padding: 1, fill: 0.5, seed: seed + 10 }),
    new T.RandomResizedCrop([7, 9], { scale: [0.5, 1], antialias: false, seed: seed + 11 }),
    new T.Resize([8, 8]),
    new T.CenterCrop(6),
    new T.GaussianNoise({ std: 0.05, seed: seed + 12 }),
    new T.Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3]),
    new T.RandomErasing({ p: 0.5, value: "random", seed: seed + 13 }),
    new T.Grayscale({ numOutputChannels: 1 }),
  ]);
}

test("every built-in transform survives a JSON round trip of its spec and replays the same outputs", () => {
  const x = tl.stack([image(), image().flip(-1), image().flip(-2), image().mul(0.5)]);
  const original = everything(100);
  const spec = JSON.parse(JSON.stringify(original.toSpec())) as tl.data.transforms.TransformSpec;
  structuredClone(original.toSpec()); // what postMessage does: throws on functions or class instances
  const rebuilt = T.transformFromSpec(spec);
  const fresh = everything(100);
  for (let call = 0; call < 3; call++) {
    const expected = fresh.forward(x);
    assertClose(rebuilt.forward(x), expected, { atol: 0, rtol: 0, message: `call ${call}` });
  }
  assert.deepEqual(JSON.parse(JSON.stringify(rebuilt.toSpec())), spec, "the rebuilt pipeline has the same spec");
  const names = JSON.stringify(spec).match(/"name":"(\w+)"/g)?.map((m) => m.slice(8, -1)) ?? [];
  for (const name of ["Compose", "RandomApply", "ColorJitter", "RandomGrayscale", "RandomChoice", "RandomRotation", "RandomAffine", "RandomOrder",
    "RandomHorizontalFlip", "RandomVerticalFlip", "Pad", "RandomCrop", "RandomResizedCrop", "Resize", "CenterCrop", "GaussianNoise", "Normalize",
    "RandomErasing", "Grayscale"]) assert.ok(names.includes(name), `spec covers ${name}`);
  assert.deepEqual(T.transformFromSpec(new T.ToTensor().toSpec()).toSpec(), { name: "ToTensor", args: [] });
});

test("reseed gives each random transform its own seed from the worker's number: reproducible, different per worker", () => {
  const x = tl.stack([image(), image()]);
  const spec = everything(0).toSpec();
  const run = (reseed: number): string => Array.from(T.transformFromSpec(spec, { reseed }).forward(x).dataSync()).join(",");
  assert.equal(run(1), run(1));
  assert.notEqual(run(1), run(2));
  const seeds = (JSON.stringify(T.transformFromSpec(spec, { reseed: 1 }).toSpec()).match(/"seed":(\d+)/g) ?? []);
  assert.equal(seeds.length, 13);
  assert.equal(new Set(seeds).size, 13, "every random transform gets a distinct seed");
  // Unseeded transforms get seeds too, so a worker never depends on its global generator.
  const unseeded = new T.Compose([new T.RandomHorizontalFlip(), new T.RandomRotation(10)]).toSpec();
  assert.equal((JSON.stringify(T.transformFromSpec(unseeded, { reseed: 3 }).toSpec()).match(/"seed":\d+/g) ?? []).length, 2);
});

test("a pipeline rebuilt from its spec in a worker thread gives the same output", async () => {
  const x = image();
  const pipeline = everything(7);
  const spec = pipeline.toSpec();
  const expected = pipeline.forward(x);
  // A worker runs JavaScript: register tsx first, then import the TypeScript entry.
  const entry = new URL("./transforms-spec-worker.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(code, { eval: true, env: { ...process.env, TENSILE_BACKEND: "js" } });
  try {
    const reply = await new Promise<{ data: Float32Array; shape: number[] }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.postMessage({ spec, data: x.dataSync(), shape: x.shape });
    });
    // The worker runs the js backend (as DataLoader workers do); the main thread may run native.
    assertClose(tl.tensor(reply.data, { shape: reply.shape }), expected, { atol: 1e-5, rtol: 1e-5 });
  } finally {
    await worker.terminate();
  }
});

test("what cannot be sent says so; unknown specs and duplicate registrations are errors", () => {
  assert.throws(() => new T.Lambda((t: tl.Tensor) => t).toSpec(), /\[Lambda\] its function is a plain function, which cannot be rebuilt in a worker/);
  assert.throws(() => new T.Compose([new T.Resize(4), (t: tl.Tensor) => t]).toSpec(), /\[Compose\] transforms\[1\] is a plain function/);
  assert.throws(() => T.transformFromSpec({ name: "Sharpen", args: [] }), /\[transformFromSpec\] unknown transform "Sharpen"; registered transforms are .*RandomAffine/);
  assert.throws(() => T.transformFromSpec({ name: "Resize" } as never), /expected a spec \{ name, args \}/);
  assert.throws(() => T.registerTransform("Resize", () => new T.Resize(2)), /\[registerTransform\] a transform named "Resize" is already registered/);
  T.registerTransform("TestTimesTwo", () => new T.Lambda((t: tl.Tensor) => t.mul(2)));
  assert.deepEqual(T.transformFromSpec({ name: "TestTimesTwo", args: [] }).forward(tl.tensor([1, 2])).toArray(), [2, 4]);
  assert.throws(() => new T.Compose([42 as never]), /\[Compose\] transforms\[0\] is not a transform/);
  assert.throws(() => new T.Normalize([0.5, 0.5], [0.2, 0.2, 0.2]), /\[Normalize\] mean and std need matching lengths/);
  assert.throws(() => new T.Normalize([0.5], [0]), /std must hold non-zero numbers/);
  assert.throws(() => new T.Resize(0), /\[resize\] size must be/);
  assert.throws(() => new T.Grayscale({ numOutputChannels: 2 as 1 }), /\[Grayscale\] numOutputChannels must be 1 or 3/);
  assert.throws(() => new T.Pad([1, 2, 3]), /\[Pad\] padding must be/);
});
