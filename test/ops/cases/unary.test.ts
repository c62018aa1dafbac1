import * as tl from "../../../src/index.js";
import { runCases, type OpCase } from "../../harness.js";

const x = [[-1.5, -0.3, 0.2], [0.7, 1.1, 2.4]];
const pos = [[0.3, 0.9, 1.7], [2.2, 3.4, 0.05]];
const map = (f: (v: number) => number, data: number[][]) => data.map((r) => r.map(f));
const erf = (v: number): number => {
  // Reference erf by numerical integration of 2/√π e^{-t²} (Simpson, 2000 steps).
  const n = 2000;
  const h = v / n;
  let s = 1 + Math.exp(-v * v);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
};
const sig = (v: number) => 1 / (1 + Math.exp(-v));

const cases: OpCase[] = [
  { op: "neg", inputs: [x], fn: (a) => tl.neg(a), expected: map((v) => -v, x) },
  { op: "abs", inputs: [x], fn: (a) => tl.abs(a), expected: map(Math.abs, x) },
  { op: "sign", inputs: [x], fn: (a) => tl.sign(a), expected: map(Math.sign, x) },
  { op: "exp", inputs: [x], fn: (a) => tl.exp(a), expected: map(Math.exp, x) },
  { op: "log", inputs: [pos], fn: (a) => tl.log(a), expected: map(Math.log, pos) },
  { op: "log1p", inputs: [pos], fn: (a) => tl.log1p(a), expected: map(Math.log1p, pos) },
  { op: "sqrt", inputs: [pos], fn: (a) => tl.sqrt(a), expected: map(Math.sqrt, pos) },
  { op: "rsqrt", inputs: [pos], fn: (a) => tl.rsqrt(a), expected: map((v) => 1 / Math.sqrt(v), pos) },
  { op: "square", inputs: [x], fn: (a) => tl.square(a), expected: map((v) => v * v, x) },
  { op: "sin", inputs: [x], fn: (a) => tl.sin(a), expected: map(Math.sin, x) },
  { op: "cos", inputs: [x], fn: (a) => tl.cos(a), expected: map(Math.cos, x) },
  { op: "tanh", inputs: [x], fn: (a) => tl.tanh(a), expected: map(Math.tanh, x) },
  { op: "sigmoid", inputs: [x], fn: (a) => tl.sigmoid(a), expected: map(sig, x) },
  { op: "relu", inputs: [x], fn: (a) => tl.relu(a), expected: map((v) => Math.max(v, 0), x) },
  { op: "leakyRelu", inputs: [x], fn: (a) => tl.leakyRelu(a, 0.1), expected: map((v) => (v > 0 ? v : 0.1 * v), x) },
  { op: "elu", inputs: [x], fn: (a) => tl.elu(a, 1.5), expected: map((v) => (v > 0 ? v : 1.5 * Math.expm1(v)), x) },
  { op: "erf", inputs: [x], fn: (a) => tl.erf(a), expected: map(erf, x), atol: 1e-9 },
  { op: "gelu", name: "gelu (erf)", inputs: [x], fn: (a) => tl.gelu(a), expected: map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)), x), atol: 1e-9 },
  {
    op: "gelu", name: "gelu (tanh)", inputs: [x], fn: (a) => tl.gelu(a, { approximate: "tanh" }),
    expected: map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))), x),
  },
  { op: "silu", inputs: [x], fn: (a) => tl.silu(a), expected: map((v) => v * sig(v), x) },
  { op: "softplus", inputs: [x], fn: (a) => tl.softplus(a, { beta: 2, threshold: 4 }), expected: map((v) => (2 * v > 4 ? v : Math.log1p(Math.exp(2 * v)) / 2), x) },
  { op: "floor", inputs: [x], fn: (a) => tl.floor(a), expected: map(Math.floor, x) },
  { op: "ceil", inputs: [x], fn: (a) => tl.ceil(a), expected: map(Math.ceil, x) },
  { op: "round", name: "round (half to even)", inputs: [[[0.5, 1.5, 2.5, -0.5, -1.5, 2.6]]], fn: (a) => tl.round(a), expected: [[0, 2, 2, -0, -2, 3]], gradInputs: [] },
  { op: "round", name: "round (zero gradient)", inputs: [pos], fn: (a) => tl.round(a), expected: map(Math.round, pos) },
  { op: "clamp", inputs: [x], fn: (a) => tl.clamp(a, { min: -0.5, max: 1 }), expected: map((v) => Math.min(Math.max(v, -0.5), 1), x) },
  { op: "powScalar", name: "pow with a number exponent", inputs: [pos], fn: (a) => a.pow(2.5), expected: map((v) => v ** 2.5, pos) },
  { op: "reciprocal", inputs: [pos], fn: (a) => tl.reciprocal(a), expected: map((v) => 1 / v, pos) },
];

runCases("unary", cases);
