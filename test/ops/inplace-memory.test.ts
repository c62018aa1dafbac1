/** In-place ops free their temporaries even outside `tidy` (optimizers and initializers call them in loops). */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";

test("in-place ops leave no temporary tensors behind", () => {
  const p = tl.zeros([3]);
  const other = tl.ones([3]);
  const start = tl.memory().numTensors;
  tl.noGrad(() => {
    p.add_(1).sub_(other).mul_(2).div_(4).copy_(other).fill_(3).zero_().clamp_({ min: 1 });
    p.copy_(tl.tensor(2, { dtype: "float64" }).keep());
    p.uniform_();
    p.normal_();
  });
  assert.equal(tl.memory().numTensors, start + 1, "only the kept float64 scalar remains");
});
