/**
 * The safetensors format, as Hugging Face and PyTorch read and write it: an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__": { string: string } }` padded with spaces, then the tensors' raw little-endian bytes.
 * Loads validate the whole header before any tensor is made; saves are atomic.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { bytesPerElement, type TypedArray } from "../core/dtype.js";
import { fmtShape, tensileError } from "../core/errors.js";
import { getBackend } from "../backend/registry.js";
import { allocTensor } from "../engine/dispatch.js";
import { Tensor } from "../engine/tensor.js";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic.js";
import { decodeElements, encodeElements, READ_DTYPES, WRITE_DTYPES } from "./codec.js";

const WHERE = "safetensors";
const METADATA_KEY = "__metadata__";
/** The reference implementation refuses headers above 100 MB; so do we, before parsing one. */
const MAX_HEADER_BYTES = 100_000_000;

/** Named tensors, as `module.stateDict()` returns them: a plain object or a Map with flat (dotted) keys. */
export type StateDict = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

/** String-to-string metadata stored in the header's `__metadata__` entry. */
export type Metadata = Record<string, string>;

export interface SaveOptions {
  /** Free-form strings stored with the tensors (read back by `loadWithMetadata`). */
  metadata?: Metadata;
}

export interface LoadOptions {
  /** How errors name the data; defaults to the path (or `<bytes>` for `deserialize`). */
  source?: string;
}

/** A whole safetensors file: its tensors and its metadata. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Metadata;
}

/** One validated header entry. */
export interface HeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A file whose header passed validation; no tensor has been made yet. */
export interface ParsedSafetensors {
  readonly source: string;
  readonly entries: readonly HeaderEntry[];
  readonly metadata: Metadata;
  /** The data section (everything after the header). */
  readonly data: Uint8Array;
}

// ---------------------------------------------------------------- writing

function entriesOf(stateDict: StateDict): [string, Tensor][] {
  if (stateDict instanceof Map) return [...stateDict.entries()];
  if (stateDict === null || typeof stateDict !== "object") {
    throw tensileError(WHERE, `the state dict must be a plain object or a Map of name → Tensor, got ${stateDict === null ? "null" : typeof stateDict}`);
  }
  return Object.entries(stateDict as Record<string, Tensor>);
}

function checkMetadata(metadata: unknown, where: string): Metadata {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw tensileError(WHERE, `${where}: metadata must be an object of strings, got ${Array.isArray(metadata) ? "an array" : String(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw tensileError(WHERE, `${where}: metadata value "${k}" must be a string, got ${typeof v}`);
  }
  return { ...(metadata as Metadata) };
}

interface Plan {
  header: Uint8Array;
  tensors: Tensor[];
}

/** Checks every tensor and lays out the file, before a byte is written. */
function plan(stateDict: StateDict, options: SaveOptions): Plan {
  const items = entriesOf(stateDict);
  for (const [name, t] of items) {
    if (typeof name !== "string" || name.length === 0) throw tensileError(WHERE, `tensor names must be non-empty strings, got ${JSON.stringify(name)}`);
    if (name === METADATA_KEY) throw tensileError(WHERE, `"${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw tensileError(WHERE, `"${name}" is not a Tensor (got ${t === null ? "null" : typeof t}); a state dict maps names to tensors`);
    if (t.isDisposed) throw tensileError(WHERE, `tensor "${name}" with shape ${fmtShape(t.shape)} was already disposed`);
  }
  // Widest elements first keeps every tensor aligned to its element size (readers may map it in place).
  const order = items.map((item, i) => ({ item, i, size: bytesPerElement(item[1].dtype) }))
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .map(({ item }) => item);
  const spans = new Map<string, [number, number]>();
  let offset = 0;
  for (const [name, t] of order) {
    const bytes = t.size * bytesPerElement(t.dtype);
    spans.set(name, [offset, offset + bytes]);
    offset += bytes;
  }
  // The header keeps the caller's order, so a load returns names in the order they were given;
  // Object.fromEntries (not assignment) so a tensor named "__proto__" is an ordinary key.
  const metadata = checkMetadata(options.metadata, "save");
  const header = Object.fromEntries([
    ...(Object.keys(metadata).length > 0 ? [[METADATA_KEY, metadata]] : []),
    ...items.map(([name, t]) => [name, { dtype: WRITE_DTYPES[t.dtype], shape: [...t.shape], data_offsets: spans.get(name) }]),
  ]);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return { header: out, tensors: order.map(([, t]) => t) };
}

/** The file's chunks: the header, then each tensor read from its backend one at a time. */
function chunksOf(p: Plan): () => Iterable<Uint8Array> {
  return function* () {
    yield p.header;
    for (const t of p.tensors) yield encodeElements(t.dataSync());
  };
}

/**
 * The bytes of a safetensors file holding `stateDict`.
 * @example const bytes = tl.io.serialize({ w: tl.ones([2, 2]) });
 */
export function serialize(stateDict: StateDict, options: SaveOptions = {}): Uint8Array {
  const p = plan(stateDict, options);
  const chunks = [...chunksOf(p)()];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Saves `stateDict` to `path` as safetensors, atomically: a temp file in the same directory is
 * written, flushed and renamed over `path`, so a failed save leaves the previous file as it was.
 * @example await tl.save(model.stateDict(), "model.safetensors", { metadata: { epoch: "3" } });
 */
export async function save(stateDict: StateDict, path: string, options: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, chunksOf(plan(stateDict, options)), WHERE);
}

/** Synchronous `save`. */
export function saveSync(stateDict: StateDict, path: string, options: SaveOptions = {}): void {
  writeFileAtomicSync(path, chunksOf(plan(stateDict, options)), WHERE);
}

// ---------------------------------------------------------------- reading

function isWholeNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses and validates a safetensors header: length within the file, JSON, known dtypes, shapes
 * that match their byte spans, offsets in range, and spans that tile the data without gap or overlap.
 */
export function parseSafetensors(bytes: Uint8Array, source = "<bytes>"): ParsedSafetensors {
  const fail = (message: string): never => {
    throw tensileError(WHERE, `${source}: ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.byteLength < 8) fail(`the file has ${bytes.byteLength} bytes, too few for the 8-byte header length; it is not a safetensors file or it is truncated`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.byteLength - 8)) fail(`the header length is ${n} bytes but only ${bytes.byteLength - 8} bytes follow it; the file is truncated or not safetensors`);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`the header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    fail(`the header is not valid UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("the header must be a JSON object of tensor entries");
  const data = bytes.subarray(8 + headerLength);
  const entries: HeaderEntry[] = [];
  let metadata: Metadata = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = checkMetadata(raw, source);
      continue;
    }
    const what = `tensor "${name}"`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(`${what}: the entry must be an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== "string" || !Object.hasOwn(READ_DTYPES, dtype)) {
      fail(`${what} has dtype ${JSON.stringify(dtype)}; Tensile reads ${Object.keys(READ_DTYPES).join(", ")}`);
    }
    if (!Array.isArray(shape) || !shape.every(isWholeNumber)) fail(`${what} has shape ${JSON.stringify(shape)}; a shape is an array of whole numbers ≥ 0`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isWholeNumber)) {
      fail(`${what} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with whole numbers`);
    }
    const [begin, end] = offsets as number[];
    const dims = shape as number[];
    const code = dtype as string;
    if (begin > end) fail(`${what} has data_offsets [${begin},${end}] with begin after end`);
    if (end > data.byteLength) fail(`${what} has data_offsets [${begin},${end}] but the data section has only ${data.byteLength} bytes; the file is truncated`);
    const expected = dims.reduce((a, d) => a * d, 1) * READ_DTYPES[code].size;
    if (end - begin !== expected) {
      fail(`${what} has dtype ${code} and shape ${fmtShape(dims)} (${expected} bytes) but data_offsets [${begin},${end}] span ${end - begin} bytes`);
    }
    entries.push({ name, dtype: code, shape: dims, begin, end });
  }
  // The spans must tile the data section exactly, as the reference implementation requires.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: HeaderEntry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor) fail(`tensor "${e.name}" (bytes ${e.begin}..${e.end}) overlaps tensor "${previous?.name}" (bytes ${previous?.begin}..${previous?.end})`);
    if (e.begin > cursor) fail(`bytes ${cursor}..${e.begin} of the data belong to no tensor (before tensor "${e.name}")`);
    cursor = e.end;
    previous = e;
  }
  if (cursor !== data.byteLength) fail(`the data section has ${data.byteLength} bytes but the tensors cover only ${cursor}; the last ${data.byteLength - cursor} bytes belong to no tensor`);
  return { source, entries, metadata, data };
}

/**
 * Makes tensors for the named entries (all by default). Every element is decoded before the first
 * tensor is allocated, so a value out of range leaves nothing behind.
 */
export function materializeTensors(parsed: ParsedSafetensors, names?: readonly string[]): Record<string, Tensor> {
  const keep = names === undefined ? null : new Set(names);
  const wanted = keep === null ? parsed.entries : parsed.entries.filter((e) => keep.has(e.name));
  const decoded: [HeaderEntry, TypedArray][] = wanted.map((e) => {
    const count = e.shape.reduce((a, d) => a * d, 1);
    return [e, decodeElements(e.dtype, parsed.data.subarray(e.begin, e.end), count, WHERE, `${parsed.source}: tensor "${e.name}"`)];
  });
  const backend = getBackend();
  // Object.fromEntries defines own properties, so even a tensor named "__proto__" stays a plain key.
  return Object.fromEntries(decoded.map(([e, values]) => {
    const t = allocTensor(backend, e.shape, READ_DTYPES[e.dtype].target);
    backend.write(t.storage, values);
    return [e.name, t];
  }));
}

/** The tensors and metadata in the bytes of a safetensors file. */
export function deserializeWithMetadata(bytes: Uint8Array, options: LoadOptions = {}): SafetensorsContents {
  const parsed = parseSafetensors(bytes, options.source);
  return { tensors: materializeTensors(parsed), metadata: { ...parsed.metadata } };
}

/**
 * The tensors in the bytes of a safetensors file, by name.
 * @example const sd = tl.io.deserialize(tl.io.serialize({ w: tl.ones([2]) }));
 */
export function deserialize(bytes: Uint8Array, options: LoadOptions = {}): Record<string, Tensor> {
  return deserializeWithMetadata(bytes, options).tensors;
}

function readError(err: unknown, path: string): Error {
  const e = tensileError(WHERE, `could not read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  e.cause = err;
  return e;
}

/** Reads a file's bytes (async), naming the file in any error. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw readError(err, path);
  }
}

/** Reads a file's bytes, naming the file in any error. */
export function readBytesSync(path: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw readError(err, path);
  }
}

/** Loads a safetensors file's tensors and metadata. */
export async function loadWithMetadata(path: string): Promise<SafetensorsContents> {
  return deserializeWithMetadata(await readBytes(path), { source: path });
}

/** Synchronous `loadWithMetadata`. */
export function loadWithMetadataSync(path: string): SafetensorsContents {
  return deserializeWithMetadata(readBytesSync(path), { source: path });
}

/**
 * Loads the tensors of a safetensors file (written by Tensile, PyTorch or Hugging Face tools), by name.
 * F16 and BF16 become float32, integer types int32 (an error if a value does not fit).
 * @example model.loadStateDict(await tl.load("model.safetensors"));
 */
export async function load(path: string): Promise<Record<string, Tensor>> {
  return (await loadWithMetadata(path)).tensors;
}

/** Synchronous `load`. */
export function loadSync(path: string): Record<string, Tensor> {
  return loadWithMetadataSync(path).tensors;
}
