/**
 * Training checkpoints: any nested structure of plain objects, arrays, Maps, numbers, strings and
 * tensors (a model's state dict, an optimizer's, a scheduler's, the epoch) in one safetensors file.
 * Tensors are stored under their dotted path (`model.fc.weight`, `optimizer.state.0.expAvg`); the
 * rest of the structure, with a placeholder for each tensor, is JSON in the header's metadata.
 * Nothing here knows about modules or optimizers: only their `stateDict()` values.
 */
import { tensileError } from "../core/errors.js";
import { globalGenerator } from "../core/rng.js";
import { Tensor } from "../engine/tensor.js";
import { materializeTensors, parseSafetensors, readBytes, readBytesSync, save, saveSync } from "./safetensors.js";

const WHERE = "checkpoint";
/** The metadata key that holds the checkpoint's structure; its presence marks a Tensile checkpoint. */
const STRUCTURE_KEY = "tensile.checkpoint";
const VERSION_KEY = "tensile.checkpoint.version";
const VERSION = "1";

/** The global random generator's state, as `saveCheckpoint` records it. */
export interface RngState {
  key: number;
  counter: number;
}

/**
 * What a checkpoint holds: any keys, with values made of tensors, numbers (NaN and ±Infinity
 * included), strings, booleans, null, undefined, bigints, arrays, plain objects and Maps.
 * `rng` is filled with the global generator's state when the caller does not set it.
 */
export interface Checkpoint {
  model?: unknown;
  optimizer?: unknown;
  scheduler?: unknown;
  epoch?: number;
  rng?: RngState;
  [key: string]: unknown;
}

export interface LoadCheckpointOptions {
  /** Also set the global random generator to the saved state, so a resumed run draws the same numbers. */
  restoreRng?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Tags of encoded values; a user object with a `$` key is wrapped in `$object` so it is never mistaken for one. */
const TAGS = new Set(["$tensor", "$number", "$undefined", "$bigint", "$map", "$object"]);

interface EncodeContext {
  tensors: Map<string, Tensor>;
  names: Map<Tensor, string>;
  open: Set<object>;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function encode(value: unknown, path: string[], ctx: EncodeContext): Json {
  const at = () => (path.length ? `"${path.join(".")}"` : "the top level");
  switch (typeof value) {
    case "string": case "boolean": return value;
    case "number": return Number.isFinite(value) ? value : { $number: String(value) };
    case "undefined": return { $undefined: true };
    case "bigint": return { $bigint: value.toString() };
    case "object": break;
    default: throw tensileError(WHERE, `the value at ${at()} is a ${typeof value}; a checkpoint holds tensors, numbers, strings, booleans, arrays, plain objects and Maps`);
  }
  if (value === null) return null;
  if (value instanceof Tensor) {
    // The same tensor reached twice (tied weights) is stored once and referenced twice.
    const known = ctx.names.get(value);
    if (known !== undefined) return { $tensor: known };
    const name = path.join(".");
    if (ctx.tensors.has(name)) throw tensileError(WHERE, `two tensors would be stored under the name "${name}"; rename a key so dotted paths are unique`);
    ctx.tensors.set(name, value);
    ctx.names.set(value, name);
    return { $tensor: name };
  }
  if (ctx.open.has(value)) throw tensileError(WHERE, `the value at ${at()} contains itself; a checkpoint must be a tree`);
  ctx.open.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => encode(v, [...path, String(i)], ctx));
    if (value instanceof Map) {
      return {
        $map: [...value.entries()].map(([k, v]): Json => {
          if (typeof k !== "string" && typeof k !== "number") throw tensileError(WHERE, `the Map at ${at()} has a ${typeof k} key; only string and number keys can be saved`);
          return [k, encode(v, [...path, String(k)], ctx)];
        }),
      };
    }
    if (!isPlainObject(value)) {
      throw tensileError(WHERE, `the value at ${at()} is a ${value.constructor?.name ?? "object"}; save its stateDict() or a plain object instead`);
    }
    const out: { [key: string]: Json } = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, [...path, k], ctx)]));
    return Object.keys(out).some((k) => k.startsWith("$")) ? { $object: out } : out;
  } finally {
    ctx.open.delete(value);
  }
}

function decode(json: Json, tensors: Record<string, Tensor>, used: Set<string>, source: string): unknown {
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) return json.map((v) => decode(v, tensors, used, source));
  const keys = Object.keys(json);
  const tag = keys.length === 1 && TAGS.has(keys[0]) ? keys[0] : null;
  const inner = tag === null ? undefined : json[tag];
  const corrupt = (): never => {
    throw tensileError(WHERE, `${source}: the checkpoint structure holds a malformed ${tag} entry ${JSON.stringify(json)}`);
  };
  switch (tag) {
    case "$tensor": {
      if (typeof inner !== "string" || !Object.hasOwn(tensors, inner)) {
        throw tensileError(WHERE, `${source}: the checkpoint structure refers to tensor ${JSON.stringify(inner)}, which the file does not hold`);
      }
      used.add(inner);
      return tensors[inner];
    }
    case "$number": return inner === "NaN" || inner === "Infinity" || inner === "-Infinity" ? Number(inner) : corrupt();
    case "$undefined": return undefined;
    case "$bigint": return typeof inner === "string" && /^-?\d+$/.test(inner) ? BigInt(inner) : corrupt();
    case "$map": {
      if (!Array.isArray(inner)) return corrupt();
      return new Map(inner.map((pair) => {
        if (!Array.isArray(pair) || pair.length !== 2 || (typeof pair[0] !== "string" && typeof pair[0] !== "number")) return corrupt();
        return [pair[0], decode(pair[1], tensors, used, source)];
      }));
    }
    case "$object": {
      if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return corrupt();
      return decodeObject(inner, tensors, used, source);
    }
    default: return decodeObject(json, tensors, used, source);
  }
}

function decodeObject(json: { [key: string]: Json }, tensors: Record<string, Tensor>, used: Set<string>, source: string): Record<string, unknown> {
  // Object.fromEntries keeps a "__proto__" key as data rather than as the prototype.
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, decode(v, tensors, used, source)]));
}

/** Splits a checkpoint into its tensors (by dotted path) and the JSON metadata describing the rest. */
function encodeCheckpoint(checkpoint: Checkpoint): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (checkpoint === null || typeof checkpoint !== "object" || Array.isArray(checkpoint) || !isPlainObject(checkpoint)) {
    throw tensileError(WHERE, "the checkpoint must be a plain object, e.g. { model: model.stateDict(), optimizer: opt.stateDict(), epoch }");
  }
  const withRng: Checkpoint = "rng" in checkpoint ? checkpoint : { ...checkpoint, rng: globalGenerator.getState() };
  const ctx: EncodeContext = { tensors: new Map(), names: new Map(), open: new Set() };
  const structure = encode(withRng, [], ctx);
  return { tensors: ctx.tensors, metadata: { [STRUCTURE_KEY]: JSON.stringify(structure), [VERSION_KEY]: VERSION } };
}

/**
 * Saves a training checkpoint atomically: tensors under their dotted paths, the rest (param groups,
 * scheduler state, epoch, the random generator's state) as JSON metadata, in a safetensors file
 * that PyTorch and Hugging Face tools can also open.
 * @example await tl.io.saveCheckpoint("ckpt.safetensors", { model: model.stateDict(), optimizer: opt.stateDict(), epoch: 3 });
 */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const { tensors, metadata } = encodeCheckpoint(checkpoint);
  await save(tensors, path, { metadata });
}

/** Synchronous `saveCheckpoint`. */
export function saveCheckpointSync(path: string, checkpoint: Checkpoint): void {
  const { tensors, metadata } = encodeCheckpoint(checkpoint);
  saveSync(tensors, path, { metadata });
}

/** Rebuilds a checkpoint from a file's bytes; every check passes before a tensor is made. */
export function decodeCheckpoint(bytes: Uint8Array, source = "<bytes>", options: LoadCheckpointOptions = {}): Checkpoint {
  const parsed = parseSafetensors(bytes, source);
  const text = parsed.metadata[STRUCTURE_KEY];
  if (text === undefined) {
    throw tensileError(WHERE, `${source} is a safetensors file without Tensile checkpoint metadata; read plain state dicts with load()`);
  }
  const version = parsed.metadata[VERSION_KEY];
  if (version !== VERSION) throw tensileError(WHERE, `${source} is checkpoint format version ${version ?? "(missing)"}; this Tensile reads version ${VERSION}`);
  let structure: Json;
  try {
    structure = JSON.parse(text) as Json;
  } catch (err) {
    throw tensileError(WHERE, `${source}: the checkpoint structure is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (structure === null || typeof structure !== "object" || Array.isArray(structure)) {
    throw tensileError(WHERE, `${source}: the checkpoint structure must be a JSON object`);
  }
  // First pass with name stubs: validates every reference before any tensor is allocated.
  const stubs = Object.fromEntries(parsed.entries.map((e) => [e.name, null as unknown as Tensor]));
  const used = new Set<string>();
  decode(structure, stubs, used, source);
  const unused = parsed.entries.filter((e) => !used.has(e.name)).map((e) => e.name);
  if (unused.length > 0) {
    throw tensileError(WHERE, `${source} holds tensors the checkpoint structure never mentions: ${unused.slice(0, 5).join(", ")}${unused.length > 5 ? ", ..." : ""}`);
  }
  const result = decode(structure, materializeTensors(parsed), new Set(), source) as Checkpoint;
  if (options.restoreRng) restoreRng(result.rng, source);
  return result;
}

function restoreRng(state: unknown, source: string): void {
  const s = state as Partial<RngState> | undefined;
  if (!s || typeof s.key !== "number" || typeof s.counter !== "number" || !Number.isSafeInteger(s.counter) || s.counter < 0) {
    throw tensileError(WHERE, `${source}: restoreRng was asked for but the checkpoint's rng entry is ${JSON.stringify(state)}, not { key, counter }`);
  }
  globalGenerator.setState({ key: s.key, counter: s.counter });
}

/**
 * Loads a checkpoint written by `saveCheckpoint`, with the same structure (tensors, Maps, NaN and
 * Infinity restored). With `{ restoreRng: true }` the global random generator resumes where it was.
 * @example const { model, optimizer, epoch } = await tl.io.loadCheckpoint("ckpt.safetensors");
 */
export async function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): Promise<Checkpoint> {
  return decodeCheckpoint(await readBytes(path), path, options);
}

/** Synchronous `loadCheckpoint`. */
export function loadCheckpointSync(path: string, options: LoadCheckpointOptions = {}): Checkpoint {
  return decodeCheckpoint(readBytesSync(path), path, options);
}
