/** Containers: `Sequential`, `ModuleList`, `ModuleDict`. */
import { check, tensileError } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { isModule, Module } from "../module.js";
import { ReLU } from "./activation.js";
import { Conv2d } from "./conv.js";

function expectModule(value: unknown, where: string, what: string): Module {
  check(isModule(value), where, () => `${what} must be a Module, got ${value === null ? "null" : typeof value}`);
  return value;
}

/** Resolves a possibly negative index into [0, length), or throws. */
function resolveIndex(i: number, length: number, where: string): number {
  check(Number.isInteger(i) && i >= -length && i < length, where, () => `index ${i} is out of range for ${length} module(s)`);
  return i < 0 ? i + length : i;
}

/**
 * Runs its modules in order, feeding each one's output to the next, like `torch.nn.Sequential`.
 * Children are named "0", "1", ... (or by the keys of an object), so parameters are `0.weight`, ...
 * @example
 * const mlp = new tl.nn.Sequential(new tl.nn.Linear(4, 8), new tl.nn.ReLU(), new tl.nn.Linear(8, 1));
 * mlp.get(0); // the first Linear
 */
export class Sequential extends Module implements Iterable<Module> {
  constructor(...modules: Module[]);
  constructor(modules: Record<string, Module>);
  constructor(...args: (Module | Record<string, Module>)[]) {
    super();
    if (args.length === 1 && !isModule(args[0]) && typeof args[0] === "object" && args[0] !== null) {
      for (const [name, m] of Object.entries(args[0])) this.registerModule(name, expectModule(m, "Sequential", `module "${name}"`));
    } else {
      args.forEach((m, i) => this.registerModule(String(i), expectModule(m, "Sequential", `argument ${i}`)));
    }
  }

  private list(): Module[] {
    return [...this._modules.values()].filter((m): m is Module => m !== null);
  }

  /** Number of modules. */
  get length(): number {
    return this.list().length;
  }

  /** The module at position `i` (negative counts from the end). */
  get(i: number): Module {
    const list = this.list();
    return list[resolveIndex(i, list.length, "Sequential.get")];
  }

  /** Adds a module at the end (named by its position); returns this. */
  append(module: Module): this {
    this.registerModule(String(this._modules.size), expectModule(module, "Sequential.append", "module"));
    return this;
  }

  /** Adds several modules at the end; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.list()[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    const modules = this.list();
    let out: unknown = x;
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i];
      if (i + 1 < modules.length && fusesWithRelu(m, modules[i + 1])) {
        out = (m as Conv2d).forwardRelu(out as Tensor);
        i++;
      } else {
        out = m.call(out);
      }
    }
    return out as Tensor;
  }
}

/**
 * A Conv2d directly followed by a ReLU, neither subclassed, hooked nor with a replaced forward, runs as one op (Conv2d.forwardRelu):
 * the same values and gradients bit for bit, without writing and re-reading the pre-activation.
 */
function fusesWithRelu(m: Module, next: Module): boolean {
  // Exact classes with their own forward: a subclass, or an instance whose forward was replaced
  // (summary() traces layers that way), must run as written.
  const exact = Object.getPrototypeOf(m) === Conv2d.prototype && Object.getPrototypeOf(next) === ReLU.prototype;
  const ownForward = !Object.hasOwn(m, "forward") && !Object.hasOwn(next, "forward");
  return exact && ownForward && !m.hasForwardHooks() && !next.hasForwardHooks();
}

/**
 * A list of modules whose parameters belong to the parent, like `torch.nn.ModuleList`; children are
 * named "0", "1", .... It has no `forward`: iterate it in the parent's.
 * @example this.blocks = new tl.nn.ModuleList(Array.from({ length: 4 }, () => new Block()));
 */
export class ModuleList extends Module implements Iterable<Module> {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  private list(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  /** Number of modules. */
  get length(): number {
    return this._modules.size;
  }

  /** The module at position `i` (negative counts from the end). */
  get(i: number): Module {
    const list = this.list();
    return list[resolveIndex(i, list.length, "ModuleList.get")];
  }

  /** Replaces the module at position `i`; returns this. */
  set(i: number, module: Module): this {
    const k = resolveIndex(i, this._modules.size, "ModuleList.set");
    (this as unknown as Record<string, Module>)[String(k)] = expectModule(module, "ModuleList.set", "module");
    return this;
  }

  /** Adds a module at the end; returns this. */
  append(module: Module): this {
    this.registerModule(String(this._modules.size), expectModule(module, "ModuleList.append", "module"));
    return this;
  }

  /** Adds several modules at the end; returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.list()[Symbol.iterator]();
  }

  forward(): never {
    throw tensileError("ModuleList", "a ModuleList has no forward(); iterate over its modules in the parent's forward()");
  }
}

/**
 * Modules by name, like `torch.nn.ModuleDict`, with `Map`-style methods; insertion order is kept and
 * keys become parameter-name prefixes. It has no `forward`.
 * @example this.heads = new tl.nn.ModuleDict({ cls: new tl.nn.Linear(64, 10), box: new tl.nn.Linear(64, 4) });
 */
export class ModuleDict extends Module implements Iterable<[string, Module]> {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? modules as Iterable<[string, Module]> : Object.entries(modules);
    for (const [name, m] of entries) this.set(name, m);
  }

  /** Number of modules. */
  get size(): number {
    return this._modules.size;
  }

  /** The module under `key`, or undefined. */
  get(key: string): Module | undefined {
    return this._modules.get(key) ?? undefined;
  }

  /** Whether a module is stored under `key`. */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Adds or replaces the module under `key`; returns this. */
  set(key: string, module: Module): this {
    this.registerModule(key, expectModule(module, "ModuleDict.set", `module "${key}"`));
    return this;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    if (!this._modules.has(key)) return false;
    delete (this as unknown as Record<string, unknown>)[key];
    return true;
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** The modules, in insertion order. */
  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  /** `[key, module]` pairs, in insertion order. */
  entries(): [string, Module][] {
    return [...this._modules.entries()] as [string, Module][];
  }

  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.entries()[Symbol.iterator]();
  }

  forward(): never {
    throw tensileError("ModuleDict", "a ModuleDict has no forward(); pick modules by key in the parent's forward()");
  }
}
