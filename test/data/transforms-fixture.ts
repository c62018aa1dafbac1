/** Loads the torchvision fixtures of tools/fixtures/transforms.py for the transform tests. */
import { readFileSync } from "node:fs";
import * as tl from "../../src/index.js";

export interface Flat {
  shape: number[];
  data: number[];
}

export interface FunctionalCase {
  name: string;
  fn: string;
  args: unknown[];
  out: Flat;
}

export const fixture = JSON.parse(readFileSync(new URL("../fixtures/transforms/functional.json", import.meta.url), "utf8")) as {
  image: Flat;
  toTensor: { bytes: number[]; shape: number[]; out: Flat };
  cases: FunctionalCase[];
};

/** A float32 tensor from a fixture's flat data. */
export const fromFlat = (f: Flat): tl.Tensor => tl.tensor(f.data, { shape: f.shape });

/** The 3×8×10 test image (a fresh tensor each call). */
export const image = (): tl.Tensor => fromFlat(fixture.image);
