/**
 * The native softmax family (native/src/kernels/softmax.cc, cross_entropy.cc) against the js
 * reference on every ISA level: softmax, logSoftmax and their backward ops along the last, a middle
 * and the first dim (row and column paths, vector tails, several threads), rows with −inf, +inf and
 * NaN, and the fused cross-entropy forward and backward over its options, float32 and float64.
 */
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { EXACT, agreeWithJs, mixed, type Tensor, type Tolerance } from "./compare.js";
import { requireNative } from "./helpers.js";

requireNative();

/** Sums in another order (float32 ones in float32 vectors) and vector exp: a few float32 ulp per term. */
const tol = (t: Tensor): Tolerance => (t.dtype === "float64" ? { rel: 1e-12, abs: 1e-14 } : t.dtype === "float32" ? { rel: 2e-5, abs: 2e-7 } : EXACT);

const SHAPES: [number[], number[]][] = [
  [[5, 7], [1, 0]],
  [[3, 37], [1]],
  [[2, 9, 19], [1, 2, 0]],
  [[64, 1000], [1]],
  [[4, 300, 33], [1]],
  [[1, 1, 1], [1]],
];

for (const dtype of ["float32", "float64"] as const) {
  for (const [shape, dims] of SHAPES) {
    for (const dim of dims) {
      test(`native softmax family ${dtype} ${JSON.stringify(shape)} dim ${dim} agrees with js`, () => {
        agreeWithJs(`softmax ${dtype} ${JSON.stringify(shape)} dim ${dim}`, () => {
          const x = tl.randn(shape, { dtype }).mul(3);
          const g = tl.randn(shape, { dtype });
          const y = tl.softmax(x, dim);
          const ly = tl.logSoftmax(x, dim);
          return [y, ly, tl.softmaxBackward(y, g, dim), tl.logSoftmaxBackward(ly, g, dim)];
        }, tol);
      });
    }
  }
  test(`native softmax ${dtype}: rows with −inf, +inf, NaN and huge values match js`, () => {
    agreeWithJs(`softmax specials ${dtype}`, () => {
      const x = mixed([7, 4], dtype); // the special values fill the first rows
      const masked = tl.tensor([[0, -Infinity, 2, -Infinity], [-Infinity, -Infinity, -Infinity, -Infinity]], { dtype });
      return [tl.softmax(x, 1), tl.logSoftmax(x, 1), tl.softmax(masked, 1), tl.logSoftmax(masked, 1), tl.softmax(x, 0)];
    }, tol);
  });

  test(`native softmaxCrossEntropy ${dtype} forward and backward agree with js`, () => {
    const variants: tl.SoftmaxCrossEntropyOptions[] = [
      {}, { reduction: "sum", labelSmoothing: 0.1 }, { reduction: "none", ignoreIndex: 2 }, { labelSmoothing: 0.3, ignoreIndex: 0 },
    ];
    agreeWithJs(`crossEntropy ${dtype}`, () => {
      const outs: Tensor[] = [];
      for (const shape of [[128, 10], [33, 1000], [4, 6, 3, 5]]) {
        const x = tl.randn(shape, { dtype }).mul(2);
        const targetShape = [shape[0], ...shape.slice(2)];
        const t = tl.randint(0, shape[1], targetShape);
        const w = tl.rand([shape[1]], { dtype }).add(0.5);
        for (const options of variants) {
          for (const weight of [null, w]) {
            const o = { ...options, weight };
            const loss = tl.softmaxCrossEntropy(x, t, o);
            const g = options.reduction === "none" ? tl.randn(targetShape, { dtype }) : tl.tensor(1.3, { dtype });
            outs.push(loss, tl.softmaxCrossEntropyBackward(x, t, g, o));
          }
        }
      }
      return outs;
    }, (t) => (t.dtype === "float32" ? { rel: 2e-5, abs: 1e-6 } : tol(t)));
  });
}
