/**
 * Element codecs between safetensors dtypes (little-endian bytes) and Tensile's typed arrays.
 * Tensile writes F32, F64, I32 and BOOL; it reads those plus the other common dtypes wherever the
 * conversion is exact (F16/BF16 → float32, small integers → int32, I64/U32/U64 when in int32 range).
 */
import type { DType, TypedArray } from "../core/dtype.js";
import { tensileError } from "../core/errors.js";

/** A safetensors dtype Tensile can read: its byte size and the Tensile dtype it becomes. */
export interface FileDType {
  readonly size: number;
  readonly target: DType;
}

export const READ_DTYPES: Readonly<Record<string, FileDType>> = {
  F64: { size: 8, target: "float64" },
  F32: { size: 4, target: "float32" },
  F16: { size: 2, target: "float32" },
  BF16: { size: 2, target: "float32" },
  I64: { size: 8, target: "int32" },
  U64: { size: 8, target: "int32" },
  I32: { size: 4, target: "int32" },
  U32: { size: 4, target: "int32" },
  I16: { size: 2, target: "int32" },
  U16: { size: 2, target: "int32" },
  I8: { size: 1, target: "int32" },
  U8: { size: 1, target: "int32" },
  BOOL: { size: 1, target: "bool" },
};

export const WRITE_DTYPES: Readonly<Record<DType, string>> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

/** Typed arrays use the host's byte order; safetensors is little-endian, so big-endian hosts take the slow path. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies raw bytes into the buffer of a fresh typed array (safe for unaligned offsets). */
function copyInto<T extends TypedArray>(out: T, bytes: Uint8Array): T {
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

/** IEEE half precision to double; every half value is exact in float32. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `count` elements of `code` from `bytes` (exactly count × size bytes). Values that the
 * target dtype cannot hold exactly are an error naming the tensor, never clamped.
 */
export function decodeElements(code: string, bytes: Uint8Array, count: number, where: string, what: string): TypedArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outOfRange = (value: bigint | number, i: number): never => {
    throw tensileError(where, `${what} holds the ${code} value ${value} at element ${i}, outside the int32 range Tensile reads it into`);
  };
  switch (code) {
    case "F32": {
      if (HOST_IS_LITTLE_ENDIAN) return copyInto(new Float32Array(count), bytes);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      if (HOST_IS_LITTLE_ENDIAN) return copyInto(new Float64Array(count), bytes);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case "I32": {
      if (HOST_IS_LITTLE_ENDIAN) return copyInto(new Int32Array(count), bytes);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32's bits.
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    case "I64": case "U64": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const lo = view.getUint32(8 * i, true);
        const hi = view.getInt32(8 * i + 4, true);
        const fits = code === "I64" ? (hi === 0 && lo <= 0x7fffffff) || (hi === -1 && lo >= 0x80000000) : hi === 0 && lo <= 0x7fffffff;
        if (!fits) outOfRange(code === "I64" ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true), i);
        out[i] = lo | 0;
      }
      return out;
    }
    case "U32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getUint32(4 * i, true);
        if (v > 0x7fffffff) outOfRange(v, i);
        out[i] = v;
      }
      return out;
    }
    case "I16": case "U16": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = code === "I16" ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true);
      return out;
    }
    case "I8": return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, count));
    case "U8": return Int32Array.from(bytes);
    case "BOOL": {
      for (let i = 0; i < count; i++) {
        if (bytes[i] > 1) throw tensileError(where, `${what} holds the byte ${bytes[i]} at element ${i}; a BOOL element must be 0 or 1`);
      }
      return Uint8Array.from(bytes);
    }
    default:
      throw tensileError(where, `${what} has dtype ${code}, which Tensile cannot read`);
  }
}

/** The little-endian bytes of a tensor's elements (the typed array's own memory on little-endian hosts). */
export function encodeElements(data: TypedArray): Uint8Array {
  if (HOST_IS_LITTLE_ENDIAN || data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(4 * i, data[i], true);
    else if (data instanceof Float64Array) view.setFloat64(8 * i, data[i], true);
    else view.setInt32(4 * i, data[i], true);
  }
  return out;
}
