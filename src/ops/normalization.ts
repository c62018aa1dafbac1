/**
 * Fused normalization primitives behind batchNorm, layerNorm, groupNorm and instanceNorm.
 *
 * Every op sees its input as x [N, C, ...] (S = the product of the trailing dims) whose C channels
 * form `groups` groups of C/groups channels. Statistics are taken per group over the batch
 * (`perSample` false: BatchNorm, M = groups statistics) or per sample and group (`perSample` true:
 * GroupNorm and InstanceNorm, and LayerNorm on x viewed as [rows, features] with one group;
 * M = N·groups). `stats` [2, M] holds the mean (row 0) and the biased variance (row 1).
 *
 *   normStats(x)                          → stats [2, M]
 *   normApply(x, stats, w, b)             → y = (x − mean)/√(var + eps)·w + b, one pass
 *   normAffineGrad(gy, x, stats)          → [2, C]: per channel Σ gy·x̂ (dweight) and Σ gy (dbias)
 *   normGroupGrad(gy, x, stats, w)        → [2, M]: per statistic Σ gy·w·x̂ and Σ gy·w
 *   normInputGrad(gy, x, stats, sums, w)  → dx = r·(gy·w − Σgy·w/n − x̂·Σgy·w·x̂/n), r = 1/√(var + eps)
 *
 * normApply's gradient uses the last three when it runs without grad mode (the usual backward) and
 * the same formulas written with public ops when grad mode is on (`createGraph`), so double backward
 * works (STYLE lesson 2: the composition stays as the gradient path and the oracle).
 */
import { isFloat } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { defineOp, type GradContext } from "../engine/dispatch.js";
import { isGradEnabled } from "../engine/grad-mode.js";
import type { Tensor } from "../engine/tensor.js";
import { add, mul, sub } from "./binary.js";
import { stack } from "./join.js";
import { reshape, select } from "./movement.js";
import { mean, sum, variance } from "./reduce.js";
import { rsqrt } from "./unary.js";

/** How the channels of x [N, C, ...] are grouped for the statistics. */
export interface NormGroupOptions {
  /** Number of channel groups (C must divide into them); default C, one statistic per channel. */
  groups?: number;
  /** One statistic per sample and group (GroupNorm, LayerNorm) instead of per group over the batch (BatchNorm); default false. */
  perSample?: boolean;
}

/** Options of `normApply` and the gradient ops. */
export interface NormApplyOptions extends NormGroupOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /**
   * True when `stats` are x's own statistics (`normStats(x)` with the same grouping, computed without
   * grad): the gradient then flows through them into x, and none goes to `stats`. False (default):
   * `stats` are fixed inputs (running statistics) and get their own gradient.
   */
  batchStats?: boolean;
}

/** The attributes every normalization op and kernel gets. */
interface NormAttrs {
  readonly groups: number;
  readonly perSample: boolean;
  readonly eps: number;
  readonly batchStats: boolean;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

/** x [N, C, ...] seen as [N, G, C/G, S]. */
interface Geometry {
  n: number;
  c: number;
  s: number;
  g: number;
  m: number;
}

function geometry(x: Tensor, a: NormAttrs, op: string): Geometry {
  check(isFloat(x.dtype), op, () => `input must be float32 or float64, got ${x.dtype}`);
  check(x.ndim >= 2, op, () => `input must have shape [N, C, ...], got ${fmtShape(x.shape)}`);
  const [n, c] = x.shape;
  const g = a.groups;
  check(Number.isInteger(g) && g > 0 && c % g === 0, op, () => `the ${c} channels of input ${fmtShape(x.shape)} must divide into groups, got groups ${g}`);
  check(typeof a.eps === "number" && a.eps >= 0, op, () => `eps must be a number ≥ 0, got ${a.eps}`);
  const s = x.shape.slice(2).reduce((p, d) => p * d, 1);
  return { n, c, s, g, m: a.perSample ? n * g : g };
}

function checkLike(t: Tensor, x: Tensor, shape: readonly number[], op: string, arg: string): void {
  check(t.dtype === x.dtype, op, () => `${arg} has dtype ${t.dtype} but input has dtype ${x.dtype}: they must match`);
  check(shapesEqual(t.shape, shape), op, () => `${arg} must have shape ${fmtShape(shape)} for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
}

/** Checks the optional weight and bias that follow `first` fixed inputs; both have shape [C]. */
function checkAffine(inputs: readonly Tensor[], first: number, a: NormAttrs, geo: Geometry, op: string): void {
  check(inputs.length === first + (a.hasWeight ? 1 : 0) + (a.hasBias ? 1 : 0), op, "wrong number of inputs");
  const x = inputs[0];
  if (a.hasWeight) checkLike(inputs[first], x, [geo.c], op, "weight");
  if (a.hasBias) checkLike(inputs[first + (a.hasWeight ? 1 : 0)], x, [geo.c], op, "bias");
}

const kernelAttrs = (a: NormAttrs): Record<string, unknown> => ({ ...a });

// ---- The composed forms: gradients in grad mode (differentiable again) ----

/** The [N, G, C/G, S] view and the dims a statistic reduces over. */
function view4(t: Tensor, geo: Geometry): Tensor {
  return reshape(t, [geo.n, geo.g, geo.c / geo.g, geo.s]);
}
const statDims = (a: NormAttrs): number[] => (a.perSample ? [2, 3] : [0, 2, 3]);
/** Row `row` of stats [2, M] as [N or 1, G, 1, 1], to broadcast over the [N, G, C/G, S] view. */
const statRow = (stats: Tensor, row: number, geo: Geometry, a: NormAttrs): Tensor =>
  reshape(select(stats, 0, row), [a.perSample ? geo.n : 1, geo.g, 1, 1]);
const weight4 = (w: Tensor, geo: Geometry): Tensor => reshape(w, [1, geo.g, geo.c / geo.g, 1]);

/** dweight and dbias as Σ over the batch and positions of gy·x̂ and gy. */
function composedAffineGrad(gy4: Tensor, xhat: Tensor, geo: Geometry): [Tensor, Tensor] {
  return [reshape(sum(mul(gy4, xhat), { dim: [0, 3] }), [geo.c]), reshape(sum(gy4, { dim: [0, 3] }), [geo.c])];
}

/** normApply's gradient written with public ops (used when grad mode is on). */
function composedApplyGrad(ctx: GradContext<NormAttrs>, gy: Tensor, geo: Geometry): (Tensor | null)[] {
  const a = ctx.attrs;
  const [x, stats] = ctx.inputs;
  const w = a.hasWeight ? ctx.inputs[2] : null;
  const need = ctx.needsInputGrad;
  const dims = statDims(a);
  const x4 = view4(x, geo);
  const gy4 = view4(gy, geo);
  // With batch statistics they are recomputed from x so that their dependence on x is differentiated.
  const mu = a.batchStats ? mean(x4, { dim: dims, keepdim: true }) : statRow(stats, 0, geo, a);
  const v = a.batchStats ? variance(x4, { dim: dims, keepdim: true, unbiased: false }) : statRow(stats, 1, geo, a);
  const r = rsqrt(add(v, a.eps));
  const centered = sub(x4, mu);
  const xhat = mul(centered, r);
  const g = w === null ? gy4 : mul(gy4, weight4(w, geo));
  let dx: Tensor | null = null;
  let dstats: Tensor | null = null;
  if (need[0]) {
    dx = a.batchStats
      ? mul(r, sub(sub(g, mean(g, { dim: dims, keepdim: true })), mul(xhat, mean(mul(g, xhat), { dim: dims, keepdim: true }))))
      : mul(g, r);
    dx = reshape(dx, x.shape);
  }
  if (!a.batchStats && need[1]) {
    const dmu = mul(sum(mul(g, r), { dim: dims, keepdim: true }), -1);
    const dv = mul(sum(mul(g, centered), { dim: dims, keepdim: true }), mul(mul(r, mul(r, r)), -0.5));
    dstats = stack([reshape(dmu, [geo.m]), reshape(dv, [geo.m])]);
  }
  const needAffine = (a.hasWeight && need[2]) || (a.hasBias && need[a.hasWeight ? 3 : 2]);
  const [dw, db] = needAffine ? composedAffineGrad(gy4, xhat, geo) : [null, null];
  return [dx, dstats, ...(a.hasWeight ? [dw] : []), ...(a.hasBias ? [db] : [])];
}

/** normApply's gradient with the fused kernels (no grad mode: the usual backward). */
function fusedApplyGrad(ctx: GradContext<NormAttrs>, gy: Tensor, geo: Geometry): (Tensor | null)[] {
  const a = ctx.attrs;
  const [x, stats] = ctx.inputs;
  const w = a.hasWeight ? ctx.inputs[2] : null;
  const need = ctx.needsInputGrad;
  if (!a.batchStats && need[1]) return composedApplyGrad(ctx, gy, geo);
  const needAffine = (a.hasWeight && need[2]) || (a.hasBias && need[a.hasWeight ? 3 : 2]);
  // BatchNorm (a statistic per channel over the batch): the per-channel sums are also dx's.
  const perChannel = !a.perSample && geo.g === geo.c;
  const affine = needAffine || (need[0] && perChannel && a.batchStats) ? normAffineGradOp([gy, x, stats], a) : null;
  let dx: Tensor | null = null;
  if (need[0] && a.batchStats) {
    let sums: Tensor;
    if (perChannel && affine !== null) sums = w === null ? affine : mul(affine, reshape(w, [1, geo.c]));
    else sums = normGroupGradOp(w === null ? [gy, x, stats] : [gy, x, stats, w], { ...a, hasBias: false });
    dx = normInputGradOp(w === null ? [gy, x, stats, sums] : [gy, x, stats, sums, w], { ...a, hasBias: false });
  } else if (need[0]) {
    // Fixed statistics: dx = gy·w·r, one broadcast multiply by a [1, G, C/G, 1] or [N, G, 1, 1] factor.
    let k = rsqrt(add(statRow(stats, 1, geo, a), a.eps));
    if (w !== null) k = mul(k, weight4(w, geo));
    dx = reshape(mul(view4(gy, geo), k), x.shape);
  }
  const dw = affine !== null && a.hasWeight && need[2] ? select(affine, 0, 0) : null;
  const db = affine !== null && a.hasBias && need[a.hasWeight ? 3 : 2] ? select(affine, 0, 1) : null;
  return [dx, null, ...(a.hasWeight ? [dw] : []), ...(a.hasBias ? [db] : [])];
}

// ---- The ops ----

const normStatsOp = defineOp<NormAttrs>({
  name: "normStats",
  infer: ([x], a) => {
    const geo = geometry(x, a, "normStats");
    return { shape: [2, geo.m], dtype: x.dtype, kernelAttrs: kernelAttrs(a) };
  },
  grad: (ctx, gs) => {
    // mean: ∂/∂x = 1/n; biased variance: ∂/∂x = 2(x − mean)/n.
    const [x] = ctx.inputs;
    const a = ctx.attrs;
    const geo = geometry(x, a, "normStats");
    const dims = statDims(a);
    const x4 = view4(x, geo);
    const count = x.size / geo.m;
    const centered = sub(x4, mean(x4, { dim: dims, keepdim: true }));
    const dx = add(mul(statRow(gs, 0, geo, a), 1 / count), mul(centered, mul(statRow(gs, 1, geo, a), 2 / count)));
    return [reshape(dx, x.shape)];
  },
});

const normApplyOp = defineOp<NormAttrs>({
  name: "normApply",
  infer: (inputs, a) => {
    const [x, stats] = inputs;
    const geo = geometry(x, a, "normApply");
    checkLike(stats, x, [2, geo.m], "normApply", "stats");
    checkAffine(inputs, 2, a, geo, "normApply");
    return { shape: x.shape, dtype: x.dtype, kernelAttrs: kernelAttrs(a) };
  },
  grad: (ctx, gy) => {
    const geo = geometry(ctx.inputs[0], ctx.attrs, "normApply");
    return isGradEnabled() ? composedApplyGrad(ctx, gy, geo) : fusedApplyGrad(ctx, gy, geo);
  },
});

/** Checks gy and x have the same shape and dtype and stats fits them. */
function checkGradInputs(inputs: readonly Tensor[], a: NormAttrs, op: string): Geometry {
  const [gy, x, stats] = inputs;
  const geo = geometry(x, a, op);
  checkLike(gy, x, x.shape, op, "gradOutput");
  checkLike(stats, x, [2, geo.m], op, "stats");
  return geo;
}

const normAffineGradOp = defineOp<NormAttrs>({
  name: "normAffineGrad",
  infer: (inputs, a) => {
    const geo = checkGradInputs(inputs, a, "normAffineGrad");
    check(inputs.length === 3, "normAffineGrad", "expected gradOutput, input and stats");
    return { shape: [2, geo.c], dtype: inputs[1].dtype, kernelAttrs: kernelAttrs({ ...a, hasWeight: false, hasBias: false }) };
  },
});

const normGroupGradOp = defineOp<NormAttrs>({
  name: "normGroupGrad",
  infer: (inputs, a) => {
    const geo = checkGradInputs(inputs, a, "normGroupGrad");
    checkAffine(inputs.slice(1), 2, { ...a, hasBias: false }, geo, "normGroupGrad");
    return { shape: [2, geo.m], dtype: inputs[1].dtype, kernelAttrs: kernelAttrs({ ...a, hasBias: false }) };
  },
});

const normInputGradOp = defineOp<NormAttrs>({
  name: "normInputGrad",
  infer: (inputs, a) => {
    const geo = checkGradInputs(inputs, a, "normInputGrad");
    checkLike(inputs[3], inputs[1], [2, geo.m], "normInputGrad", "sums");
    checkAffine(inputs.slice(1), 3, { ...a, hasBias: false }, geo, "normInputGrad");
    return { shape: inputs[1].shape, dtype: inputs[1].dtype, kernelAttrs: kernelAttrs({ ...a, hasBias: false }) };
  },
});

// ---- Public functions ----

function attrsOf(x: Tensor, options: NormApplyOptions, weight: Tensor | null | undefined, bias: Tensor | null | undefined): NormAttrs {
  return {
    groups: options.groups ?? (x.ndim >= 2 ? x.shape[1] : 1),
    perSample: options.perSample ?? false,
    eps: options.eps ?? 1e-5,
    batchStats: options.batchStats ?? false,
    hasWeight: weight !== null && weight !== undefined,
    hasBias: bias !== null && bias !== undefined,
  };
}

const present = (...ts: (Tensor | null | undefined)[]): Tensor[] => ts.filter((t): t is Tensor => t !== null && t !== undefined);

/**
 * Mean and biased variance of x [N, C, ...] per channel group, in one pass over the data per group
 * (accumulated in float64): [2, M] with the means in row 0 and the variances in row 1.
 * @example tl.normStats(tl.randn([8, 4, 5, 5])) // [2, 4]: BatchNorm's per-channel statistics
 */
export function normStats(x: Tensor, options: NormGroupOptions = {}): Tensor {
  return normStatsOp([x], attrsOf(x, options, null, null));
}

/**
 * (x − mean)/√(var + eps)·weight + bias in one pass, with mean and var from `stats` [2, M] (see
 * `normStats`) and optional per-channel `weight` and `bias` [C].
 * @example const s = tl.normStats(x); tl.normApply(x, s, gamma, beta, { batchStats: true })
 */
export function normApply(x: Tensor, stats: Tensor, weight?: Tensor | null, bias?: Tensor | null, options: NormApplyOptions = {}): Tensor {
  return normApplyOp([x, stats, ...present(weight, bias)], attrsOf(x, options, weight, bias));
}

/**
 * Per channel Σ gy·x̂ (row 0: the weight's gradient) and Σ gy (row 1: the bias's), x̂ the normalized
 * input: [2, C]. Not differentiable.
 * @example tl.normAffineGrad(gy, x, tl.normStats(x))
 */
export function normAffineGrad(gradOutput: Tensor, x: Tensor, stats: Tensor, options: NormApplyOptions = {}): Tensor {
  return normAffineGradOp([gradOutput, x, stats], attrsOf(x, options, null, null));
}

/**
 * Per statistic Σ gy·w·x̂ (row 0) and Σ gy·w (row 1), w the channel's weight (1 without one): [2, M],
 * the sums `normInputGrad` needs. Not differentiable.
 * @example tl.normGroupGrad(gy, x, stats, gamma, { groups: 2, perSample: true })
 */
export function normGroupGrad(gradOutput: Tensor, x: Tensor, stats: Tensor, weight?: Tensor | null, options: NormApplyOptions = {}): Tensor {
  return normGroupGradOp([gradOutput, x, stats, ...present(weight)], attrsOf(x, options, weight, null));
}

/**
 * The input gradient of normalization with batch statistics: r·(gy·w − Σgy·w/n − x̂·Σgy·w·x̂/n), with
 * `sums` from `normGroupGrad` and n the values per statistic. Not differentiable.
 * @example tl.normInputGrad(gy, x, stats, tl.normGroupGrad(gy, x, stats, gamma), gamma)
 */
export function normInputGrad(gradOutput: Tensor, x: Tensor, stats: Tensor, sums: Tensor, weight?: Tensor | null, options: NormApplyOptions = {}): Tensor {
  return normInputGradOp([gradOutput, x, stats, sums, ...present(weight)], attrsOf(x, options, weight, null));
}
