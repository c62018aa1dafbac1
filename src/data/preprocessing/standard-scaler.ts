/**
 * StandardScaler: removes each column's mean and divides by its standard deviation, as scikit-learn's
 * `StandardScaler` (population standard deviation; near-constant columns get scale 1; NaN ignored in
 * fit and kept in transform).
 */
import { Transformer, boolOption, checkKnownKeys } from "./base.js";
import { count, numbers, registerState, type TransformerState } from "./persist.js";
import { handleZerosInScale, isConstantFeature, meanVar, columnValues } from "./stats.js";
import { asMatrix, mapMatrix, type Data } from "./table.js";

/** Options of {@link StandardScaler}. */
export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

interface StandardFitted {
  nFeaturesIn: number;
  nSamplesSeen: number[];
  mean: number[] | null;
  var: number[] | null;
  scale: number[] | null;
}

const WHERE = "StandardScaler";
const KEYS = ["withMean", "withStd"];

/**
 * Standardizes features: z = (x − mean) / std per column, with the population standard deviation.
 * Columns with (near) zero variance get scale 1, so they map to 0 instead of NaN. NaN is ignored
 * when fitting and stays NaN.
 * @example
 * const scaler = new tl.data.StandardScaler().fit(xTrain);
 * const z = scaler.transform(xTest);
 */
export class StandardScaler extends Transformer<StandardFitted> {
  readonly typeName = WHERE;
  private withMean = true;
  private withStd = true;

  constructor(options: StandardScalerOptions = {}) {
    super();
    this.loadOptions(options as Record<string, unknown>);
  }

  /** Per-column means (null when both withMean and withStd are false). */
  get mean(): number[] | null {
    return this.state().mean;
  }

  /** Per-column population variances (null when withStd is false). */
  get var(): number[] | null {
    return this.state().var;
  }

  /** Per-column divisors: the standard deviation, or 1 for constant columns (null when withStd is false). */
  get scale(): number[] | null {
    return this.state().scale;
  }

  /** Non-missing values seen per column. */
  get nSamplesSeen(): number[] {
    return this.state().nSamplesSeen;
  }

  protected learn(d: Data): StandardFitted {
    const m = asMatrix(d, WHERE);
    const columns = Array.from({ length: m.cols }, (_, c) => columnValues(m, c));
    const nSamplesSeen = columns.map((v) => v.length);
    if (!this.withMean && !this.withStd) return { nFeaturesIn: m.cols, nSamplesSeen, mean: null, var: null, scale: null };
    const stats = columns.map(meanVar);
    const mean = stats.map((s) => s.mean);
    if (!this.withStd) return { nFeaturesIn: m.cols, nSamplesSeen, mean, var: null, scale: null };
    const variance = stats.map((s) => s.variance);
    const scale = variance.map((v, c) => handleZerosInScale(Math.sqrt(v), isConstantFeature(v, mean[c], nSamplesSeen[c])));
    return { nFeaturesIn: m.cols, nSamplesSeen, mean, var: variance, scale };
  }

  protected apply(d: Data): Data {
    const { mean, scale } = this.state();
    const center = this.withMean && mean !== null;
    return mapMatrix(asMatrix(d, WHERE), (v, c) => {
      const centered = center ? v - mean[c] : v;
      return scale !== null ? centered / scale[c] : centered;
    });
  }

  protected override invert(d: Data): Data {
    const { mean, scale } = this.state();
    const center = this.withMean && mean !== null;
    return mapMatrix(asMatrix(d, WHERE, "y"), (v, c) => {
      const scaled = scale !== null ? v * scale[c] : v;
      return center ? scaled + mean[c] : scaled;
    });
  }

  protected optionsState(): Record<string, unknown> {
    return { withMean: this.withMean, withStd: this.withStd };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, KEYS, WHERE);
    this.withMean = boolOption(options, "withMean", true, WHERE);
    this.withStd = boolOption(options, "withStd", true, WHERE);
  }

  protected loadFitted(f: Record<string, unknown>): StandardFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    const maybe = (key: string) => (f[key] === null ? null : numbers(f, key, n, WHERE));
    return { nFeaturesIn: n, nSamplesSeen: numbers(f, "nSamplesSeen", n, WHERE), mean: maybe("mean"), var: maybe("var"), scale: maybe("scale") };
  }

  /** Rebuilds a StandardScaler from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): StandardScaler {
    return new StandardScaler().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new StandardScaler().loadStateDict(s));
