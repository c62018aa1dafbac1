/**
 * Module specs: how a worker thread (which shares no objects with the main thread) builds a dataset or
 * a transform. A spec names a module, an export, and constructor or factory arguments that survive
 * structured cloning; the worker imports the module and rebuilds the object itself.
 */
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { tensileError } from "../../core/errors.js";

/**
 * Where an object comes from: `module` is an absolute path, a URL (`import.meta.url` of the file
 * that defines it, or `new URL("./my-dataset.js", import.meta.url)`) or a package name (`"tensile"`);
 * `export` is the export's name (default `"default"`), or a dotted path such as `"data.ImageFolder"`. A class export is constructed with `args`; a function export is called with
 * `args` when they are given (a factory, which may be async) and used as it is otherwise.
 * Arguments must be structured-cloneable (numbers, strings, arrays, plain objects, typed arrays).
 * @example
 * { module: new URL("./datasets.js", import.meta.url).href, export: "MyImages", args: ["/data/train", { size: 64 }] }
 */
export interface ModuleSpec {
  module: string | URL;
  export?: string;
  args?: unknown[];
}

/** An object that can describe itself as a `ModuleSpec`, so a `DataLoader` can rebuild it in workers. */
export interface WorkerBuildable {
  workerSpec(): ModuleSpec;
}

/** A nested spec inside another spec's arguments (e.g. the dataset of a `Subset`): built first. */
export interface SpecArg {
  $spec: ModuleSpec;
}

/** Whether a value has the shape of a `ModuleSpec`. */
export function isModuleSpec(value: unknown): value is ModuleSpec {
  if (value === null || typeof value !== "object") return false;
  const m = (value as { module?: unknown }).module;
  return typeof m === "string" || m instanceof URL;
}

/** The module of a spec as a URL string the worker can `import()`. */
export function moduleUrl(module: string | URL, where: string): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module; // file:, data:, node:
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith(".")) {
    throw tensileError(where, `module "${module}" is relative; pass an absolute path or a URL such as new URL("${module}", import.meta.url).href`);
  }
  return module; // a package name, resolved from Tensile's own location
}

/** A spec with its module as a URL string: safe to send to a worker. */
export function normalizeSpec(spec: ModuleSpec, where: string): ModuleSpec {
  if (!isModuleSpec(spec)) throw tensileError(where, "a module spec needs { module: path or URL, export?: name, args?: [...] }");
  if (spec.export !== undefined && typeof spec.export !== "string") throw tensileError(where, `spec export must be a string, got ${typeof spec.export}`);
  if (spec.args !== undefined && !Array.isArray(spec.args)) throw tensileError(where, "spec args must be an array");
  return { module: moduleUrl(spec.module, where), export: spec.export ?? "default", ...(spec.args ? { args: spec.args } : {}) };
}

/** Describes a dataset as a nested spec argument, or explains why it cannot be rebuilt in a worker. */
export function datasetArg(dataset: unknown, where: string): SpecArg {
  const fn = (dataset as Partial<WorkerBuildable> | null)?.workerSpec;
  if (typeof fn !== "function") {
    const name = (dataset as object | null)?.constructor?.name ?? typeof dataset;
    throw tensileError(where, `its dataset (${name}) cannot be rebuilt in a worker: give it a workerSpec() method, or pass workerDataset: { module, export, args } to the DataLoader`);
  }
  return { $spec: fn.call(dataset) };
}

/**
 * The URL of the library's entry point (from sources or from the build): the module built-in datasets
 * name in their specs, so that a worker loading them also registers the backends.
 */
export function libraryUrl(): string {
  return new URL(import.meta.url.endsWith(".ts") ? "../../index.ts" : "../../index.js", import.meta.url).href;
}

function isClass(fn: unknown): fn is new (...args: unknown[]) => unknown {
  return typeof fn === "function" && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Builds nested `{ $spec }` arguments, through arrays and plain objects. */
async function resolveArgs(value: unknown, where: string): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveArgs(v, where)));
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  if ("$spec" in value) return buildFromSpec((value as SpecArg).$spec, where);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await resolveArgs(v, where);
  return out;
}

/**
 * Imports a spec's module and builds its export: a class is constructed with `args`, a function is
 * called with `args` when they are given (and awaited), any other export is returned as it is.
 */
export async function buildFromSpec(spec: ModuleSpec, where: string): Promise<unknown> {
  const { module, export: name = "default", args } = normalizeSpec(spec, where);
  let mod: Record<string, unknown>;
  try {
    mod = await import(module as string);
  } catch (err) {
    throw withCause(tensileError(where, `could not import ${module}: ${err instanceof Error ? err.message : String(err)}`), err);
  }
  let value: unknown = mod;
  for (const part of name.split(".")) {
    if (value === null || (typeof value !== "object" && typeof value !== "function") || !(part in value)) {
      throw tensileError(where, `${module} has no export "${name}" (it exports ${Object.keys(mod).join(", ") || "nothing"})`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  const resolved = (await resolveArgs(args ?? [], where)) as unknown[];
  try {
    if (isClass(value)) return new value(...resolved);
    if (typeof value === "function" && args !== undefined) return await value(...resolved);
    return value;
  } catch (err) {
    throw withCause(tensileError(where, `building ${name} from ${module} failed: ${err instanceof Error ? err.message : String(err)}`), err);
  }
}

function withCause(e: Error, cause: unknown): Error {
  e.cause = cause;
  return e;
}
