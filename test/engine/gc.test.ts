/**
 * The GC safety net: tensors a program drops without dispose() or tidy leave memory() and give
 * their memory back once the garbage collector takes them (their storage and every view of it).
 * Each check runs in a fresh node with --expose-gc, so this file's own tensors do not interfere.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";

const ENTRY = JSON.stringify(new URL("../../src/index.ts", import.meta.url).href);
const NATIVE = JSON.stringify(new URL("../../src/backends/native/index.ts", import.meta.url).href);
const nativeBuilt = existsSync(new URL("../../build/Release/tensile_native.node", import.meta.url));

/** Runs `body` (an async module body with `tl`, `collect` and `report` in scope) in a fresh node. */
function run(body: string, backend: string): Record<string, unknown> {
  const code = `
    const tl = await import(${ENTRY});
    tl.setBackend(${JSON.stringify(backend)});
    const { nativeAddon } = await import(${NATIVE});
    const liveBytes = () => nativeAddon()?.memoryStats().liveBytes ?? 0;
    /** Collects until memory() is back to \`start\` (finalizers run between turns of the event loop). */
    const collect = async (start) => {
      for (let i = 0; i < 50 && tl.memory().numTensors !== start.numTensors; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const out = {};
    const report = (key, value) => { out[key] = value; };
    ${body}
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
}

const BACKENDS = nativeBuilt ? ["native", "js"] : ["js"];

for (const backend of BACKENDS) {
  test(`gc (${backend}): dropped tensors, views and op results leave memory() when collected`, () => {
    const r = run(`
      const start = tl.memory();
      (() => {
        for (let i = 0; i < 2000; i++) {
          const x = tl.randn([2, 3]);
          x.reshape([3, 2]).t();          // views share x's storage
          tl.add(x, x).mul(2);            // op results, never disposed
        }
      })();
      report("during", tl.memory().numTensors - start.numTensors);
      await collect(start);
      report("start", start);
      report("after", tl.memory());`, backend);
    assert.ok((r.during as number) >= 10000, `tensors made: ${String(r.during)}`);
    assert.deepEqual(r.after, r.start);
  });

  test(`gc (${backend}): a view dropped without dispose is freed with its storage, even if the disposed base is still referenced`, () => {
    const r = run(`
      const start = tl.memory();
      const holder = { base: tl.ones([4, 4]) };
      (() => { holder.base.reshape([16]).mul(1); })(); // a view and a result, both dropped
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 10));
      report("baseSum", holder.base.sum().item()); // the view's GC did not free the base's memory
      holder.base.dispose(); // the view still uses the storage; holder keeps the disposed base object
      await collect(start);
      report("start", start);
      report("after", tl.memory());`, backend);
    assert.equal(r.baseSum, 16);
    assert.deepEqual(r.after, r.start);
  });

  test(`gc (${backend}): views of a live tensor dropped without dispose leave memory() when collected`, () => {
    const r = run(`
      const w = tl.randn([8, 4]);
      const start = tl.memory();
      (() => { for (let i = 0; i < 3000; i++) { w.t(); w.reshape([32]); w.detach(); } })();
      report("during", tl.memory().numTensors - start.numTensors);
      await collect(start);
      report("start", start);
      report("after", tl.memory());
      report("wAlive", w.sum().item() === w.sum().item());
      w.dispose();`, backend);
    assert.ok((r.during as number) >= 9000, `views made: ${String(r.during)}`);
    assert.deepEqual(r.after, r.start);
    assert.equal(r.wAlive, true);
  });
}

if (nativeBuilt) {
  test("gc (native): memory of small dropped tensors (slots of shared blocks) is reused, not leaked", () => {
    // 2 KiB tensors take slots of shared 1 MiB blocks: 100 MB of them need about 100 blocks. Without
    // the safety net the second round would take 100 more; with it, it reuses the collected slots.
    const r = run(`
      const round = () => { for (let i = 0; i < 50000; i++) tl.full([512], i); };
      const start = tl.memory();
      round();
      await collect(start);
      const first = liveBytes();
      round();
      await collect(start);
      report("grewMB", (liveBytes() - first) / 1e6);
      report("firstMB", first / 1e6);
      report("start", start);
      report("after", tl.memory());`, "native");
    assert.ok((r.firstMB as number) >= 100, `first round held ${String(r.firstMB)} MB`);
    assert.ok((r.grewMB as number) < 5, `native memory grew ${String(r.grewMB)} MB in the second round`);
    assert.deepEqual(r.after, r.start);
  });
}

test("gc: a disposed tensor stays unusable after its storage object is reused", async () => {
  const tl = await import("../../src/index.js");
  const x = tl.tensor([1, 2, 3]);
  x.dispose();
  const y = tl.tensor([4, 5, 6]); // may take x's freed storage object
  assert.throws(() => x.dataSync(), /already disposed/);
  assert.throws(() => tl.add(x, y), /already disposed/);
  x.dispose(); // a second dispose must not free y's memory
  assert.deepEqual(Array.from(y.dataSync()), [4, 5, 6]);
  y.dispose();
});
