// Where node-gyp is: shared by the install-time build (build-native.mjs) and the arm64 check
// (test-arm64.mjs). Never downloads it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** node-gyp: the one npm is running with, else npm's bundled copy next to this node, else a local one. */
export function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not installed locally: fine
  }
  return candidates.find((p) => p && existsSync(p));
}

