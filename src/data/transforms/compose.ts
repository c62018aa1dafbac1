/**
 * Combinators, like torchvision's: Compose (in order), RandomApply (all or none, with probability p),
 * RandomChoice (one of them), RandomOrder (all, shuffled) and Lambda (a function). On a batch the random
 * ones decide per image and run each chosen pipeline once on its group of images.
 */
import { check } from "../../core/errors.js";
import type { Random } from "../../core/rng.js";
import { Tensor } from "../../engine/tensor.js";
import {
  applyGrouped, RandomTransform, registerTransform, runTransform, specOf,
  type JsonValue, type Transform, type TransformLike, type TransformSpec,
} from "./base.js";

function checkList(transforms: unknown, where: string): TransformLike<unknown, unknown>[] {
  check(Array.isArray(transforms), where, () => `transforms must be an array of transforms or functions, got ${typeof transforms}`);
  (transforms as unknown[]).forEach((t, i) => check(typeof t === "function" || (t !== null && typeof t === "object" && typeof (t as Transform).forward === "function"),
    where, () => `transforms[${i}] is not a transform (an object with forward) or a function`));
  return [...(transforms as TransformLike<unknown, unknown>[])];
}

const specsOf = (list: readonly TransformLike<unknown, unknown>[], where: string): TransformSpec[] =>
  list.map((t, i) => specOf(t, where, `transforms[${i}]`));

/**
 * Runs transforms one after another, like `transforms.Compose`.
 * @example
 * const T = tl.data.transforms;
 * const pipeline = new T.Compose([new T.ToTensor(), new T.RandomHorizontalFlip(), new T.Normalize([0.5], [0.5])]);
 */
export class Compose<I = Tensor, O = Tensor> implements Transform<I, O> {
  readonly transforms: readonly TransformLike<unknown, unknown>[];

  constructor(transforms: readonly TransformLike<never, unknown>[]) {
    this.transforms = checkList(transforms, "Compose");
  }

  forward(input: I): O {
    let value: unknown = input;
    for (const t of this.transforms) value = runTransform(t, value);
    return value as O;
  }

  toSpec(): TransformSpec {
    return { name: "Compose", args: [specsOf(this.transforms, "Compose") as unknown as JsonValue] };
  }
}

/** Runs `list` in order on a tensor. */
function runAll(list: readonly TransformLike<unknown, unknown>[], x: Tensor): Tensor {
  let value: unknown = x;
  for (const t of list) value = runTransform(t, value);
  check(value instanceof Tensor, "RandomApply", "the transforms must map tensors to tensors");
  return value;
}

/** Per-image choices for a tensor: one draw per image of a batch [N, C, H, W], one for anything else. */
function choices(x: Tensor, draw: () => number): number[] {
  const n = x.ndim === 4 ? x.shape[0] : 1;
  return Array.from({ length: n }, draw);
}

function runChosen(x: Tensor, picks: number[], run: (pick: number, images: Tensor) => Tensor, where: string): Tensor {
  if (x.ndim !== 4) return run(picks[0], x);
  return applyGrouped(x, picks, (pick, images) => run(pick, images), where);
}

/**
 * Applies all of `transforms` with probability `p` (default 0.5), else none, like `transforms.RandomApply`;
 * on a batch, per image.
 * @example new tl.data.transforms.RandomApply([new tl.data.transforms.ColorJitter({ brightness: 0.4 })], { p: 0.8 })
 */
export class RandomApply extends RandomTransform {
  readonly transforms: readonly TransformLike<unknown, unknown>[];
  readonly p: number;

  constructor(transforms: readonly TransformLike<Tensor, Tensor>[], options: { p?: number; seed?: number } = {}) {
    super(options.seed, "RandomApply");
    this.transforms = checkList(transforms, "RandomApply");
    this.p = options.p ?? 0.5;
    check(this.p >= 0 && this.p <= 1, "RandomApply", () => `p must be a probability in [0, 1], got ${this.p}`);
  }

  /** Whether each image (one per batch entry) gets the transforms. */
  sampleParams(x: Tensor): boolean[] {
    const rng = this.rng();
    return choices(x, () => Number(rng.next() < this.p)).map(Boolean);
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, apply: readonly boolean[]): Tensor {
    return runChosen(x, apply.map(Number), (on, images) => (on ? runAll(this.transforms, images) : images), "RandomApply");
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return { name: "RandomApply", args: [specsOf(this.transforms, "RandomApply") as unknown as JsonValue, { p: this.p, seed: this.seed }] };
  }
}

/** Index drawn with the given (unnormalized) weights, or uniformly. */
function pickIndex(rng: Random, n: number, weights: readonly number[] | undefined): number {
  if (!weights) return rng.int(0, n);
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let i = 0; i < n; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return n - 1;
}

/**
 * Applies one of `transforms`, picked uniformly or with weights `p`, like `transforms.RandomChoice`; on a batch,
 * per image (every choice must then give the same shape).
 * @example new tl.data.transforms.RandomChoice([new T.RandomRotation(10), new T.RandomAffine({ translate: [0.1, 0.1] })])
 */
export class RandomChoice extends RandomTransform {
  readonly transforms: readonly TransformLike<unknown, unknown>[];
  readonly p: readonly number[] | undefined;

  constructor(transforms: readonly TransformLike<Tensor, Tensor>[], options: { p?: readonly number[]; seed?: number } = {}) {
    super(options.seed, "RandomChoice");
    this.transforms = checkList(transforms, "RandomChoice");
    check(this.transforms.length > 0, "RandomChoice", "needs at least one transform");
    this.p = options.p === undefined ? undefined : [...options.p];
    check(this.p === undefined || (this.p.length === this.transforms.length && this.p.every((w) => w >= 0) && this.p.some((w) => w > 0)), "RandomChoice",
      () => `p must hold one non-negative weight per transform (${this.transforms.length}), not all zero, got ${JSON.stringify(options.p)}`);
  }

  /** The index of the transform each image gets. */
  sampleParams(x: Tensor): number[] {
    const rng = this.rng();
    return choices(x, () => pickIndex(rng, this.transforms.length, this.p));
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, picks: readonly number[]): Tensor {
    return runChosen(x, [...picks], (k, images) => runAll([this.transforms[k]], images), "RandomChoice");
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    const p = this.p === undefined ? undefined : [...this.p];
    return { name: "RandomChoice", args: [specsOf(this.transforms, "RandomChoice") as unknown as JsonValue, { p, seed: this.seed }] };
  }
}

/**
 * Applies all of `transforms` in a random order, like `transforms.RandomOrder`; on a batch, per image.
 * @example new tl.data.transforms.RandomOrder([new T.RandomHorizontalFlip(), new T.RandomRotation(15)])
 */
export class RandomOrder extends RandomTransform {
  readonly transforms: readonly TransformLike<unknown, unknown>[];

  constructor(transforms: readonly TransformLike<Tensor, Tensor>[], options: { seed?: number } = {}) {
    super(options.seed, "RandomOrder");
    this.transforms = checkList(transforms, "RandomOrder");
  }

  /** The order of the transforms, per image. */
  sampleParams(x: Tensor): number[][] {
    const rng = this.rng();
    const n = x.ndim === 4 ? x.shape[0] : 1;
    return Array.from({ length: n }, () => rng.permutation(this.transforms.length));
  }

  /** Applies sampled parameters (one entry per image): `forward(x)` is `applyParams(x, sampleParams(x))`. */
  applyParams(x: Tensor, orders: readonly (readonly number[])[]): Tensor {
    const keys = orders.map((o) => o.join(","));
    const distinct = [...new Set(keys)];
    return runChosen(x, keys.map((k) => distinct.indexOf(k)), (g, images) =>
      runAll(distinct[g].split(",").filter((s) => s !== "").map((i) => this.transforms[Number(i)]), images), "RandomOrder");
  }

  forward(x: Tensor): Tensor {
    return this.applyParams(x, this.sampleParams(x));
  }

  toSpec(): TransformSpec {
    return { name: "RandomOrder", args: [specsOf(this.transforms, "RandomOrder") as unknown as JsonValue, { seed: this.seed }] };
  }
}

/**
 * Wraps a function as a transform, like `transforms.Lambda`. It runs anywhere but cannot be sent to a worker
 * (`toSpec` throws): register a named transform with `registerTransform` for that.
 * @example new tl.data.transforms.Lambda((x: tl.Tensor) => x.mul(2))
 */
export class Lambda<I = Tensor, O = Tensor> implements Transform<I, O> {
  constructor(readonly fn: (input: I) => O) {
    check(typeof fn === "function", "Lambda", () => `expects a function, got ${typeof fn}`);
  }

  forward(input: I): O {
    return this.fn(input);
  }

  toSpec(): TransformSpec {
    return specOf(this.fn as (x: unknown) => unknown, "Lambda", "its function");
  }
}

type Options = { p?: number; seed?: number };
const childrenOf = (a: readonly JsonValue[], rebuild: (s: TransformSpec) => Transform<unknown, unknown>): Transform<Tensor, Tensor>[] =>
  (a[0] as unknown as TransformSpec[]).map((s) => rebuild(s) as Transform<Tensor, Tensor>);

registerTransform("Compose", (a, rebuild) => new Compose((a[0] as unknown as TransformSpec[]).map((s) => rebuild(s))));
registerTransform("RandomApply", (a, rebuild) => new RandomApply(childrenOf(a, rebuild), a[1] as Options), { random: true });
registerTransform("RandomChoice", (a, rebuild) => new RandomChoice(childrenOf(a, rebuild), a[1] as { p?: number[]; seed?: number }), { random: true });
registerTransform("RandomOrder", (a, rebuild) => new RandomOrder(childrenOf(a, rebuild), a[1] as Options), { random: true });
