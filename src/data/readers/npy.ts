/**
 * NumPy's `.npy` format (versions 1.0, 2.0 and 3.0): the magic string `\x93NUMPY`, a version, a
 * little-endian header length, a Python-literal header `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (2, 3), }`, then the elements. Reads <f4 <f8 <i4 <i8 |b1 |u1 (and their big-endian forms);
 * Fortran-ordered arrays are transposed into C order. Writes version 1.0, C order, little-endian.
 */
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { endianness } from "node:os";
import { check, fmtShape, tensileError } from "../../core/errors.js";
import type { DType } from "../../core/dtype.js";
import { Tensor } from "../../engine/tensor.js";
import { tensorFromTyped } from "../idx.js";

const WHERE = "npy";

/** The element types Tensile reads and writes, by NumPy name. */
export type NpyDType = "float32" | "float64" | "int32" | "int64" | "bool" | "uint8";

/** A decoded `.npy` array: dtype, shape, elements in C (row-major) order. */
export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

const KINDS: Record<string, { dtype: NpyDType; size: number }> = {
  f4: { dtype: "float32", size: 4 },
  f8: { dtype: "float64", size: 8 },
  i4: { dtype: "int32", size: 4 },
  i8: { dtype: "int64", size: 8 },
  b1: { dtype: "bool", size: 1 },
  u1: { dtype: "uint8", size: 1 },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const LITTLE = endianness() === "LE";

function parseHeader(header: string, fail: (m: string) => never): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr === undefined) {
    if (/'descr'\s*:\s*\[/.test(header)) fail("structured dtypes (a list descr) are not supported; save plain arrays");
    fail(`the header has no 'descr': ${header.trim()}`);
  }
  const fortranText = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortranText === undefined) fail(`the header has no 'fortran_order': ${header.trim()}`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) fail(`the header has no 'shape': ${header.trim()}`);
  const shape = (shapeText as string).split(",").map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const d = Number(s.replace(/L$/, ""));
    if (!Number.isInteger(d) || d < 0) fail(`the shape (${shapeText}) holds ${s}, not a size`);
    return d;
  });
  return { descr: descr as string, fortran: fortranText === "True", shape };
}

/** Reverses the bytes of each `size`-byte element: converts between little- and big-endian. */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let o = 0; o < bytes.length; o += size) bytes.subarray(o, o + size).reverse();
}

/** Reads `count` elements of one kind starting at byte `at`, swapping bytes when the file's order differs from the machine's. */
function readElements(bytes: Uint8Array, at: number, count: number, kind: { dtype: NpyDType; size: number }, little: boolean): NpyArray["data"] {
  const buf = bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + count * kind.size) as ArrayBuffer;
  if (little !== LITTLE && kind.size > 1) swapBytes(new Uint8Array(buf), kind.size);
  switch (kind.dtype) {
    case "float32": return new Float32Array(buf);
    case "float64": return new Float64Array(buf);
    case "int32": return new Int32Array(buf);
    case "int64": return new BigInt64Array(buf);
    default: return new Uint8Array(buf);
  }
}

/** Reorders Fortran-order (column-major) elements into C order for the same shape. */
function fortranToC<A extends NpyArray["data"]>(data: A, shape: number[]): A {
  const n = data.length;
  const out = new (data.constructor as new (n: number) => A)(n);
  const nd = shape.length;
  const fStrides = new Array<number>(nd);
  for (let k = 0, s = 1; k < nd; k++) {
    fStrides[k] = s;
    s *= shape[k];
  }
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let k = 0; k < nd; k++) f += idx[k] * fStrides[k];
    out[c] = data[f];
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Decodes `.npy` bytes; `source` names the file in errors. */
export function parseNpy(bytes: Uint8Array, source = "<bytes>"): NpyArray {
  const fail = (message: string): never => {
    throw tensileError(WHERE, `${source}: ${message}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail("not a .npy file (it does not start with \\x93NUMPY)");
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are read)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail("the header is cut short");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (bytes.length < start) fail(`the header declares ${headerLen} bytes but the file ends first`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lenBytes, start));
  const { descr, fortran, shape } = parseHeader(header, fail);
  const order = descr[0];
  const kind = KINDS[descr.slice(1)];
  if (!kind || !"<>|=".includes(order)) fail(`dtype '${descr}' is not supported; Tensile reads <f4 <f8 <i4 <i8 |b1 |u1 (or their big-endian forms)`);
  const count = shape.reduce((a, d) => a * d, 1);
  const need = start + count * kind.size;
  if (bytes.length < need) fail(`shape ${fmtShape(shape)} of ${descr} needs ${need - start} bytes of data but the file has ${bytes.length - start}; it is truncated`);
  if (bytes.length > need) fail(`shape ${fmtShape(shape)} of ${descr} needs ${need - start} bytes of data but the file has ${bytes.length - start}`);
  let data = readElements(bytes, start, count, kind, order !== ">");
  if (fortran && shape.length > 1) data = fortranToC(data, shape);
  return { dtype: kind.dtype, shape, data };
}

function readError(err: unknown, path: string): Error {
  return tensileError(WHERE, `could not read ${path}: ${err instanceof Error ? err.message : String(err)}`);
}

/** Reads a `.npy` file. */
export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw readError(err, path);
  }
  return parseNpy(bytes, path);
}

/** Reads a `.npy` file synchronously. */
export function readNpySync(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw readError(err, path);
  }
  return parseNpy(bytes, path);
}

/**
 * A `.npy` array as a tensor: float32, float64 and int32 keep their type, bool stays bool, uint8
 * becomes int32, int64 becomes int32 when every value fits (an error naming the first that does not).
 */
export function npyToTensor(array: NpyArray): Tensor {
  const { data, shape } = array;
  switch (array.dtype) {
    case "float32": return tensorFromTyped(data as Float32Array, shape, "float32");
    case "float64": return tensorFromTyped(data as Float64Array, shape, "float64");
    case "int32": return tensorFromTyped(data as Int32Array, shape, "int32");
    case "bool": return tensorFromTyped(Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0)), shape, "bool");
    case "uint8": return tensorFromTyped(Int32Array.from(data as Uint8Array), shape, "int32");
    case "int64": {
      const big = data as BigInt64Array;
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        const v = big[i];
        if (v > 2147483647n || v < -2147483648n) throw tensileError(WHERE, `int64 element ${i} is ${v}, outside int32; Tensile's integer tensors are int32`);
        out[i] = Number(v);
      }
      return tensorFromTyped(out, shape, "int32");
    }
  }
}

/** What `encodeNpy` accepts: a tensor, or elements with a shape (and the dtype, needed to tell uint8 from bool). */
export type NpyInput = Tensor | { data: NpyArray["data"]; shape: readonly number[]; dtype?: NpyDType };

const DESCR: Record<NpyDType, string> = { float32: "<f4", float64: "<f8", int32: "<i4", int64: "<i8", bool: "|b1", uint8: "|u1" };

function dtypeOfArray(data: NpyArray["data"]): NpyDType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  return "uint8";
}

const TENSOR_DTYPES: Record<DType, NpyDType> = { float32: "float32", float64: "float64", int32: "int32", bool: "bool" };

/** Encodes an array as `.npy` bytes (version 1.0, C order, little-endian). */
export function encodeNpy(value: NpyInput): Uint8Array {
  const isTensor = value instanceof Tensor;
  const data = isTensor ? (value.dataSync() as NpyArray["data"]) : value.data;
  const shape = [...value.shape];
  const dtype: NpyDType = isTensor ? TENSOR_DTYPES[value.dtype] : (value.dtype ?? dtypeOfArray(value.data));
  check(shape.every((d) => Number.isInteger(d) && d >= 0), "writeNpy", () => `shape ${fmtShape(shape)} must hold whole numbers ≥ 0`);
  const count = shape.reduce((a, d) => a * d, 1);
  check(data.length === count, "writeNpy", () => `shape ${fmtShape(shape)} has ${count} elements but the data has ${data.length}`);
  check(dtypeOfArray(data) === (dtype === "bool" ? "uint8" : dtype), "writeNpy", () => `dtype ${dtype} does not match the data, a ${data.constructor.name}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary; the header ends with a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const size = KINDS[DESCR[dtype].slice(1)].size;
  const out = new Uint8Array(total + count * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, count * size);
  out.set(bytes, total);
  if (!LITTLE && size > 1) swapBytes(out.subarray(total), size);
  if (dtype === "bool") for (let i = 0; i < count; i++) out[total + i] = out[total + i] ? 1 : 0;
  return out;
}

/**
 * Writes a tensor or typed array as a `.npy` file that `numpy.load` reads.
 * @example await tl.data.writeNpy("x.npy", tl.randn([3, 4]));
 */
export async function writeNpy(path: string, value: NpyInput): Promise<void> {
  const bytes = encodeNpy(value);
  try {
    await writeFile(path, bytes);
  } catch (err) {
    throw tensileError("writeNpy", `could not write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
