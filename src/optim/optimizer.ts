import { check, fmtShape, tensileError } from "../core/errors.js";
import { enableGrad, noGrad } from "../engine/grad-mode.js";
import { tidy } from "../engine/scope.js";
import { Tensor } from "../engine/tensor.js";
import { cast, clone, zerosLike } from "../ops/index.js";

/** Hyper-parameters every optimizer has. */
export interface BaseOptions {
  /** Learning rate. */
  lr: number;
}

/** One value of a parameter's optimizer state: a tensor shaped like the parameter, or a number (`step`). */
export type StateValue = Tensor | number;

/** The optimizer state of one parameter, e.g. `{ step, expAvg, expAvgSq }` for Adam. */
export type ParamState = Record<string, StateValue>;

/**
 * A parameter group: its parameters and every hyper-parameter, readable and settable
 * (`optimizer.paramGroups[0].lr = 0.01`). Schedulers add keys of their own (`initialLr`, `maxLr`, ...).
 */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & {
  params: Tensor[];
  /** The lr a scheduler started from (set by the first scheduler attached to the optimizer). */
  initialLr?: number;
  [key: string]: unknown;
};

/** A parameter group as passed in: its parameters plus options that override the optimizer's defaults. */
export type ParamGroupInput<O extends BaseOptions = BaseOptions> = Partial<O> & {
  params: Iterable<Tensor>;
  [key: string]: unknown;
};

/** What an optimizer is built from: parameters, or parameter groups with options of their own. */
export type ParamsInput<O extends BaseOptions = BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * An optimizer's state in PyTorch's layout: `state` keyed by parameter index (numbered across groups in
 * order), `paramGroups` holding each group's hyper-parameters and the indices of its parameters.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Drop the gradients (dispose them and set `.grad = null`) instead of filling them with zeros. Default true. */
  setToNone?: boolean;
}

function copyValue(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

/**
 * The base of every optimizer: parameter groups with per-group hyper-parameters, per-parameter state,
 * `step`, `zeroGrad`, and a PyTorch-layout `stateDict()` / `loadStateDict()` so training resumes exactly.
 * Subclasses implement `updateGroup` (all parameters of a group with a gradient at once: the built-in
 * optimizers run one fused in-place kernel call) or `update` (one parameter); the base runs them under
 * `noGrad` inside a `tidy`, so an update may use out-of-place ops freely and must `keep()` only the state
 * tensors it creates.
 * @example
 * const opt = new tl.optim.SGD([{ params: backbone, lr: 1e-4 }, { params: head }], { lr: 1e-2, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The hyper-parameters a group gets when it does not set them itself. */
  readonly defaults: Readonly<O>;
  /** The parameter groups; hyper-parameters can be changed between steps. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();
  /** The name used in error messages, e.g. "Adam". */
  readonly name: string;

  /**
   * @param name the optimizer's name, for error messages
   * @param params parameters, or parameter groups `{ params, ...options }`
   * @param defaults every hyper-parameter, already merged with the user's options
   */
  protected constructor(name: string, params: ParamsInput<O>, defaults: O) {
    this.name = name;
    this.defaults = Object.freeze({ ...defaults });
    check(params !== null && typeof params === "object" && !(params instanceof Tensor) && Symbol.iterator in params, name,
      "params must be an array of tensors or of parameter groups { params, ...options }" +
      (params instanceof Tensor ? ", got a single Tensor; wrap it: [param]" : ""));
    const items = [...(params as Iterable<unknown>)];
    check(items.length > 0, name, "got an empty parameter list");
    const groups = items.every((x) => x instanceof Tensor)
      ? [{ params: items as Tensor[] } as unknown as ParamGroupInput<O>]
      : (items as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks a group's hyper-parameters; subclasses throw a clear error for invalid values. */
  protected abstract validate(group: ParamGroup<O>, where: string): void;

  /**
   * Updates one parameter from its gradient (runs under `noGrad`, inside a `tidy`). Called by the default
   * `updateGroup`; an optimizer implements one of the two.
   */
  protected update(_param: Tensor, _grad: Tensor, _state: ParamState, _group: ParamGroup<O>): void {
    throw tensileError(this.name, "an optimizer must implement update() or updateGroup()");
  }

  /**
   * Updates every parameter of `group` that has a gradient (`grads[i]` and `states[i]` belong to
   * `params[i]`; gradients already have the parameter's dtype). Runs under `noGrad`, inside a `tidy`.
   * The default calls `update` for each parameter.
   */
  protected updateGroup(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<O>): void {
    params.forEach((p, i) => tidy(() => this.update(p, grads[i], states[i], group)));
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen during fine-tuning); options it leaves out come from
   * the optimizer's defaults.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const where = this.name;
    check(group !== null && typeof group === "object" && !(group instanceof Tensor) && "params" in group, where,
      "a parameter group must be an object { params, ...options }");
    const raw = group.params as unknown;
    check(!(raw instanceof Tensor) && raw !== null && typeof raw === "object" && Symbol.iterator in raw, where,
      "a parameter group's params must be an array of tensors");
    const params = [...(raw as Iterable<unknown>)];
    const index = this.paramGroups.length;
    params.forEach((p, i) => {
      check(p instanceof Tensor, where, () => `parameter ${i} of group ${index} is not a Tensor`);
      check(p.isLeaf, where, () => `parameter ${i} of group ${index} (shape ${fmtShape(p.shape)}) is not a leaf tensor; only leaves can be optimized`);
      check(p.dtype === "float32" || p.dtype === "float64", where,
        () => `parameter ${i} of group ${index} has dtype ${p.dtype}; only floating-point tensors can be optimized`);
    });
    check(new Set(params).size === params.length, where, () => `group ${index} lists the same parameter more than once`);
    const existing = new Set(this.paramGroups.flatMap((g) => g.params));
    check(params.every((p) => !existing.has(p as Tensor)), where, "some parameters appear in more than one parameter group");
    const merged: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.defaults)) merged[k] = copyValue(v);
    for (const [k, v] of Object.entries(group)) if (k !== "params") merged[k] = copyValue(v);
    merged.params = params;
    const full = merged as ParamGroup<O>;
    this.validate(full, `${where}: group ${index}`);
    this.paramGroups.push(full);
  }

  /**
   * Performs one optimization step on every parameter that has a gradient. With `closure` (a function that
   * recomputes the loss and calls backward), runs it first with grad enabled and returns its result.
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) {
        const params: Tensor[] = [];
        const grads: Tensor[] = [];
        const states: ParamState[] = [];
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          p.assertAlive(`${this.name}.step`);
          grad.assertAlive(`${this.name}.step`);
          let state = this.state.get(p);
          if (state === undefined) {
            state = {};
            this.state.set(p, state);
          }
          params.push(p);
          grads.push(grad);
          states.push(state);
        }
        if (params.length === 0) continue;
        // Temporaries (a gradient cast to its parameter's dtype) die with this scope; state tensors are
        // kept by the update itself.
        tidy(() => this.updateGroup(params, grads.map((g, i) => (g.dtype === params[i].dtype ? g : cast(g, params[i].dtype))), states, group));
      }
    });
    return loss;
  }

  /** Clears the gradients of every parameter: by default disposes them and sets `.grad = null`. */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone || g.requiresGrad) {
          p.grad = null;
          if (!g.isDisposed) g.dispose();
          if (!setToNone) p.grad = zerosLike(p).keep();
        } else {
          tidy(() => noGrad(() => g.zero_()));
        }
      }
    }
  }

  /**
   * The optimizer's state in PyTorch's layout. State tensors are copies (the snapshot does not change as
   * training goes on); dispose them with `tl.dispose(sd)` when done.
   */
  stateDict(): OptimizerStateDict {
    const indices = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = copyValue(v);
      packed.params = g.params.map((p) => {
        if (!indices.has(p)) indices.set(p, indices.size);
        return indices.get(p) as number;
      });
      return packed as Record<string, unknown> & { params: number[] };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = indices.get(p);
      if (i === undefined) continue;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = v instanceof Tensor ? noGrad(() => clone(v)) : v;
      state[i] = copy;
    }
    return { state, paramGroups };
  }

  /**
   * Restores state saved by `stateDict()`: hyper-parameters of every group and the state of every
   * parameter. Everything is validated first; on a mismatch nothing changes. The state dict's tensors
   * are copied, so it can be loaded into several optimizers.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    check(sd !== null && typeof sd === "object" && Array.isArray(sd.paramGroups) && sd.state !== null && typeof sd.state === "object",
      where, "expected an object { state, paramGroups } as returned by stateDict()");
    check(sd.paramGroups.length === this.paramGroups.length, where,
      () => `the state dict has ${sd.paramGroups.length} parameter group(s) but the optimizer has ${this.paramGroups.length}`);
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((saved, gi) => {
      const current = this.paramGroups[gi].params;
      check(Array.isArray(saved.params), where, () => `group ${gi} of the state dict has no params array`);
      check(saved.params.length === current.length, where,
        () => `group ${gi} has ${saved.params.length} parameter(s) in the state dict but ${current.length} in the optimizer`);
      saved.params.forEach((id, i) => byIndex.set(Number(id), current[i]));
    });
    const newGroups = sd.paramGroups.map((saved, gi) => {
      const merged: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(this.paramGroups[gi])) if (k !== "params") merged[k] = v;
      for (const [k, v] of Object.entries(saved)) if (k !== "params") merged[k] = copyValue(v);
      merged.params = this.paramGroups[gi].params;
      const group = merged as ParamGroup<O>;
      this.validate(group, `${where}: group ${gi}`);
      return group;
    });
    // Check every state entry before copying anything, so a bad state dict leaves the optimizer as it was.
    const entries: [Tensor, Record<string, unknown>][] = [];
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      check(p !== undefined, where, () => `the state dict has state for parameter ${key}, which no parameter group lists`);
      check(s !== null && typeof s === "object", where, () => `state of parameter ${key} is not an object`);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          v.assertAlive(where);
          const scalarStep = k === "step" && v.size === 1;
          check(scalarStep || (v.shape.length === p.shape.length && v.shape.every((d, i) => d === p.shape[i])), where,
            () => `state '${k}' of parameter ${key} has shape ${fmtShape(v.shape)} but the parameter has shape ${fmtShape(p.shape)}`);
        } else {
          check(typeof v === "number", where, () => `state '${k}' of parameter ${key} must be a Tensor or a number, got ${typeof v}`);
        }
      }
      entries.push([p, s]);
    }
    const newState = new Map<Tensor, ParamState>();
    for (const [p, s] of entries) {
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          // PyTorch keeps `step` as a 0-d tensor; here it is a number.
          copy[k] = k === "step" && v.size === 1 ? v.item() : noGrad(() => clone(cast(v, p.dtype))).keep();
        } else {
          copy[k] = v as number;
        }
      }
      newState.set(p, copy);
    }
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    newGroups.forEach((g, i) => {
      this.paramGroups[i] = g;
    });
  }
}

/** Throws `[where] invalid <name>: <value> (<rule>)` unless `ok`. */
export function checkOption(ok: boolean, where: string, name: string, value: unknown, rule: string): void {
  if (!ok) throw tensileError(where, `invalid ${name}: ${JSON.stringify(value)} (${rule})`);
}

/** Checks that a group value is a finite number >= 0. */
export function checkNonNegative(group: Record<string, unknown>, key: string, where: string): void {
  const v = group[key];
  checkOption(typeof v === "number" && Number.isFinite(v) && v >= 0, where, key, v, "must be a finite number >= 0");
}

/** Checks that a group value is a boolean. */
export function checkBoolean(group: Record<string, unknown>, key: string, where: string): void {
  checkOption(typeof group[key] === "boolean", where, key, group[key], "must be true or false");
}

/** Rejects option names the optimizer does not know (catches `weight_decay` for `weightDecay`). */
export function checkKnownOptions(options: object, defaults: object, where: string): void {
  const known = Object.keys(defaults);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw tensileError(where, `unknown option '${key}'; known options: ${known.join(", ")}`);
  }
}
