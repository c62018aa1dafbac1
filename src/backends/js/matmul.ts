import { typedArrayFor, type TypedArray } from "../../core/dtype.js";
import type { Kernel, KernelInfo } from "../../backend/backend.js";
import { dataOf } from "./storage.js";

/**
 * C[i, j] (+)= Σ_k A[i, k] · B[j, k] for i < m, j < n, k < depth, where row i of A starts at
 * `aOff + i·aRow` and row j of B at `bOff + j·bRow`, both contiguous along k ("NT" layout).
 *
 * Why this shape: with both operands contiguous along k, a 2×4 block of dot products keeps eight
 * accumulators in registers and reads each loaded value twice or four times; measured on V8 this is
 * about 4× faster than the i-k-j loop over output rows. Sums are accumulated in doubles.
 */
export function gemmNT(
  m: number, n: number, depth: number,
  a: TypedArray, aOff: number, aRow: number,
  b: TypedArray, bOff: number, bRow: number,
  c: TypedArray, cOff: number, cRow: number,
  accumulate: boolean,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = aOff + i * aRow;
    const a1 = a0 + aRow;
    const c0 = cOff + i * cRow;
    const c1 = c0 + cRow;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * bRow;
      const b1 = b0 + bRow;
      const b2 = b1 + bRow;
      const b3 = b2 + bRow;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < depth; k++) {
        const x = a[a0 + k];
        const y = a[a1 + k];
        const p = b[b0 + k];
        const q = b[b1 + k];
        const r = b[b2 + k];
        const t = b[b3 + k];
        s00 += x * p; s01 += x * q; s02 += x * r; s03 += x * t;
        s10 += y * p; s11 += y * q; s12 += y * r; s13 += y * t;
      }
      if (accumulate) {
        c[c0 + j] += s00; c[c0 + j + 1] += s01; c[c0 + j + 2] += s02; c[c0 + j + 3] += s03;
        c[c1 + j] += s10; c[c1 + j + 1] += s11; c[c1 + j + 2] += s12; c[c1 + j + 3] += s13;
      } else {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
        c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * bRow;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < depth; k++) {
        const p = b[b0 + k];
        s0 += a[a0 + k] * p;
        s1 += a[a1 + k] * p;
      }
      if (accumulate) { c[c0 + j] += s0; c[c1 + j] += s1; } else { c[c0 + j] = s0; c[c1 + j] = s1; }
    }
  }
  if (i < m) gemvRow(n, depth, a, aOff + i * aRow, b, bOff, bRow, c, cOff + i * cRow, accumulate);
}

/** One output row: c[j] (+)= Σ_k a[k] · B[j, k], four columns at a time. */
function gemvRow(n: number, depth: number, a: TypedArray, a0: number, b: TypedArray, bOff: number, bRow: number, c: TypedArray, c0: number, accumulate: boolean): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const b0 = bOff + j * bRow;
    const b1 = b0 + bRow;
    const b2 = b1 + bRow;
    const b3 = b2 + bRow;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < depth; k++) {
      const x = a[a0 + k];
      s0 += x * b[b0 + k]; s1 += x * b[b1 + k]; s2 += x * b[b2 + k]; s3 += x * b[b3 + k];
    }
    if (accumulate) { c[c0 + j] += s0; c[c0 + j + 1] += s1; c[c0 + j + 2] += s2; c[c0 + j + 3] += s3; }
    else { c[c0 + j] = s0; c[c0 + j + 1] = s1; c[c0 + j + 2] = s2; c[c0 + j + 3] = s3; }
  }
  for (; j < n; j++) {
    const b0 = bOff + j * bRow;
    let s = 0;
    for (let k = 0; k < depth; k++) s += a[a0 + k] * b[b0 + k];
    if (accumulate) c[c0 + j] += s; else c[c0 + j] = s;
  }
}

/** Copies the `rows × cols` matrix at `off` with strides (rowStride, colStride) into `dst`, row-major. */
export function packMatrix(src: TypedArray, off: number, rows: number, cols: number, rowStride: number, colStride: number, dst: TypedArray): void {
  for (let r = 0; r < rows; r++) {
    const s = off + r * rowStride;
    const d = r * cols;
    for (let q = 0; q < cols; q++) dst[d + q] = src[s + q * colStride];
  }
}

/**
 * out[b] = a[b] · bm[b] for a [B, M, K] and bm [B, K, N] with any strides (a transpose is a stride
 * swap, a broadcast batch is stride 0), or the same without the batch dim: a [M, K] · bm [K, N] →
 * out [M, N] (mm's operands as they are, no batch-of-one views to build per call). The inner product
 * wants A contiguous along K and B contiguous along K (i.e. transposed, as in `x.matmul(w.t())`); an
 * operand that is not is packed into a scratch buffer once per distinct batch.
 */
const matmul: Kernel = ([a, bm], [out]) => {
  const batched = a.shape.length === 3;
  const [batch, m, depth] = batched ? a.shape : [1, a.shape[0], a.shape[1]];
  const n = bm.shape[batched ? 2 : 1];
  const A = dataOf(a);
  const B = dataOf(bm);
  const C = dataOf(out);
  if (depth === 0) {
    C.fill(0);
    return;
  }
  const [saBatch, saRow, saK] = batched ? a.strides : [0, a.strides[0], a.strides[1]];
  const [sbBatch, sbK, sbCol] = batched ? bm.strides : [0, bm.strides[0], bm.strides[1]];
  const aDirect = saK === 1 || depth === 1;
  const bDirect = sbK === 1 || depth === 1;
  const aTemp = aDirect ? null : typedArrayFor(a.dtype, m * depth);
  const bTemp = bDirect ? null : typedArrayFor(bm.dtype, n * depth);
  for (let bi = 0; bi < batch; bi++) {
    const aStart = a.offset + bi * saBatch;
    const bStart = bm.offset + bi * sbBatch;
    // A stride-0 batch reuses the buffer packed for batch 0.
    if (aTemp && (bi === 0 || saBatch !== 0)) packMatrix(A, aStart, m, depth, saRow, saK, aTemp);
    if (bTemp && (bi === 0 || sbBatch !== 0)) packMatrix(B, bStart, n, depth, sbCol, sbK, bTemp);
    gemmNT(
      m, n, depth,
      aTemp ?? A, aTemp ? 0 : aStart, aTemp ? depth : saRow,
      bTemp ?? B, bTemp ? 0 : bStart, bTemp ? depth : sbCol,
      C, bi * m * n, n, false,
    );
  }
};

/** The reference kernels of the matmul ops, by op name. */
export const matmulKernels: Record<string, KernelInfo> = {
  matmul: { run: matmul, strided: true },
};
