/**
 * The data every preprocessing object reads and writes: a 2-D tensor or an array of rows, held inside
 * as either a numeric matrix (float64, row-major, NaN for missing) or rows of mixed cells (for
 * categorical columns). Public methods convert once at the boundary; composites (ColumnTransformer,
 * Pipeline) pass these values between their parts without round trips through tensors.
 */
import { check, fmtShape, tensileError } from "../../core/errors.js";
import { Tensor } from "../../engine/tensor.js";
import { tensor } from "../../ops/creation.js";

/** One value of a table: a number (NaN for missing), a category (string or boolean), or null/undefined for missing. */
export type Cell = number | string | boolean | null | undefined;

/** What numeric transformers take: a 2-D tensor, or an array of rows of numbers (NaN or null for missing). */
export type NumericInput = Tensor | readonly (readonly (number | boolean | null | undefined)[])[];

/** What encoders and composites take: a 2-D tensor, or an array of rows of numbers, strings, booleans or nulls. */
export type TableInput = Tensor | readonly (readonly Cell[])[];

/** A numeric table: `data[r * cols + c]`, NaN for missing; `dtype` is the dtype of tensors made from it. */
export interface Matrix {
  kind: "matrix";
  rows: number;
  cols: number;
  data: Float64Array;
  dtype: "float32" | "float64";
}

/** A table with at least one non-numeric cell, row by row. */
export interface Rows {
  kind: "rows";
  rows: number;
  cols: number;
  cells: Cell[][];
}

/** The internal form of a table. */
export type Data = Matrix | Rows;

/** True for the values that count as missing: NaN, null and undefined. */
export function isMissing(v: Cell): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/** Describes a cell for an error message. */
export function describeCell(v: Cell): string {
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : `${typeof v} ${String(v)}`;
}

/** A matrix of the given size filled with `fill`. */
export function makeMatrix(rows: number, cols: number, dtype: Matrix["dtype"], fill = 0): Matrix {
  const data = new Float64Array(rows * cols);
  if (fill !== 0) data.fill(fill);
  return { kind: "matrix", rows, cols, data, dtype };
}

function fromTensor(x: Tensor, where: string, arg: string): Matrix {
  x.assertAlive(where);
  check(x.ndim === 2, where, () => `${arg} must be 2-D [samples, features], got shape ${fmtShape(x.shape)}; reshape a single feature with x.reshape([-1, 1])`);
  check(x.dtype !== "bool", where, () => `${arg} is a bool tensor; pass float32, float64 or int32 data`);
  const [rows, cols] = x.shape;
  const data = Float64Array.from(x.dataSync());
  for (let i = 0; i < data.length; i++) {
    if (data[i] === Infinity || data[i] === -Infinity) {
      throw tensileError(where, `${arg} holds ${data[i]} at row ${Math.floor(i / cols)}, column ${i % cols}; use NaN for missing values and clean infinities first`);
    }
  }
  return { kind: "matrix", rows, cols, data, dtype: x.dtype === "float64" ? "float64" : "float32" };
}

/**
 * Reads a tensor or an array of rows. Rows whose cells are all numbers, booleans (as 0/1) or missing
 * become a matrix; any string makes them mixed rows, and so does any boolean when `keepBooleans` is set
 * (encoders keep true/false as categories). Ragged rows, non-2-D input and infinities are errors.
 */
export function readInput(x: TableInput, where: string, arg = "x", keepBooleans = false): Data {
  if (x instanceof Tensor) return fromTensor(x, where, arg);
  check(Array.isArray(x), where, () => `${arg} must be a 2-D tensor or an array of rows, got ${x === null ? "null" : typeof x}`);
  const rows = x.length;
  check(rows === 0 || Array.isArray(x[0]), where, () => `${arg} must be an array of rows (e.g. [[1, 2], [3, 4]]), but row 0 is ${describeCell(x[0] as unknown as Cell)}; wrap a single feature as [[v0], [v1], ...]`);
  const cols = rows === 0 ? 0 : x[0].length;
  let numeric = true;
  for (let r = 0; r < rows; r++) {
    const row = x[r];
    check(Array.isArray(row), where, () => `${arg} row ${r} is not an array`);
    check(row.length === cols, where, () => `${arg} row ${r} has ${row.length} values but row 0 has ${cols}; every row needs the same number of columns`);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v === "string" || (keepBooleans && typeof v === "boolean")) numeric = false;
      else if (v === Infinity || v === -Infinity) throw tensileError(where, `${arg} holds ${v} at row ${r}, column ${c}; use NaN for missing values and clean infinities first`);
      else if (v !== null && v !== undefined && typeof v !== "number" && typeof v !== "boolean") {
        throw tensileError(where, `${arg} holds a ${typeof v} at row ${r}, column ${c}; cells must be numbers, strings, booleans or null`);
      }
    }
  }
  if (!numeric) return { kind: "rows", rows, cols, cells: x.map((row) => [...row]) };
  const m = makeMatrix(rows, cols, "float32");
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r][c];
      m.data[r * cols + c] = v === null || v === undefined ? NaN : Number(v);
    }
  }
  return m;
}

/** The data as a numeric matrix, or an error naming the first non-numeric cell. */
export function asMatrix(d: Data, where: string, arg = "x"): Matrix {
  if (d.kind === "matrix") return d;
  const m = makeMatrix(d.rows, d.cols, "float32");
  for (let r = 0; r < d.rows; r++) {
    for (let c = 0; c < d.cols; c++) {
      const v = d.cells[r][c];
      if (typeof v === "string") {
        throw tensileError(where, `${arg} holds non-numeric data: ${describeCell(v)} at row ${r}, column ${c}; ${where} needs numbers (NaN or null for missing). Encode categorical columns with OneHotEncoder or OrdinalEncoder first`);
      }
      m.data[r * d.cols + c] = v === null || v === undefined ? NaN : Number(v);
    }
  }
  return m;
}

/** A new matrix with `f(value, column)` applied to every element. */
export function mapMatrix(m: Matrix, f: (v: number, c: number) => number): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(m.data[i], i % m.cols);
  return { kind: "matrix", rows: m.rows, cols: m.cols, data, dtype: m.dtype };
}

/** The data as rows of cells (numbers stay numbers, NaN stays NaN). */
export function asRows(d: Data): Rows {
  if (d.kind === "rows") return d;
  const cells: Cell[][] = [];
  for (let r = 0; r < d.rows; r++) cells.push(Array.from(d.data.subarray(r * d.cols, (r + 1) * d.cols)));
  return { kind: "rows", rows: d.rows, cols: d.cols, cells };
}

/** A tensor of the matrix: float64 when the input was float64, float32 otherwise. */
export function matrixToTensor(m: Matrix): Tensor {
  const flat = m.dtype === "float64" ? m.data : Float32Array.from(m.data);
  return tensor(flat, { shape: [m.rows, m.cols], dtype: m.dtype });
}

/** What a public method returns: a tensor for numeric data, rows for mixed data. */
export function toOutput(d: Data): Tensor | Cell[][] {
  return d.kind === "matrix" ? matrixToTensor(d) : d.cells;
}

/** The given columns (in that order) of the data. */
export function selectColumns(d: Data, columns: readonly number[]): Data {
  const k = columns.length;
  if (d.kind === "rows") {
    return { kind: "rows", rows: d.rows, cols: k, cells: d.cells.map((row) => columns.map((c) => row[c])) };
  }
  const m = makeMatrix(d.rows, k, d.dtype);
  for (let r = 0; r < d.rows; r++) for (let j = 0; j < k; j++) m.data[r * k + j] = d.data[r * d.cols + columns[j]];
  return m;
}

/** The given rows (in that order) of the data. */
export function selectRows(d: Data, rows: readonly number[]): Data {
  if (d.kind === "rows") return { kind: "rows", rows: rows.length, cols: d.cols, cells: rows.map((r) => d.cells[r]) };
  const m = makeMatrix(rows.length, d.cols, d.dtype);
  rows.forEach((r, i) => m.data.set(d.data.subarray(r * d.cols, (r + 1) * d.cols), i * d.cols));
  return m;
}

/** Side-by-side concatenation; numeric when every part is, float64 when any part is. */
export function hstack(parts: readonly Data[], rows: number): Data {
  const cols = parts.reduce((n, p) => n + p.cols, 0);
  if (parts.every((p): p is Matrix => p.kind === "matrix")) {
    const m = makeMatrix(rows, cols, parts.some((p) => p.dtype === "float64") ? "float64" : "float32");
    let at = 0;
    for (const p of parts) {
      for (let r = 0; r < rows; r++) m.data.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), r * cols + at);
      at += p.cols;
    }
    return m;
  }
  const asCells = parts.map(asRows);
  const cells: Cell[][] = [];
  for (let r = 0; r < rows; r++) cells.push(asCells.flatMap((p) => p.cells[r]));
  return { kind: "rows", rows, cols, cells };
}

/** The value of column `c` in row `r`. */
export function cellAt(d: Data, r: number, c: number): Cell {
  return d.kind === "matrix" ? d.data[r * d.cols + c] : d.cells[r][c];
}

/** Column `c` of a table as cells. */
export function columnCells(d: Data, c: number): Cell[] {
  return Array.from({ length: d.rows }, (_, r) => cellAt(d, r, c));
}
