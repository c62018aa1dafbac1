/**
 * A table of typed columns, as `readCsv` returns it: numbers (NaN where missing), categories (codes
 * into sorted category names) and strings; convertible to tensors and to a `TensorDataset`.
 */
import { check, tensileError } from "../../core/errors.js";
import type { DType } from "../../core/dtype.js";
import type { Tensor } from "../../engine/tensor.js";
import { TensorDataset } from "../dataset.js";
import { tensorFromTyped } from "../idx.js";

/** A column's type: numbers (missing → NaN), categories (encoded as codes), or free text. */
export type ColumnType = "number" | "string" | "category";

/** One column's data. */
export type ColumnData =
  | { type: "number"; values: Float64Array }
  | { type: "category"; codes: Float64Array; categories: string[] }
  | { type: "string"; values: (string | null)[]; firstNonNumber?: { row: number; value: string } };

/** A row left out because the reader was asked to skip it (reported, never silent). */
export interface SkippedRow {
  row: number;
  line: number;
  reason: string;
}

/**
 * Typed columns of equal length. Rows are numbered from 1 (the first data row), as in error messages.
 * @example
 * const table = await tl.data.readCsv("iris.csv", { types: { species: "category" } });
 * const ds = table.toDataset({ target: "species" }); // features float32 [150, 4], labels int32 [150]
 */
export class Table {
  /** Column names, in file order. */
  readonly columns: readonly string[];
  /** Number of data rows. */
  readonly numRows: number;
  /** Where the table came from (a file name), for error messages. */
  readonly source: string;
  /** Rows the reader skipped on request (`skipRaggedRows`), with the reason. */
  readonly skippedRows: readonly SkippedRow[];
  private readonly data: ReadonlyMap<string, ColumnData>;

  constructor(columns: readonly string[], data: Map<string, ColumnData>, numRows: number, source: string, skippedRows: SkippedRow[] = []) {
    this.columns = [...columns];
    this.data = data;
    this.numRows = numRows;
    this.source = source;
    this.skippedRows = skippedRows;
  }

  private get(name: string, where: string): ColumnData {
    const c = this.data.get(name);
    if (!c) throw tensileError(where, `${this.source} has no column "${name}"; its columns are ${this.columns.map((n) => `"${n}"`).join(", ")}`);
    return c;
  }

  /** The type of a column. */
  type(name: string): ColumnType {
    return this.get(name, "Table.type").type;
  }

  /**
   * A column's values: a Float64Array for numbers (NaN where missing), strings (null where missing)
   * for text and categories.
   */
  column(name: string): Float64Array | (string | null)[] {
    const c = this.get(name, "Table.column");
    if (c.type === "number") return c.values;
    if (c.type === "string") return c.values;
    return Array.from(c.codes, (k) => (Number.isNaN(k) ? null : c.categories[k]));
  }

  /** A category column's codes (index into `categories(name)`, NaN where missing). */
  codes(name: string): Float64Array {
    const c = this.get(name, "Table.codes");
    if (c.type !== "category") throw tensileError("Table.codes", `column "${name}" is a ${c.type} column, not a category column`);
    return c.codes;
  }

  /** A category column's category names, sorted; code k is `categories[k]`. */
  categories(name: string): string[] {
    const c = this.get(name, "Table.categories");
    if (c.type !== "category") throw tensileError("Table.categories", `column "${name}" is a ${c.type} column, not a category column`);
    return [...c.categories];
  }

  /** Missing values per column: the report to read before imputing or dropping. */
  missing(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.columns) {
      const c = this.data.get(name) as ColumnData;
      const values = c.type === "number" ? c.values : c.type === "category" ? c.codes : null;
      out[name] = values ? values.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0) : (c as { values: (string | null)[] }).values.filter((v) => v === null).length;
    }
    return out;
  }

  /** The numbers of a column for a tensor: number values, or category codes; text is an error. */
  private numeric(name: string, where: string): Float64Array {
    const c = this.get(name, where);
    if (c.type === "number") return c.values;
    if (c.type === "category") return c.codes;
    const hint = c.firstNonNumber ? ` (row ${c.firstNonNumber.row} holds ${JSON.stringify(c.firstNonNumber.value)}, not a number)` : "";
    throw tensileError(where, `${this.source}: column "${name}" holds text${hint}; read it with types: { ${JSON.stringify(name)}: "number" } to find bad values, or "category" to encode it`);
  }

  /**
   * Numeric columns (category columns as codes) as a tensor [rows, columns]. Missing values stay NaN:
   * impute or drop them first.
   * @example const x = table.toTensor(["age", "income"]);
   */
  toTensor(columns: readonly string[] = this.columns, options: { dtype?: "float32" | "float64" } = {}): Tensor {
    const dtype: DType = options.dtype ?? "float32";
    check(dtype === "float32" || dtype === "float64", "Table.toTensor", () => `dtype must be float32 or float64, got ${dtype}`);
    const cols = columns.map((name) => this.numeric(name, "Table.toTensor"));
    const k = cols.length;
    const out = dtype === "float32" ? new Float32Array(this.numRows * k) : new Float64Array(this.numRows * k);
    for (let j = 0; j < k; j++) {
      const col = cols[j];
      for (let i = 0; i < this.numRows; i++) out[i * k + j] = col[i];
    }
    return tensorFromTyped(out, [this.numRows, k], dtype);
  }

  /**
   * Features and a target as a `TensorDataset`: features float32 [rows, features] (NaN where
   * missing), target int32 for a category column, float32 otherwise. A missing target is an error
   * naming the row.
   * @example const ds = table.toDataset({ target: "label" });
   */
  toDataset(options: { target: string; features?: readonly string[]; targetDtype?: "float32" | "int32" }): TensorDataset {
    const where = "Table.toDataset";
    const { target } = options;
    const t = this.get(target, where);
    const features = options.features ?? this.columns.filter((c) => c !== target);
    check(!features.includes(target), where, () => `the target "${target}" is also listed as a feature`);
    const y = this.numeric(target, where);
    const missingAt = y.findIndex((v) => Number.isNaN(v));
    if (missingAt >= 0) throw tensileError(where, `${this.source}: row ${missingAt + 1} has no value for the target "${target}"; drop or fill such rows first`);
    const dtype = options.targetDtype ?? (t.type === "category" ? "int32" : "float32");
    if (dtype === "int32") {
      const bad = y.findIndex((v) => !Number.isInteger(v));
      if (bad >= 0) throw tensileError(where, `${this.source}: row ${bad + 1} has target ${y[bad]}, not a whole number, so it cannot be an int32 class label`);
    }
    const labels = dtype === "int32" ? Int32Array.from(y) : Float32Array.from(y);
    return new TensorDataset(this.toTensor(features), tensorFromTyped(labels, [this.numRows], dtype));
  }

  /**
   * The rows as arrays over `columns`: numbers (NaN where missing) and strings (null where missing), the
   * row form `tl.data` preprocessing (`SimpleImputer`, `OneHotEncoder`, `ColumnTransformer`) accepts.
   */
  toArrays(columns: readonly string[] = this.columns): (number | string | null)[][] {
    const cols = columns.map((n) => this.column(n));
    return Array.from({ length: this.numRows }, (_, i) => cols.map((c) => c[i]));
  }

  /** The rows as objects (numbers, strings, null for missing). */
  rows(): Record<string, number | string | null>[] {
    const cols = this.columns.map((n) => [n, this.column(n)] as const);
    return Array.from({ length: this.numRows }, (_, i) => {
      const row: Record<string, number | string | null> = {};
      for (const [n, values] of cols) {
        const v = values[i];
        row[n] = typeof v === "number" && Number.isNaN(v) ? null : v;
      }
      return row;
    });
  }
}
