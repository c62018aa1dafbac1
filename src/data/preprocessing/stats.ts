/**
 * Column statistics that ignore NaN, computed the way NumPy and scikit-learn compute them, so fitted
 * values match theirs to the last bits: the corrected two-pass variance, `np.percentile`'s linear
 * interpolation (with its `_lerp`), and `_handle_zeros_in_scale`.
 */
import type { Matrix } from "./table.js";

const EPS = 2 ** -52;

/** The non-NaN values of column `c`, in row order. */
export function columnValues(m: Matrix, c: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    const v = m.data[r * m.cols + c];
    if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

/** Mean and population variance as scikit-learn's `_incremental_mean_and_var`: NaN for an empty column. */
export function meanVar(values: readonly number[]): { mean: number; variance: number } {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  // Corrected two-pass algorithm (Chan, Golub, LeVeque): subtract the squared sum of residuals.
  let correction = 0;
  let squares = 0;
  for (const v of values) {
    const d = v - mean;
    correction += d;
    squares += d * d;
  }
  return { mean, variance: (squares - (correction * correction) / n) / n };
}

/** scikit-learn's `_is_constant_feature`: a variance within the rounding error of the two-pass algorithm. */
export function isConstantFeature(variance: number, mean: number, n: number): boolean {
  const bound = n * EPS * variance + (n * mean * EPS) ** 2;
  return variance <= bound;
}

/** scikit-learn's `_handle_zeros_in_scale`: scales below 10·eps (or flagged constant) become 1. */
export function handleZerosInScale(scale: number, constant?: boolean): number {
  const isConstant = constant ?? scale < 10 * EPS;
  return isConstant ? 1 : scale;
}

/** Values sorted ascending, as a new typed array (typed-array sort is numeric). */
export function sortedValues(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** NumPy's `_lerp`: a + (b − a)·t, computed from the nearer end for t ≥ 0.5 as NumPy does. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The `p`-th percentile (0–100) of ascending values with linear interpolation, as `np.percentile`
 * (method "linear"): position (n − 1)·p/100 between the two nearest order statistics. NaN when empty.
 */
export function percentileSorted(ascending: ArrayLike<number>, p: number): number {
  const n = ascending.length;
  if (n === 0) return NaN;
  const position = (n - 1) * (p / 100);
  if (position >= n - 1) return ascending[n - 1];
  if (position <= 0) return ascending[0];
  const lo = Math.floor(position);
  return lerp(ascending[lo], ascending[lo + 1], position - lo);
}

/** The median of ascending values (mean of the middle two for even counts), as `np.median`; NaN when empty. */
export function medianSorted(ascending: ArrayLike<number>): number {
  const n = ascending.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? ascending[mid] : (ascending[mid - 1] + ascending[mid]) / 2;
}

/** The most frequent value; ties go to the smallest, as `scipy.stats.mode` and scikit-learn. NaN when empty. */
export function mostFrequent<T extends number | string | boolean>(values: readonly T[], compare: (a: T, b: T) => number): T | number {
  if (values.length === 0) return NaN;
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && compare(v, best) < 0)) {
      best = v;
      bestCount = count;
    }
  }
  return best as T;
}

// Wichura's algorithm AS241 (PPND16), accurate to about 1e-16: the inverse of the standard normal CDF.
const A = [3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946,
  45921.95393154987, 67265.7709270087, 33430.57558358813, 2509.0809287301227];
const B = [1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597,
  39307.89580009271, 28729.085735721943, 5226.495278852854];
const C = [1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045,
  1.2704582524523684, 0.2417807251774506, 0.022723844989269184, 0.0007745450142783414];
const D = [1, 2.053191626637759, 1.6763848301838038, 0.6897673349851,
  0.14810397642748008, 0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-09];
const E = [6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-05, 2.0103343992922881e-07];
const F = [1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615,
  0.0007868691311456133, 1.8463183175100548e-05, 1.421511758316446e-07, 2.0442631033899397e-15];

function poly(c: readonly number[], x: number): number {
  let acc = 0;
  for (let i = c.length - 1; i >= 0; i--) acc = acc * x + c[i];
  return acc;
}

/** The standard normal quantile function (`scipy.stats.norm.ppf`) for 0 < p < 1; ±Infinity at 0 and 1. */
export function normalPpf(p: number): number {
  if (p <= 0) return p === 0 ? -Infinity : NaN;
  if (p >= 1) return p === 1 ? Infinity : NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const x = r <= 5 ? poly(C, r - 1.6) / poly(D, r - 1.6) : poly(E, r - 5) / poly(F, r - 5);
  return q < 0 ? -x : x;
}
