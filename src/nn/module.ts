/** `Module`: the base class of every layer and model, like `torch.nn.Module`. */
import { check, fmtShape, tensileError } from "../core/errors.js";
import { shapesEqual } from "../core/shape.js";
import { noGrad } from "../engine/grad-mode.js";
import { tidy } from "../engine/scope.js";
import type { Tensor } from "../engine/tensor.js";
import { isTensor } from "../ops/scalar.js";
import { isParameter, type Parameter } from "./parameter.js";
import { summarize, type ModelSummary, type SummaryOptions } from "./summary.js";

/** Marks modules without `instanceof` (see `isModule`). */
const MODULE = Symbol.for("tensile.nn.Module");

/** Whether `value` is a `Module` (checked by a marker, not `instanceof`). */
export function isModule(value: unknown): value is Module {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MODULE] === true;
}

/** Parameters and persistent buffers by dotted name (`layer1.0.conv1.weight`), in registration order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` found besides the keys it loaded. */
export interface LoadResult {
  /** Keys the module expects that the state dict lacks. */
  missingKeys: string[];
  /** Keys in the state dict that the module does not have. */
  unexpectedKeys: string[];
}

/** Runs after `forward` inside `call`; a return value other than undefined replaces the output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
/** Runs before `forward` inside `call`; an array it returns replaces the inputs. */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

/** Returned by hook registration; `remove()` unregisters the hook. */
export interface RemovableHandle {
  remove(): void;
}

let nextHookId = 1;

/**
 * Base class of layers and models. Assigning a `Parameter`, a child `Module`, or a tensor to a name
 * registered with `registerBuffer` registers it, in assignment order, so parameters get PyTorch's
 * dotted names (`layer1.0.conv1.weight`) and `stateDict()` files interoperate with PyTorch.
 * @example
 * class Net extends tl.nn.Module {
 *   fc1 = new tl.nn.Linear(4, 8);
 *   fc2 = new tl.nn.Linear(8, 2);
 *   forward(x: tl.Tensor): tl.Tensor { return this.fc2.call(this.fc1.call(x).relu()); }
 * }
 * const net = new Net();
 * net.namedParameters().map(([name]) => name); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 */
export abstract class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;
  private readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  /** Children by name, in registration order (containers read it for indexing). */
  protected readonly _modules = new Map<string, Module | null>();
  private readonly _forwardHooks = new Map<number, ForwardHook>();
  private readonly _forwardPreHooks = new Map<number, ForwardPreHook>();

  /**
   * Every write to a module, whether `this.fc = ...` or a class field, defines a property, so this one
   * trap sees them all (including those made in subclass constructors, whose `this` is the proxy).
   */
  private static readonly handler: ProxyHandler<Module> = {
    defineProperty(target, name, descriptor) {
      if (typeof name !== "string" || !("value" in descriptor)) return Reflect.defineProperty(target, name, descriptor);
      const kind = Module.assignMember(target, name, descriptor.value);
      if (kind === "keep") return true;
      if (kind === "plain") return Reflect.defineProperty(target, name, descriptor);
      return Reflect.defineProperty(target, name, { value: descriptor.value, writable: true, enumerable: true, configurable: true });
    },
    deleteProperty(target, name) {
      if (typeof name === "string") {
        target._parameters.delete(name);
        target._buffers.delete(name);
        target._nonPersistent.delete(name);
        target._modules.delete(name);
      }
      return Reflect.deleteProperty(target, name);
    },
  };

  constructor() {
    return new Proxy(this, Module.handler);
  }

  /**
   * Files `value` under parameters, buffers or children when it is one (or `name` already is one) and
   * says so ("member"); "plain" for an ordinary attribute. Throws for a value of the wrong kind for a
   * registered name.
   */
  private static assignMember(m: Module, name: string, value: unknown): "member" | "plain" | "keep" {
    const registered = m._parameters.has(name) || m._buffers.has(name) || m._modules.has(name);
    // A subclass field declared without initializer (`fc!: Linear`) defines undefined after a base
    // constructor registered it; keep the registered value.
    if (value === undefined && registered) return "keep";
    if (isParameter(value)) {
      m._buffers.delete(name);
      m._nonPersistent.delete(name);
      m._modules.delete(name);
      m._parameters.set(name, value);
      return "member";
    }
    if (isModule(value)) {
      m._parameters.delete(name);
      m._buffers.delete(name);
      m._nonPersistent.delete(name);
      m._modules.set(name, value);
      return "member";
    }
    const kind = m._parameters.has(name) ? "parameter" : m._modules.has(name) ? "child module" : m._buffers.has(name) ? "buffer" : null;
    if (kind === null) return "plain";
    if (value === null) {
      if (kind === "parameter") m._parameters.set(name, null);
      else if (kind === "child module") m._modules.set(name, null);
      else m._buffers.set(name, null);
      return "member";
    }
    if (kind === "buffer" && isTensor(value)) {
      m._buffers.set(name, value.keep());
      return "member";
    }
    const expected = kind === "parameter" ? "a Parameter or null (wrap tensors in new tl.nn.Parameter(t))"
      : kind === "buffer" ? "a Tensor or null" : "a Module or null";
    throw tensileError(m.constructor.name, `cannot assign ${describe(value)} to ${kind} "${name}": expected ${expected}`);
  }

  /**
   * The computation. Subclasses override it with their own signature; call modules through `call` so
   * hooks run.
   */
  abstract forward(...args: unknown[]): unknown;

  /** Runs forward pre-hooks, `forward`, then forward hooks, like calling a PyTorch module. */
  call<T extends Module>(this: T, ...args: Parameters<T["forward"]>): ReturnType<T["forward"]> {
    let inputs: unknown[] = args;
    for (const hook of this._forwardPreHooks.values()) {
      const replaced = hook(this, inputs);
      if (replaced !== undefined) inputs = replaced;
    }
    let output = this.forward(...inputs);
    for (const hook of this._forwardHooks.values()) {
      const replaced = hook(this, inputs, output);
      if (replaced !== undefined) output = replaced;
    }
    return output as ReturnType<T["forward"]>;
  }

  /** True when forward hooks or pre-hooks are registered: a container then calls this module as it is, never fused with its neighbour. */
  hasForwardHooks(): boolean {
    return this._forwardHooks.size > 0 || this._forwardPreHooks.size > 0;
  }

  /** Registers a hook that runs after `forward` when the module is invoked with `call`. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardHooks.set(id, hook);
    return { remove: () => void this._forwardHooks.delete(id) };
  }

  /** Registers a hook that runs before `forward` when the module is invoked with `call`. */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this._forwardPreHooks.set(id, hook);
    return { remove: () => void this._forwardPreHooks.delete(id) };
  }

  private checkNewName(name: string, kind: Map<string, unknown>, where: string): void {
    check(typeof name === "string" && name.length > 0, where, () => `name must be a non-empty string, got ${JSON.stringify(name)}`);
    check(!name.includes("."), where, () => `name "${name}" must not contain "."`);
    // A class field declared but not yet set (`bias: Parameter | null;` holds undefined) may be registered.
    const free = !(name in this) || (Object.hasOwn(this, name) && (this as unknown as Record<string, unknown>)[name] == null);
    check(kind.has(name) || free, where, () => `attribute "${name}" already exists on ${this.constructor.name}`);
  }

  /** Registers a parameter (or null, for an optional one such as a disabled bias) under `name`. */
  registerParameter(name: string, param: Parameter | null): void {
    this.checkNewName(name, this._parameters, "registerParameter");
    check(param === null || isParameter(param), "registerParameter", () => `"${name}" must be a Parameter or null, got ${describe(param)}`);
    this._parameters.set(name, null);
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /**
   * Registers a buffer: state that is not learned (running statistics, masks). Persistent buffers
   * (the default) appear in `stateDict()`. Later assignments to `this[name]` update the buffer.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    this.checkNewName(name, this._buffers, "registerBuffer");
    check(tensor === null || isTensor(tensor), "registerBuffer", () => `"${name}" must be a Tensor or null, got ${describe(tensor)}`);
    check(!isParameter(tensor), "registerBuffer", () => `"${name}" is a Parameter; use registerParameter or assign it`);
    this._buffers.set(name, null);
    if (options.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  /** Registers a child module (or null) under `name`, like assigning it. */
  registerModule(name: string, module: Module | null): void {
    this.checkNewName(name, this._modules, "registerModule");
    check(module === null || isModule(module), "registerModule", () => `"${name}" must be a Module or null, got ${describe(module)}`);
    this._modules.set(name, null);
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /** `[name, module]` for this module and every descendant (each once), depth first; this one is named "". */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [name, child] of m._modules) if (child) visit(child, p === "" ? name : `${p}.${name}`);
    };
    visit(this, prefix);
    return out;
  }

  /** This module and every descendant, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** `[name, module]` for the direct children, each once. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, child] of this._modules) {
      if (child && !seen.has(child)) {
        seen.add(child);
        out.push([name, child]);
      }
    }
    return out;
  }

  /** The direct children, each once. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  private namedMembers<V>(pick: (m: Module) => Iterable<[string, V | null]>, recurse: boolean): [string, V][] {
    const out: [string, V][] = [];
    const seen = new Set<V>();
    const owners: [string, Module][] = recurse ? this.namedModules() : [["", this]];
    for (const [prefix, m] of owners) {
      for (const [name, value] of pick(m)) {
        if (value === null || seen.has(value)) continue;
        seen.add(value);
        out.push([prefix === "" ? name : `${prefix}.${name}`, value]);
      }
    }
    return out;
  }

  /** `[dottedName, parameter]` pairs, each parameter once (a shared one under its first name). */
  namedParameters(options: { recurse?: boolean } = {}): [string, Parameter][] {
    return this.namedMembers((m) => m._parameters, options.recurse ?? true);
  }

  /** Every parameter, each once, in registration order: what an optimizer takes. */
  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  /** `[dottedName, buffer]` pairs (persistent or not), each buffer once. */
  namedBuffers(options: { recurse?: boolean } = {}): [string, Tensor][] {
    return this.namedMembers((m) => m._buffers, options.recurse ?? true);
  }

  /** Every buffer, each once. */
  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, b]) => b);
  }

  /** The descendant at a dotted path such as `"layer1.0.conv1"` ("" is this module). */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    return target.split(".").reduce<Module>((m, part) => {
      const child = m._modules.get(part);
      if (!child) throw tensileError("getSubmodule", `${m.constructor.name} has no child module "${part}" (path "${target}")`);
      return child;
    }, this);
  }

  /** Calls `fn` on every child (recursively) and then on this module, like PyTorch's `apply`; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Sets training mode on this module and every descendant (`train(false)` is `eval()`); returns this. */
  train(mode = true): this {
    check(typeof mode === "boolean", "train", () => `mode must be a boolean, got ${describe(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, batch norm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears every parameter's gradient. By default (like PyTorch 2) the gradient is set to null and
   * its tensor disposed, which keeps training loops leak-free; `setToNone: false` zeroes it in place.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (options.setToNone ?? true) {
        p.grad = null;
        g.dispose();
      } else {
        noGrad(() => g.zero_());
      }
    }
  }

  /** Switches gradient tracking of every parameter on or off (freezing a backbone); returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Adds every parameter and persistent buffer under its dotted key (shared tensors under each name). */
  private collectState(out: Map<string, Tensor>, prefix: string): void {
    for (const [name, p] of this._parameters) if (p) out.set(prefix + name, p);
    for (const [name, b] of this._buffers) if (b && !this._nonPersistent.has(name)) out.set(prefix + name, b);
    for (const [name, m] of this._modules) if (m) m.collectState(out, `${prefix}${name}.`);
  }

  /**
   * Parameters and persistent buffers by dotted key, like PyTorch's `state_dict()`. The values are the
   * module's own tensors, not copies: read or save them, do not dispose them (clone to snapshot).
   * @example await tl.save(model.stateDict(), "model.safetensors");
   */
  stateDict(): StateDict {
    const state = new Map<string, Tensor>();
    this.collectState(state, "");
    const out: StateDict = {};
    for (const [key, t] of state) out[key] = t;
    return out;
  }

  /**
   * Copies tensors from `stateDict` (a plain object or Map of dotted key → tensor) into this module's
   * parameters and buffers. Shapes and dtypes must match; with `strict` (the default) the keys must
   * match exactly too. Every check runs before any copy, so a failed load leaves the module unchanged.
   * @example const { missingKeys } = model.loadStateDict(checkpoint, { strict: false });
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const where = "loadStateDict";
    check(typeof stateDict === "object" && stateDict !== null, where, () => `expected a state dict (object or Map), got ${describe(stateDict)}`);
    const source = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const own = new Map<string, Tensor>();
    this.collectState(own, "");
    const missingKeys = [...own.keys()].filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing key(s): ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
    const copies: [Tensor, Tensor][] = [];
    for (const [key, target] of own) {
      if (!source.has(key)) continue;
      const value = source.get(key);
      if (!isTensor(value)) {
        problems.push(`"${key}" is ${describe(value)}, expected a Tensor`);
      } else if (value.isDisposed) {
        problems.push(`"${key}" was already disposed`);
      } else if (!shapesEqual(value.shape, target.shape)) {
        problems.push(`shape mismatch for "${key}": the state dict has ${fmtShape(value.shape)}, the module has ${fmtShape(target.shape)}`);
      } else if (value.dtype !== target.dtype) {
        problems.push(`dtype mismatch for "${key}": the state dict has ${value.dtype}, the module has ${target.dtype}`);
      } else if (value !== target) {
        copies.push([target, value]);
      }
    }
    if (problems.length > 0) {
      throw tensileError(where, `error(s) loading a state dict into ${this.constructor.name} (nothing was changed):\n  ${problems.join("\n  ")}`);
    }
    tidy(() => noGrad(() => {
      for (const [target, value] of copies) target.copy_(value);
    }));
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Runs one forward pass on zeros of `inputShape` (batch dimension included; an array of shapes for
   * several inputs) in eval mode without gradients, and tabulates each leaf layer's output shape and
   * parameter count, like Keras' `model.summary()`. Training flags are restored afterwards.
   * @example new tl.nn.Sequential(new tl.nn.Linear(4, 8), new tl.nn.ReLU()).summary([1, 4], { print: true });
   */
  summary(inputShape: readonly number[] | readonly (readonly number[])[], options: SummaryOptions = {}): ModelSummary {
    return summarize(this, inputShape, options);
  }

  /** Extra text inside this module's `toString()` parentheses, e.g. `inFeatures=4, outFeatures=8`. */
  extraRepr(): string {
    return "";
  }

  /** A nested description like PyTorch's `print(model)`. */
  toString(): string {
    const extra = this.extraRepr();
    const lines = extra === "" ? [] : extra.split("\n");
    for (const [name, child] of this._modules) lines.push(`(${name}): ${child === null ? "null" : child.toString()}`);
    if (this._modules.size === 0 && lines.length <= 1) return `${this.constructor.name}(${extra})`;
    return `${this.constructor.name}(\n  ${lines.join("\n").split("\n").join("\n  ")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

Object.defineProperty(Module.prototype, MODULE, { value: true });

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (isTensor(value)) return `a Tensor of shape ${fmtShape(value.shape)}`;
  if (typeof value === "object") return `a ${(value as object).constructor?.name ?? "object"}`;
  return `a ${typeof value}`;
}
