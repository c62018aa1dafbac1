/**
 * The native thread pool: slices are claimed by whichever threads are awake, so every slice of a
 * loop must run exactly once whatever the scheduling (more slices than threads, workers asleep,
 * thousands of tiny loops back to back, loops nested in a slice, pools resized between loops), and
 * a kernel's result must not depend on which thread ran a slice.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import { assertAgree, mixed } from "./compare.js";
import { requireNative } from "./helpers.js";

const addon = requireNative();

/** The pool's test hook; the addon built from this tree has it. */
function probe(nth: number, reps: number, sliceMicros: number, nested: boolean): [boolean, number] {
  assert.ok(addon.poolProbe, "the addon exports poolProbe (rebuild it)");
  return addon.poolProbe(nth, reps, sliceMicros, nested);
}

/** Runs fn with n threads, then restores the thread count. */
function withThreads<T>(n: number, fn: () => T): T {
  const before = tl.getNumThreads();
  tl.setNumThreads(n);
  try {
    return fn();
  } finally {
    tl.setNumThreads(before);
  }
}

test("thread pool: loops with more slices than threads run each slice exactly once", () => {
  for (const n of [2, 3, 8]) { // 8: more threads than this machine may have cores (oversubscribed)
    withThreads(n, () => {
      for (const nth of [n + 1, 2 * n + 1, 13, 64]) assert.deepEqual(probe(nth, 100, 0, false)[0], true, `${nth} slices on ${n} threads`);
    });
  }
});

test("thread pool: thousands of tiny loops back to back, and loops nested inside a slice", () => {
  withThreads(2, () => {
    assert.equal(probe(2, 20000, 0, false)[0], true, "tiny loops");
    assert.equal(probe(5, 2000, 0, true)[0], true, "nested loops run (inline) exactly once per slice");
  });
  withThreads(3, () => assert.equal(probe(3, 20000, 0, true)[0], true, "tiny nested loops on 3 threads"));
});

test("thread pool: a loop posted while the workers sleep completes, and awake workers take slices", async () => {
  await withThreads(2, async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 5)); // far past the workers' spin: they are asleep
      assert.equal(probe(2, 1, 100, false)[0], true, "a loop while asleep");
      assert.equal(probe(4, 3, 0, false)[0], true, "loops right after waking");
    }
    // 8 slices of 0.3 ms, 40 times: the worker is awake for most of it and must take some.
    const [exact, offCaller] = probe(8, 40, 300, false);
    assert.equal(exact, true);
    assert.ok(offCaller > 0, "no slice ran on a worker: the pool does not share work");
  });
  withThreads(1, () => assert.deepEqual(probe(6, 50, 0, true), [true, 0], "1 thread runs everything on the caller"));
});

test("thread pool: workers that sleep after every loop (TENSILE_POOL_SPIN_US=0) still run every slice once", () => {
  const entry = JSON.stringify(new URL("../../../src/index.ts", import.meta.url).href);
  const native = JSON.stringify(new URL("../../../src/backends/native/index.ts", import.meta.url).href);
  const code = `
    const tl = await import(${entry});
    const { nativeAddon } = await import(${native});
    const a = nativeAddon();
    tl.setNumThreads(3);
    const r = [a.poolProbe(3, 3000, 0, false)[0], a.poolProbe(7, 300, 5, true)[0]];
    const x = tl.randn([200, 300]);
    const s = tl.matmul(x, x.t()).sum().item();
    tl.setNumThreads(1);
    console.log(r.join(","), s === tl.matmul(x, x.t()).sum().item());`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    encoding: "utf8",
    env: { ...process.env, TENSILE_POOL_SPIN_US: "0" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "true,true true");
});

test("thread pool: setNumThreads between loops resizes the pool", () => {
  for (const n of [1, 2, 3, 2, 1, 3]) {
    withThreads(n, () => {
      assert.equal(tl.getNumThreads(), n);
      assert.equal(probe(2 * n + 1, 200, 0, n > 1)[0], true, `${n} threads`);
    });
  }
});

/** Kernels whose slices are independent of the thread count: results must match bit for bit. */
function kernelOutputs(): tl.Tensor[] {
  tl.manualSeed(11);
  const a = mixed([256, 256]);
  const b = mixed([256, 256]);
  const img = tl.randn([8, 16, 20, 20]);
  const w = tl.randn([32, 16, 3, 3]);
  const x = tl.randn([64, 16, 32, 32]);
  return [
    tl.matmul(a, b),
    tl.matmul(tl.randn([6, 70, 90]), tl.randn([6, 90, 50])),
    tl.conv2d(img, w, undefined, { padding: 1 }),
    tl.conv2d(img, w, undefined, { stride: 2 }),
    tl.sum(x, { dim: [0, 2, 3] }),
    tl.mean(x, { dim: 1 }),
    tl.sum(a, { dim: 1 }),
    tl.mean(a, { dim: 0 }),
    tl.softmax(a, 1),
    tl.add(x, x.mul(0.5)),
  ];
}

test("thread pool: gemm, conv, reductions give the same bits on 1, 2 and 3 threads, and on every rerun", () => {
  const one = withThreads(1, kernelOutputs);
  for (const n of [2, 3, 2]) {
    const got = withThreads(n, kernelOutputs);
    got.forEach((t, k) => assertAgree(t, one[k], { rel: 0, abs: 0 }, `output ${k} on ${n} threads`));
  }
});
