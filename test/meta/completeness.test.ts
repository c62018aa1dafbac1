/**
 * Completeness (STYLE lesson 12): every public op has a row in some family's case table (which
 * checks its forward values and, where differentiable, its gradient), and every op PyTorch offers as
 * a Tensor method is one here too.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import * as ops from "../../src/ops/index.js";

/** Exports of src/ops that are helpers rather than ops. */
const NOT_OPS = new Set(["isTensor", "resultType", "materialize", "contiguousLayout", "layoutOf", "sumTo"]);

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? testFiles(path) : name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Ops named in `op: "name"` fields of case tables anywhere under test/. */
function opsWithCases(): Set<string> {
  const found = new Set<string>();
  for (const file of testFiles("test")) {
    for (const m of readFileSync(file, "utf8").matchAll(/\bop:\s*"(\w+)"/g)) found.add(m[1]);
  }
  return found;
}

test("every public op has a case in an op table", () => {
  const cased = opsWithCases();
  const publicOps = Object.entries(ops).filter(([name, v]) => typeof v === "function" && !NOT_OPS.has(name) && !/^[A-Z]/.test(name));
  const missing = publicOps.map(([name]) => name).filter((name) => !cased.has(name));
  assert.deepEqual(missing, [], `ops without a case-table row: ${missing.join(", ")}`);
});

/** Ops that PyTorch also offers as `Tensor` methods. */
const METHODS = [
  "neg", "abs", "sign", "exp", "log", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tanh", "sigmoid", "relu", "erf",
  "floor", "ceil", "round", "clamp", "pow", "reciprocal", "add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne",
  "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalNot", "logicalXor", "where", "floorDivide", "remainder",
  "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std", "logsumexp", "all", "any",
  "cumsum", "matmul", "mm", "bmm", "dot", "outer", "reshape", "view", "flatten", "unflatten", "transpose", "t",
  "permute", "squeeze", "unsqueeze", "expand", "expandAs", "narrow", "select", "contiguous", "clone", "split", "chunk",
  "flip", "repeat", "gather", "indexSelect", "scatterAdd", "maskedFill", "tril", "triu", "softmax", "logSoftmax",
  "detach", "backward", "item", "toArray", "dataSync", "to", "float", "double", "int", "bool",
  "copy_", "add_", "sub_", "mul_", "div_", "fill_", "zero_", "clamp_", "uniform_", "normal_", "requiresGrad_",
];

test("ops PyTorch has as Tensor methods are Tensor methods", () => {
  const proto = tl.Tensor.prototype as unknown as Record<string, unknown>;
  const missing = METHODS.filter((name) => typeof proto[name] !== "function");
  assert.deepEqual(missing, [], `missing Tensor methods: ${missing.join(", ")}`);
});
