/**
 * OneHotEncoder: one 0/1 column per category of each input column, as scikit-learn's `OneHotEncoder`
 * (dense output; categories sorted; missing values form their own category, last).
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { Transformer, checkKnownKeys, choiceOption } from "./base.js";
import { checkGivenCategories, encodeColumns, loadCategories, uniqueSorted } from "./categories.js";
import { count, registerState, type TransformerState } from "./persist.js";
import { asMatrix, columnCells, makeMatrix, type Cell, type Data, type TableInput } from "./table.js";

/** Options of {@link OneHotEncoder}. */
export interface OneHotEncoderOptions {
  /** "auto" (sorted distinct values seen in fit) or the categories of each column (default "auto"). */
  categories?: "auto" | readonly (readonly Cell[])[];
  /** What to do with a category not seen in fit: "error" (default) or "ignore" (all zeros). */
  handleUnknown?: "error" | "ignore";
  /** Drop no column (default), the first category's column of each feature, or it only for two-category features. */
  drop?: null | "first" | "ifBinary";
}

interface OneHotFitted {
  nFeaturesIn: number;
  categories: Cell[][];
  /** Per column, the index of the dropped category, or null. */
  dropIdx: (number | null)[];
}

const WHERE = "OneHotEncoder";
const KEYS = ["categories", "handleUnknown", "drop"];

/**
 * Encodes categorical columns (strings, numbers or booleans) as one-hot columns, side by side in column order.
 * @example
 * const enc = new tl.data.OneHotEncoder({ handleUnknown: "ignore" }).fit([["red"], ["green"], ["red"]]);
 * enc.transform([["green"], ["blue"]]); // [[1, 0], [0, 0]]
 */
export class OneHotEncoder extends Transformer<OneHotFitted, TableInput, Tensor, Cell[][]> {
  readonly typeName = WHERE;
  protected override readonly categoricalInput = true;
  private givenCategories: "auto" | Cell[][] = "auto";
  private handleUnknown: "error" | "ignore" = "error";
  private drop: null | "first" | "ifBinary" = null;

  constructor(options: OneHotEncoderOptions = {}) {
    super();
    this.loadOptions(options as Record<string, unknown>);
  }

  /** The categories of each column, in output order. */
  get categories(): Cell[][] {
    return this.state().categories;
  }

  /** Per column, the index of the category whose output column is dropped, or null. */
  get dropIdx(): (number | null)[] {
    return this.state().dropIdx;
  }

  override get nFeaturesOut(): number {
    const { categories, dropIdx } = this.state();
    return categories.reduce((n, cats, c) => n + cats.length - (dropIdx[c] === null ? 0 : 1), 0);
  }

  /** Output column names, `${inputName}_${category}` (input names default to x0, x1, ...). */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    const { categories, dropIdx, nFeaturesIn } = this.state();
    check(inputFeatures === undefined || inputFeatures.length === nFeaturesIn, WHERE, () => `inputFeatures has ${inputFeatures?.length} names but the encoder was fitted on ${nFeaturesIn} columns`);
    return categories.flatMap((cats, c) => cats.filter((_, i) => i !== dropIdx[c]).map((cat) => `${inputFeatures?.[c] ?? `x${c}`}_${String(cat)}`));
  }

  protected learn(d: Data): OneHotFitted {
    let categories: Cell[][];
    if (this.givenCategories === "auto") {
      categories = Array.from({ length: d.cols }, (_, c) => uniqueSorted(columnCells(d, c), WHERE, `column ${c}`));
    } else {
      check(this.givenCategories.length === d.cols, WHERE, () => `categories lists ${(this.givenCategories as Cell[][]).length} columns but x has ${d.cols}`);
      categories = this.givenCategories.map((c) => [...c]);
      if (this.handleUnknown === "error") encodeColumns(d, categories, "error", WHERE, "fit");
    }
    const dropIdx = categories.map((cats) => (this.drop === "first" || (this.drop === "ifBinary" && cats.length === 2) ? 0 : null));
    return { nFeaturesIn: d.cols, categories, dropIdx };
  }

  protected apply(d: Data): Data {
    const { categories, dropIdx } = this.state();
    const codes = encodeColumns(d, categories, this.handleUnknown === "error" ? "error" : "keep", WHERE, "transform");
    const width = this.nFeaturesOut;
    const out = makeMatrix(d.rows, width, d.kind === "matrix" ? d.dtype : "float32");
    let at = 0;
    for (let c = 0; c < d.cols; c++) {
      const drop = dropIdx[c];
      for (let r = 0; r < d.rows; r++) {
        const code = codes[r * d.cols + c];
        // Unknown (-1) and the dropped category encode as all zeros.
        if (code < 0 || code === drop) continue;
        out.data[r * width + at + (drop !== null && code > drop ? code - 1 : code)] = 1;
      }
      at += categories[c].length - (drop === null ? 0 : 1);
    }
    return out;
  }

  protected override invert(d: Data): Data {
    const { categories, dropIdx } = this.state();
    const m = asMatrix(d, WHERE, "y");
    const cells: Cell[][] = Array.from({ length: m.rows }, () => []);
    let at = 0;
    categories.forEach((cats, c) => {
      const drop = dropIdx[c];
      const kept = cats.filter((_, i) => i !== drop);
      for (let r = 0; r < m.rows; r++) {
        let best = -1;
        let sum = 0;
        for (let j = 0; j < kept.length; j++) {
          const v = m.data[r * m.cols + at + j];
          sum += v;
          if (best < 0 || v > m.data[r * m.cols + at + best]) best = j;
        }
        if (kept.length > 0 && sum !== 0) cells[r].push(kept[best]);
        else if (drop !== null) cells[r].push(cats[drop]);
        else if (this.handleUnknown === "ignore") cells[r].push(null);
        else throw tensileError(WHERE, `inverseTransform: row ${r} is all zeros for column ${c}, which only an unknown category gives; with drop null and handleUnknown "error" it cannot be inverted`);
      }
      at += kept.length;
    });
    return { kind: "rows", rows: m.rows, cols: categories.length, cells };
  }

  protected optionsState(): Record<string, unknown> {
    return { categories: this.givenCategories, handleUnknown: this.handleUnknown, drop: this.drop };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, KEYS, WHERE);
    const cats = options.categories ?? "auto";
    check(cats === "auto" || Array.isArray(cats), WHERE, () => `categories must be "auto" or one array of categories per column, got ${JSON.stringify(cats)}`);
    this.givenCategories = cats === "auto" ? "auto" : (cats as unknown[]).map((c, i) => checkGivenCategories(c, WHERE, i));
    this.handleUnknown = choiceOption(options, "handleUnknown", ["error", "ignore"] as const, "error", WHERE);
    const drop = options.drop ?? null;
    check(drop === null || drop === "first" || drop === "ifBinary", WHERE, () => `drop must be null, "first" or "ifBinary", got ${JSON.stringify(drop)}`);
    this.drop = drop;
  }

  protected loadFitted(f: Record<string, unknown>): OneHotFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    const categories = loadCategories(f.categories, n, WHERE);
    const dropIdx = f.dropIdx;
    check(Array.isArray(dropIdx) && dropIdx.length === n && dropIdx.every((v, c) => v === null || (Number.isInteger(v) && v >= 0 && v < categories[c].length)), WHERE,
      () => `the saved state's "dropIdx" must hold ${n} category indices or nulls`);
    return { nFeaturesIn: n, categories, dropIdx: [...dropIdx] as (number | null)[] };
  }

  /** Rebuilds a OneHotEncoder from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): OneHotEncoder {
    return new OneHotEncoder().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new OneHotEncoder().loadStateDict(s));
