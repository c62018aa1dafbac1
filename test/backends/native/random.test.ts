/**
 * The native random kernels draw bit-for-bit the numbers of src/core/rng.ts (and so of the js
 * backend): across dtypes, sizes split over threads, stream positions past 2^32 (where the index's
 * high word changes), and every ISA level. normal depends on V8's own log and cos, ported in
 * native/src/kernels/random.cc.
 */
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { globalGenerator } from "../../../src/core/rng.js";
import { EXACT, agreeWithJs } from "./compare.js";
import { requireNative } from "./helpers.js";

requireNative();

const SIZES = [1, 17, 1000, 300001];

test("native rand, uniform, randn, normal: bit-identical to js in float32 and float64", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of SIZES) {
      agreeWithJs(`rand ${dtype} [${n}]`, () => tl.rand([n], { dtype }), EXACT);
      agreeWithJs(`uniform ${dtype} [${n}]`, () => tl.uniform([n], -3.5, 0.7, { dtype }), EXACT);
      agreeWithJs(`randn ${dtype} [${n}]`, () => tl.randn([n], { dtype }), EXACT);
      agreeWithJs(`normal ${dtype} [${n}]`, () => tl.normal([n], 1.5, 0.3, { dtype }), EXACT);
    }
  }
});

test("native randint and randperm: bit-identical to js", () => {
  for (const n of SIZES) {
    agreeWithJs(`randint [${n}]`, () => tl.randint(-5, 1000, [n]), EXACT);
    agreeWithJs(`randint float32 [${n}]`, () => tl.randint(0, 10, [n], { dtype: "float32" }), EXACT);
  }
  for (const n of [0, 1, 2, 10, 5000]) agreeWithJs(`randperm ${n}`, () => tl.randperm(n), EXACT);
});

test("native random ops: positions past 2^32 of the stream, and in-place uniform_/normal_", () => {
  const nearWrap = () => {
    tl.manualSeed(9);
    globalGenerator.setState({ key: globalGenerator.getState().key, counter: 2 ** 32 - 1000 });
  };
  agreeWithJs("rand across the 2^32 boundary", () => {
    nearWrap();
    return tl.rand([5000]);
  }, EXACT);
  agreeWithJs("randn across the 2^32 boundary", () => {
    nearWrap();
    return tl.randn([5000], { dtype: "float64" });
  }, EXACT);
  agreeWithJs("uniform_ and normal_ into strided views", () => {
    const x = tl.zeros([40, 30]);
    x.t().uniform_(-1, 1);
    const y = tl.zeros([40, 30], { dtype: "float64" });
    y.slice(1, 0, null, 2).normal_(2, 3);
    return [x, y];
  }, EXACT);
});

test("native randn: a million float64 draws match js exactly (fdlibm log/cos paths)", () => {
  agreeWithJs("randn float64 [1e6]", () => tl.randn([1000000], { dtype: "float64" }), EXACT);
});
