/**
 * Memory ownership: tidy scopes (sync, nested, async), dispose, kept tensors, memory() counters that
 * return to their start after a training step, and clear errors when a disposed tensor is used.
 * Each check that compares memory() runs synchronously, so no finalizer can run in between.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";

test("memory: tidy disposes intermediates and keeps the returned tensor", () => {
  const start = tl.memory();
  let intermediate: tl.Tensor | null = null;
  const out = tl.tidy(() => {
    const a = tl.ones([4]);
    intermediate = a.mul(2);
    return intermediate.add(1);
  });
  assert.equal((intermediate as tl.Tensor | null)?.isDisposed, true);
  assert.equal(out.isDisposed, false);
  assert.deepEqual(out.toArray(), [3, 3, 3, 3]);
  assert.deepEqual(tl.memory(), { numTensors: start.numTensors + 1, numStorages: start.numStorages + 1, numBytes: start.numBytes + 16 });
  out.dispose();
  assert.deepEqual(tl.memory(), start);
});

test("memory: tidy keeps tensors inside returned arrays and objects, and kept tensors", () => {
  const start = tl.memory();
  let kept: tl.Tensor | null = null;
  const result = tl.tidy(() => {
    kept = tl.zeros([2]).keep();
    tl.ones([100]);
    return { pair: [tl.ones([1]), tl.zeros([1])], map: new Map([["k", tl.ones([3])]]) };
  });
  assert.equal((kept as tl.Tensor | null)?.isDisposed, false);
  assert.equal(result.pair[0].isDisposed, false);
  assert.equal(result.map.get("k")?.isDisposed, false);
  tl.dispose([result, kept]);
  assert.equal(result.pair[1].isDisposed, true);
  assert.deepEqual(tl.memory(), start);
});

test("memory: a tensor returned from tidy keeps its graph, so backward works afterwards", () => {
  const x = tl.tensor([1, 2], { dtype: "float64", requiresGrad: true });
  const loss = tl.tidy(() => x.mul(3).exp().sum());
  loss.backward();
  const g = x.grad as tl.Tensor;
  assert.ok(Math.abs(g.dataSync()[0] - 3 * Math.exp(3)) < 1e-9);
  assert.ok(Math.abs(g.dataSync()[1] - 3 * Math.exp(6)) < 1e-9);
});

test("memory: nested tidy hands returned tensors to the outer scope", () => {
  const start = tl.memory();
  let inner: tl.Tensor | null = null;
  let innerResult: tl.Tensor | null = null;
  const out = tl.tidy(() => {
    innerResult = tl.tidy(() => {
      inner = tl.ones([2]).mul(5);
      return inner.add(1);
    });
    assert.equal((inner as tl.Tensor | null)?.isDisposed, true);
    assert.equal((innerResult as tl.Tensor | null)?.isDisposed, false);
    return (innerResult as tl.Tensor).sum();
  });
  assert.equal((innerResult as tl.Tensor | null)?.isDisposed, true, "the outer tidy disposes what the inner one returned");
  assert.equal(out.item(), 12);
  out.dispose();
  assert.deepEqual(tl.memory(), start);
});

test("memory: tidy disposes its tensors when fn throws", () => {
  const start = tl.memory();
  let made: tl.Tensor | null = null;
  assert.throws(() => tl.tidy(() => {
    made = tl.ones([3]);
    throw new Error("boom");
  }), /boom/);
  assert.equal((made as tl.Tensor | null)?.isDisposed, true);
  assert.deepEqual(tl.memory(), start);
});

test("memory: async tidy disposes after the promise settles and keeps the resolved value", async () => {
  let intermediate: tl.Tensor | null = null;
  const out = await tl.tidy(async () => {
    intermediate = tl.ones([2]).mul(2);
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.equal((intermediate as tl.Tensor).isDisposed, false, "still alive while the async fn runs");
    return intermediate.add(1);
  });
  assert.equal((intermediate as tl.Tensor | null)?.isDisposed, true);
  assert.deepEqual(out.toArray(), [3, 3]);
  out.dispose();
});

test("memory: dispose frees at once; views keep the shared storage until they go too", () => {
  const start = tl.memory();
  const base = tl.zeros([2, 3]);
  const view = base.t();
  assert.equal(tl.memory().numStorages, start.numStorages + 1);
  assert.equal(tl.memory().numTensors, start.numTensors + 2);
  base.dispose();
  assert.equal(base.isDisposed, true);
  assert.deepEqual(view.toArray(), [[0, 0], [0, 0], [0, 0]]);
  assert.equal(tl.memory().numBytes, start.numBytes + 24);
  view.dispose();
  view.dispose(); // a second dispose is a no-op
  assert.deepEqual(tl.memory(), start);
});

test("memory: using a disposed tensor is a clear error", () => {
  const t = tl.ones([2]);
  t.dispose();
  assert.throws(() => t.add(1), /^TensileError: \[add\] tensor #\d+ with shape \[2\] was already disposed/);
  assert.throws(() => t.dataSync(), /\[dataSync\] tensor #\d+ with shape \[2\] was already disposed/);
  const one = tl.ones([1]);
  one.dispose();
  assert.throws(() => one.item(), /already disposed/);
  assert.throws(() => t.sum(), /\[sum\] .*already disposed/);
  assert.throws(() => t.reshape([2, 1]), /\[view\] .*already disposed/);
});

/** A tiny linear regression: w, b leaves; one SGD step per call, the whole step inside tidy. */
function makeModel() {
  tl.manualSeed(0);
  const x = tl.randn([16, 3]);
  const trueW = tl.tensor([1.5, -2, 0.5]);
  const y = tl.noGrad(() => x.mul(trueW).sum({ dim: 1 }).add(0.3));
  const w = tl.zeros([3], { requiresGrad: true });
  const b = tl.zeros([1], { requiresGrad: true });
  const step = (zeroGrads: "zero" | "drop"): number => tl.tidy(() => {
    const pred = x.mul(w).sum({ dim: 1 }).add(b);
    const loss = pred.sub(y).square().mean();
    loss.backward();
    tl.noGrad(() => {
      w.sub_((w.grad as tl.Tensor).mul(0.1));
      b.sub_((b.grad as tl.Tensor).mul(0.1));
    });
    if (zeroGrads === "zero") {
      (w.grad as tl.Tensor).zero_();
      (b.grad as tl.Tensor).zero_();
    } else {
      tl.dispose([w.grad, b.grad]);
      w.grad = null;
      b.grad = null;
    }
    return loss.item();
  });
  return { step, w, b };
}

test("memory: a training step inside tidy returns memory() to its starting numbers (grads zeroed)", () => {
  const { step } = makeModel();
  const first = step("zero"); // creates the two .grad tensors, which persist
  const start = tl.memory();
  let last = first;
  for (let i = 0; i < 20; i++) {
    last = step("zero");
    assert.deepEqual(tl.memory(), start, `memory changed in step ${i}`);
  }
  assert.ok(last < first / 10, `loss should fall: ${first} → ${last}`);
});

test("memory: a training step that drops its grads leaves memory() exactly where it started", () => {
  const { step, w } = makeModel();
  const start = tl.memory();
  for (let i = 0; i < 5; i++) step("drop");
  assert.deepEqual(tl.memory(), start);
  assert.equal(w.grad, null);
  assert.ok(Math.abs(w.dataSync()[0]) > 0.1, "the step must have updated w");
});
