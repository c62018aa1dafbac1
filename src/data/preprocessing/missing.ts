/**
 * Finding and dropping missing values (NaN, null, undefined): a report of what is missing where, and
 * row or column dropping with pandas' `dropna` rules (`how`, `thresh`, `subset`). Every drop is reported.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { cellAt, isMissing, readInput, selectColumns, selectRows, toOutput, type Cell, type Data, type NumericInput, type TableInput } from "./table.js";

/** Missing values in one column. */
export interface MissingColumn {
  column: number;
  /** Missing cells in this column. */
  count: number;
  /** count / rows (0 for a table without rows). */
  fraction: number;
}

/** What {@link missingReport} finds. */
export interface MissingReport {
  rows: number;
  columns: number;
  /** Per column, in column order. */
  perColumn: MissingColumn[];
  /** Missing cells in the whole table. */
  total: number;
  /** total / (rows · columns). */
  fraction: number;
  /** Number of rows with at least one missing value. */
  rowsWithMissing: number;
  /** Indices of those rows. */
  rowIndices: number[];
}

function missingMask(d: Data): Uint8Array {
  const mask = new Uint8Array(d.rows * d.cols);
  for (let r = 0; r < d.rows; r++) for (let c = 0; c < d.cols; c++) mask[r * d.cols + c] = isMissing(cellAt(d, r, c)) ? 1 : 0;
  return mask;
}

/**
 * Counts missing values per column and finds the rows that have any.
 * @example tl.data.missingReport([[1, NaN], [null, 2], [3, 4]]).perColumn; // [{ column: 0, count: 1, ... }, ...]
 */
export function missingReport(x: TableInput): MissingReport {
  const d = readInput(x, "missingReport");
  const mask = missingMask(d);
  const perColumn: MissingColumn[] = Array.from({ length: d.cols }, (_, column) => {
    let count = 0;
    for (let r = 0; r < d.rows; r++) count += mask[r * d.cols + column];
    return { column, count, fraction: d.rows ? count / d.rows : 0 };
  });
  const rowIndices: number[] = [];
  for (let r = 0; r < d.rows; r++) if (mask.subarray(r * d.cols, (r + 1) * d.cols).some((m) => m === 1)) rowIndices.push(r);
  const total = perColumn.reduce((n, c) => n + c.count, 0);
  return { rows: d.rows, columns: d.cols, perColumn, total, fraction: d.rows * d.cols ? total / (d.rows * d.cols) : 0, rowsWithMissing: rowIndices.length, rowIndices };
}

/** Options of {@link dropMissing}. */
export interface DropMissingOptions {
  /** Drop rows (default) or columns. */
  axis?: "rows" | "columns";
  /** "any" (default): drop when any value is missing; "all": only when every value is. */
  how?: "any" | "all";
  /** Keep a row/column only when it has at least this many non-missing values (pandas' `thresh`); replaces `how`. */
  threshold?: number;
  /** With axis "rows", only look at these columns (with axis "columns", only at these rows). */
  subset?: readonly number[];
}

/** What {@link dropMissing} dropped. */
export interface DropMissingReport {
  axis: "rows" | "columns";
  /** The rule applied, e.g. `how "any"` or `threshold 3`. */
  rule: string;
  /** Indices (in the input) of what was dropped. */
  dropped: number[];
  /** Indices (in the input) of what was kept, in order. */
  kept: number[];
  /** Non-missing counts of each dropped row/column, aligned with `dropped`. */
  nonMissing: number[];
}

/** The result of {@link dropMissing}. */
export interface DropMissingResult<T> {
  data: T;
  report: DropMissingReport;
}

/**
 * Drops rows or columns with missing values, like pandas' `dropna`, and reports what it dropped.
 * @example
 * const { data, report } = tl.data.dropMissing(x, { axis: "rows", threshold: 3 });
 * console.log(`dropped rows ${report.dropped}`);
 */
export function dropMissing(x: NumericInput, options?: DropMissingOptions): DropMissingResult<Tensor>;
export function dropMissing(x: TableInput, options?: DropMissingOptions): DropMissingResult<Tensor | Cell[][]>;
export function dropMissing(x: TableInput, options: DropMissingOptions = {}): DropMissingResult<Tensor | Cell[][]> {
  const where = "dropMissing";
  const d = readInput(x, where);
  const axis = options.axis ?? "rows";
  check(axis === "rows" || axis === "columns", where, () => `axis must be "rows" or "columns", got ${JSON.stringify(axis)}`);
  check(options.how === undefined || options.threshold === undefined, where, "pass how or threshold, not both (as pandas' dropna)");
  const how = options.how ?? "any";
  check(how === "any" || how === "all", where, () => `how must be "any" or "all", got ${JSON.stringify(how)}`);
  const { threshold } = options;
  check(threshold === undefined || (Number.isInteger(threshold) && threshold >= 0), where, () => `threshold must be a whole number ≥ 0 (the minimum non-missing count), got ${threshold}`);
  const [n, other] = axis === "rows" ? [d.rows, d.cols] : [d.cols, d.rows];
  const subset = options.subset ?? Array.from({ length: other }, (_, i) => i);
  subset.forEach((i) => check(Number.isInteger(i) && i >= 0 && i < other, where, () => `subset holds ${i}, which is not a ${axis === "rows" ? "column" : "row"} index 0..${other - 1}`));
  const kept: number[] = [];
  const dropped: number[] = [];
  const nonMissing: number[] = [];
  for (let i = 0; i < n; i++) {
    let present = 0;
    for (const j of subset) present += isMissing(axis === "rows" ? cellAt(d, i, j) : cellAt(d, j, i)) ? 0 : 1;
    const keep = threshold !== undefined ? present >= threshold : how === "any" ? present === subset.length : present > 0;
    if (keep) kept.push(i);
    else {
      dropped.push(i);
      nonMissing.push(present);
    }
  }
  const data = axis === "rows" ? selectRows(d, kept) : selectColumns(d, kept);
  const rule = threshold !== undefined ? `threshold ${threshold}` : `how "${how}"`;
  return { data: toOutput(data), report: { axis, rule, dropped, kept, nonMissing } };
}
