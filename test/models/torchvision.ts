/** Reads test/fixtures/models (made by tools/fixtures/models.py) and compares models with them. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as tl from "../../src/index.js";

/** A torchvision model's state_dict keys with shapes, in order, and its parameter count. */
export interface Structure {
  keys: [string, number[]][];
  params: number;
}

/** What PyTorch computed for a seeded Tensile model loaded into torchvision. */
export interface Logits {
  inputShape: number[];
  inputSum: number;
  keySums: Record<string, number>;
  logits: { shape: number[]; data: number[] };
}

const read = <T>(file: string): T => JSON.parse(readFileSync(new URL(`../fixtures/models/${file}`, import.meta.url), "utf8")) as T;

/** torchvision's structures by torchvision name (resnet18, vgg11_bn, dcgan_generator, ...). */
export const STRUCTURE = read<Record<string, Structure>>("structure.json");

/** torchvision's logits by model name. */
export const LOGITS = read<Record<string, Logits>>("logits.json");

/** `[key, shape]` of a model's state dict, in order. */
export function keysOf(model: tl.nn.Module): [string, number[]][] {
  return Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape]]);
}

/** Asserts the model's state dict has torchvision's keys, shapes and order, naming the first difference. */
export function assertSameKeys(model: tl.nn.Module, name: string): void {
  const ours = keysOf(model);
  const theirs = STRUCTURE[name].keys;
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) {
    assert.deepEqual(ours[i], theirs[i], `${name}: state dict entry ${i} differs from torchvision's (${ours.length} keys vs ${theirs.length})`);
  }
}

/** Sum of a tensor's values in float64. */
export function sum64(t: tl.Tensor): number {
  return tl.tidy(() => t.double().sum().item());
}
