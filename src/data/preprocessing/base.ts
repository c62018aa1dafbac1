/**
 * The base of every fitted preprocessing transformer, with scikit-learn's protocol in camelCase:
 * `fit(x)` learns from training data and returns `this`, `transform(x)` applies what was learned to
 * any data, `fitTransform(x)` does both, `inverseTransform(y)` maps back where the transform allows.
 * Subclasses implement the table-level `fitData` / `transformData` / `inverseData`; this class does the
 * conversions, the checks every transformer shares, and persistence.
 */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { encodeJson, readState, STATE_VERSION, type TransformerState } from "./persist.js";
import { readInput, toOutput, type Data, type NumericInput, type TableInput } from "./table.js";

/** The table-level protocol composites use to drive their parts without going through tensors. */
export interface TableTransformer {
  /** The class name, as saved in its state. */
  readonly typeName: string;
  readonly isFitted: boolean;
  /** Whether `inverseTransform` is defined for this transformer as configured. */
  readonly invertible: boolean;
  fitData(d: Data): void;
  transformData(d: Data): Data;
  inverseData(d: Data): Data;
  stateDict(): TransformerState;
}

/**
 * A transformer that learns `F` at fit time.
 * `In` is the input it takes, `Out` what `transform` returns, `InvOut` what `inverseTransform` returns.
 */
export abstract class Transformer<F extends object, In extends TableInput = NumericInput, Out = Tensor, InvOut = Tensor>
implements TableTransformer {
  /** The class name used in errors and saved states. */
  abstract readonly typeName: string;
  /** Whether input booleans stay categories (encoders, imputers, composites) rather than becoming 0/1. */
  protected readonly categoricalInput: boolean = false;
  /** @internal What fit learned; null until then. */
  protected fitted: F | null = null;

  /** True once `fit` (or `loadStateDict` with a fitted state) has run. */
  get isFitted(): boolean {
    return this.fitted !== null;
  }

  /** Whether `inverseTransform` is available. */
  get invertible(): boolean {
    return true;
  }

  /** Number of columns seen in fit. */
  get nFeaturesIn(): number {
    return this.state().nFeaturesIn;
  }

  /** @internal The fitted state, or a clear error when fit has not run. */
  protected state(): F & { nFeaturesIn: number } {
    if (this.fitted === null) throw tensileError(this.typeName, `is not fitted yet: call fit(x) on training data before using it`);
    return this.fitted as F & { nFeaturesIn: number };
  }

  /** Learns from training data (a 2-D tensor or an array of rows); returns `this` for chaining. */
  fit(x: In): this {
    this.fitData(this.read(x));
    return this;
  }

  /** Applies what fit learned to `x`, which must have the columns seen in fit. */
  transform(x: In): Out {
    return toOutput(this.transformData(this.read(x))) as Out;
  }

  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: In): Out {
    const d = this.read(x);
    this.fitData(d);
    return toOutput(this.transformData(d)) as Out;
  }

  /** Maps transformed data back to the original representation. */
  inverseTransform(y: NumericInput): InvOut {
    return toOutput(this.inverseData(readInput(y, this.typeName, "y"))) as InvOut;
  }

  /** @internal Reads a public input as a table. */
  protected read(x: TableInput): Data {
    return readInput(x, this.typeName, "x", this.categoricalInput);
  }

  /** @internal Fits on a table; checks it has samples, then calls `learn`. */
  fitData(d: Data): void {
    check(d.rows > 0, this.typeName, () => `fit got x with 0 rows; it needs at least one sample`);
    this.fitted = this.learn(d);
  }

  /** @internal Transforms a table after checking fit and the column count. */
  transformData(d: Data): Data {
    const n = this.state().nFeaturesIn;
    check(d.cols === n, this.typeName, () => `x has ${d.cols} columns but ${this.typeName} was fitted on ${n} columns`);
    return this.apply(d);
  }

  /** Number of columns `transform` produces (what `inverseTransform` expects). */
  get nFeaturesOut(): number {
    return this.state().nFeaturesIn;
  }

  /** @internal Inverse-transforms a table after checking fit and the column count. */
  inverseData(d: Data): Data {
    const n = this.nFeaturesOut;
    check(this.invertible, this.typeName, () => this.describeNoInverse());
    check(d.cols === n, this.typeName, () => `inverseTransform got y with ${d.cols} columns but ${this.typeName} produces ${n} columns`);
    return this.invert(d);
  }

  /** Learns the fitted state from a table with at least one row. */
  protected abstract learn(d: Data): F & { nFeaturesIn: number };
  /** Applies the fitted state to a table with the fitted column count. */
  protected abstract apply(d: Data): Data;
  /** Inverts `apply`; the default says it is not available. */
  protected invert(_d: Data): Data {
    throw tensileError(this.typeName, this.describeNoInverse());
  }
  /** Why there is no inverse. */
  protected describeNoInverse(): string {
    return `has no inverseTransform`;
  }

  /** The constructor options, as saved. */
  protected abstract optionsState(): Record<string, unknown>;
  /** Sets the options from a saved state (already parsed); throws on bad values like the constructor. */
  protected abstract loadOptions(options: Record<string, unknown>): void;
  /** Checks a saved fitted state and returns it typed. */
  protected abstract loadFitted(fitted: Record<string, unknown>): F & { nFeaturesIn: number };

  /** The options and the fitted state as plain data: put it in a checkpoint's metadata to save it with the model. */
  stateDict(): TransformerState {
    return {
      type: this.typeName,
      version: STATE_VERSION,
      options: structuredClone(this.optionsState()),
      fitted: this.fitted === null ? null : structuredClone(this.fitted) as Record<string, unknown>,
    };
  }

  /** Restores options and fitted state from `stateDict()` or `toJSON()` output (or its JSON string). */
  loadStateDict(state: TransformerState | object | string): this {
    const s = readState(state, this.typeName);
    this.loadOptions(s.options);
    this.fitted = s.fitted === null ? null : this.loadFitted(s.fitted);
    return this;
  }

  /** The state with NaN and ±Infinity spelled out, so `JSON.stringify(transformer)` round-trips. */
  toJSON(): unknown {
    return encodeJson(this.stateDict());
  }
}

/** Reads `options.key` as a boolean with a default, or throws naming the option. */
export function boolOption(options: Record<string, unknown>, key: string, fallback: boolean, where: string): boolean {
  const v = options[key] ?? fallback;
  check(typeof v === "boolean", where, () => `option ${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Reads `options.key` as one of `allowed`, or throws listing them. */
export function choiceOption<T extends string>(options: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T, where: string): T {
  const v = options[key] ?? fallback;
  check(allowed.includes(v as T), where, () => `option ${key} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Throws when options holds a key not in `known` (catches typos like `featurRange`). */
export function checkKnownKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    check(known.includes(key), where, () => `unknown option "${key}"; the options are ${known.join(", ")}`);
  }
}
