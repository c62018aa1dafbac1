/**
 * Outlier rules learned on training data and applied to any data: the z-score rule (|x − mean| / std >
 * threshold, population std with StandardScaler's handling of constant columns) and Tukey's IQR rule
 * (x < q1 − k·IQR or x > q3 + k·IQR, quartiles by NumPy's linear interpolation). Actions clip, drop
 * or flag, and each returns a report of exactly what it changed; NaN is never an outlier.
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { tensor } from "../../ops/creation.js";
import { checkKnownKeys, choiceOption } from "./base.js";
import { count, encodeJson, numbers, readState, registerState, STATE_VERSION, type TransformerState } from "./persist.js";
import { columnValues, handleZerosInScale, isConstantFeature, meanVar, percentileSorted, sortedValues } from "./stats.js";
import { asMatrix, makeMatrix, mapMatrix, matrixToTensor, readInput, selectRows, type Matrix, type NumericInput } from "./table.js";

/** Options of {@link OutlierDetector}. */
export interface OutlierDetectorOptions {
  /** "zscore" (default) or "iqr". */
  method?: "zscore" | "iqr";
  /** Cut-off: |z| above it for "zscore" (default 3), multiples of the IQR beyond the quartiles for "iqr" (default 1.5). */
  threshold?: number;
}

/** Outliers in one column. */
export interface OutlierColumnReport {
  column: number;
  /** Outlying cells in this column. */
  count: number;
  /** Values below this are outliers. */
  lower: number;
  /** Values above this are outliers. */
  upper: number;
  /** Rows of those cells. */
  rows: number[];
}

/** What an action found and changed. */
export interface OutlierReport {
  action: "clip" | "drop" | "flag";
  method: "zscore" | "iqr";
  threshold: number;
  /** Rows in the input. */
  rows: number;
  /** Per column, in column order. */
  columns: OutlierColumnReport[];
  /** Outlying cells in total. */
  total: number;
  /** Rows with at least one outlier: the rows dropped by drop, flagged by flag. */
  rowIndices: number[];
  /** Cells clipped (clip), rows dropped (drop) or rows flagged (flag). */
  changed: number;
}

/** The result of an action: the new data and the report. */
export interface OutlierResult {
  data: Tensor;
  report: OutlierReport;
}

interface OutlierFitted {
  nFeaturesIn: number;
  /** zscore: mean; iqr: first quartile. */
  center: number[];
  /** zscore: std (1 for constant columns); iqr: third quartile. */
  spread: number[];
  lower: number[];
  upper: number[];
}

const WHERE = "OutlierDetector";

/**
 * Finds outliers per column with a rule fitted on training data.
 * @example
 * const det = new tl.data.OutlierDetector({ method: "iqr", threshold: 1.5 }).fit(xTrain);
 * const mask = det.detect(xTest);          // bool tensor, x's shape
 * const { data, report } = det.drop(xTest); // rows with any outlier removed, and which
 */
export class OutlierDetector {
  readonly typeName = WHERE;
  private method: "zscore" | "iqr" = "zscore";
  private threshold = 3;
  private fitted: OutlierFitted | null = null;

  constructor(options: OutlierDetectorOptions = {}) {
    this.loadOptions(options as Record<string, unknown>);
  }

  private loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, ["method", "threshold"], WHERE);
    this.method = choiceOption(options, "method", ["zscore", "iqr"] as const, "zscore", WHERE);
    const t = options.threshold ?? (this.method === "zscore" ? 3 : 1.5);
    check(typeof t === "number" && Number.isFinite(t) && t >= 0, WHERE, () => `threshold must be a finite number ≥ 0, got ${JSON.stringify(t)}`);
    this.threshold = t;
  }

  private state(): OutlierFitted {
    if (this.fitted === null) throw tensileError(WHERE, "is not fitted yet: call fit(x) on training data before detect, clip, drop or flag");
    return this.fitted;
  }

  /** Per-column bounds: values below `lower` or above `upper` are outliers. */
  get bounds(): { lower: number[]; upper: number[] } {
    const { lower, upper } = this.state();
    return { lower, upper };
  }

  /** True once fit has run. */
  get isFitted(): boolean {
    return this.fitted !== null;
  }

  /** Learns each column's mean and std ("zscore") or quartiles ("iqr"), ignoring NaN; returns `this`. */
  fit(x: NumericInput): this {
    const m = asMatrix(readInput(x, WHERE), WHERE);
    check(m.rows > 0, WHERE, "fit got x with 0 rows; it needs at least one sample");
    const t = this.threshold;
    const center: number[] = [];
    const spread: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    for (let c = 0; c < m.cols; c++) {
      const values = columnValues(m, c);
      if (this.method === "zscore") {
        const { mean, variance } = meanVar(values);
        const std = handleZerosInScale(Math.sqrt(variance), isConstantFeature(variance, mean, values.length));
        center.push(mean);
        spread.push(std);
        lower.push(mean - t * std);
        upper.push(mean + t * std);
      } else {
        const sorted = sortedValues(values);
        const q1 = percentileSorted(sorted, 25);
        const q3 = percentileSorted(sorted, 75);
        center.push(q1);
        spread.push(q3);
        lower.push(q1 - t * (q3 - q1));
        upper.push(q3 + t * (q3 - q1));
      }
    }
    this.fitted = { nFeaturesIn: m.cols, center, spread, lower, upper };
    return this;
  }

  private read(x: NumericInput): Matrix {
    const { nFeaturesIn } = this.state();
    const m = asMatrix(readInput(x, WHERE), WHERE);
    check(m.cols === nFeaturesIn, WHERE, () => `x has ${m.cols} columns but ${WHERE} was fitted on ${nFeaturesIn} columns`);
    return m;
  }

  private mask(m: Matrix): Uint8Array {
    const { center, spread, lower, upper } = this.state();
    const out = new Uint8Array(m.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = m.data[i];
      const c = i % m.cols;
      // The z-score rule compares |z| itself, as |StandardScaler().transform(x)| > t would.
      const outlier = this.method === "zscore" ? Math.abs((v - center[c]) / spread[c]) > this.threshold : v < lower[c] || v > upper[c];
      out[i] = outlier ? 1 : 0;
    }
    return out;
  }

  private report(m: Matrix, mask: Uint8Array, action: OutlierReport["action"], changed: (rows: number[], total: number) => number): OutlierReport {
    const { lower, upper } = this.state();
    const columns: OutlierColumnReport[] = lower.map((lo, column) => ({ column, count: 0, lower: lo, upper: upper[column], rows: [] }));
    const rowIndices: number[] = [];
    let total = 0;
    for (let r = 0; r < m.rows; r++) {
      let any = false;
      for (let c = 0; c < m.cols; c++) {
        if (mask[r * m.cols + c]) {
          columns[c].count++;
          columns[c].rows.push(r);
          total++;
          any = true;
        }
      }
      if (any) rowIndices.push(r);
    }
    return { action, method: this.method, threshold: this.threshold, rows: m.rows, columns, total, rowIndices, changed: changed(rowIndices, total) };
  }

  /** A bool tensor of x's shape, true where a value is an outlier. */
  detect(x: NumericInput): Tensor {
    const m = this.read(x);
    return tensor(this.mask(m), { shape: [m.rows, m.cols], dtype: "bool" });
  }

  /** Replaces each outlier with the nearest bound of its column. */
  clip(x: NumericInput): OutlierResult {
    const m = this.read(x);
    const mask = this.mask(m);
    const { lower, upper } = this.state();
    const data = mapMatrix(m, (v, c) => (v < lower[c] ? lower[c] : v > upper[c] ? upper[c] : v));
    // Only flagged cells change: a value within rounding of a z-score bound keeps its value.
    for (let i = 0; i < mask.length; i++) if (!mask[i]) data.data[i] = m.data[i];
    return { data: matrixToTensor(data), report: this.report(m, mask, "clip", (_, total) => total) };
  }

  /** Removes the rows that hold any outlier; the report lists them. */
  drop(x: NumericInput): OutlierResult {
    const m = this.read(x);
    const mask = this.mask(m);
    const report = this.report(m, mask, "drop", (rows) => rows.length);
    const dropped = new Set(report.rowIndices);
    const kept = Array.from({ length: m.rows }, (_, r) => r).filter((r) => !dropped.has(r));
    return { data: matrixToTensor(selectRows(m, kept) as Matrix), report };
  }

  /** Keeps every value and appends one column: 1 for rows with any outlier, 0 otherwise. */
  flag(x: NumericInput): OutlierResult {
    const m = this.read(x);
    const mask = this.mask(m);
    const report = this.report(m, mask, "flag", (rows) => rows.length);
    const out = makeMatrix(m.rows, m.cols + 1, m.dtype);
    for (let r = 0; r < m.rows; r++) out.data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), r * (m.cols + 1));
    for (const r of report.rowIndices) out.data[r * (m.cols + 1) + m.cols] = 1;
    return { data: matrixToTensor(out), report };
  }

  /** Options and fitted statistics as plain data, for a checkpoint's metadata. */
  stateDict(): TransformerState {
    return { type: WHERE, version: STATE_VERSION, options: { method: this.method, threshold: this.threshold }, fitted: this.fitted === null ? null : structuredClone(this.fitted) as unknown as Record<string, unknown> };
  }

  /** Restores from `stateDict()` / `toJSON()` output or its JSON string. */
  loadStateDict(state: TransformerState | object | string): this {
    const s = readState(state, WHERE);
    this.loadOptions(s.options);
    if (s.fitted === null) this.fitted = null;
    else {
      const f = s.fitted;
      const n = count(f, "nFeaturesIn", WHERE);
      const get = (key: string) => numbers(f, key, n, WHERE);
      this.fitted = { nFeaturesIn: n, center: get("center"), spread: get("spread"), lower: get("lower"), upper: get("upper") };
    }
    return this;
  }

  /** The state with NaN spelled out, so `JSON.stringify(detector)` round-trips. */
  toJSON(): unknown {
    return encodeJson(this.stateDict());
  }

  /** Rebuilds an OutlierDetector from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): OutlierDetector {
    return new OutlierDetector().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new OutlierDetector().loadStateDict(s));
