/**
 * ColumnTransformer: applies each transformer to its own columns and puts the results side by side,
 * as scikit-learn's `ColumnTransformer` (parts in the order given, then the remainder columns).
 * It adds `inverseTransform`, defined when every part has one and no column is dropped or shared.
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { Transformer, checkKnownKeys, choiceOption, type TableTransformer } from "./base.js";
import { checkNames, checkPart, loadPart, numericOutput } from "./composite.js";
import { count, registerState, type TransformerState } from "./persist.js";
import { asRows, hstack, makeMatrix, selectColumns, type Cell, type Data, type TableInput } from "./table.js";

/** A part: [name, transformer | "drop" | "passthrough", column index or indices (negative counts from the end)]. */
export type ColumnPart = readonly [name: string, transformer: TableTransformer | "drop" | "passthrough", columns: number | readonly number[]];

/** Options of {@link ColumnTransformer}. */
export interface ColumnTransformerOptions {
  /** What to do with columns no part names: "drop" (default) or "passthrough" (appended after the parts). */
  remainder?: "drop" | "passthrough";
}

interface ColumnFitted {
  nFeaturesIn: number;
  /** Resolved input columns of each part. */
  columns: number[][];
  /** Output width of each part. */
  widths: number[];
  /** Columns no part names, in order. */
  remainder: number[];
}

const WHERE = "ColumnTransformer";

/**
 * Transforms columns separately and concatenates the results.
 * @example
 * const ct = new tl.data.ColumnTransformer([
 *   ["num", new tl.data.StandardScaler(), [0, 1]],
 *   ["cat", new tl.data.OneHotEncoder({ handleUnknown: "ignore" }), [2]],
 * ], { remainder: "drop" });
 * const x = ct.fitTransform([[1.5, 20, "red"], [2.5, 30, "blue"]]);
 */
export class ColumnTransformer extends Transformer<ColumnFitted, TableInput, Tensor, Tensor | Cell[][]> {
  readonly typeName = WHERE;
  protected override readonly categoricalInput = true;
  private parts: [string, TableTransformer | "drop" | "passthrough", number[]][] = [];
  private remainder: "drop" | "passthrough" = "drop";
  private fitOutput: { input: Data; output: Data } | null = null;

  constructor(transformers: readonly ColumnPart[] = [], options: ColumnTransformerOptions = {}) {
    super();
    this.setParts(transformers);
    checkKnownKeys(options, ["remainder"], WHERE);
    this.remainder = choiceOption(options as Record<string, unknown>, "remainder", ["drop", "passthrough"] as const, "drop", WHERE);
  }

  private setParts(parts: readonly ColumnPart[]): void {
    check(Array.isArray(parts), WHERE, "transformers must be an array of [name, transformer, columns] triples");
    parts.forEach((p, i) => check(Array.isArray(p) && p.length === 3, WHERE, () => `transformer ${i} must be a [name, transformer, columns] triple`));
    checkNames(parts.map((p) => p[0]), WHERE, "transformer");
    this.parts = parts.map(([name, t, cols]) => {
      checkPart(t, ["drop", "passthrough"], WHERE, `transformer "${name}"`);
      const list = typeof cols === "number" ? [cols] : cols;
      check(Array.isArray(list) && list.every((c) => Number.isInteger(c)), WHERE, () => `the columns of "${name}" must be a column index or an array of them, got ${JSON.stringify(cols)}`);
      return [name, t, [...list]];
    });
    this.fitted = null;
  }

  /** The parts by name. */
  get namedTransformers(): Record<string, TableTransformer | "drop" | "passthrough"> {
    return Object.fromEntries(this.parts.map(([name, t]) => [name, t]));
  }

  override get nFeaturesOut(): number {
    const { widths, remainder } = this.state();
    return widths.reduce((a, b) => a + b, 0) + (this.remainder === "passthrough" ? remainder.length : 0);
  }

  override get invertible(): boolean {
    return this.inverseProblem() === null;
  }

  /** Why inverseTransform is impossible, or null. */
  private inverseProblem(): string | null {
    const noInverse = this.parts.filter(([, t]) => t !== "drop" && t !== "passthrough" && !t.invertible).map(([n]) => `"${n}"`);
    if (noInverse.length) return `transformer ${noInverse.join(", ")} has no inverseTransform`;
    const dropped = this.parts.filter(([, t, cols]) => t === "drop" && cols.length > 0).map(([n]) => `"${n}"`);
    if (dropped.length) return `part ${dropped.join(", ")} drops its columns`;
    if (this.fitted !== null) {
      if (this.remainder === "drop" && this.fitted.remainder.length) return `remainder "drop" dropped columns ${this.fitted.remainder.join(", ")}`;
      const all = this.fitted.columns.flat();
      const shared = all.filter((c, i) => all.indexOf(c) !== i);
      if (shared.length) return `column ${shared[0]} goes to two parts`;
    }
    return null;
  }

  protected override describeNoInverse(): string {
    return `inverseTransform is not possible: ${this.inverseProblem()}`;
  }

  /** Fits every part on its columns; returns `this`. */
  override fit(x: TableInput): this {
    super.fit(x);
    this.fitOutput = null;
    return this;
  }

  /** Transforms each part's columns and concatenates; the result must be numeric. */
  override transform(x: TableInput): Tensor {
    return numericOutput(this.transformData(this.read(x)), WHERE);
  }

  /** `fit(x)` then `transform(x)`, transforming the data once. */
  override fitTransform(x: TableInput): Tensor {
    const d = this.read(x);
    this.fitData(d);
    return numericOutput(this.transformData(d), WHERE);
  }

  protected learn(d: Data): ColumnFitted {
    const columns = this.parts.map(([name, , cols]) => cols.map((c) => {
      check(c >= -d.cols && c < d.cols, WHERE, () => `transformer "${name}" selects column ${c} but x has ${d.cols} columns`);
      return c < 0 ? c + d.cols : c;
    }));
    const used = new Set(columns.flat());
    const remainder = Array.from({ length: d.cols }, (_, c) => c).filter((c) => !used.has(c));
    const outputs: Data[] = [];
    const widths = this.parts.map(([, t], i) => {
      if (t === "drop") return 0;
      const sub = selectColumns(d, columns[i]);
      if (t !== "passthrough") t.fitData(sub);
      const out = t === "passthrough" ? sub : t.transformData(sub);
      outputs.push(out);
      return out.cols;
    });
    if (this.remainder === "passthrough") outputs.push(selectColumns(d, remainder));
    this.fitOutput = { input: d, output: hstack(outputs, d.rows) };
    return { nFeaturesIn: d.cols, columns, widths, remainder };
  }

  protected apply(d: Data): Data {
    const cached = this.fitOutput;
    this.fitOutput = null;
    if (cached !== null && cached.input === d) return cached.output;
    const { columns, remainder } = this.state();
    const outputs: Data[] = [];
    this.parts.forEach(([, t], i) => {
      if (t === "drop") return;
      const sub = selectColumns(d, columns[i]);
      outputs.push(t === "passthrough" ? sub : t.transformData(sub));
    });
    if (this.remainder === "passthrough") outputs.push(selectColumns(d, remainder));
    return hstack(outputs, d.rows);
  }

  protected override invert(d: Data): Data {
    const { columns, widths, remainder, nFeaturesIn } = this.state();
    const pieces: { cols: number[]; data: Data }[] = [];
    let at = 0;
    const take = (width: number) => {
      const out = selectColumns(d, Array.from({ length: width }, (_, j) => at + j));
      at += width;
      return out;
    };
    this.parts.forEach(([, t], i) => {
      if (t === "drop") return;
      const y = take(widths[i]);
      pieces.push({ cols: columns[i], data: t === "passthrough" ? y : t.inverseData(y) });
    });
    if (this.remainder === "passthrough") pieces.push({ cols: remainder, data: take(remainder.length) });
    if (pieces.every((p) => p.data.kind === "matrix")) {
      const out = makeMatrix(d.rows, nFeaturesIn, d.kind === "matrix" ? d.dtype : "float32");
      for (const { cols, data } of pieces) {
        if (data.kind !== "matrix") continue;
        for (let r = 0; r < d.rows; r++) cols.forEach((c, j) => (out.data[r * nFeaturesIn + c] = data.data[r * data.cols + j]));
      }
      return out;
    }
    const cells: Cell[][] = Array.from({ length: d.rows }, () => new Array<Cell>(nFeaturesIn).fill(null));
    for (const { cols, data } of pieces) {
      const rows = asRows(data);
      for (let r = 0; r < d.rows; r++) cols.forEach((c, j) => (cells[r][c] = rows.cells[r][j]));
    }
    return { kind: "rows", rows: d.rows, cols: nFeaturesIn, cells };
  }

  protected optionsState(): Record<string, unknown> {
    return {
      transformers: this.parts.map(([name, t, cols]) => [name, typeof t === "string" ? t : t.stateDict(), [...cols]]),
      remainder: this.remainder,
    };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, ["transformers", "remainder"], WHERE);
    const parts = options.transformers;
    check(Array.isArray(parts) && parts.every((p) => Array.isArray(p) && p.length === 3), WHERE, "the saved state's transformers must be [name, state, columns] triples");
    this.setParts((parts as [string, unknown, number[]][]).map(([name, s, cols]) => [name, loadPart(s, ["drop", "passthrough"], WHERE, `transformer "${name}"`) as ColumnPart[1], cols]));
    this.remainder = choiceOption(options, "remainder", ["drop", "passthrough"] as const, "drop", WHERE);
  }

  protected loadFitted(f: Record<string, unknown>): ColumnFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    const isIndexList = (v: unknown) => Array.isArray(v) && v.every((c) => Number.isInteger(c) && c >= 0 && c < n);
    const { columns, widths, remainder } = f;
    if (!(Array.isArray(columns) && columns.length === this.parts.length && columns.every(isIndexList)
      && Array.isArray(widths) && widths.length === this.parts.length && widths.every((w) => Number.isInteger(w) && w >= 0) && isIndexList(remainder))) {
      throw tensileError(WHERE, `the saved state's columns, widths and remainder do not match its ${this.parts.length} transformers`);
    }
    const unfitted = this.parts.filter(([, t]) => typeof t !== "string" && !t.isFitted).map(([name]) => name);
    check(unfitted.length === 0, WHERE, () => `the saved state is fitted but its transformer ${unfitted.join(", ")} is not`);
    return { nFeaturesIn: n, columns: (columns as number[][]).map((c) => [...c]), widths: [...widths] as number[], remainder: [...(remainder as number[])] };
  }

  /** Rebuilds a ColumnTransformer (with its fitted parts) from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): ColumnTransformer {
    return new ColumnTransformer().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new ColumnTransformer().loadStateDict(s));
