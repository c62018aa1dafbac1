import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as tl from "../../src/index.js";
import { globalGenerator } from "../../src/core/rng.js";
import {
  decodeCheckpoint, loadCheckpoint, loadCheckpointSync, loadWithMetadataSync, saveCheckpoint, saveCheckpointSync,
  saveSync, serialize,
} from "../../src/io/index.js";

const dir = mkdtempSync(join(tmpdir(), "tensile-checkpoint-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function values(t: unknown): number[] {
  assert.ok(t instanceof tl.Tensor, `expected a Tensor, got ${String(t)}`);
  return [...t.dataSync()];
}

/** What a training loop would save: a model, an Adam-like optimizer, a scheduler, and odds and ends. */
function trainingState() {
  return {
    model: { "fc.weight": tl.tensor([[0.5, -1], [2, 3]]), "fc.bias": tl.tensor([0.25, -0.75]) },
    optimizer: {
      state: { 0: { step: 3, expAvg: tl.tensor([[1, 2], [3, 4]]), expAvgSq: tl.tensor([[5, 6], [7, 8]]) }, 1: { step: 3, expAvg: tl.tensor([9, 10]) } },
      paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999], weightDecay: 0, amsgrad: false, params: [0, 1] }],
    },
    scheduler: { lastEpoch: 3, baseLrs: [1e-3], tMax: 10 },
    epoch: 3,
    bestLoss: Infinity,
    history: { loss: [0.9, NaN, 0.5], note: "ünïcode ✓", done: false, nothing: null, missing: undefined },
    counts: new Map<string | number, unknown>([["seen", 12], [7, tl.tensor([1, 0, 1], { dtype: "int32" })]]),
    big: 12345678901234567890n,
    $weird: { $tensor: "not a reference", $number: "NaN" },
  };
}

describe("checkpoints", () => {
  test("round trip of nested tensors and plain values (async)", async () => {
    const path = join(dir, "ckpt.safetensors");
    const state = trainingState();
    await saveCheckpoint(path, state);
    const back = await loadCheckpoint(path);
    assert.deepEqual(values((back.model as Record<string, unknown>)["fc.weight"]), [0.5, -1, 2, 3]);
    assert.deepEqual([...((back.model as Record<string, tl.Tensor>)["fc.weight"]).shape], [2, 2]);
    const opt = back.optimizer as { state: Record<string, Record<string, unknown>>; paramGroups: unknown[] };
    assert.deepEqual(Object.keys(opt.state), ["0", "1"]);
    assert.equal(opt.state["0"].step, 3);
    assert.deepEqual(values(opt.state["0"].expAvgSq), [5, 6, 7, 8]);
    assert.deepEqual(values(opt.state["1"].expAvg), [9, 10]);
    assert.deepEqual(opt.paramGroups, state.optimizer.paramGroups);
    assert.deepEqual(back.scheduler, state.scheduler);
    assert.equal(back.epoch, 3);
    assert.equal(back.bestLoss, Infinity);
    assert.deepEqual(back.history, state.history);
    assert.ok("missing" in (back.history as object), "undefined values keep their key");
    const counts = back.counts as Map<string | number, unknown>;
    assert.ok(counts instanceof Map);
    assert.deepEqual([...counts.keys()], ["seen", 7]);
    assert.equal(counts.get("seen"), 12);
    const c = counts.get(7) as tl.Tensor;
    assert.equal(c.dtype, "int32");
    assert.deepEqual(values(c), [1, 0, 1]);
    assert.equal(back.big, 12345678901234567890n);
    assert.deepEqual(back.$weird, { $tensor: "not a reference", $number: "NaN" });
  });

  test("tensors are stored under prefixed dotted keys, the rest as metadata, in a plain safetensors file", () => {
    const path = join(dir, "keys.safetensors");
    saveCheckpointSync(path, trainingState());
    const { tensors, metadata } = loadWithMetadataSync(path);
    assert.deepEqual(Object.keys(tensors).sort(), [
      "counts.7", "model.fc.bias", "model.fc.weight", "optimizer.state.0.expAvg", "optimizer.state.0.expAvgSq", "optimizer.state.1.expAvg",
    ]);
    assert.equal(metadata["tensile.checkpoint.version"], "1");
    // The top level has a "$weird" key, so it is wrapped to keep it apart from the encoding's own tags.
    const structure = (JSON.parse(metadata["tensile.checkpoint"]) as { $object: Record<string, unknown> }).$object;
    assert.equal(structure.epoch, 3);
    assert.deepEqual(structure.bestLoss, { $number: "Infinity" });
  });

  test("the global generator's state is saved, and restoreRng resumes the same random stream", () => {
    const path = join(dir, "rng.safetensors");
    tl.manualSeed(42);
    tl.rand([5]);
    const state = globalGenerator.getState();
    saveCheckpointSync(path, { epoch: 1 });
    const expected = values(tl.rand([4]));
    tl.rand([100]);
    const back = loadCheckpointSync(path, { restoreRng: true });
    assert.deepEqual(back.rng, state);
    assert.deepEqual(values(tl.rand([4])), expected);
    // Without restoreRng the generator is left alone.
    const now = globalGenerator.getState();
    loadCheckpointSync(path);
    assert.deepEqual(globalGenerator.getState(), now);
  });

  test("a tensor reached twice (tied weights) is stored once and comes back as one tensor", () => {
    const shared = tl.tensor([1, 2]);
    const path = join(dir, "tied.safetensors");
    saveCheckpointSync(path, { model: { "embed.weight": shared, "head.weight": shared } });
    assert.deepEqual(Object.keys(loadWithMetadataSync(path).tensors), ["model.embed.weight"]);
    const model = loadCheckpointSync(path).model as Record<string, tl.Tensor>;
    assert.equal(model["embed.weight"], model["head.weight"]);
  });

  test("refuses values it cannot restore, naming where they are", () => {
    const path = join(dir, "bad.safetensors");
    class Thing {}
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.throws(() => saveCheckpointSync(path, { model: { a: new Thing() } }), /\[checkpoint\] the value at "model.a" is a Thing; save its stateDict\(\)/);
    assert.throws(() => saveCheckpointSync(path, { f: () => 1 }), /the value at "f" is a function/);
    assert.throws(() => saveCheckpointSync(path, { loop }), /the value at "loop.self" contains itself/);
    assert.throws(() => saveCheckpointSync(path, { a: { "b.c": tl.ones([1]), b: { c: tl.ones([1]) } } }), /two tensors would be stored under the name "a.b.c"/);
    assert.throws(() => saveCheckpointSync(path, [tl.ones([1])] as unknown as Record<string, unknown>), /must be a plain object/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("bad")), [], "nothing was written");
  });

  test("a failed save keeps the previous checkpoint", async () => {
    const path = join(dir, "keep.safetensors");
    await saveCheckpoint(path, { epoch: 1, model: { w: tl.ones([2]) } });
    const before = readFileSync(path);
    const broken = tl.ones([2]);
    broken.dataSync = () => {
      throw new Error("backend failure");
    };
    await assert.rejects(saveCheckpoint(path, { epoch: 2, model: { w: broken } }), /backend failure/);
    assert.deepEqual(readFileSync(path), before);
    assert.equal((await loadCheckpoint(path)).epoch, 1);
  });

  test("loads reject files that are not checkpoints or whose structure and tensors disagree", async () => {
    const plain = join(dir, "plain.safetensors");
    saveSync({ w: tl.ones([1]) }, plain);
    await assert.rejects(loadCheckpoint(plain), /\[checkpoint\] .*plain\.safetensors is a safetensors file without Tensile checkpoint metadata; read plain state dicts with load\(\)/);
    const meta = (structure: string, version = "1") => ({ metadata: { "tensile.checkpoint": structure, "tensile.checkpoint.version": version } });
    assert.throws(() => decodeCheckpoint(serialize({}, meta('{"m":{"$tensor":"m.w"}}'))), /refers to tensor "m.w", which the file does not hold/);
    assert.throws(() => decodeCheckpoint(serialize({ "m.w": tl.ones([1]), extra: tl.ones([1]) }, meta('{"m":{"$tensor":"m.w"}}'))),
      /holds tensors the checkpoint structure never mentions: extra/);
    assert.throws(() => decodeCheckpoint(serialize({}, meta("{nope"))), /the checkpoint structure is not valid JSON/);
    assert.throws(() => decodeCheckpoint(serialize({}, meta('{"x":{"$number":"12"}}'))), /malformed \$number entry/);
    assert.throws(() => decodeCheckpoint(serialize({}, meta("{}", "9"))), /checkpoint format version 9; this Tensile reads version 1/);
    assert.throws(() => decodeCheckpoint(serialize({}, meta('{"rng":null}')), "<bytes>", { restoreRng: true }), /restoreRng was asked for but the checkpoint's rng entry is null/);
  });

  test("a rejected checkpoint makes no tensors", () => {
    const before = tl.memory().numTensors;
    const bytes = serialize({ "m.w": tl.ones([3]), stray: tl.ones([1]) }, { metadata: { "tensile.checkpoint": '{"m":{"$tensor":"m.w"}}', "tensile.checkpoint.version": "1" } });
    const made = tl.memory().numTensors - before;
    assert.throws(() => decodeCheckpoint(bytes), /never mentions: stray/);
    assert.equal(tl.memory().numTensors - before, made);
  });
});
