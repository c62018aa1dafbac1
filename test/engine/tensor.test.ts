/**
 * The Tensor class itself: metadata, reading values back (also from strided views), item(),
 * PyTorch-style printing, and backend selection errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import * as tl from "../../src/index.js";

test("tensor: shape, dtype, ndim, size", () => {
  const t = tl.zeros([2, 3, 4]);
  assert.deepEqual([...t.shape], [2, 3, 4]);
  assert.equal(t.dtype, "float32");
  assert.equal(t.ndim, 3);
  assert.equal(t.size, 24);
  assert.equal(t.numel(), 24);
  assert.deepEqual([...t.strides], [12, 4, 1]);
  const s = tl.tensor(3);
  assert.equal(s.ndim, 0);
  assert.equal(s.size, 1);
  assert.equal(tl.zeros([0, 5]).size, 0);
  assert.throws(() => { (t.shape as number[])[0] = 9; }, TypeError, "shape must be frozen");
});

test("tensor: toArray gives nested arrays; bool gives booleans; 0-d gives a number", () => {
  assert.deepEqual(tl.tensor([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(tl.arange(8).reshape([2, 2, 2]).toArray(), [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]);
  assert.deepEqual(tl.tensor([true, false]).toArray(), [true, false]);
  assert.equal(tl.tensor(2.5).toArray(), 2.5);
  assert.deepEqual(tl.zeros([2, 0]).toArray(), [[], []]);
});

test("tensor: dataSync of non-contiguous views reads them in row-major order", () => {
  const x = tl.tensor([[1, 2, 3], [4, 5, 6]]);
  const t = x.t();
  assert.equal(t.isContiguous, false);
  assert.deepEqual(Array.from(t.dataSync()), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(Array.from(x.slice(1, 0, 3, 2).dataSync()), [1, 3, 4, 6]);
  assert.deepEqual(Array.from(x.select(1, 1).dataSync()), [2, 5]);
  assert.deepEqual(Array.from(x.narrow(0, 1, 1).dataSync()), [4, 5, 6]);
  assert.deepEqual(Array.from(tl.tensor([7, 8]).reshape([2, 1]).expand([2, 3]).dataSync()), [7, 7, 7, 8, 8, 8]);
  assert.deepEqual(x.permute([1, 0]).toArray(), [[1, 4], [2, 5], [3, 6]]);
  // dataSync returns a copy: writing to it does not change the tensor.
  const data = x.dataSync();
  data[0] = 100;
  assert.equal(x.toArray().toString(), "1,2,3,4,5,6");
});

test("tensor: item() reads a one-element tensor and refuses others", () => {
  assert.equal(tl.tensor(4.5).item(), 4.5);
  assert.equal(tl.tensor([[7]]).item(), 7);
  assert.throws(() => tl.tensor([1, 2]).item(), /^TensileError: \[item\] only a one-element tensor can be converted to a number, got shape \[2\]/);
});

test("tensor: toString prints like PyTorch", () => {
  const cases: [tl.Tensor, string][] = [
    [tl.tensor([1, 2, 3]), "tensor([1., 2., 3.])"],
    [tl.tensor([1.5, -2.25]), "tensor([ 1.5000, -2.2500])"],
    [tl.tensor([[1.5, 2], [3, 4]]), "tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]])"],
    [tl.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), "tensor([[[1., 2.],\n         [3., 4.]],\n\n        [[5., 6.],\n         [7., 8.]]])"],
    [tl.tensor(new Int32Array([1, 2, 30, 4]), { shape: [2, 2] }), "tensor([[ 1,  2],\n        [30,  4]], dtype=int32)"],
    [tl.tensor(2.5), "tensor(2.5000)"],
    [tl.zeros([2]), "tensor([0., 0.])"],
    [tl.tensor([1, 2], { dtype: "float64" }), "tensor([1., 2.], dtype=float64)"],
    [tl.tensor([true, false]), "tensor([ True, False])"],
    [tl.tensor([true, true]), "tensor([True, True])"],
    [tl.tensor([0.5, NaN, Infinity]), "tensor([0.5000,    nan,    inf])"],
    [tl.tensor([1e-5, 1]), "tensor([1.0000e-05, 1.0000e+00])"],
    [tl.tensor([1, 10000]), "tensor([1.0000e+00, 1.0000e+04])"],
    [tl.tensor([1.5, 2000.5]), "tensor([1.5000e+00, 2.0005e+03])"],
    [tl.tensor([]), "tensor([])"],
  ];
  for (const [t, expected] of cases) assert.equal(t.toString(), expected);
});

test("tensor: toString shows requiresGrad on leaves and gradFn on op results", () => {
  const x = tl.tensor([1, 2], { requiresGrad: true });
  assert.equal(x.toString(), "tensor([1., 2.], requiresGrad=true)");
  assert.equal(x.mul(2).toString(), "tensor([2., 4.], gradFn=<mul>)");
  assert.equal(inspect(x.sum()), "tensor(3., gradFn=<sum>)");
  assert.equal(tl.noGrad(() => x.mul(2)).toString(), "tensor([2., 4.])");
});

test("tensor: a disposed tensor prints as disposed", () => {
  const t = tl.ones([2]);
  t.dispose();
  assert.equal(t.toString(), "tensor(<disposed>, shape=[2])");
});

test("tensor: setBackend with an unknown name is a clear error; js is listed", () => {
  assert.ok(tl.listBackends().includes("js"));
  const before = tl.getBackend().name;
  assert.throws(() => tl.setBackend("nope"), /^TensileError: \[setBackend\] unknown backend "nope"; available: .*js/);
  assert.equal(tl.getBackend().name, before, "a failed setBackend must not change the active backend");
  tl.setBackend("js");
  assert.equal(tl.zeros([1]).backend.name, "js");
  tl.setBackend(before);
});
