/**
 * Helpers shared by ColumnTransformer and Pipeline: checking their parts, numeric output, and
 * rebuilding parts from saved states.
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import type { TableTransformer } from "./base.js";
import { fromState, type TransformerState } from "./persist.js";
import { describeCell, matrixToTensor, type Data } from "./table.js";

/** True for objects that speak the table-level transformer protocol (every Tensile preprocessing transformer). */
export function isTableTransformer(value: unknown): value is TableTransformer {
  const t = value as Partial<TableTransformer> | null;
  return t !== null && typeof t === "object" && typeof t.fitData === "function" && typeof t.transformData === "function"
    && typeof t.inverseData === "function" && typeof t.stateDict === "function";
}

/** Throws unless `value` is a transformer or one of the allowed keywords. */
export function checkPart(value: unknown, keywords: readonly string[], where: string, what: string): void {
  check(isTableTransformer(value) || keywords.includes(value as string), where,
    () => `${what} must be a preprocessing transformer (StandardScaler, OneHotEncoder, Pipeline, ...)${keywords.length ? ` or ${keywords.map((k) => JSON.stringify(k)).join(" / ")}` : ""}, got ${describePart(value)}`);
}

function describePart(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? String(value);
  return value.constructor?.name ?? "an object";
}

/** Throws unless names are non-empty and distinct. */
export function checkNames(names: readonly unknown[], where: string, what: string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    check(typeof name === "string" && name.length > 0, where, () => `${what} ${i} needs a non-empty name, got ${JSON.stringify(name)}`);
    check(!seen.has(name), where, () => `two ${what}s are named "${name}"; names must be distinct`);
    seen.add(name);
  });
}

/** A tensor of a composite's output, or an error naming the first column that is not numeric. */
export function numericOutput(d: Data, where: string): Tensor {
  if (d.kind === "matrix") return matrixToTensor(d);
  for (let r = 0; r < d.rows; r++) {
    for (let c = 0; c < d.cols; c++) {
      const v = d.cells[r][c];
      if (typeof v === "string") {
        throw tensileError(where, `output column ${c} holds ${describeCell(v)} (row ${r}); the output must be numeric, so encode that column (OneHotEncoder, OrdinalEncoder) or drop it`);
      }
    }
  }
  // Only booleans and missing cells: numeric after all.
  return matrixToTensor({ kind: "matrix", rows: d.rows, cols: d.cols, dtype: "float32", data: Float64Array.from(d.cells.flat(), (v) => (v === null || v === undefined ? NaN : Number(v))) });
}

/** Rebuilds a part from its saved state, or returns the keyword. */
export function loadPart(value: unknown, keywords: readonly string[], where: string, what: string): TableTransformer | string {
  if (typeof value === "string") {
    check(keywords.includes(value), where, () => `${what} is the unknown keyword ${JSON.stringify(value)}`);
    return value;
  }
  const part = fromState(value as TransformerState);
  check(isTableTransformer(part), where, () => `${what} is a ${(value as TransformerState).type}, which cannot be part of a ${where}`);
  return part;
}
