/**
 * The dispatcher's fast paths keep every semantic of the general path: outputs of kernels that
 * overwrite are not zeroed (so reused, dirty memory must not leak into results), shapes are shared
 * frozen arrays (never the caller's), the 2-D matmul path agrees with the batched one forward and
 * backward, and version counters still catch in-place writes on reused storage objects.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";

/** The gradient of a leaf (a call, so TypeScript does not narrow `.grad` after `x.grad = null`). */
const gradOf = (t: tl.Tensor): tl.Tensor => t.grad as tl.Tensor;

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
};

test("dispatch: dirty reused memory never shows through (zeroing skipped only where kernels overwrite)", () => {
  for (const size of [1, 7, 64, 600, 5000]) {
    for (let round = 0; round < 3; round++) {
      tl.full([size], Number.NaN).dispose(); // leaves NaNs in the slot the next tensor of this size takes
      const z = tl.zeros([size]);
      assert.ok(Array.from(z.dataSync()).every((v) => v === 0), `zeros([${size}]) after a NaN tensor`);
      tl.full([size], 7).dispose();
      const x = tl.arange(0, size, 1, { dtype: "float32" });
      tl.full([size], Number.NaN).dispose();
      const y = tl.add(x, x);
      close(y.dataSync(), Array.from({ length: size }, (_, i) => 2 * i));
      tl.full([size], Number.NaN).dispose();
      const s = tl.sum(x.reshape([1, size]), { dim: 0 }); // a reduction: its output is zeroed unless its kernel overwrites
      close(s.dataSync(), Array.from({ length: size }, (_, i) => i));
      // The gradient of a slice writes only the sliced elements: the rest must come from zeroed memory.
      const leaf = tl.arange(0, size, 1, { dtype: "float32" }).requiresGrad_();
      tl.full([size], Number.NaN).dispose();
      leaf.narrow(0, 0, 1).sum().backward();
      close(gradOf(leaf).dataSync(), Array.from({ length: size }, (_, i) => (i === 0 ? 1 : 0)));
      tl.dispose([z, x, y, s, gradOf(leaf), leaf]);
    }
  }
});

test("dispatch: output shapes are frozen and shared, never the caller's array", () => {
  const shape = [2, 3];
  const a = tl.zeros(shape);
  assert.ok(Object.isFrozen(a.shape) && Object.isFrozen(a.strides));
  assert.ok(!Object.isFrozen(shape), "the caller's array stays theirs");
  shape[0] = 5;
  assert.deepEqual([...a.shape], [2, 3]);
  const b = tl.add(a, a);
  assert.deepEqual([...b.shape], [2, 3]);
  assert.deepEqual([...b.strides], [3, 1]);
  const target = [6];
  const r = a.reshape(target);
  assert.ok(!Object.isFrozen(target), "a view does not freeze the caller's array either");
  target[0] = 1;
  assert.deepEqual([...r.shape], [6]);
  assert.throws(() => { (b.shape as number[])[0] = 1; }, TypeError);
  tl.dispose([a, b, r]);
});

test("dispatch: 2-D matmul/mm agree with the batched path, forward and backward, with transposed operands", () => {
  tl.manualSeed(5);
  for (const [m, k, n] of [[3, 4, 5], [1, 1, 1], [64, 64, 64], [7, 0, 3]]) {
    for (const transposeB of [false, true]) {
      const a = tl.randn([m, k], { dtype: "float64", requiresGrad: true });
      const bBase = tl.randn(transposeB ? [n, k] : [k, n], { dtype: "float64", requiresGrad: true });
      const bOf = (): tl.Tensor => (transposeB ? bBase.t() : bBase); // a fresh view per graph
      const y = tl.matmul(a, bOf());
      assert.deepEqual([...y.shape], [m, n]);
      assert.equal(y.gradFn?.name, "mm");
      const ref = tl.bmm(a.unsqueeze(0), bOf().unsqueeze(0)).reshape([m, n]);
      close(y.dataSync(), ref.dataSync(), 1e-12);
      const w = tl.randn([m, n], { dtype: "float64" });
      y.mul(w).sum().backward();
      const ga = gradOf(a).dataSync();
      const gb = gradOf(bBase).dataSync();
      a.grad = null;
      bBase.grad = null;
      ref.mul(w).sum().backward();
      close(ga, gradOf(a).dataSync(), 1e-12);
      close(gb, gradOf(bBase).dataSync(), 1e-12);
      close(tl.mm(a, bOf()).dataSync(), ref.dataSync(), 1e-12);
    }
  }
});

test("dispatch: 2-D matmul supports double backward and keeps its error messages", () => {
  const a = tl.tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
  const b = tl.tensor([[0.5, -1], [2, 1]], { dtype: "float64", requiresGrad: true });
  const y = tl.matmul(a, b).square().sum();
  const [ga] = tl.autograd.grad(y, [a], { createGraph: true });
  (ga as tl.Tensor).sum().backward();
  // d/db of sum(2·(a·b)·bᵀ) is nonzero; compare with the batched path.
  const gb = Array.from(gradOf(b).dataSync());
  b.grad = null;
  const y3 = tl.bmm(a.unsqueeze(0), b.unsqueeze(0)).square().sum();
  const [ga3] = tl.autograd.grad(y3, [a], { createGraph: true });
  (ga3 as tl.Tensor).sum().backward();
  close(gb, gradOf(b).dataSync(), 1e-12);
  assert.throws(() => tl.matmul(tl.zeros([2, 3]), tl.zeros([4, 5])),
    /^TensileError: \[matmul\] a has shape \[2,3\] but b has shape \[4,5\]: a\.shape\[-1\] \(3\) must equal b\.shape\[-2\] \(4\)/);
  assert.throws(() => tl.mm(tl.zeros([2, 3]), tl.zeros([4, 5])), /^TensileError: \[mm\] a has shape \[2,3\] but b has shape \[4,5\]/);
});

test("dispatch: version counters still catch in-place writes when storage objects are reused", () => {
  for (let i = 0; i < 5; i++) tl.zeros([2]).dispose(); // freed storage objects for the next tensors to take
  const x = tl.tensor([1, 2], { requiresGrad: true });
  const b = tl.tensor([3, 4]);
  const y = x.mul(b).sum();
  b.mul_(2);
  assert.throws(() => y.backward(), /gradient of mul \(shape \[2\]\) was modified by an in-place operation/);
});

test("dispatch: the binary fast path keeps promotion, broadcasting and bool rules", () => {
  const i = tl.tensor([1, 2], { dtype: "int32" });
  const f = tl.tensor([0.5, 0.5]);
  assert.equal(tl.add(i, i).dtype, "int32");
  assert.equal(tl.add(i, f).dtype, "float32");
  assert.deepEqual(tl.add(i, tl.tensor([[1], [2]], { dtype: "int32" })).toArray(), [[2, 3], [3, 4]]);
  const t = tl.tensor([true, false]);
  assert.deepEqual(tl.add(t, t).toArray(), [true, false]);
  assert.equal(tl.add(t, t).dtype, "bool");
  assert.throws(() => tl.sub(t, t), /^TensileError: \[sub\] subtraction of two bool operands/);
  assert.equal(tl.div(i, i).dtype, "float32");
});
