/**
 * The logits check shared by the parity tests: a seeded Tensile model goes through a safetensors
 * round trip and a strict loadStateDict, then must reproduce what torchvision computed with the same
 * weights (tools/fixtures/models.py).
 */
import assert from "node:assert/strict";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";
import { SEEDED, seededInput, seededModel, type SeededName } from "./seeded.js";
import { LOGITS, sum64 } from "./torchvision.js";

const REGENERATE = "npx tsx tools/fixtures/models-weights.ts && /usr/bin/python3 tools/fixtures/models.py";

/**
 * Builds the seeded `name`, saves its state to safetensors bytes, loads them strictly into
 * `target(model)` (another instance, or the same one after `scramble`), and compares eval-mode logits
 * with torchvision's; on a mismatch, says whether the seeded weights or input themselves changed.
 */
export function checkLogits(name: SeededName, target: (source: tl.nn.Module) => tl.nn.Module): void {
  const expected = LOGITS[name];
  const source = seededModel(name);
  const x = seededInput(name);
  assert.deepEqual([...x.shape], expected.inputShape);
  // Per-key sums tell "Tensile's seeded initialization changed" apart from "the forward pass differs";
  // summing 133M weights takes seconds, so they are computed only to explain a failure.
  const sums = Object.fromEntries(Object.entries(source.stateDict()).map(([k, t]) => [k, () => sum64(t)]));

  const bytes = tl.io.serialize(source.stateDict());
  const loaded = tl.io.deserialize(bytes);
  const model = target(source).eval();
  const result = model.loadStateDict(loaded, { strict: true });
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  tl.dispose(Object.values(loaded));

  const y = tl.noGrad(() => model.call(x) as tl.Tensor);
  assert.deepEqual([...y.shape], [SEEDED[name].input[0], 1000]);
  const want = tl.tensor(expected.logits.data, { shape: expected.logits.shape, dtype: "float64" });
  const scale = Math.max(...expected.logits.data.map(Math.abs));
  try {
    assertClose(y, want, { rtol: 1e-4, atol: 1e-4 * scale, message: `${name} logits vs torchvision` });
  } catch (err) {
    assert.ok(Math.abs(sum64(x) - expected.inputSum) < 1e-6, `${name}: the seeded input changed; regenerate: ${REGENERATE}`);
    for (const [key, sum] of Object.entries(sums)) {
      const [got, theirs] = [sum(), expected.keySums[key]];
      assert.ok(Math.abs(got - theirs) <= 1e-6 + 1e-6 * Math.abs(theirs),
        `${name}: the seeded "${key}" sums to ${got} but the fixture's to ${theirs}; the initialization changed, regenerate: ${REGENERATE}`);
    }
    throw err;
  }
}

/** Overwrites every parameter and buffer with zeros, so only a working load can restore the model. */
export function scramble(model: tl.nn.Module): tl.nn.Module {
  tl.noGrad(() => {
    for (const t of Object.values(model.stateDict())) t.fill_(0);
  });
  return model;
}
