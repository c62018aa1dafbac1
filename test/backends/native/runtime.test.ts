/**
 * The native runtime: thread pool (setNumThreads, TENSILE_NUM_THREADS), the caching allocator and
 * its accounting, the status codes that become TensileErrors, the kernel table's agreement with the
 * TypeScript wrappers, the per-ISA builds' symbol isolation, and loading without the addon.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tl from "../../../src/index.js";
import type { TensorView } from "../../../src/backend/backend.js";
import { contiguousLayout } from "../../../src/core/layout.js";
import { assertAgree, mixed } from "./compare.js";
import { requireNative } from "./helpers.js";

const addon = requireNative();

/** Runs a script with tsx in a fresh node; returns its exit status, stdout and stderr. */
function runScript(code: string, env: Record<string, string>, nodeArgs: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, "--import", "tsx", "--input-type=module", "-e", code], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ENTRY = JSON.stringify(new URL("../../../src/index.ts", import.meta.url).href);

test("native threads: setNumThreads changes the pool; results do not depend on it", () => {
  const before = tl.getNumThreads();
  try {
    const results = [1, 2, 3].map((n) => {
      tl.setNumThreads(n);
      assert.equal(tl.getNumThreads(), n);
      tl.manualSeed(3);
      const x = mixed([400, 700]);
      return [tl.tanh(x), tl.add(x, x.t().contiguous().t()), tl.randn([300000]), tl.sum(x, { dim: 0 })];
    });
    for (const r of results.slice(1)) r.forEach((t, k) => assertAgree(t, results[0][k], { rel: k === 3 ? 1e-6 : 0, abs: 0 }, `output ${k}`));
    assert.throws(() => tl.setNumThreads(0), /\[setNumThreads\]/);
  } finally {
    tl.setNumThreads(before);
  }
});

test("native threads: TENSILE_NUM_THREADS sets the default pool size", () => {
  const r = runScript(`const tl = await import(${ENTRY}); console.log(tl.getBackend().name, tl.getNumThreads());`, { TENSILE_NUM_THREADS: "3" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "native 3");
});

test("native memory: blocks return at dispose, a training-like loop holds steady, stats are reported", () => {
  const live = () => addon.memoryStats().liveBytes;
  const big = tl.zeros([10_000_000]); // 40 MB: above the 32 MiB kept for reuse, freed at once on dispose
  const view = (big.storage as unknown as { data: Float32Array }).data;
  const during = live();
  big.dispose();
  assert.ok(live() <= during - 40_000_000, `live bytes ${live()} after freeing 40 MB from ${during}`);
  assert.equal(view.byteLength, 0, "the freed block's buffer is detached");
  const w = tl.randn([256, 256]);
  const step = () => tl.tidy(() => tl.sum(tl.tanh(tl.add(w, tl.randn([256, 256])))).item());
  step();
  const settled = live();
  const tensors = tl.memory().numTensors;
  for (let i = 0; i < 50; i++) step();
  assert.equal(live(), settled, "native bytes grow across identical steps");
  assert.equal(tl.memory().numTensors, tensors);
  const s = addon.memoryStats();
  for (const key of ["liveBytes", "liveBlocks", "cachedBytes", "cachedBlocks", "cacheLimit"] as const) assert.ok(Number.isFinite(s[key]), key);
});

test("native memory: a tensor dropped without dispose is freed by garbage collection", () => {
  const code = `
    const tl = await import(${ENTRY});
    const { nativeAddon } = await import(${JSON.stringify(new URL("../../../src/backends/native/index.ts", import.meta.url).href)});
    const live = () => nativeAddon().memoryStats().liveBytes;
    const before = live();
    (() => { tl.zeros([10_000_000]); })();
    const during = live();
    for (let i = 0; i < 20 && live() >= during; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    console.log(during - before >= 40e6, live() < during);`;
  const r = runScript(code, {}, ["--expose-gc"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "true true");
});

test("native threads: worker_threads load their own addon instance and share the pool safely", () => {
  const code = `
    const { Worker } = await import("node:worker_threads");
    const work = "const tl = await import(" + JSON.stringify(${ENTRY}) + "); tl.manualSeed(4);" +
      "const x = tl.randn([600, 700]); let s = 0; for (let i = 0; i < 20; i++) s += tl.sum(tl.tanh(tl.add(x, i))).item();" +
      "return [tl.getBackend().name, s];";
    const inWorker = new Promise((resolve, reject) => {
      // A worker does not inherit tsx's loader: it registers its own before importing TypeScript.
      const w = new Worker("(async () => { (await import('tsx/esm/api')).register(); const r = await (async () => {" + work + "})(); (await import('node:worker_threads')).parentPort.postMessage(r); })()", { eval: true });
      w.on("message", resolve);
      w.on("error", reject);
    });
    const here = await (new Function("return (async () => {" + work + "})()"))();
    const there = await inWorker;
    console.log(here[0], there[0], here[1] === there[1]);`;
  const r = runScript(code, {});
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "native native true");
});

test("native errors: a bad view or a freed storage is a TensileError, never a stray access", () => {
  const x = tl.zeros([4, 4]);
  const out = tl.zeros([4, 4]);
  const exp = tl.getBackend().kernels.get("exp");
  assert.ok(exp);
  const outside: TensorView = { storage: x.storage, dtype: "float32", shape: [4, 5], strides: [5, 1], offset: 0 };
  assert.throws(() => exp.run([outside], [out], {}), (e: Error) => e instanceof tl.TensileError && /\[exp\] native kernel failed: a view reaches outside its storage/.test(e.message));
  const freed = tl.zeros([4, 4]);
  const stale: TensorView = { storage: freed.storage, dtype: "float32", ...contiguousLayout([4, 4]) };
  freed.dispose();
  assert.throws(() => exp.run([stale], [out], {}), /unknown or was already freed/);
});

test("native kernel table: every C++ kernel has a TypeScript wrapper and every wrapper a kernel", () => {
  const names = addon.listKernels();
  assert.equal(new Set(names).size, names.length, "kernel names are unique");
  const kernels = tl.getBackend().kernels;
  for (const name of names) assert.ok(kernels.has(name), `C++ kernel "${name}" has no wrapper`);
  assert.ok(addon.availableIsas().includes("generic"));
  assert.ok(addon.availableIsas().includes(addon.isa()), "the active ISA is one this CPU runs");
});

test("native build: each ISA level's objects export only their family tables (no shared inline code)", (t) => {
  const objRoot = join("build", "Release", "obj.target");
  const nm = spawnSync("nm", ["--version"], { encoding: "utf8" });
  if (!existsSync(objRoot) || nm.status !== 0) {
    t.diagnostic("no object files or no nm here: nothing to check");
    assert.ok(addon.listKernels().length > 0);
    return;
  }
  const objects = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? objects(p) : f.endsWith(".o") ? [p] : [];
  });
  for (const isa of ["generic", "avx2", "avx512"]) {
    const dir = join(objRoot, `tensile_kernels_${isa}`);
    if (!existsSync(dir)) continue;
    const out = spawnSync("nm", ["-C", "--defined-only", ...objects(dir)], { encoding: "utf8" }).stdout;
    // A weak or global symbol outside tensile::<isa>:: could be shared with another level's build
    // and run that level's instructions on a CPU without them.
    const leaks = out.split("\n").filter((l) => / [TWVDRBu] /.test(l) && !l.includes(`tensile::${isa}::`) && !/ tl_family_\w+$/.test(l));
    assert.deepEqual(leaks, [], `symbols of the ${isa} build outside its namespace`);
  }
});

test("loading: without the addon Tensile runs on js with exactly one warning", () => {
  const code = `const tl = await import(${ENTRY}); const y = tl.add(tl.tensor([1, 2]), 1).exp();
    console.log(tl.getBackend().name, tl.listBackends().join(","), Array.from(y.dataSync()).map((v) => v.toFixed(3)).join(" "));`;
  const r = runScript(code, { TENSILE_NATIVE_PATH: "/nonexistent/tensile_native.node" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "js js 7.389 20.086");
  const warnings = r.stderr.split("\n").filter((l) => l.includes("Tensile"));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0], /native backend unavailable \(.*\); using js/);
});

test("loading: TENSILE_BACKEND=js picks js (native stays available); TENSILE_BACKEND=native is the default", () => {
  const code = `const tl = await import(${ENTRY}); console.log(tl.getBackend().name, tl.listBackends().join(","));`;
  const js = runScript(code, { TENSILE_BACKEND: "js" });
  assert.equal(js.status, 0, js.stderr);
  assert.equal(js.stdout.trim(), "js js,native");
  assert.equal(js.stderr.includes("Tensile"), false, js.stderr);
  const native = runScript(code, { TENSILE_BACKEND: "native" });
  assert.equal(native.stdout.trim(), "native js,native");
});
