/**
 * LabelEncoder: class labels (strings, numbers or booleans) to class indices 0..k−1 in sorted order,
 * as scikit-learn's `LabelEncoder`; the indices come out as an int32 tensor, ready for crossEntropy.
 */
import { check, fmtShape, tensileError } from "../../core/errors.js";
import { Tensor } from "../../engine/tensor.js";
import { tensor } from "../../ops/creation.js";
import { cellKey, indexOf, loadCategories, uniqueSorted } from "./categories.js";
import { count, encodeJson, readState, registerState, STATE_VERSION, type TransformerState } from "./persist.js";
import { describeCell, type Cell } from "./table.js";

const WHERE = "LabelEncoder";

/** Reads a 1-D array of labels or a 1-D tensor (an [n, 1] tensor is accepted too). */
function readLabels(y: Tensor | readonly Cell[], arg: string): Cell[] {
  if (y instanceof Tensor) {
    y.assertAlive(WHERE);
    check(y.ndim === 1 || (y.ndim === 2 && y.shape[1] === 1), WHERE, () => `${arg} must be 1-D, got shape ${fmtShape(y.shape)}`);
    return Array.from(y.dataSync(), Number);
  }
  check(Array.isArray(y), WHERE, () => `${arg} must be an array of labels or a 1-D tensor`);
  y.forEach((v, i) => check(v === null || v === undefined || (["number", "string", "boolean"].includes(typeof v)), WHERE,
    () => `${arg}[${i}] is ${Array.isArray(v) ? "an array" : typeof v}; labels are numbers, strings or booleans in a 1-D array`));
  return [...y];
}

/**
 * Maps labels to indices into the sorted distinct labels seen in fit (`classes`).
 * @example
 * const le = new tl.data.LabelEncoder().fit(["cat", "dog", "cat"]);
 * le.transform(["dog", "cat"]); // int32 tensor [1, 0]
 * le.inverseTransform([1, 0]);  // ["dog", "cat"]
 */
export class LabelEncoder {
  readonly typeName = WHERE;
  private fittedClasses: Cell[] | null = null;

  /** True once fit has run. */
  get isFitted(): boolean {
    return this.fittedClasses !== null;
  }

  /** The sorted distinct labels; an index is a position in this list. */
  get classes(): Cell[] {
    if (this.fittedClasses === null) throw tensileError(WHERE, "is not fitted yet: call fit(y) on training labels before using it");
    return this.fittedClasses;
  }

  /** Learns the classes; returns `this`. */
  fit(y: Tensor | readonly Cell[]): this {
    const labels = readLabels(y, "y");
    check(labels.length > 0, WHERE, "fit got 0 labels; it needs at least one");
    this.fittedClasses = uniqueSorted(labels, WHERE, "y");
    return this;
  }

  /** Class indices of `y` as an int32 tensor; a label not seen in fit is an error naming it. */
  transform(y: Tensor | readonly Cell[]): Tensor {
    const index = indexOf(this.classes);
    const labels = readLabels(y, "y");
    const codes = Int32Array.from(labels, (v, i) => {
      const code = index.get(cellKey(v));
      if (code === undefined) throw tensileError(WHERE, `y[${i}] is ${describeCell(v)}, a label not seen in fit (classes: ${JSON.stringify(this.classes.slice(0, 10))})`);
      return code;
    });
    return tensor(codes, { shape: [codes.length], dtype: "int32" });
  }

  /** `fit(y)` then `transform(y)`. */
  fitTransform(y: Tensor | readonly Cell[]): Tensor {
    return this.fit(y).transform(y);
  }

  /** The labels of class indices (a 1-D tensor or array of whole numbers 0..k−1). */
  inverseTransform(codes: Tensor | readonly number[]): Cell[] {
    const classes = this.classes;
    return readLabels(codes as Tensor | Cell[], "codes").map((v, i) => {
      if (!(typeof v === "number" && Number.isInteger(v) && v >= 0 && v < classes.length)) {
        throw tensileError(WHERE, `codes[${i}] is ${describeCell(v)}; class indices are whole numbers 0..${classes.length - 1}`);
      }
      return classes[v];
    });
  }

  /** The fitted classes as plain data, for a checkpoint's metadata. */
  stateDict(): TransformerState {
    return { type: WHERE, version: STATE_VERSION, options: {}, fitted: this.fittedClasses === null ? null : { nFeaturesIn: 1, classes: [...this.fittedClasses] } };
  }

  /** Restores from `stateDict()` / `toJSON()` output or its JSON string. */
  loadStateDict(state: TransformerState | object | string): this {
    const s = readState(state, WHERE);
    if (s.fitted === null) this.fittedClasses = null;
    else {
      count(s.fitted, "nFeaturesIn", WHERE);
      this.fittedClasses = loadCategories([s.fitted.classes], 1, WHERE)[0];
    }
    return this;
  }

  /** The state with NaN spelled out, so `JSON.stringify(encoder)` round-trips. */
  toJSON(): unknown {
    return encodeJson(this.stateDict());
  }

  /** Rebuilds a LabelEncoder from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): LabelEncoder {
    return new LabelEncoder().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new LabelEncoder().loadStateDict(s));
