/**
 * The autograd engine: accumulation, graph release and retainGraph, higher-order gradients,
 * `tl.autograd.grad`, grad mode, detach, in-place safety (leaf rule and version counters), retainGrad.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tl from "../../src/index.js";
import { assertClose } from "../harness.js";

const f64 = (data: number[] | number[][], requiresGrad = true): tl.Tensor => tl.tensor(data, { dtype: "float64", requiresGrad });
const gradOf = (t: tl.Tensor): tl.Tensor => {
  assert.ok(t.grad, "expected a gradient");
  return t.grad;
};

test("autograd: gradients accumulate across backward calls", () => {
  const x = f64([1, 2, 3]);
  x.mul(x).sum().backward();
  assertClose(gradOf(x), [2, 4, 6]);
  x.mul(3).sum().backward();
  assertClose(gradOf(x), [5, 7, 9]);
  x.grad = null;
  x.sum().backward();
  assertClose(gradOf(x), [1, 1, 1]);
});

test("autograd: a gradient used for two leaves is not shared between them", () => {
  const a = f64([1, 2]);
  const b = f64([3, 4]);
  a.add(b).sum().backward();
  a.add(b).sum().backward();
  a.mul(2).sum().backward(); // only a's gradient changes
  assertClose(gradOf(a), [4, 4]);
  assertClose(gradOf(b), [2, 2]);
});

test("autograd: the caller's gradient tensor is never aliased or modified", () => {
  const x = f64([1, 2]);
  const g = tl.tensor([1, 1], { dtype: "float64" });
  x.add(1).backward(g);
  x.add(1).backward(g);
  assert.deepEqual(g.toArray(), [1, 1]);
  assertClose(gradOf(x), [2, 2]);
  const y = f64([1, 2, 3, 4]);
  const h = tl.ones([2, 2], { dtype: "float64" });
  y.reshape([2, 2]).backward(h);
  y.reshape([2, 2]).backward(h);
  assert.deepEqual(h.toArray(), [[1, 1], [1, 1]]);
  assertClose(gradOf(y), [2, 2, 2, 2]);
});

test("autograd: backward twice through a released graph is a clear error; retainGraph allows it", () => {
  const x = f64([1, 2]);
  const y = x.exp().sum();
  y.backward();
  assert.throws(() => y.backward(), /^TensileError: \[backward\] trying to backward through the graph a second time .*retainGraph: true/);
  const z = x.exp().sum();
  x.grad = null;
  z.backward(undefined, { retainGraph: true });
  z.backward();
  assertClose(gradOf(x), [2 * Math.E, 2 * Math.exp(2)]);
});

test("autograd: createGraph gives second derivatives (x³ → 3x² → 6x)", () => {
  const x = f64([1, -2, 0.5]);
  const y = x.pow(3).sum();
  const [dx] = tl.autograd.grad(y, [x], { createGraph: true });
  assert.ok(dx);
  assertClose(dx, [3, 12, 0.75]);
  assert.equal(dx.requiresGrad, true);
  const [d2x] = tl.autograd.grad(dx.sum(), [x]);
  assertClose(d2x as tl.Tensor, [6, -12, 3]);
  // Third derivative of x³ is 6 everywhere.
  const [g1] = tl.autograd.grad(x.pow(3).sum(), [x], { createGraph: true });
  const [g2] = tl.autograd.grad((g1 as tl.Tensor).sum(), [x], { createGraph: true });
  const [g3] = tl.autograd.grad((g2 as tl.Tensor).sum(), [x]);
  assertClose(g3 as tl.Tensor, [6, 6, 6]);
});

test("autograd: backward with createGraph builds differentiable .grad (gradient penalty)", () => {
  const x = f64([1, 2]);
  x.mul(x).mul(x).sum().backward(undefined, { createGraph: true }); // x.grad = 3x²
  const g = gradOf(x);
  assert.equal(g.requiresGrad, true);
  const [h] = tl.autograd.grad(g.square().sum(), [x]); // d/dx Σ 9x⁴ = 36x³
  assertClose(h as tl.Tensor, [36, 288]);
});

test("autograd: a constant gradient stored under createGraph accumulates safely later", () => {
  // The gradient of x.sum() is an expanded (stride-0) view of ones; .grad must still own its memory.
  const x = f64([1, 2, 3]);
  x.sum().backward(undefined, { createGraph: true });
  x.mul(tl.tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
  assertClose(gradOf(x), [2, 3, 4]);
});

test("autograd: second derivatives through exp, mul and broadcasting", () => {
  const x = f64([0.5, -1]);
  const w = f64([[1.5], [2]]);
  const y = x.mul(w).exp().sum(); // Σ_ij exp(x_j w_i)
  const [dx] = tl.autograd.grad(y, [x], { createGraph: true });
  const [dw] = tl.autograd.grad((dx as tl.Tensor).sum(), [w]);
  // d/dw_i Σ_j w_i exp(x_j w_i) = Σ_j exp(x_j w_i)(1 + x_j w_i)
  const expected = [1.5, 2].map((wi) => [0.5, -1].reduce((s, xj) => s + Math.exp(xj * wi) * (1 + xj * wi), 0));
  assertClose(dw as tl.Tensor, [[expected[0]], [expected[1]]]);
});

test("autograd: autograd.grad leaves .grad untouched", () => {
  const x = f64([1, 2]);
  const [g] = tl.autograd.grad(x.mul(x).sum(), [x]);
  assertClose(g as tl.Tensor, [2, 4]);
  assert.equal(x.grad, null);
  const w = f64([3]);
  const y = x.mul(w).sum();
  tl.autograd.grad(y, [x], { retainGraph: true });
  assert.equal(w.grad, null, "grad() must not accumulate into other leaves either");
  y.backward();
  assertClose(gradOf(w), [3]);
});

test("autograd: allowUnused returns null for an unused input, otherwise a clear error", () => {
  const x = f64([1]);
  const unused = f64([2]);
  assert.throws(() => tl.autograd.grad(x.mul(2).sum(), [x, unused]), /\[autograd\.grad\] input 1 was not used to compute the outputs; pass \{ allowUnused: true \}/);
  const [gx, gu] = tl.autograd.grad(x.mul(2).sum(), [x, unused], { allowUnused: true });
  assertClose(gx as tl.Tensor, [2]);
  assert.equal(gu, null);
  assert.throws(() => tl.autograd.grad(x.sum(), [f64([1], false)]), /\[autograd\.grad\] input of shape \[1\] does not require grad/);
});

test("autograd: backward of a non-scalar needs a gradient of the output's shape", () => {
  const x = f64([1, 2]);
  const y = x.mul(3);
  assert.throws(() => y.backward(), /\[backward\] grad can be created implicitly only for scalar outputs, got shape \[2\]; pass a gradient/);
  assert.throws(() => y.backward(tl.ones([3], { dtype: "float64" })), /\[backward\] gradient has shape \[3\] but the output has shape \[2\]/);
  y.backward(tl.tensor([1, 10], { dtype: "float64" }));
  assertClose(gradOf(x), [3, 30]);
  assert.throws(() => f64([1], false).backward(), /\[backward\] tensor 0 \(shape \[1\]\) does not require grad/);
});

test("autograd: noGrad disables recording and enableGrad re-enables it", () => {
  const x = f64([1, 2]);
  const y = tl.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.equal(tl.isGradEnabled(), true);
  const z = tl.noGrad(() => tl.enableGrad(() => x.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.equal(z.gradFn?.name, "mul");
  // The mode is restored even when the function throws.
  assert.throws(() => tl.noGrad(() => { throw new Error("boom"); }), /boom/);
  assert.equal(tl.isGradEnabled(), true);
});

test("autograd: detach shares memory but cuts the graph", () => {
  const x = f64([1, 2]);
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  assert.equal(d.storage, y.storage);
  const z = y.add(d).sum(); // d contributes no gradient
  z.backward();
  assertClose(gradOf(x), [2, 2]);
});

test("autograd: requiresGrad_ is refused on int and bool tensors and on non-leaves", () => {
  assert.throws(() => tl.tensor(new Int32Array([1])).requiresGrad_(), /^TensileError: \[requiresGrad_\] only floating-point tensors can require gradients, got dtype int32/);
  assert.throws(() => { tl.tensor([true]).requiresGrad = true; }, /got dtype bool/);
  const y = f64([1]).mul(2);
  assert.throws(() => y.requiresGrad_(false), /\[requiresGrad_\] cannot switch off requiresGrad on a non-leaf tensor; use detach\(\)/);
  const ok = tl.tensor([1]).requiresGrad_();
  assert.equal(ok.requiresGrad, true);
});

test("autograd: in-place ops on a leaf that requires grad are refused in grad mode, allowed in noGrad", () => {
  const w = f64([1, 2]);
  assert.throws(() => w.add_(1), /^TensileError: \[add_\] a leaf tensor that requires grad cannot be modified in place while grad mode is on; use tl\.noGrad/);
  assert.throws(() => w.zero_(), /\[zero_\] a leaf tensor that requires grad/);
  assert.deepEqual(w.toArray(), [1, 2], "a refused in-place op must not write");
  tl.noGrad(() => w.sub_(tl.tensor([0.5, 0.5], { dtype: "float64" })));
  assert.deepEqual(w.toArray(), [0.5, 1.5]);
  const y = w.mul(2);
  assert.throws(() => y.mul_(2), /\[mul_\] in-place ops on tensors that are part of an autograd graph are not supported/);
});

test("autograd: modifying a saved tensor in place makes backward fail with the version error", () => {
  const x = f64([1, 2]);
  const b = tl.tensor([3, 4], { dtype: "float64" });
  const y = x.mul(b).sum();
  b.mul_(2);
  assert.throws(() => y.backward(), /^TensileError: \[backward\] a tensor needed to compute the gradient of mul \(shape \[2\]\) was modified by an in-place operation/);
  // The same through a view: versions live on the shared storage.
  const c = tl.tensor([[1, 2], [3, 4]], { dtype: "float64" });
  const z = x.mul(c.select(0, 1)).sum();
  c.add_(1);
  assert.throws(() => z.backward(), /modified by an in-place operation/);
  // An output saved for backward (exp's gradient uses y) is guarded too, also through a detached alias.
  const u = x.exp();
  u.detach().add_(1);
  assert.throws(() => u.sum().backward(), /gradient of exp .* was modified by an in-place operation/);
  // Writes to unrelated tensors do not disturb backward.
  const v = x.exp();
  tl.tensor([1, 2], { dtype: "float64" }).add_(1);
  v.sum().backward();
  assertClose(gradOf(x), [Math.E, Math.exp(2)]);
});

test("autograd: retainGrad keeps the gradient of a non-leaf", () => {
  const x = f64([1, 2]);
  const h = x.mul(3).retainGrad();
  const y = h.square().sum();
  const k = x.mul(4);
  y.add(k.sum()).backward();
  assertClose(gradOf(h), [6, 12]);
  assertClose(gradOf(x), [22, 40]);
  assert.equal(k.grad, null, "a non-leaf without retainGrad gets no .grad");
});

test("autograd: the .grad setter checks the shape", () => {
  const x = f64([1, 2, 3]);
  assert.throws(() => { x.grad = tl.zeros([2], { dtype: "float64" }); }, /^TensileError: \[grad\] grad has shape \[2\] but the tensor has shape \[3\]/);
  x.grad = tl.ones([3], { dtype: "float64" });
  x.sum().backward();
  assertClose(gradOf(x), [2, 2, 2]);
  x.grad = null;
  assert.equal(x.grad, null);
});

test("autograd: a diamond graph sums the gradients of both paths", () => {
  const x = f64([2]);
  const a = x.mul(3);
  const y = a.mul(a).add(a.exp()); // 9x² + e^{3x}
  y.sum().backward();
  assertClose(gradOf(x), [36 + 3 * Math.exp(6)]);
});

test("autograd: cast between float dtypes carries gradients; cast to int cuts them", () => {
  const x = f64([1.5, 2.5]);
  x.to("float32").mul(2).sum().backward();
  const g = gradOf(x);
  assert.equal(g.dtype, "float64");
  assertClose(g, [2, 2]);
  assert.equal(x.to("int32").requiresGrad, false);
});
