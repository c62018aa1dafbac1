/**
 * OrdinalEncoder: each category becomes its index in the column's sorted categories, as
 * scikit-learn's `OrdinalEncoder` (missing values encode as `encodedMissingValue`, NaN by default).
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { Transformer, checkKnownKeys, choiceOption } from "./base.js";
import { checkGivenCategories, encodeColumns, loadCategories, uniqueSorted } from "./categories.js";
import { count, registerState, type TransformerState } from "./persist.js";
import { asMatrix, columnCells, isMissing, makeMatrix, type Cell, type Data, type TableInput } from "./table.js";

/** Options of {@link OrdinalEncoder}. */
export interface OrdinalEncoderOptions {
  /** "auto" (sorted distinct values seen in fit) or the categories of each column (default "auto"). */
  categories?: "auto" | readonly (readonly Cell[])[];
  /** "error" (default) or "useEncodedValue": unknown categories become `unknownValue`. */
  handleUnknown?: "error" | "useEncodedValue";
  /** The code for unknown categories with handleUnknown "useEncodedValue": a whole number outside 0..k−1, or NaN. */
  unknownValue?: number | null;
  /** The code for missing values (default NaN). */
  encodedMissingValue?: number;
}

interface OrdinalFitted {
  nFeaturesIn: number;
  categories: Cell[][];
}

const WHERE = "OrdinalEncoder";
const KEYS = ["categories", "handleUnknown", "unknownValue", "encodedMissingValue"];

/**
 * Encodes categorical columns as one column of codes 0..k−1 each, in sorted category order.
 * @example new tl.data.OrdinalEncoder().fitTransform([["b"], ["a"], ["c"]]); // [[1], [0], [2]]
 */
export class OrdinalEncoder extends Transformer<OrdinalFitted, TableInput, Tensor, Cell[][]> {
  readonly typeName = WHERE;
  protected override readonly categoricalInput = true;
  private givenCategories: "auto" | Cell[][] = "auto";
  private handleUnknown: "error" | "useEncodedValue" = "error";
  private unknownValue: number | null = null;
  private encodedMissingValue = NaN;

  constructor(options: OrdinalEncoderOptions = {}) {
    super();
    this.loadOptions(options as Record<string, unknown>);
  }

  /** The categories of each column; a code is an index into these. */
  get categories(): Cell[][] {
    return this.state().categories;
  }

  protected learn(d: Data): OrdinalFitted {
    let categories: Cell[][];
    if (this.givenCategories === "auto") {
      categories = Array.from({ length: d.cols }, (_, c) => uniqueSorted(columnCells(d, c), WHERE, `column ${c}`));
    } else {
      check(this.givenCategories.length === d.cols, WHERE, () => `categories lists ${(this.givenCategories as Cell[][]).length} columns but x has ${d.cols}`);
      categories = this.givenCategories.map((c) => [...c]);
      if (this.handleUnknown === "error") encodeColumns(d, categories, "error", WHERE, "fit");
    }
    const u = this.unknownValue;
    if (u !== null && !Number.isNaN(u)) {
      categories.forEach((cats, c) => check(!(u >= 0 && u < cats.length), WHERE,
        () => `unknownValue ${u} is one of the codes of the categories seen in column ${c} (0..${cats.length - 1}); pick a value outside, such as -1`));
    }
    const e = this.encodedMissingValue;
    if (!Number.isNaN(e)) {
      categories.forEach((cats, c) => check(!(cats.some(isMissing) && e >= 0 && e < cats.length), WHERE,
        () => `encodedMissingValue ${e} is already the code of a category in column ${c}; pick a value outside 0..${cats.length - 1}`));
    }
    return { nFeaturesIn: d.cols, categories };
  }

  protected apply(d: Data): Data {
    const { categories } = this.state();
    const codes = encodeColumns(d, categories, this.handleUnknown === "error" ? "error" : "keep", WHERE, "transform");
    const out = makeMatrix(d.rows, d.cols, d.kind === "matrix" ? d.dtype : "float32");
    for (let i = 0; i < codes.length; i++) {
      const cats = categories[i % d.cols];
      const code = codes[i];
      out.data[i] = code < 0 ? (this.unknownValue ?? NaN) : isMissing(cats[code]) ? this.encodedMissingValue : code;
    }
    return out;
  }

  protected override invert(d: Data): Data {
    const { categories } = this.state();
    const m = asMatrix(d, WHERE, "y");
    const same = (a: number, b: number | null) => b !== null && (a === b || (Number.isNaN(a) && Number.isNaN(b)));
    const cells: Cell[][] = [];
    for (let r = 0; r < m.rows; r++) {
      cells.push(categories.map((cats, c) => {
        const v = m.data[r * m.cols + c];
        const missingAt = cats.findIndex(isMissing);
        if (missingAt >= 0 && same(v, this.encodedMissingValue)) return cats[missingAt];
        if (this.handleUnknown === "useEncodedValue" && same(v, this.unknownValue)) return null;
        if (!(Number.isInteger(v) && v >= 0 && v < cats.length)) {
          throw tensileError(WHERE, `inverseTransform: y holds ${v} at row ${r}, column ${c}, which is not a code 0..${cats.length - 1} of that column`);
        }
        return cats[v];
      }));
    }
    return { kind: "rows", rows: m.rows, cols: categories.length, cells };
  }

  protected optionsState(): Record<string, unknown> {
    return { categories: this.givenCategories, handleUnknown: this.handleUnknown, unknownValue: this.unknownValue, encodedMissingValue: this.encodedMissingValue };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, KEYS, WHERE);
    const cats = options.categories ?? "auto";
    check(cats === "auto" || Array.isArray(cats), WHERE, () => `categories must be "auto" or one array of categories per column, got ${JSON.stringify(cats)}`);
    this.givenCategories = cats === "auto" ? "auto" : (cats as unknown[]).map((c, i) => checkGivenCategories(c, WHERE, i));
    this.handleUnknown = choiceOption(options, "handleUnknown", ["error", "useEncodedValue"] as const, "error", WHERE);
    const u = options.unknownValue ?? null;
    if (this.handleUnknown === "useEncodedValue") {
      check(typeof u === "number" && (Number.isInteger(u) || Number.isNaN(u)), WHERE,
        () => `unknownValue must be a whole number or NaN when handleUnknown is "useEncodedValue", got ${JSON.stringify(u)}`);
    } else {
      check(u === null, WHERE, () => `unknownValue is only used with handleUnknown "useEncodedValue", got ${JSON.stringify(u)}`);
    }
    this.unknownValue = u as number | null;
    const e = options.encodedMissingValue ?? NaN;
    check(typeof e === "number", WHERE, () => `encodedMissingValue must be a number (NaN by default), got ${JSON.stringify(e)}`);
    this.encodedMissingValue = e;
  }

  protected loadFitted(f: Record<string, unknown>): OrdinalFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    return { nFeaturesIn: n, categories: loadCategories(f.categories, n, WHERE) };
  }

  /** Rebuilds an OrdinalEncoder from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): OrdinalEncoder {
    return new OrdinalEncoder().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new OrdinalEncoder().loadStateDict(s));
