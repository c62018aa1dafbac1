/**
 * MinMaxScaler: maps each column's [min, max] seen in fit onto `featureRange`, as scikit-learn's
 * `MinMaxScaler` (constant columns get scale 1; NaN ignored in fit and kept in transform).
 */
import { check } from "../../core/errors.js";
import { Transformer, boolOption, checkKnownKeys } from "./base.js";
import { count, numbers, registerState, type TransformerState } from "./persist.js";
import { columnValues, handleZerosInScale } from "./stats.js";
import { asMatrix, mapMatrix, type Data } from "./table.js";

/** Options of {@link MinMaxScaler}. */
export interface MinMaxScalerOptions {
  /** The target range [lo, hi] with lo < hi (default [0, 1]). */
  featureRange?: readonly [number, number];
  /** Clip transformed values of new data into featureRange (default false). */
  clip?: boolean;
}

interface MinMaxFitted {
  nFeaturesIn: number;
  dataMin: number[];
  dataMax: number[];
  dataRange: number[];
  scale: number[];
  min: number[];
}

const WHERE = "MinMaxScaler";
const KEYS = ["featureRange", "clip"];

/**
 * Scales each column to `featureRange`: x·scale + min, where scale = (hi − lo) / (max − min) and
 * min = lo − dataMin·scale, from the training data.
 * @example const x01 = new tl.data.MinMaxScaler({ featureRange: [-1, 1] }).fitTransform(x);
 */
export class MinMaxScaler extends Transformer<MinMaxFitted> {
  readonly typeName = WHERE;
  private range: [number, number] = [0, 1];
  private clip = false;

  constructor(options: MinMaxScalerOptions = {}) {
    super();
    this.loadOptions(options as Record<string, unknown>);
  }

  /** Per-column minimum seen in fit. */
  get dataMin(): number[] {
    return this.state().dataMin;
  }

  /** Per-column maximum seen in fit. */
  get dataMax(): number[] {
    return this.state().dataMax;
  }

  /** Per-column dataMax − dataMin. */
  get dataRange(): number[] {
    return this.state().dataRange;
  }

  /** Per-column multiplier. */
  get scale(): number[] {
    return this.state().scale;
  }

  /** Per-column offset added after scaling. */
  get min(): number[] {
    return this.state().min;
  }

  protected learn(d: Data): MinMaxFitted {
    const m = asMatrix(d, WHERE);
    const [lo, hi] = this.range;
    const dataMin: number[] = [];
    const dataMax: number[] = [];
    for (let c = 0; c < m.cols; c++) {
      const values = columnValues(m, c);
      // NaN for an all-missing column, as np.nanmin.
      dataMin.push(values.length ? values.reduce((a, b) => Math.min(a, b)) : NaN);
      dataMax.push(values.length ? values.reduce((a, b) => Math.max(a, b)) : NaN);
    }
    const dataRange = dataMax.map((mx, c) => mx - dataMin[c]);
    const scale = dataRange.map((r) => (hi - lo) / handleZerosInScale(r));
    const min = scale.map((s, c) => lo - dataMin[c] * s);
    return { nFeaturesIn: m.cols, dataMin, dataMax, dataRange, scale, min };
  }

  protected apply(d: Data): Data {
    const { scale, min } = this.state();
    const [lo, hi] = this.range;
    return mapMatrix(asMatrix(d, WHERE), (v, c) => {
      const y = v * scale[c] + min[c];
      return this.clip && !Number.isNaN(y) ? Math.min(Math.max(y, lo), hi) : y;
    });
  }

  protected override invert(d: Data): Data {
    const { scale, min } = this.state();
    return mapMatrix(asMatrix(d, WHERE, "y"), (v, c) => (v - min[c]) / scale[c]);
  }

  protected optionsState(): Record<string, unknown> {
    return { featureRange: [...this.range], clip: this.clip };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, KEYS, WHERE);
    const range = options.featureRange ?? [0, 1];
    check(Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === "number" && Number.isFinite(v)) && range[0] < range[1], WHERE,
      () => `featureRange must be [lo, hi] with finite lo < hi, got ${JSON.stringify(range)}`);
    this.range = [range[0], range[1]];
    this.clip = boolOption(options, "clip", false, WHERE);
  }

  protected loadFitted(f: Record<string, unknown>): MinMaxFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    const get = (key: string) => numbers(f, key, n, WHERE);
    return { nFeaturesIn: n, dataMin: get("dataMin"), dataMax: get("dataMax"), dataRange: get("dataRange"), scale: get("scale"), min: get("min") };
  }

  /** Rebuilds a MinMaxScaler from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): MinMaxScaler {
    return new MinMaxScaler().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new MinMaxScaler().loadStateDict(s));
