// Builds the native backend (build/Release/tensile_native.node) with node-gyp and the machine's own
// compiler: npm runs this as the package's install script. It never downloads anything (the Node
// headers come from this Node installation) and never fails the install: if the build fails,
// Tensile runs on its js backend and this prints one warning saying why.
//   TENSILE_SKIP_NATIVE=1  skip the build        TENSILE_NATIVE_VERBOSE=1  show the compiler output
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { findNodeGyp } from "./node-gyp.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const verbose = process.env.TENSILE_NATIVE_VERBOSE === "1";

function warn(reason) {
  console.warn(`Tensile: the native backend was not built (${reason}); Tensile will run on its js backend.`);
  console.warn("Tensile: to retry, install a C++17 compiler, make and python3, then run `npm rebuild tensile` (or `node scripts/build-native.mjs`).");
  process.exit(0);
}

/** The headers of the running node (a distro node ships them under <prefix>/include/node). */
function findNodeDir() {
  if (process.env.npm_config_nodedir && existsSync(join(process.env.npm_config_nodedir, "include", "node", "node_api.h"))) {
    return process.env.npm_config_nodedir;
  }
  const prefix = resolve(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : null;
}

if (process.env.TENSILE_SKIP_NATIVE === "1") warn("TENSILE_SKIP_NATIVE=1");
const gyp = findNodeGyp();
if (!gyp) warn("node-gyp was not found");
const nodedir = findNodeDir();
// Without local headers node-gyp would try to download them; refuse instead.
if (!nodedir) warn(`no Node.js headers next to ${process.execPath} (install the node headers / nodejs-dev package)`);

const jobs = String(Math.max(1, Math.min(4, (await import("node:os")).availableParallelism?.() ?? 2)));
const args = [gyp, "rebuild", "--release", `--nodedir=${nodedir}`, `--jobs=${jobs}`, verbose ? "--loglevel=info" : "--loglevel=error"];
const started = Date.now();
const result = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", stdio: verbose ? "inherit" : "pipe", env: { ...process.env, npm_config_nodedir: nodedir } });
const log = `${result.stdout ?? ""}${result.stderr ?? ""}`;
if (result.status !== 0 || !existsSync(join(root, "build", "Release", "tensile_native.node"))) {
  if (!verbose) {
    mkdirSync(join(root, "build"), { recursive: true });
    writeFileSync(join(root, "build", "native-build.log"), log);
    const errors = log.split("\n").filter((l) => /error/i.test(l)).slice(0, 5);
    if (errors.length > 0) console.warn(errors.join("\n"));
  }
  warn(`node-gyp exited with ${result.status ?? result.signal}; full log in build/native-build.log`);
}
console.log(`Tensile: native backend built in ${((Date.now() - started) / 1000).toFixed(0)} s (build/Release/tensile_native.node)`);
