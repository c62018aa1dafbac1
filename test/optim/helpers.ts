/** Shared pieces of the optimizer tests: the PyTorch fixture problem and a float32 comparison. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as tl from "../../src/index.js";

/** Reads a JSON fixture from test/fixtures/optim. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/optim/${name}`, import.meta.url), "utf8")) as T;
}

export interface Problem {
  p1: number[][];
  p2: number[];
  c1: number[][];
  t1: number[][];
  t2: number[];
}

/** The fixture's loss: sum((p1·c1 − t1)²) + sum(tanh(p1·p2)) + 0.5·sum((p2 − t2)²). */
export function lossOf(problem: Problem, p1: tl.Tensor, p2: tl.Tensor): tl.Tensor {
  const c1 = tl.tensor(problem.c1);
  const t1 = tl.tensor(problem.t1);
  const t2 = tl.tensor(problem.t2);
  return p1.mul(c1).sub(t1).square().sum()
    .add(tl.tanh(p1.mul(p2)).sum())
    .add(p2.sub(t2).square().sum().mul(0.5));
}

/** Fresh leaf parameters at the fixture's starting point. */
export function makeParams(problem: Problem): [tl.Tensor, tl.Tensor] {
  return [tl.tensor(problem.p1, { requiresGrad: true }), tl.tensor(problem.p2, { requiresGrad: true })];
}

/** Elementwise |a − e| ≤ atol + rtol·|e| over flat arrays. */
export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, message: string, rtol = 1e-5, atol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${message}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${message}: element ${i} is ${a}, expected ${e}`);
  }
}
