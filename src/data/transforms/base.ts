/**
 * What every transform shares: the `Transform` interface, the plain serializable spec that rebuilds a
 * pipeline in a worker thread (`toSpec` / `transformFromSpec`), the seeded random stream of random
 * transforms, and the image-shape checks ([C, H, W] or a batch [N, C, H, W]).
 */
import { isFloat } from "../../core/dtype.js";
import { check, fmtShape, tensileError } from "../../core/errors.js";
import { mix32, Random } from "../../core/rng.js";
import { Tensor } from "../../engine/tensor.js";
import { where } from "../../ops/binary.js";
import { cat } from "../../ops/join.js";
import { tensor } from "../../ops/creation.js";
import { indexSelect } from "../../ops/indexing.js";

/** A JSON value: what a transform's spec may hold, so it survives `postMessage` and `JSON.stringify`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/**
 * A transform as plain data: the registered class name and its constructor arguments (nested transforms as
 * specs). `transformFromSpec(spec)` builds an equal transform, e.g. inside a DataLoader worker.
 */
export interface TransformSpec {
  readonly name: string;
  readonly args: readonly JsonValue[];
}

/**
 * A data transform, as in torchvision: `forward(input)` returns the transformed value, `toSpec()` its recipe.
 * Image transforms take a float tensor `[C, H, W]` or a batch `[N, C, H, W]`.
 */
export interface Transform<I = Tensor, O = Tensor> {
  /** The transformed input (random transforms draw new parameters on each call). */
  forward(input: I): O;
  /** The plain, JSON-safe recipe that `transformFromSpec` rebuilds this transform from. */
  toSpec(): TransformSpec;
}

/** A transform object or a plain function (functions run, but cannot be sent to a worker). */
export type TransformLike<I = Tensor, O = Tensor> = Transform<I, O> | ((input: I) => O);

/** Runs a transform or a function. */
export function runTransform<I, O>(t: TransformLike<I, O>, input: I): O {
  return typeof t === "function" ? t(input) : t.forward(input);
}

/** The spec of a transform or, for a plain function, a clear error: functions cannot cross to a worker. */
export function specOf(t: TransformLike<unknown, unknown>, where: string, position: string): TransformSpec {
  check(typeof t !== "function", where,
    () => `${position} is a plain function, which cannot be rebuilt in a worker; use a built-in transform or registerTransform`);
  return (t as Transform<unknown, unknown>).toSpec();
}

/** Rebuilds one transform from its spec's arguments; `rebuild` turns nested specs back into transforms. */
export type TransformFactory = (args: readonly JsonValue[], rebuild: (spec: TransformSpec) => Transform<unknown, unknown>) => Transform<unknown, unknown>;

interface Registered {
  factory: TransformFactory;
  /** Random transforms take `{ seed }` in their last (options) argument; `reseed` rewrites it. */
  random: boolean;
}

const registry = new Map<string, Registered>();

/**
 * Registers how to rebuild transform `name` from its spec, so `transformFromSpec` (and DataLoader workers,
 * which import the module that registers it) can recreate it. Built-in transforms register themselves.
 * Set `random` when the transform takes `{ seed }` in its last argument.
 */
export function registerTransform(name: string, factory: TransformFactory, options: { random?: boolean } = {}): void {
  check(!registry.has(name), "registerTransform", () => `a transform named "${name}" is already registered`);
  registry.set(name, { factory, random: options.random ?? false });
}

/** Options of `transformFromSpec`. */
export interface FromSpecOptions {
  /**
   * Give every random transform in the pipeline a fresh seed derived from this number and its position,
   * replacing any seed in the spec: each DataLoader worker passes its own, so workers draw different yet
   * reproducible augmentations.
   */
  reseed?: number;
}

/**
 * Builds a transform (or a whole pipeline) from the plain spec `toSpec()` made.
 * @example
 * const spec = new tl.data.transforms.Compose([new tl.data.transforms.RandomHorizontalFlip()]).toSpec();
 * const copy = tl.data.transforms.transformFromSpec(JSON.parse(JSON.stringify(spec)), { reseed: workerId });
 */
export function transformFromSpec<I = Tensor, O = Tensor>(spec: TransformSpec, options: FromSpecOptions = {}): Transform<I, O> {
  let position = 0;
  const rebuild = (s: TransformSpec): Transform<unknown, unknown> => {
    check(s !== null && typeof s === "object" && typeof s.name === "string" && Array.isArray(s.args), "transformFromSpec",
      () => `expected a spec { name, args }, got ${JSON.stringify(s)}`);
    const entry = registry.get(s.name);
    if (!entry) {
      throw tensileError("transformFromSpec", `unknown transform "${s.name}"; registered transforms are ${[...registry.keys()].join(", ")} ` +
        "(register custom ones with registerTransform in a module the worker imports)");
    }
    let args = s.args;
    if (entry.random && options.reseed !== undefined) {
      const last = args.length > 0 ? args[args.length - 1] : undefined;
      const opts = last !== null && typeof last === "object" && !Array.isArray(last) ? last : {};
      const seed = mix32(mix32(options.reseed >>> 0) ^ (position++ * 0x9e3779b9));
      args = [...(last === opts ? args.slice(0, -1) : args), { ...opts, seed }];
    }
    return entry.factory(args, rebuild);
  };
  return rebuild(spec) as Transform<I, O>;
}

/** Checks an optional seed: a whole number. */
export function checkSeed(seed: unknown, where: string): number | undefined {
  check(seed === undefined || (typeof seed === "number" && Number.isInteger(seed)), where, () => `seed must be a whole number, got ${String(seed)}`);
  return seed as number | undefined;
}

/**
 * Base of random transforms: the random stream for each call. Seeded, the transform owns one stream, so the
 * same seed replays the same sequence of outputs; unseeded, each call draws a fresh stream from the global
 * generator, so `tl.manualSeed` makes a run reproducible.
 */
export abstract class RandomTransform<I = Tensor, O = Tensor> implements Transform<I, O> {
  /** The seed given at construction (undefined: the global generator). */
  readonly seed: number | undefined;
  private stream: Random | undefined;

  protected constructor(seed: number | undefined, where: string) {
    this.seed = checkSeed(seed, where);
  }

  /** The generator for the next call. */
  protected rng(): Random {
    if (this.seed === undefined) return new Random();
    this.stream ??= new Random(this.seed);
    return this.stream;
  }

  abstract forward(input: I): O;
  abstract toSpec(): TransformSpec;
}

/** Uniform float in [low, high). */
export function uniformIn(rng: Random, low: number, high: number): number {
  return low + (high - low) * rng.next();
}

/** Python's `round`: halves go to the even neighbour (torchvision's sampling uses it). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The dims of an image tensor `[C, H, W]` or batch `[N, C, H, W]`. */
export interface ImageDims {
  batched: boolean;
  n: number;
  c: number;
  h: number;
  w: number;
}

/** Checks `x` is an image `[C, H, W]` or a batch `[N, C, H, W]` (float unless `anyDType`) and returns its dims. */
export function imageDims(x: unknown, where: string, options: { anyDType?: boolean } = {}): ImageDims {
  check(x instanceof Tensor, where, () => `expects an image tensor [C, H, W] or a batch [N, C, H, W], got ${x === null ? "null" : typeof x}`);
  check(x.ndim === 3 || x.ndim === 4, where, () => `expects an image [C, H, W] or a batch [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  check(options.anyDType || isFloat(x.dtype), where,
    () => `expects a float image (convert bytes with ToTensor, or cast with .float()), got dtype ${x.dtype}`);
  const [c, h, w] = x.shape.slice(-3);
  return { batched: x.ndim === 4, n: x.ndim === 4 ? x.shape[0] : 1, c, h, w };
}

/** A number or one number per image of a batch of `n`: the list of per-image values. */
export function perImage(value: number | readonly number[], n: number, where: string, name: string): number[] {
  if (typeof value === "number") return new Array<number>(n).fill(value);
  check(Array.isArray(value) && value.length === n && value.every((v) => typeof v === "number"), where,
    () => `${name} must be a number or an array of one number per image (${n}), got ${JSON.stringify(value)}`);
  return [...value];
}

/**
 * Applies `apply(group, images, members)` to the images of each group of a batch (`groups[i]` names image i's
 * group; `members` are the batch indices of `images`) and puts the results back in the batch's order: one
 * vectorized call per group instead of one per image.
 */
export function applyGrouped(x: Tensor, groups: readonly number[], apply: (group: number, images: Tensor, members: number[]) => Tensor, where: string): Tensor {
  const distinct = [...new Set(groups)];
  if (distinct.length === 1) return apply(distinct[0], x, groups.map((_, i) => i));
  const order: number[] = [];
  const pieces = distinct.map((g) => {
    const members = groups.flatMap((gi, i) => (gi === g ? [i] : []));
    order.push(...members);
    return apply(g, indexSelect(x, 0, tensor(members, { dtype: "int32" })), members);
  });
  pieces.forEach((p) => check(p.ndim === x.ndim && p.shape.slice(1).every((d, k) => d === pieces[0].shape[k + 1]), where,
    () => `images of one batch came out with different shapes (${pieces.map((q) => fmtShape(q.shape)).join(", ")}); ` +
      "apply shape-changing transforms to single images or before batching"));
  const inverse = new Array<number>(order.length);
  order.forEach((image, k) => (inverse[image] = k));
  return indexSelect(cat(pieces, 0), 0, tensor(inverse, { dtype: "int32" }));
}

/** `changed` for the images whose flag is set, `x` for the others (the whole image when unbatched). */
export function selectImages(x: Tensor, changed: Tensor, mask: readonly boolean[]): Tensor {
  if (mask.every((m) => m)) return changed;
  if (!mask.some((m) => m)) return x;
  return where(tensor(Uint8Array.from(mask, Number), { shape: [mask.length, 1, 1, 1], dtype: "bool" }), changed, x);
}
