/**
 * SimpleImputer: fills missing values (NaN, null, undefined) with a per-column statistic learned in fit,
 * as scikit-learn 1.2's `SimpleImputer`. Numeric data gives a tensor; data with strings (for the
 * "mostFrequent" and "constant" strategies) gives rows.
 *
 * Columns with no observed value in fit have no mean, median or most frequent value: scikit-learn 1.2
 * drops them from the output, and so does this class, but never silently: fit warns, and
 * `emptyFeatures` lists them. `keepEmptyFeatures: true` keeps them, filled with 0 (or `fillValue`
 * for "constant", which never drops).
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { Transformer, boolOption, checkKnownKeys, choiceOption } from "./base.js";
import { columnKind, compareCells, loadCategories } from "./categories.js";
import { count, registerState, type TransformerState } from "./persist.js";
import { columnValues, meanVar, medianSorted, mostFrequent, sortedValues } from "./stats.js";
import { asMatrix, asRows, cellAt, columnCells, isMissing, makeMatrix, type Cell, type Data, type NumericInput, type TableInput } from "./table.js";

/** The statistic that replaces missing values. */
export type ImputeStrategy = "mean" | "median" | "mostFrequent" | "constant";

/** Options of {@link SimpleImputer}. */
export interface SimpleImputerOptions {
  /** "mean" (default), "median", "mostFrequent" (ties go to the smallest value) or "constant". */
  strategy?: ImputeStrategy;
  /** The value for "constant": default 0 for numeric data, "missing_value" for data with strings. */
  fillValue?: number | string | boolean | null;
  /** Keep columns with no observed value in fit (filled with 0) instead of dropping them (default false). */
  keepEmptyFeatures?: boolean;
  /** Append a 0/1 column per feature that had missing values in fit, 1 where the value was missing (default false). */
  addIndicator?: boolean;
}

interface ImputerFitted {
  nFeaturesIn: number;
  /** Whether fit saw strings: then transform returns rows. */
  categorical: boolean;
  statistics: Cell[];
  /** Columns that had missing values in fit (the indicator's columns). */
  missingFeatures: number[];
}

const WHERE = "SimpleImputer";
const KEYS = ["strategy", "fillValue", "keepEmptyFeatures", "addIndicator"];

/**
 * Replaces missing values column by column with the mean, median, most frequent value or a constant.
 * @example
 * const imp = new tl.data.SimpleImputer({ strategy: "median" }).fit([[1, NaN], [3, 4], [NaN, 8]]);
 * imp.transform([[NaN, NaN]]); // [[2, 6]]
 */
export class SimpleImputer extends Transformer<ImputerFitted, TableInput, Tensor | Cell[][], Tensor | Cell[][]> {
  readonly typeName = WHERE;
  protected override readonly categoricalInput = true;
  private strategy: ImputeStrategy = "mean";
  private fillValue: number | string | boolean | null = null;
  private keepEmptyFeatures = false;
  private addIndicator = false;

  constructor(options: SimpleImputerOptions = {}) {
    super();
    this.loadOptions(options as Record<string, unknown>);
  }

  /** Per-column fill values (NaN for a column with no observed value). */
  get statistics(): Cell[] {
    return this.state().statistics;
  }

  /** Columns with no observed value in fit, which transform drops (empty with keepEmptyFeatures or "constant"). */
  get emptyFeatures(): number[] {
    return this.emptyOf(this.state().statistics);
  }

  private emptyOf(statistics: readonly Cell[]): number[] {
    if (this.strategy === "constant" || this.keepEmptyFeatures) return [];
    return statistics.flatMap((s, c) => (isMissing(s) ? [c] : []));
  }

  /** Columns that had missing values in fit: those addIndicator flags. */
  get missingFeatures(): number[] {
    return this.state().missingFeatures;
  }

  override get invertible(): boolean {
    return this.addIndicator;
  }

  override get nFeaturesOut(): number {
    const f = this.state();
    return f.nFeaturesIn - this.emptyFeatures.length + (this.addIndicator ? f.missingFeatures.length : 0);
  }

  override transform(x: NumericInput): Tensor;
  override transform(x: TableInput): Tensor | Cell[][];
  override transform(x: TableInput): Tensor | Cell[][] {
    return super.transform(x);
  }

  override fitTransform(x: NumericInput): Tensor;
  override fitTransform(x: TableInput): Tensor | Cell[][];
  override fitTransform(x: TableInput): Tensor | Cell[][] {
    return super.fitTransform(x);
  }

  protected learn(d: Data): ImputerFitted {
    // Strings (and, for the strategies that copy values, booleans) make the output rows of cells.
    const copies = this.strategy === "mostFrequent" || this.strategy === "constant";
    const categorical = d.kind === "rows" && d.cells.some((row) => row.some((v) => typeof v === "string" || (copies && typeof v === "boolean")));
    const cols = Array.from({ length: d.cols }, (_, c) => columnCells(d, c));
    const missingFeatures = cols.flatMap((cells, c) => (cells.some(isMissing) ? [c] : []));
    let statistics: Cell[];
    if (this.strategy === "constant") {
      const fill = this.fillValue ?? (categorical ? "missing_value" : 0);
      check(categorical || typeof fill === "number", WHERE, () => `fillValue ${JSON.stringify(fill)} must be a number when imputing numeric data`);
      statistics = cols.map(() => fill);
    } else if (this.strategy === "mostFrequent") {
      statistics = cols.map((cells, c) => {
        const present = cells.filter((v) => !isMissing(v)) as (number | string | boolean)[];
        columnKind(present, WHERE, `column ${c}`);
        return mostFrequent(present, compareCells);
      });
    } else {
      const text = categorical ? d.cells.flat().find((v) => typeof v === "string") : undefined;
      check(text === undefined, WHERE, () => `strategy "${this.strategy}" needs numeric data, but x holds the string ${JSON.stringify(text)}; use "mostFrequent" or "constant" for categorical columns`);
      const m = asMatrix(d, WHERE);
      statistics = cols.map((_, c) => {
        const values = columnValues(m, c);
        return this.strategy === "mean" ? meanVar(values).mean : medianSorted(sortedValues(values));
      });
    }
    if (this.keepEmptyFeatures) statistics = statistics.map((s) => (isMissing(s) ? 0 : s));
    const empty = this.emptyOf(statistics);
    if (empty.length > 0) {
      console.warn(`[${WHERE}] column${empty.length > 1 ? "s" : ""} ${empty.join(", ")} had no observed value in fit, so transform drops ${empty.length > 1 ? "them" : "it"} (scikit-learn's behaviour); pass keepEmptyFeatures: true to keep ${empty.length > 1 ? "them" : "it"}`);
    }
    return { nFeaturesIn: d.cols, categorical, statistics, missingFeatures };
  }

  protected apply(d: Data): Data {
    const { statistics, categorical, missingFeatures } = this.state();
    const dropped = new Set(this.emptyFeatures);
    const kept = statistics.flatMap((_, c) => (dropped.has(c) ? [] : [c]));
    const indicators = this.addIndicator ? missingFeatures : [];
    const width = kept.length + indicators.length;
    if (categorical) {
      const rows = asRows(d);
      const cells = rows.cells.map((row) => [
        ...kept.map((c) => (isMissing(row[c]) ? statistics[c] : row[c])),
        ...indicators.map((c) => (isMissing(row[c]) ? 1 : 0)),
      ]);
      return { kind: "rows", rows: d.rows, cols: width, cells };
    }
    const m = asMatrix(d, WHERE);
    const out = makeMatrix(m.rows, width, m.dtype);
    for (let r = 0; r < m.rows; r++) {
      kept.forEach((c, j) => {
        const v = m.data[r * m.cols + c];
        out.data[r * width + j] = Number.isNaN(v) ? (statistics[c] as number) : v;
      });
      indicators.forEach((c, j) => (out.data[r * width + kept.length + j] = Number.isNaN(m.data[r * m.cols + c]) ? 1 : 0));
    }
    return out;
  }

  /** Puts NaN back where the indicator columns say a value was missing (needs addIndicator). */
  protected override invert(d: Data): Data {
    const { statistics, categorical, missingFeatures, nFeaturesIn } = this.state();
    const dropped = new Set(this.emptyFeatures);
    const kept = statistics.flatMap((_, c) => (dropped.has(c) ? [] : [c]));
    const missingValue = categorical ? null : NaN;
    const cells: Cell[][] = [];
    for (let r = 0; r < d.rows; r++) {
      // Dropped columns were all missing in fit; they come back missing.
      const row: Cell[] = new Array<Cell>(nFeaturesIn).fill(missingValue);
      kept.forEach((c, j) => (row[c] = cellAt(d, r, j)));
      missingFeatures.forEach((c, j) => {
        if (cellAt(d, r, kept.length + j) === 1) row[c] = missingValue;
      });
      cells.push(row);
    }
    const rows: Data = { kind: "rows", rows: d.rows, cols: nFeaturesIn, cells };
    return categorical ? rows : { ...asMatrix(rows, WHERE, "y"), dtype: d.kind === "matrix" ? d.dtype : "float32" };
  }

  protected override describeNoInverse(): string {
    return "inverseTransform needs addIndicator: true, which records where values were missing";
  }

  protected optionsState(): Record<string, unknown> {
    return { strategy: this.strategy, fillValue: this.fillValue, keepEmptyFeatures: this.keepEmptyFeatures, addIndicator: this.addIndicator };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, KEYS, WHERE);
    this.strategy = choiceOption(options, "strategy", ["mean", "median", "mostFrequent", "constant"] as const, "mean", WHERE);
    const fill = options.fillValue ?? null;
    check(fill === null || ["number", "string", "boolean"].includes(typeof fill), WHERE, () => `fillValue must be a number, string or boolean, got ${JSON.stringify(fill)}`);
    this.fillValue = fill as number | string | boolean | null;
    this.keepEmptyFeatures = boolOption(options, "keepEmptyFeatures", false, WHERE);
    this.addIndicator = boolOption(options, "addIndicator", false, WHERE);
  }

  protected loadFitted(f: Record<string, unknown>): ImputerFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    check(typeof f.categorical === "boolean", WHERE, `the saved state's "categorical" must be true or false`);
    const missing = f.missingFeatures;
    check(Array.isArray(missing) && missing.every((c) => Number.isInteger(c) && c >= 0 && c < n), WHERE, `the saved state's "missingFeatures" must list column indices`);
    const statistics = loadCategories([f.statistics], 1, WHERE)[0];
    check(statistics.length === n, WHERE, () => `the saved state has ${statistics.length} statistics for ${n} columns`);
    return { nFeaturesIn: n, categorical: f.categorical, statistics, missingFeatures: [...missing] as number[] };
  }

  /** Rebuilds a SimpleImputer from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): SimpleImputer {
    return new SimpleImputer().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new SimpleImputer().loadStateDict(s));
