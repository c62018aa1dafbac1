/**
 * The native movement kernels (native/src/kernels/movement.cc, pad.cc) against the js reference: cat (more
 * inputs than one native call takes, empty and strided inputs), pad and padBackward in every mode,
 * flip, repeat, sliceBackward; every dim, contiguous / transposed / sliced inputs, every dtype,
 * empty tensors, sizes that split across threads, and every ISA level. Bit-exact throughout.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { pushAttr } from "../../../src/backends/native/frame.js";
import { movementKernels } from "../../../src/backends/native/kernels/movement.js";
import { EXACT, agreeWithJs } from "./compare.js";
import { requireNative } from "./helpers.js";
import { DTYPES, LAYOUTS, kernel, nativeStatus, sliced, transposed, values } from "./layouts.js";

requireNative();

test("native movement kernels: every kernel is native for every dtype", () => {
  const names = requireNative().listKernels();
  for (const name of Object.keys(movementKernels)) assert.ok(names.includes(name), `the addon lists ${name}`);
  const pads = [[1, 2], [0, 1]];
  for (const dtype of DTYPES) {
    const x = values([3, 4], dtype);
    const out = tl.zeros([6, 5], { dtype });
    const joined = tl.zeros([6, 4], { dtype });
    assert.equal(nativeStatus("cat", [x, x], [joined], undefined, {}, () => { pushAttr(0); pushAttr(0); }), 0, `cat ${dtype}`);
    assert.equal(nativeStatus("pad", [x], [out], movementKernels.pad, { pads, mode: "reflect", value: 0 }), 0, `pad ${dtype}`);
    assert.equal(nativeStatus("padBackward", [out], [x], movementKernels.padBackward, { pads, mode: "reflect", value: 0 }), 0, `padBackward ${dtype}`);
    assert.equal(nativeStatus("flip", [x], [tl.zeros([3, 4], { dtype })], movementKernels.flip, { dims: [0, 1] }), 0, `flip ${dtype}`);
    assert.equal(nativeStatus("repeat", [x], [tl.zeros([2, 6, 4], { dtype })], movementKernels.repeat, { sizes: [2, 2, 1] }), 0, `repeat ${dtype}`);
    assert.equal(nativeStatus("sliceBackward", [x], [tl.zeros([3, 9], { dtype })], movementKernels.sliceBackward, { dim: 1, start: 1, step: 2 }), 0);
  }
  // A slice that reaches past the output is refused, not written.
  assert.equal(nativeStatus("sliceBackward", [values([3, 4])], [tl.zeros([3, 7])], movementKernels.sliceBackward, { dim: 1, start: 1, step: 2 }), 1);
});

test("native cat: every dim, up to 20 inputs (several native calls), mixed layouts, empty inputs, every dtype", () => {
  for (const dim of [0, 1, 2, -1, -2, -3]) {
    for (const count of [1, 2, 7, 8, 15, 20]) {
      for (const dtype of DTYPES) {
        agreeWithJs(`cat dim ${dim} of ${count} ${dtype}`, () => {
          const xs = Array.from({ length: count }, (_, i) => {
            const shape = [3, 4, 5];
            shape[dim < 0 ? dim + 3 : dim] = i % 4; // sizes 0..3 along dim: some inputs empty
            return LAYOUTS[i % LAYOUTS.length][1](shape, dtype);
          });
          return tl.cat(xs, dim);
        }, EXACT);
      }
    }
  }
  agreeWithJs("cat of mixed dtypes (promoted)", () => tl.cat([values([2, 3], "int32"), values([1, 3]), values([2, 3], "bool")]), EXACT);
  agreeWithJs("cat 64 × [64, 128] along 0", () => tl.cat(Array.from({ length: 64 }, () => values([64, 128])), 0), EXACT);
  agreeWithJs("cat 64 × [64, 128] along 1, transposed", () => tl.cat(Array.from({ length: 64 }, () => transposed([64, 128])), 1), EXACT);
  agreeWithJs("stack of 10 along the last dim", () => tl.stack(Array.from({ length: 10 }, () => sliced([30, 40])), -1), EXACT);
});

const PAD_CASES: [number[], number[]][] = [
  [[7], [2, 3]],
  [[5, 6], [1, 1, 2, 0]],
  [[4, 5, 6], [0, 3, 1, 2]],
  [[3, 4, 5, 6], [1, 1, 1, 1, 2, 1]],
  [[2, 3, 4, 5], [1, 1, 1, 1, 1, 1, 1, 1]],
];
const MODES = ["constant", "reflect", "replicate", "circular"] as const;

test("native pad: every mode, pads on leading and trailing dims, layouts, every dtype, fill values", () => {
  for (const [shape, p] of PAD_CASES) {
    for (const mode of MODES) {
      for (const [label, make] of LAYOUTS) {
        for (const dtype of DTYPES) {
          const value = mode !== "constant" ? undefined : dtype === "bool" ? 1 : dtype === "int32" ? -3 : -Infinity;
          agreeWithJs(`pad [${shape}] by [${p}] ${mode} ${label} ${dtype}`, () => tl.pad(make(shape, dtype), p, { mode, value }), EXACT);
        }
      }
    }
  }
  agreeWithJs("pad circular by the whole dim", () => tl.pad(values([3, 4]), [4, 4, 3, 0], { mode: "circular" }), EXACT);
  agreeWithJs("pad constant with crops", () => tl.pad(values([5, 6]), [-1, 2, 1, -2]), EXACT);
  agreeWithJs("pad constant of an empty dim", () => tl.pad(values([0, 3]), [1, 1, 2, 1], { value: 2 }), EXACT);
  agreeWithJs("pad of a 0-d tensor", () => tl.pad(values([]), []), EXACT);
  agreeWithJs("pad [64, 16, 32, 32] by 1 (two threads)", () => tl.pad(values([64, 16, 32, 32]), [1, 1, 1, 1]), EXACT);
  agreeWithJs("pad reflect large transposed", () => tl.pad(transposed([8, 16, 20, 24]), [2, 2, 3, 3], { mode: "reflect" }), EXACT);
});

test("native padBackward: every mode, layouts of the gradient, every dtype, through autograd too", () => {
  for (const [shape, p] of PAD_CASES) {
    const pads = shape.map(() => [0, 0]);
    for (let k = 0; k < p.length / 2; k++) pads[shape.length - 1 - k] = [p[2 * k], p[2 * k + 1]];
    const padded = shape.map((n, d) => n + pads[d][0] + pads[d][1]);
    for (const mode of MODES) {
      for (const [label, make] of LAYOUTS) {
        for (const dtype of DTYPES) {
          agreeWithJs(`padBackward [${shape}] by [${p}] ${mode} ${label} ${dtype}`,
            () => kernel("padBackward", [make(padded, dtype)], shape, dtype, { pads, mode, value: 0 }), EXACT);
        }
      }
    }
  }
  const grad = (mode: (typeof MODES)[number], shape: number[], p: number[]) => () => {
    const x = values(shape).requiresGrad_();
    const y = tl.pad(x, p, { mode });
    y.mul(values([...y.shape])).sum().backward();
    return x.grad as tl.Tensor;
  };
  for (const mode of MODES) agreeWithJs(`pad ${mode} gradient`, grad(mode, [2, 3, 6, 7], [2, 1, 3, 2]), EXACT);
  agreeWithJs("padBackward [64, 16, 34, 34] reflect (two threads)",
    () => kernel("padBackward", [values([64, 16, 34, 34])], [64, 16, 32, 32], "float32", { pads: [[0, 0], [0, 0], [1, 1], [1, 1]], mode: "reflect", value: 0 }), EXACT);
  agreeWithJs("padBackward every dim padded, large (one thread)",
    () => kernel("padBackward", [values([300, 400], "float64")], [296, 397], "float64", { pads: [[2, 2], [1, 2]], mode: "circular", value: 0 }), EXACT);
});

test("native flip: single and several dims, negative dims, layouts, every dtype, empty, large", () => {
  for (const dims of [[0], [1], [2], [-1], [0, 2], [-3, -2, -1], []]) {
    for (const [label, make] of LAYOUTS) {
      for (const dtype of DTYPES) {
        agreeWithJs(`flip [${dims}] ${label} ${dtype}`, () => tl.flip(make([4, 5, 6], dtype), dims), EXACT);
      }
    }
  }
  agreeWithJs("flip empty", () => tl.flip(values([0, 3]), [0, 1]), EXACT);
  agreeWithJs("flip large", () => tl.flip(values([64, 16, 32, 32]), 3), EXACT);
  agreeWithJs("flip large transposed", () => tl.flip(transposed([300, 400]), [0, 1]), EXACT);
});

test("native repeat: sizes with leading dims and zeros, layouts, every dtype, large", () => {
  const SIZES: [number[], number[]][] = [
    [[3], [2]], [[3], [2, 3]], [[2, 3], [1, 1]], [[2, 3], [3, 2]], [[2, 3], [2, 1, 2]],
    [[2, 3, 4], [2, 2, 2]], [[2, 3, 4], [1, 3, 1, 2]], [[2, 3], [0, 2]], [[1, 3, 1], [4, 1, 5]],
  ];
  for (const [shape, sizes] of SIZES) {
    for (const [label, make] of LAYOUTS) {
      for (const dtype of DTYPES) {
        agreeWithJs(`repeat [${shape}] by [${sizes}] ${label} ${dtype}`, () => tl.repeat(make(shape, dtype), sizes), EXACT);
      }
    }
  }
  agreeWithJs("repeat of a 0-d tensor", () => tl.repeat(values([]), [3, 2]), EXACT);
  agreeWithJs("repeat with 7 dims of pairs (more than the walk takes: js)", () => tl.repeat(values([2, 2, 2, 2, 2, 2, 2]), [2, 2, 2, 2, 2, 2, 2]), EXACT);
  agreeWithJs("repeat large", () => tl.repeat(values([64, 128]), [8, 4]), EXACT);
});

test("native sliceBackward: every dim, steps, layouts of the gradient, every dtype, through autograd", () => {
  const shape = [6, 7, 8];
  for (const dim of [0, 1, 2]) {
    for (const [start, step] of [[0, 1], [2, 1], [1, 2], [0, 3]]) {
      const length = Math.ceil((shape[dim] - start) / step);
      const gshape = shape.map((n, k) => (k === dim ? length : n));
      for (const [label, make] of LAYOUTS) {
        for (const dtype of DTYPES) {
          agreeWithJs(`sliceBackward dim ${dim} start ${start} step ${step} ${label} ${dtype}`,
            () => kernel("sliceBackward", [make(gshape, dtype)], shape, dtype, { shape, dim, start, length, step }), EXACT);
        }
      }
    }
  }
  agreeWithJs("slice gradient (LSTM gate) through autograd", () => {
    const x = values([64, 512]).requiresGrad_();
    const y = x.slice(1, 128, 256);
    y.mul(values([...y.shape])).sum().backward();
    return x.grad as tl.Tensor;
  }, EXACT);
  agreeWithJs("sliceBackward large", () => kernel("sliceBackward", [transposed([300, 200])], [300, 600], "float32", { shape: [300, 600], dim: 1, start: 1, length: 200, step: 3 }), EXACT);
});
