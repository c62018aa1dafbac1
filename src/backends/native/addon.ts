import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ABI_VERSION, type NativeAddon } from "./abi.js";

/** The addon, or why it could not be loaded. */
export type AddonLoad = { addon: NativeAddon; path: string } | { addon: null; path: string; reason: string };

/** Where `npm install` builds the addon: build/Release under the package root (same from src/ and dist/). */
function defaultPath(): string {
  return fileURLToPath(new URL("../../../build/Release/tensile_native.node", import.meta.url));
}

/**
 * Loads the native addon from `TENSILE_NATIVE_PATH` or the package's build folder. Never throws:
 * a missing or broken addon is reported as a reason, and Tensile runs on js.
 */
export function loadAddon(path: string = process.env.TENSILE_NATIVE_PATH || defaultPath()): AddonLoad {
  if (!existsSync(path)) return { addon: null, path, reason: `no addon at ${path}: npm install did not build it (its log: build/native-build.log)` };
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (addon.abiVersion !== ABI_VERSION) {
      return { addon: null, path, reason: `ABI version ${String(addon.abiVersion)} of ${path}, expected ${ABI_VERSION}: rebuild it with npm install` };
    }
    return { addon, path };
  } catch (e) {
    const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return { addon: null, path, reason: message };
  }
}
