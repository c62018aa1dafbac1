/**
 * Saving and loading fitted preprocessing objects. A state is plain data (numbers, strings, booleans,
 * null, arrays, objects), so it goes straight into a checkpoint's metadata; `toJSON` additionally
 * spells NaN and ±Infinity as `{ "$number": "NaN" }` so `JSON.stringify` keeps them. A registry
 * maps each state's `type` to its class, so composites rebuild their parts.
 */
import { check, tensileError } from "../../core/errors.js";

/** What `stateDict()` returns and `loadStateDict()` / `fromJSON()` take. */
export interface TransformerState {
  /** The class: "StandardScaler", "OneHotEncoder", "Pipeline", ... */
  type: string;
  /** Format version of this state. */
  version: number;
  /** The constructor options (and, for composites, the parts' states). */
  options: Record<string, unknown>;
  /** What fit learned, or null before fit. */
  fitted: Record<string, unknown> | null;
}

/** The format version written by this Tensile. */
export const STATE_VERSION = 1;

/** Replaces NaN and ±Infinity with `{ $number: "NaN" }` so the value survives `JSON.stringify`. */
export function encodeJson(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : { $number: String(value) };
  if (Array.isArray(value)) return value.map(encodeJson);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeJson(v)]));
  return value;
}

/** Undoes `encodeJson`; plain NaN (from a checkpoint) passes through. */
export function decodeJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeJson);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    const tag = (value as Record<string, unknown>).$number;
    if (keys.length === 1 && keys[0] === "$number" && (tag === "NaN" || tag === "Infinity" || tag === "-Infinity")) return Number(tag);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeJson(v)]));
  }
  return value;
}

/** Parses a JSON string or decodes a state object, and checks its envelope (type, version, options, fitted). */
export function readState(json: unknown, expectedType: string | null): TransformerState {
  let raw = json;
  if (typeof json === "string") {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw tensileError(expectedType ?? "preprocessing", `fromJSON got a string that is not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const where = expectedType ?? "preprocessing";
  check(raw !== null && typeof raw === "object" && !Array.isArray(raw), where, () => `a saved state must be an object { type, version, options, fitted }, got ${JSON.stringify(raw)?.slice(0, 80)}`);
  const state = decodeJson(raw) as Partial<TransformerState>;
  check(typeof state.type === "string", where, "the saved state has no type");
  check(expectedType === null || state.type === expectedType, where, () => `the saved state is a ${state.type}, not a ${expectedType}`);
  check(state.version === STATE_VERSION, where, () => `the saved state is version ${String(state.version)}; this Tensile reads version ${STATE_VERSION}`);
  check(state.options !== null && typeof state.options === "object" && !Array.isArray(state.options), where, "the saved state's options must be an object");
  check(state.fitted === null || (typeof state.fitted === "object" && !Array.isArray(state.fitted)), where, "the saved state's fitted entry must be an object or null");
  return state as TransformerState;
}

/** Reads a number array of the given length from a saved fitted state, or throws naming the key. */
export function numbers(fitted: Record<string, unknown>, key: string, length: number | null, where: string): number[] {
  const v = fitted[key];
  check(Array.isArray(v) && v.every((x) => typeof x === "number") && (length === null || v.length === length), where,
    () => `the saved state's "${key}" must be ${length === null ? "an array" : `an array of ${length}`} numbers, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return [...(v as number[])];
}

/** Reads a whole number ≥ 0 from a saved state, or throws naming the key. */
export function count(fitted: Record<string, unknown>, key: string, where: string): number {
  const v = fitted[key];
  check(Number.isInteger(v) && (v as number) >= 0, where, () => `the saved state's "${key}" must be a whole number ≥ 0, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Something a registry can rebuild from its state. */
export interface Loadable {
  stateDict(): TransformerState;
}

const registry = new Map<string, (state: TransformerState) => Loadable>();

/** Registers how to rebuild a class from its saved state (each class file does this once). */
export function registerState(type: string, create: (state: TransformerState) => Loadable): void {
  registry.set(type, create);
}

/** Rebuilds any registered preprocessing object from its state or JSON. */
export function fromState(json: unknown): Loadable {
  const state = readState(json, null);
  const create = registry.get(state.type);
  check(create !== undefined, "preprocessing", () => `the saved state's type "${state.type}" is not a preprocessing class (known: ${[...registry.keys()].join(", ")})`);
  return create(state);
}
