/** Shared helpers for the preprocessing tests: scikit-learn fixtures (tools/fixtures/preprocessing.py) and comparisons. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as tl from "../../src/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Undoes the fixture's {"$number": "NaN"} spelling. */
function revive(value: Json): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === "object") {
    if (Object.keys(value).length === 1 && typeof value.$number === "string") return Number(value.$number);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

/** Reads test/fixtures/preprocessing/<name>.json with NaN restored. */
export function fixture<T>(name: string): T {
  return revive(JSON.parse(readFileSync(new URL(`../fixtures/preprocessing/${name}.json`, import.meta.url), "utf8")) as Json) as T;
}

/** Rows of a 2-D tensor (or the rows themselves). */
export function rowsOf(x: tl.Tensor | number[][]): number[][] {
  return x instanceof tl.Tensor ? (x.toArray() as number[][]) : x;
}

/** Asserts equal shapes and values within atol + rtol·|expected|, NaN matching NaN. */
export function assertClose(actual: tl.Tensor | number[][] | number[], expected: number[][] | number[], tol = { atol: 1e-12, rtol: 1e-12 }, what = ""): void {
  const a = (actual instanceof tl.Tensor ? actual.toArray() : actual) as number[] | number[][];
  const flatA = (a as unknown[]).flat() as number[];
  const flatE = (expected as unknown[]).flat() as number[];
  assert.equal(a.length, expected.length, `${what}: ${a.length} rows, expected ${expected.length}`);
  assert.equal(flatA.length, flatE.length, `${what}: ${flatA.length} values, expected ${flatE.length}`);
  flatE.forEach((e, i) => {
    const v = flatA[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(v), `${what}[${i}]: got ${v}, expected NaN`);
    else assert.ok(Math.abs(v - e) <= tol.atol + tol.rtol * Math.abs(e), `${what}[${i}]: got ${v}, expected ${e}`);
  });
}

/** Float32 tolerance for outputs made from arrays of rows. */
export const F32 = { atol: 1e-5, rtol: 1e-6 };

/** A float64 tensor of rows. */
export function f64(rows: number[][]): tl.Tensor {
  return tl.tensor(rows, { dtype: "float64" });
}
