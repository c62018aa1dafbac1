/** ResNet-18 weights saved by Tensile load into torchvision, and both compute the same logits. */
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { checkLogits } from "./parity.js";

test("resnet18: seeded weights → safetensors → strict load into a fresh resnet18 → torchvision's logits (rtol 1e-4)", () => {
  checkLogits("resnet18", () => {
    tl.manualSeed(12345); // a different draw, so the load has to replace every value
    return tl.models.resnet18();
  });
});
