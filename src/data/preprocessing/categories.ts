/**
 * Categories of a column, ordered as scikit-learn orders them: numbers ascending, strings by code point
 * (Python's order), false before true, and the missing value (NaN, null, undefined) last. A column
 * must hold one kind of category; mixing strings and numbers is an error, as in scikit-learn.
 */
import { check, tensileError } from "../../core/errors.js";
import { cellAt, describeCell, isMissing, type Cell, type Data } from "./table.js";

/** The kind of values a categorical column holds. */
export type CategoryKind = "number" | "string" | "boolean";

/** Python's string order (by code point), which differs from JS's UTF-16 order for characters above U+FFFF. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  while (true) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done ? (cb.done ? 0 : -1) : 1;
    const d = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/** Orders two categories of one kind, missing last. */
export function compareCells(a: Cell, b: Cell): number {
  const ma = isMissing(a);
  const mb = isMissing(b);
  if (ma || mb) return ma === mb ? 0 : ma ? 1 : -1;
  if (typeof a === "string") return compareStrings(a, b as string);
  return Number(a) - Number(b);
}

/** A Map key that tells 1 from "1" and treats every missing value (and 0 / -0) alike. */
export function cellKey(v: Cell): string {
  if (isMissing(v)) return "m";
  return typeof v === "string" ? `s${v}` : typeof v === "boolean" ? `b${v}` : `n${v === 0 ? 0 : v}`;
}

/** The kind of a column's non-missing values, or an error when they mix kinds. Empty columns count as numbers. */
export function columnKind(values: readonly Cell[], where: string, what: string): CategoryKind {
  let kind: CategoryKind | null = null;
  for (const v of values) {
    if (isMissing(v)) continue;
    const k = typeof v as CategoryKind;
    if (kind === null) kind = k;
    else if (k !== kind) {
      throw tensileError(where, `${what} mixes ${kind}s and ${k}s (e.g. ${describeCell(v)}); a categorical column must hold only strings, only numbers or only booleans`);
    }
  }
  return kind ?? "number";
}

/** The value that stands for "missing" in a column's categories: NaN for numbers, null otherwise. */
export function missingFor(kind: CategoryKind): Cell {
  return kind === "number" ? NaN : null;
}

/** The sorted distinct values of a column, with missing (if present) last. */
export function uniqueSorted(values: readonly Cell[], where: string, what: string): Cell[] {
  const kind = columnKind(values, where, what);
  const seen = new Map<string, Cell>();
  for (const v of values) {
    const key = cellKey(v);
    if (!seen.has(key)) seen.set(key, isMissing(v) ? missingFor(kind) : v);
  }
  return [...seen.values()].sort(compareCells);
}

/** Checks user-given categories for one column: one kind, no duplicates, numbers sorted (as scikit-learn requires). */
export function checkGivenCategories(cats: unknown, where: string, column: number): Cell[] {
  check(Array.isArray(cats), where, () => `categories[${column}] must be an array of the column's categories`);
  const list = cats as Cell[];
  const kind = columnKind(list, where, `categories[${column}]`);
  const keys = new Set(list.map(cellKey));
  check(keys.size === list.length, where, () => `categories[${column}] lists a category twice`);
  if (kind === "number") {
    for (let i = 1; i < list.length; i++) {
      check(compareCells(list[i - 1], list[i]) < 0, where, () => `categories[${column}] must be sorted for numeric categories (missing last), got ${JSON.stringify(list)}`);
    }
  }
  return list.map((v) => (isMissing(v) ? missingFor(kind) : v));
}

/** An index from category key to position. */
export function indexOf(categories: readonly Cell[]): Map<string, number> {
  return new Map(categories.map((c, i) => [cellKey(c), i]));
}

/** Reads saved categories (arrays of numbers, strings, booleans and nulls) and checks them. */
export function loadCategories(value: unknown, n: number, where: string): Cell[][] {
  check(Array.isArray(value) && value.length === n && value.every((c) => Array.isArray(c) && c.every((v) => v === null || ["number", "string", "boolean"].includes(typeof v))), where,
    () => `the saved state's "categories" must be ${n} arrays of categories`);
  return (value as Cell[][]).map((c) => [...c]);
}

/** Looks up the category index of every cell of every column; unknown → -1 or an error. */
export function encodeColumns(d: Data, categories: readonly Cell[][], unknown: "error" | "keep", where: string, during: string): Int32Array {
  const codes = new Int32Array(d.rows * d.cols);
  for (let c = 0; c < d.cols; c++) {
    const index = indexOf(categories[c]);
    for (let r = 0; r < d.rows; r++) {
      const v = cellAt(d, r, c);
      const code = index.get(cellKey(v));
      if (code === undefined && unknown === "error") {
        throw tensileError(where, `found unknown category ${describeCell(v)} in column ${c} (row ${r}) during ${during}; known: ${JSON.stringify(categories[c].slice(0, 10))}. Pass handleUnknown to allow it`);
      }
      codes[r * d.cols + c] = code ?? -1;
    }
  }
  return codes;
}
