/**
 * Runs every example's quick mode in-process (each exports `main(options)` returning its final
 * metrics) and checks the accuracy it reaches against a target well above chance.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { main as fashionAugment } from "../../examples/fashion-mnist-augment.js";
import { main as mnistCnn } from "../../examples/mnist-cnn.js";
import { main as rowsLstm } from "../../examples/mnist-rows-lstm.js";
import { main as spamLstm } from "../../examples/spam-lstm-eda.js";
import { main as transformerEncoder } from "../../examples/transformer-encoder.js";

const quiet = { quick: true, log: false };

describe("examples (quick mode)", () => {
  test("mnist-cnn: test accuracy ≥ 0.85 (chance 0.1)", async () => {
    const r = await mnistCnn(quiet);
    assert.ok(r.testAccuracy >= 0.85, `accuracy ${r.testAccuracy}, loss ${r.testLoss}`);
  });

  test("mnist-rows-lstm: test accuracy ≥ 0.6 (chance 0.1)", async () => {
    const r = await rowsLstm(quiet);
    assert.ok(r.testAccuracy >= 0.6, `accuracy ${r.testAccuracy}, loss ${r.testLoss}`);
  });

  test("transformer-encoder: sorted-sequence accuracy ≥ 0.8 (chance 0.5)", async () => {
    const r = await transformerEncoder(quiet);
    assert.ok(r.testAccuracy >= 0.8, `accuracy ${r.testAccuracy}, loss ${r.testLoss}`);
  });

  test("fashion-mnist-augment: test accuracy ≥ 0.6 (chance 0.1)", async () => {
    const r = await fashionAugment(quiet);
    assert.ok(r.testAccuracy >= 0.6, `accuracy ${r.testAccuracy}, loss ${r.testLoss}`);
  });

  test("spam-lstm-eda: test accuracy ≥ 0.8, above the ~0.69 always-ham baseline", async () => {
    const r = await spamLstm(quiet);
    assert.ok(r.majorityBaseline > 0.6 && r.majorityBaseline < 0.75, `baseline ${r.majorityBaseline}`);
    assert.ok(r.testAccuracy >= 0.8 && r.testAccuracy > r.majorityBaseline + 0.1, `accuracy ${r.testAccuracy}, loss ${r.testLoss}`);
  });
});
