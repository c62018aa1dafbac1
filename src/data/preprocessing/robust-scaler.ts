/**
 * RobustScaler: centers on the median and scales by an interquartile range, as scikit-learn's
 * `RobustScaler` (NumPy's linear percentiles; constant columns get scale 1; NaN ignored in fit
 * and kept in transform).
 */
import { check } from "../../core/errors.js";
import { Transformer, boolOption, checkKnownKeys } from "./base.js";
import { count, numbers, registerState, type TransformerState } from "./persist.js";
import { columnValues, handleZerosInScale, medianSorted, normalPpf, percentileSorted, sortedValues } from "./stats.js";
import { asMatrix, mapMatrix, type Data } from "./table.js";

/** Options of {@link RobustScaler}. */
export interface RobustScalerOptions {
  /** Subtract the median (default true). */
  withCentering?: boolean;
  /** Divide by the quantile range (default true). */
  withScaling?: boolean;
  /** The percentiles whose difference is the scale, 0 ≤ lo ≤ hi ≤ 100 (default [25, 75]). */
  quantileRange?: readonly [number, number];
  /** Also divide by the normal distribution's range between those quantiles, so normal data gets std 1 (default false). */
  unitVariance?: boolean;
}

interface RobustFitted {
  nFeaturesIn: number;
  center: number[] | null;
  scale: number[] | null;
}

const WHERE = "RobustScaler";
const KEYS = ["withCentering", "withScaling", "quantileRange", "unitVariance"];

/**
 * Scales with statistics that outliers barely move: (x − median) / (q_hi − q_lo) per column.
 * @example const robust = new tl.data.RobustScaler({ quantileRange: [10, 90] }).fit(x);
 */
export class RobustScaler extends Transformer<RobustFitted> {
  readonly typeName = WHERE;
  private withCentering = true;
  private withScaling = true;
  private quantileRange: [number, number] = [25, 75];
  private unitVariance = false;

  constructor(options: RobustScalerOptions = {}) {
    super();
    this.loadOptions(options as Record<string, unknown>);
  }

  /** Per-column medians (null when withCentering is false). */
  get center(): number[] | null {
    return this.state().center;
  }

  /** Per-column quantile ranges, 1 for constant columns (null when withScaling is false). */
  get scale(): number[] | null {
    return this.state().scale;
  }

  protected learn(d: Data): RobustFitted {
    const m = asMatrix(d, WHERE);
    const [qLo, qHi] = this.quantileRange;
    const columns = Array.from({ length: m.cols }, (_, c) => sortedValues(columnValues(m, c)));
    const center = this.withCentering ? columns.map(medianSorted) : null;
    let scale: number[] | null = null;
    if (this.withScaling) {
      scale = columns.map((v) => handleZerosInScale(percentileSorted(v, qHi) - percentileSorted(v, qLo)));
      if (this.unitVariance) {
        const adjust = normalPpf(qHi / 100) - normalPpf(qLo / 100);
        scale = scale.map((s) => s / adjust);
      }
    }
    return { nFeaturesIn: m.cols, center, scale };
  }

  protected apply(d: Data): Data {
    const { center, scale } = this.state();
    return mapMatrix(asMatrix(d, WHERE), (v, c) => {
      const centered = center !== null ? v - center[c] : v;
      return scale !== null ? centered / scale[c] : centered;
    });
  }

  protected override invert(d: Data): Data {
    const { center, scale } = this.state();
    return mapMatrix(asMatrix(d, WHERE, "y"), (v, c) => {
      const scaled = scale !== null ? v * scale[c] : v;
      return center !== null ? scaled + center[c] : scaled;
    });
  }

  protected optionsState(): Record<string, unknown> {
    return { withCentering: this.withCentering, withScaling: this.withScaling, quantileRange: [...this.quantileRange], unitVariance: this.unitVariance };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, KEYS, WHERE);
    this.withCentering = boolOption(options, "withCentering", true, WHERE);
    this.withScaling = boolOption(options, "withScaling", true, WHERE);
    this.unitVariance = boolOption(options, "unitVariance", false, WHERE);
    const q = options.quantileRange ?? [25, 75];
    check(Array.isArray(q) && q.length === 2 && q.every((v) => typeof v === "number") && 0 <= q[0] && q[0] <= q[1] && q[1] <= 100, WHERE,
      () => `quantileRange must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 100, got ${JSON.stringify(q)}`);
    this.quantileRange = [q[0], q[1]];
  }

  protected loadFitted(f: Record<string, unknown>): RobustFitted {
    const n = count(f, "nFeaturesIn", WHERE);
    const maybe = (key: string) => (f[key] === null ? null : numbers(f, key, n, WHERE));
    return { nFeaturesIn: n, center: maybe("center"), scale: maybe("scale") };
  }

  /** Rebuilds a RobustScaler from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): RobustScaler {
    return new RobustScaler().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new RobustScaler().loadStateDict(s));
