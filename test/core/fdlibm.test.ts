import assert from "node:assert/strict";
import { test } from "node:test";
import { fdCosSmall, fdLog } from "../../src/core/fdlibm.js";

// Distance in units of the last place between two doubles of the same sign.
const f64 = new Float64Array(2);
const i64 = new BigInt64Array(f64.buffer);
function ulps(a: number, b: number): number {
  f64[0] = a;
  f64[1] = b;
  const d = i64[0] - i64[1];
  return Number(d < 0n ? -d : d);
}

// Every input the normal draws give these functions: u1 = 1 − k/2^24 for log, 2π·k/2^24 for cos.
// On x86-64, V8's Math.log and Math.cos are fdlibm compiled without fused multiply-adds, so the
// ports must match them bit for bit; elsewhere (arm64 V8 fuses them) to within an ulp.
const exact = process.arch === "x64";

/** Compares `port` with `math` at the 2^24 inputs `input(k)`: bit for bit on x86-64, ≤ 1 ulp elsewhere. */
function agreesOnGrid(name: string, port: (x: number) => number, math: (x: number) => number, input: (k: number) => number): void {
  let worst = 0;
  for (let k = 0; k < 1 << 24; k++) {
    const x = input(k);
    const got = port(x);
    const want = math(x);
    if (got !== want) {
      if (exact) assert.fail(`${name}(${x}) = ${got}, Math gives ${want}`);
      worst = Math.max(worst, ulps(got, want));
    }
  }
  assert.ok(worst <= 1, `${name} differs from Math by ${worst} ulp`);
}

test("fdLog is fdlibm's log on every (0, 1] input of the normal draws", () => {
  agreesOnGrid("fdLog", fdLog, Math.log, (k) => 1 - k / 16777216);
});

test("fdCosSmall is fdlibm's cos on every [0, 2π) angle of the normal draws", () => {
  agreesOnGrid("fdCosSmall", fdCosSmall, Math.cos, (k) => 2 * Math.PI * (k / 16777216));
});

test("fdLog and fdCosSmall: special values and the branches of the reduction", () => {
  assert.equal(fdLog(0), -Infinity);
  assert.equal(fdLog(-0), -Infinity);
  assert.ok(Number.isNaN(fdLog(-1)));
  assert.ok(Number.isNaN(fdLog(NaN)));
  assert.equal(fdLog(Infinity), Infinity);
  assert.equal(fdLog(1), 0);
  // Subnormal, |f| < 2^-20 around 1 and powers of two take their own branches.
  for (const x of [5e-324, 1e-310, 1 + 2 ** -30, 1 - 2 ** -30, 2, 0.5, 1024, 3.5e-5]) {
    assert.ok(ulps(fdLog(x), Math.log(x)) <= (exact ? 0 : 1), `fdLog(${x})`);
  }
  // Near π/2 (the extra-bits case), multiples of π/2 (the second and third reduction steps).
  for (const x of [0, 1e-9, Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4, Math.PI, 3 * Math.PI / 2, 2 * Math.PI - 1e-12, 100 * Math.PI]) {
    assert.ok(ulps(fdCosSmall(x), Math.cos(x)) <= (exact ? 0 : 1), `fdCosSmall(${x}): ${fdCosSmall(x)} vs ${Math.cos(x)}`);
  }
});
