/**
 * The transform a built-in dataset applies to each sample, and how it travels to `DataLoader` workers:
 * a `tl.data.transforms` pipeline goes as its plain spec (`toSpec()`), a custom one as a `ModuleSpec`
 * naming the module that exports it; a plain function runs on the main thread only.
 */
import { tensileError } from "../core/errors.js";
import { withSeed } from "./seeding.js";
import { buildFromSpec, isModuleSpec, normalizeSpec, type ModuleSpec } from "./worker/spec.js";

/** A function of one sample, or an object whose `forward` is (a `tl.data.transforms` pipeline, an `nn.Module`). May be async. */
export type Transform<I = unknown, O = unknown> = ((x: I) => O | Promise<O>) | { forward(x: I): O | Promise<O> };

/** A transform's plain recipe, as `tl.data.transforms` make with `toSpec()`. */
export interface TransformRecipe {
  name: string;
  args: readonly unknown[];
}

/** The wire form of a transform inside a dataset's worker spec. */
export type SerializedTransform = ModuleSpec | { $transform: TransformRecipe };

/** A transform, or a spec that builds one (a `ModuleSpec` whose export is the transform or its factory). */
export type TransformSource<I = unknown, O = unknown> = Transform<I, O> | SerializedTransform;

function asTransform<I, O>(value: unknown, where: string): Transform<I, O> {
  if (typeof value === "function") return value as Transform<I, O>;
  if (value !== null && typeof value === "object" && typeof (value as { forward?: unknown }).forward === "function") return value as Transform<I, O>;
  throw tensileError(where, `a transform must be a function or an object with a forward(x) method, got ${value === null ? "null" : typeof value}`);
}

function isRecipe(value: unknown): value is { $transform: TransformRecipe } {
  return value !== null && typeof value === "object" && "$transform" in value;
}

/**
 * Rebuilds a `tl.data.transforms` pipeline from its recipe (imported on demand: most datasets need
 * none). The index module, not base.js alone: importing it registers every built-in transform.
 */
async function fromRecipe(recipe: TransformRecipe, where: string): Promise<unknown> {
  const { transformFromSpec } = await import("./transforms/index.js");
  try {
    return transformFromSpec(recipe as Parameters<typeof transformFromSpec>[0]);
  } catch (err) {
    throw tensileError(where, `could not rebuild the transform ${recipe.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Runs a transform given directly or by spec; a spec is built on first use. */
export class LazyTransform<I = unknown, O = unknown> {
  private fn: Transform<I, O> | null = null;
  private pending: Promise<Transform<I, O>> | null = null;
  private readonly serialized: SerializedTransform | null;
  private readonly source: TransformSource<I, O>;

  constructor(source: TransformSource<I, O>, private readonly where: string) {
    this.source = source;
    if (isRecipe(source)) this.serialized = source;
    else if (isModuleSpec(source)) this.serialized = normalizeSpec(source, where);
    else {
      this.fn = asTransform<I, O>(source, where);
      const toSpec = (source as { toSpec?: () => TransformRecipe }).toSpec;
      let recipe: TransformRecipe | null = null;
      try {
        recipe = typeof toSpec === "function" ? toSpec.call(source) : null;
      } catch {
        recipe = null; // e.g. a Compose holding a plain function: fine here, not in a worker
      }
      this.serialized = recipe ? { $transform: recipe } : null;
    }
  }

  /** The transform's wire form, or an error explaining why it cannot go to a worker. */
  toWire(): SerializedTransform {
    if (this.serialized === null) {
      throw tensileError(this.where, "its transform is a plain function, which cannot be rebuilt in a worker thread: use tl.data.transforms, or give { module, export } naming a module that exports it");
    }
    return this.serialized;
  }

  /**
   * Applies the transform to one sample. With `seed` (see `captureSeed`), the transform's random draws
   * come from that seed, even when the sample was decoded asynchronously first.
   */
  async apply(x: I, seed?: number): Promise<O> {
    if (this.fn === null) {
      this.pending ??= (isRecipe(this.source) ? fromRecipe(this.source.$transform, this.where) : buildFromSpec(this.source as ModuleSpec, this.where))
        .then((v) => asTransform<I, O>(v, this.where));
      this.fn = await this.pending;
    }
    const fn = this.fn as Transform<I, O>;
    const run = () => (typeof fn === "function" ? fn(x) : fn.forward(x));
    return seed === undefined ? run() : withSeed(seed, run);
  }
}
