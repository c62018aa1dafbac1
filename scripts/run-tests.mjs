// Runs every test file under test/ with Node's built-in runner, TypeScript through tsx.
// Node 20's runner does not discover *.test.ts files itself, so we list them here.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const explicit = process.argv.length > 2;
// A folder argument means every test file under it (node --test given a folder finds no .ts files).
const files = explicit ? process.argv.slice(2).flatMap((a) => (statSync(a).isDirectory() ? findTests(a) : [a])) : findTests("test");
const run = (list, env) => spawnSync(process.execPath, ["--import", "tsx", "--test", ...list], { stdio: "inherit", env }).status ?? 1;
// Kernels that claim to overwrite their outputs get them unzeroed; in tests that memory is filled
// with NaN first (TENSILE_POISON_OUTPUTS), so a kernel that leaves an element unwritten fails.
const env = { TENSILE_POISON_OUTPUTS: "1", ...process.env };
let status = run(files, env);

// With the native addon built, the first pass ran on native (the default backend) and the op
// harness compared every case with js; the op and layer tests then run again on js itself.
const nativeBuilt = existsSync(join("build", "Release", "tensile_native.node"));
if (!explicit && nativeBuilt && !process.env.TENSILE_BACKEND) {
  const again = files.filter((f) => /^test[\\/](ops|nn)[\\/]/.test(f));
  console.log(`# second pass: ${again.length} op and layer test files on the js backend (TENSILE_BACKEND=js)`);
  status = run(again, { ...env, TENSILE_BACKEND: "js" }) || status;
}

// On x86-64 with an aarch64 cross compiler and qemu-user (.ci/run installs them), the NEON level
// is built and its kernel tests run under emulation (scripts/test-arm64.mjs); without them it says
// so and passes.
if (!explicit && !process.env.TENSILE_BACKEND) {
  status = spawnSync(process.execPath, [join("scripts", "test-arm64.mjs")], { stdio: "inherit" }).status || status;
}
process.exit(status);
