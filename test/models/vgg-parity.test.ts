/** VGG-11 weights saved by Tensile load into torchvision, and both compute the same logits. */
import { test } from "node:test";
import { checkLogits, scramble } from "./parity.js";

test("vgg11: seeded weights → safetensors → strict load into the zeroed model → torchvision's logits (rtol 1e-4)", () => {
  // The same instance, zeroed: building a second 133M-parameter VGG would double the test's time.
  checkLogits("vgg11", scramble);
});
