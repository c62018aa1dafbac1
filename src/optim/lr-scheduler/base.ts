import { check, tensileError } from "../../core/errors.js";
import { Optimizer } from "../optimizer.js";

/** A scheduler's state: plain numbers and arrays (and nested scheduler states for SequentialLR). */
export type SchedulerStateDict = Record<string, unknown>;

/** Deep copy of plain data (numbers, strings, arrays, plain objects). */
export function copyData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyData) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copyData(v);
    return out as T;
  }
  return value;
}

/** The state of a scheduler object: its own data fields, without the optimizer and functions. */
export function schedulerState(owner: object, exclude: readonly string[]): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(owner)) {
    if (k === "optimizer" || exclude.includes(k) || typeof v === "function") continue;
    out[k] = copyData(v);
  }
  return out;
}

/** Loads `sd` into `owner`'s fields, refusing keys the scheduler does not have. */
export function loadSchedulerState(owner: object, sd: SchedulerStateDict, exclude: readonly string[], where: string): void {
  check(sd !== null && typeof sd === "object" && !Array.isArray(sd), where, "expected a plain object as returned by stateDict()");
  const fields = owner as Record<string, unknown>;
  for (const k of Object.keys(sd)) {
    if (k === "optimizer" || exclude.includes(k) || !(k in fields) || typeof fields[k] === "function") {
      throw tensileError(where, `unexpected key '${k}' in the state dict`);
    }
  }
  for (const [k, v] of Object.entries(sd)) fields[k] = copyData(v);
}

/** Checks that `value` is a whole number >= `min`. */
export function checkInt(value: unknown, min: number, where: string, name: string): asserts value is number {
  check(Number.isInteger(value) && (value as number) >= min, where, () => `${name} must be a whole number >= ${min}, got ${String(value)}`);
}

/** Checks that `value` is a finite number. */
export function checkNumber(value: unknown, where: string, name: string): asserts value is number {
  check(typeof value === "number" && Number.isFinite(value), where, () => `${name} must be a finite number, got ${String(value)}`);
}

/** One value per parameter group: a number broadcast to every group, or an array with one per group. */
export function perGroup(value: number | readonly number[], optimizer: Optimizer, where: string, name: string): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    check(value.length === n, where, () => `expected ${n} values for ${name} (one per parameter group), got ${value.length}`);
    value.forEach((v, i) => checkNumber(v, where, `${name}[${i}]`));
    return [...value];
  }
  checkNumber(value, where, name);
  return new Array<number>(n).fill(value as number);
}

/**
 * The base of the epoch-based schedulers, with PyTorch's protocol: the constructor records each group's
 * `initialLr` (once per optimizer) and takes an initial step to epoch 0, so the optimizer starts at the
 * schedule's first value; each `step()` moves one epoch (or batch) on and writes the new lr into every
 * group. Most schedules are chainable: they compute the next lr from the current one, exactly like
 * PyTorch, so values match it to the last bit.
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: Optimizer;
  /** The epoch of the last step: 0 after construction. */
  lastEpoch = -1;
  /** Each group's `initialLr`. */
  baseLrs: number[];
  /** Steps taken, counting the initial one. */
  protected stepCount = 0;
  /** The lrs the last step set. */
  protected lastLr: number[] = [];
  /** Name for error messages. */
  protected readonly where: string;

  protected constructor(optimizer: Optimizer, where: string) {
    check(optimizer instanceof Optimizer, where, "the first argument must be an optimizer");
    this.optimizer = optimizer;
    this.where = where;
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** The next lr of every group at `this.lastEpoch` (chainable form). */
  protected abstract computeLr(): number[];

  /** The lr of every group at `this.lastEpoch` from the closed form, where the schedule has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Subclasses call this at the end of their constructor: PyTorch's initial step to epoch 0. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances the schedule one epoch (or batch) and sets each group's lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.computeLr());
  }

  /** @internal Jumps to `epoch` (closed form where there is one); SequentialLR uses it at its milestones. */
  stepTo(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.computeLr());
  }

  /** @internal Restarts the schedule from epoch 0 with the groups' current lrs (used by SequentialLR). */
  restart(): void {
    this.initialStep();
  }

  /** Writes one lr per group into the optimizer and records them for `getLastLr()`. */
  protected apply(lrs: readonly number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i];
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state (numbers and arrays), without the optimizer; save it next to the optimizer's. */
  stateDict(): SchedulerStateDict {
    return schedulerState(this, ["where"]);
  }

  /** Restores state saved by `stateDict()`. Load the optimizer's state too: the lrs live in its groups. */
  loadStateDict(sd: SchedulerStateDict): void {
    loadSchedulerState(this, sd, ["where"], `${this.where}.loadStateDict`);
  }
}
