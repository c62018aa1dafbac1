/**
 * The JavaScript side of native memory (src/backends/native/storage.ts) over a fake addon that
 * records its calls: which freed blocks are kept for reuse and which go back, and what memory
 * handed out unzeroed holds under the poison check. Needs no native build.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Backend } from "../../../src/backend/backend.js";
import type { NativeAddon } from "../../../src/backends/native/abi.js";
import { classBytes, NativeMemory, type NativeStorage } from "../../../src/backends/native/storage.js";

/** An addon that hands out plain ArrayBuffers with fresh handles and logs alloc/free. */
function fakeAddon(): { addon: NativeAddon; allocs: number[]; frees: number[] } {
  const allocs: number[] = [];
  const frees: number[] = [];
  let next = 1;
  const reply = new Float64Array(2);
  const addon = {
    reply,
    alloc(bytes: number): ArrayBuffer {
      const bytesReserved = classBytes(bytes);
      allocs.push(bytesReserved);
      reply[0] = next++;
      reply[1] = bytesReserved;
      return new ArrayBuffer(bytesReserved);
    },
    free(handle: number): number {
      frees.push(handle);
      return 0;
    },
  };
  return { addon: addon as unknown as NativeAddon, allocs, frees };
}

const backend = { name: "fake" } as unknown as Backend;
const KB = 1024;

test("native memory keeps freed blocks for reuse: the next tensor of the class takes one without the addon", () => {
  const { addon, allocs, frees } = fakeAddon();
  const memory = new NativeMemory(addon, backend, { reuseLimit: 1024 * KB });
  const a = memory.alloc("float32", 64 * KB);
  const handle = a.handle;
  memory.release(a);
  const b = memory.alloc("float32", 64 * KB);
  assert.equal(b.handle, handle, "the freed block is handed out again");
  assert.deepEqual(allocs, [classBytes(256 * KB)], "one addon allocation for both tensors");
  assert.deepEqual(frees, []);
});

test("native memory gives back the longest-kept blocks when the kept bytes would pass the limit", () => {
  const { addon, allocs, frees } = fakeAddon();
  const limit = 1024 * KB;
  const memory = new NativeMemory(addon, backend, { reuseLimit: limit });
  // An earlier workload: three 256 KiB blocks, freed and never needed again.
  const old = [0, 1, 2].map(() => memory.alloc("float32", 64 * KB));
  const oldHandles = old.map((s) => s.handle);
  for (const s of old) memory.release(s);
  // The next workload frees two 192 KiB blocks every step: 768 + 384 KiB > 1 MiB kept, so the
  // oldest 256 KiB block goes back, not the new block.
  const step = (): NativeStorage[] => [0, 1].map(() => memory.alloc("float32", 48 * KB));
  const first = step();
  for (const s of first) memory.release(s);
  assert.deepEqual(frees, [oldHandles[0]], "the oldest kept block is returned to the addon");
  const allocsAfterFirst = allocs.length;
  for (let i = 0; i < 5; i++) {
    const blocks = step();
    assert.deepEqual(blocks.map((s) => s.handle).sort(), first.map((s) => s.handle).sort(), `step ${i} reuses the same blocks`);
    for (const s of blocks) memory.release(s);
  }
  assert.equal(allocs.length, allocsAfterFirst, "later steps never call the addon");
  assert.deepEqual(frees, [oldHandles[0]]);
  // What is left of the old blocks is still reusable, newest first.
  assert.equal(memory.alloc("float32", 64 * KB).handle, oldHandles[2]);
});

test("native memory returns a block larger than the reuse limit at once", () => {
  const { addon, frees } = fakeAddon();
  const memory = new NativeMemory(addon, backend, { reuseLimit: 64 * KB });
  const big = memory.alloc("float32", 32 * KB);
  const handle = big.handle;
  memory.release(big);
  assert.deepEqual(frees, [handle]);
});

test("native memory poison: unzeroed memory is NaN (floats) or a marker (integers); zeroed memory is zero", () => {
  const { addon } = fakeAddon();
  const memory = new NativeMemory(addon, backend, { poison: true, reuseLimit: 1024 * KB });
  const f = memory.alloc("float32", 1000, false);
  assert.ok(Array.from(f.data).every(Number.isNaN), "float32 unzeroed is NaN");
  const i = memory.alloc("int32", 1000, false);
  assert.ok(Array.from(i.data).every((v) => v === i.data[0] && v !== 0), "int32 unzeroed holds one non-zero marker");
  memory.release(f);
  // A reused block asked zeroed is zeroed, poisoned or not before.
  const z = memory.alloc("float32", 1000, true);
  assert.ok(Array.from(z.data).every((v) => v === 0));
  const plain = new NativeMemory(addon, backend, { reuseLimit: 1024 * KB });
  const p = plain.alloc("float32", 1000, false);
  assert.ok(Array.from(p.data).every((v) => v === 0), "without poison a fresh block is the addon's (zeroed) memory");
});

/** Runs fn with console.warn captured; returns the warnings. */
async function warningsOf(fn: () => Promise<void> | void): Promise<string[]> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.warn = original;
  }
  return seen;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test("native memory warns once when a synchronous stretch allocates past the limit without freeing", async () => {
  const { addon } = fakeAddon();
  const memory = new NativeMemory(addon, backend, { turnWarnBytes: 1024 * KB });
  const warnings = await warningsOf(() => {
    // Five 256 KiB tensors dropped without release: the GC would free them only after this turn.
    for (let i = 0; i < 5; i++) memory.alloc("float32", 64 * KB);
    for (let i = 0; i < 5; i++) memory.alloc("float32", 64 * KB);
  });
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /1\.\d GiB|0\.\d GiB/);
  assert.match(warnings[0], /tl\.tidy/);
  await nextTurn();
});

test("native memory does not warn when the allocations are spread over event-loop turns", async () => {
  const { addon } = fakeAddon();
  const memory = new NativeMemory(addon, backend, { turnWarnBytes: 1024 * KB });
  const warnings = await warningsOf(async () => {
    for (let turn = 0; turn < 4; turn++) {
      for (let i = 0; i < 3; i++) memory.alloc("float32", 64 * KB); // 768 KiB per turn
      await nextTurn();
    }
  });
  assert.deepEqual(warnings, []);
});
