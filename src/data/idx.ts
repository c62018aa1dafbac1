/**
 * The IDX format of MNIST and its relatives: a magic number (two zero bytes, a type byte, the number
 * of dimensions), each dimension as a big-endian uint32, then the elements big-endian, row-major.
 * Gzipped files (starting with 1f 8b) are unpacked first.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip, gunzipSync } from "node:zlib";
import type { DType, TypedArray } from "../core/dtype.js";
import { fmtShape, tensileError } from "../core/errors.js";
import { getBackend } from "../backend/registry.js";
import { allocTensor } from "../engine/dispatch.js";
import type { Tensor } from "../engine/tensor.js";

const WHERE = "idx";

/** The element types IDX files declare. */
export type IdxType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

/** A decoded IDX file: its element type, shape, and elements in row-major order. */
export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Readonly<Record<number, { type: IdxType; size: number }>> = {
  0x08: { type: "uint8", size: 1 },
  0x09: { type: "int8", size: 1 },
  0x0b: { type: "int16", size: 2 },
  0x0c: { type: "int32", size: 4 },
  0x0d: { type: "float32", size: 4 },
  0x0e: { type: "float64", size: 8 },
};

/** Whether bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzipError(err: unknown, source: string): Error {
  const e = tensileError(WHERE, `${source}: the file starts like gzip but does not decompress (${err instanceof Error ? err.message : String(err)}); it is corrupt or truncated`);
  e.cause = err;
  return e;
}

/** Decodes IDX bytes (gzipped or not); `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source = "<bytes>"): IdxArray {
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw gunzipError(err, source);
    }
  }
  return parseRaw(bytes, source);
}

function parseRaw(bytes: Uint8Array, source: string): IdxArray {
  const fail = (message: string): never => {
    throw tensileError(WHERE, `${source}: ${message}`);
  };
  if (bytes.length < 4) fail(`the file has ${bytes.length} bytes, too few for the 4-byte IDX magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`the magic number starts with bytes ${hex(bytes[0])} ${hex(bytes[1])}, not 00 00: this is not an IDX file`);
  }
  const spec = TYPES[bytes[2]];
  if (!spec) fail(`the type byte is ${hex(bytes[2])}; IDX types are 08 (uint8), 09 (int8), 0b (int16), 0c (int32), 0d (float32), 0e (float64)`);
  const ndim = bytes[3];
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) fail(`the header declares ${ndim} dimensions (${headerBytes} bytes) but the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, d) => a * d, 1);
  const expected = headerBytes + count * spec.size;
  if (bytes.length < expected) {
    fail(`shape ${fmtShape(shape)} of ${spec.type} needs ${expected} bytes but the file has ${bytes.length}; it is truncated`);
  }
  if (bytes.length > expected) fail(`shape ${fmtShape(shape)} of ${spec.type} needs ${expected} bytes but the file has ${bytes.length}; ${bytes.length - expected} bytes are left over`);
  return { type: spec.type, shape, data: decode(spec.type, view, headerBytes, count) };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}

function decode(type: IdxType, view: DataView, at: number, count: number): IdxArray["data"] {
  switch (type) {
    case "uint8": return new Uint8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + count));
    case "int8": return new Int8Array(view.buffer.slice(view.byteOffset + at, view.byteOffset + at + count));
    case "int16": return Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i, false));
    case "int32": return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i, false));
    case "float32": return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, false));
    case "float64": return Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i, false));
  }
}

function readError(err: unknown, path: string): Error {
  const e = tensileError(WHERE, `could not read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  e.cause = err;
  return e;
}

/** Reads and decodes an IDX file (gzipped or not). */
export function readIdxSync(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw readError(err, path);
  }
  return parseIdx(bytes, path);
}

/** Reads and decodes an IDX file (gzipped or not) without blocking on the read or the unzip. */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw readError(err, path);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await promisify(gunzip)(bytes);
    } catch (err) {
      throw gunzipError(err, path);
    }
  }
  return parseRaw(bytes, path);
}

/** Makes a tensor from a typed array without an intermediate JS array. */
export function tensorFromTyped(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const backend = getBackend();
  const t = allocTensor(backend, shape, dtype);
  backend.write(t.storage, data);
  return t;
}

/** An IDX array as a tensor: integer types become int32, float32 and float64 keep their type. */
export function idxToTensor(idx: IdxArray): Tensor {
  if (idx.data instanceof Float32Array) return tensorFromTyped(idx.data, idx.shape, "float32");
  if (idx.data instanceof Float64Array) return tensorFromTyped(idx.data, idx.shape, "float64");
  return tensorFromTyped(idx.data instanceof Int32Array ? idx.data : Int32Array.from(idx.data), idx.shape, "int32");
}
