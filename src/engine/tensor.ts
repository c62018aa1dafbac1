import type { DType, TypedArray } from "../core/dtype.js";
import { check, fmtShape, tensileError } from "../core/errors.js";
import { isContiguous, type Layout } from "../core/layout.js";
import { unflatten, type NestedArray } from "../core/nested.js";
import { sizeOf, type Shape } from "../core/shape.js";
import type { Backend, Storage, TensorView } from "../backend/backend.js";
import type { GradNode } from "./autograd.js";
import { backward as runBackward, type BackwardOptions } from "./autograd.js";
import { isGradEnabled } from "./grad-mode.js";
import { aliasCreated, aliasDisposed, releaseStorage, tensorCreated, tensorReleased } from "./memory.js";
import { materialize } from "./dispatch.js";
import { formatTensor } from "./format.js";
import { trackTensor } from "./scope.js";

let nextId = 1;

/** What a disposed tensor points at instead of its storage: one empty, frozen stand-in per backend. */
const released = new Map<Backend, Storage>();

function releasedStorage(backend: Backend): Storage {
  let s = released.get(backend);
  if (s === undefined) {
    s = Object.freeze({ backend, dtype: "float32" as DType, size: 0, version: 0, lease: Object.freeze({ refs: 0, bytes: 0, tracked: true }) });
    released.set(backend, s);
  }
  return s;
}

/** The array itself when it is already frozen (shared safely), else a frozen copy. */
function frozen(a: readonly number[]): readonly number[] {
  return Object.isFrozen(a) ? a : Object.freeze(a.slice());
}

/**
 * An n-dimensional array on a backend, with automatic differentiation. Tensors are immutable values:
 * every op returns a new tensor; only methods ending in `_` write in place.
 * @example const x = tl.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 */
export class Tensor implements TensorView {
  readonly id = nextId++;
  private storageRef: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** The node that made this tensor, when it was recorded for autograd; null for leaves. */
  gradFn: GradNode | null = null;
  private requiresGradFlag = false;
  private gradValue: Tensor | null = null;
  private retainsGrad = false;
  private disposedFlag = false;
  /** Kept tensors outlive `tidy` scopes: parameters, gradients, optimizer state. */
  private keptFlag = false;
  /** True for a tensor made over a storage that already had one: it has a GC safety net of its own. */
  private aliasFlag = false;

  constructor(storage: Storage, layout: Layout, dtype: DType) {
    this.storageRef = storage;
    // Frozen arrays are shared, not copied: op outputs and views often reuse an input's shape.
    this.shape = frozen(layout.shape);
    this.strides = frozen(layout.strides);
    this.offset = layout.offset;
    this.dtype = dtype;
    // The GC safety net is per storage object (engine/memory.ts); only aliases of a storage that
    // already has a tensor (views, detach) get one of their own.
    if (storage.lease.refs++ > 0) {
      this.aliasFlag = true;
      aliasCreated(this, storage);
    }
    tensorCreated();
    trackTensor(this);
  }

  /** The memory this tensor views (shared with its views). */
  get storage(): Storage {
    return this.storageRef;
  }

  get backend(): Backend {
    return this.storageRef.backend;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements, like PyTorch's `numel()`. */
  get size(): number {
    return sizeOf(this.shape);
  }

  numel(): number {
    return this.size;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  get isKept(): boolean {
    return this.keptFlag;
  }

  /** True for tensors not produced by a recorded op (user-created tensors and parameters). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /** Turns gradient tracking on or off for a leaf tensor; returns the tensor. */
  requiresGrad_(flag = true): this {
    if (!flag && this.gradFn !== null) {
      throw tensileError("requiresGrad_", "cannot switch off requiresGrad on a non-leaf tensor; use detach()");
    }
    if (flag && this.dtype !== "float32" && this.dtype !== "float64") {
      throw tensileError("requiresGrad_", `only floating-point tensors can require gradients, got dtype ${this.dtype}`);
    }
    this.requiresGradFlag = flag;
    return this;
  }

  /** @internal Marks an op's output as part of the autograd graph. */
  setGradFn(node: GradNode): void {
    this.gradFn = node;
    this.requiresGradFlag = true;
  }

  /** The accumulated gradient of a leaf (or of a tensor that called `retainGrad()`). */
  get grad(): Tensor | null {
    return this.gradValue;
  }

  set grad(value: Tensor | null) {
    if (value !== null) {
      check(value instanceof Tensor, "grad", "grad must be a Tensor or null");
      check(value.shape.length === this.shape.length && value.shape.every((d, i) => d === this.shape[i]), "grad",
        () => `grad has shape ${fmtShape(value.shape)} but the tensor has shape ${fmtShape(this.shape)}`);
      value.keep();
    }
    this.gradValue = value;
  }

  /** Keeps `.grad` on this non-leaf tensor after `backward()`, like PyTorch's `retain_grad()`. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  get retainsGradient(): boolean {
    return this.retainsGrad || this.gradFn === null;
  }

  /** Computes gradients of this tensor with respect to the leaves that require them. */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward([this], gradient === undefined ? undefined : [gradient], options);
  }

  /** A tensor sharing this one's storage, cut from the autograd graph. */
  detach(): Tensor {
    this.assertAlive("detach");
    return new Tensor(this.storage, this, this.dtype);
  }

  /** Marks this tensor to survive `tidy` scopes; returns it. */
  keep(): this {
    this.keptFlag = true;
    return this;
  }

  /** Frees this tensor now. Views of the same storage keep it alive until they are disposed too. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.gradFn = null;
    if (this.aliasFlag) aliasDisposed(this);
    tensorReleased();
    const storage = this.storageRef;
    // Let go of the storage object: a disposed tensor the program still references must not keep it
    // (and views of it dropped without dispose) from the GC safety net.
    this.storageRef = releasedStorage(storage.backend);
    releaseStorage(storage);
  }

  /** @internal Throws a clear error when a disposed tensor is used. */
  assertAlive(where: string): void {
    if (this.disposedFlag) throw tensileError(where, `tensor #${this.id} with shape ${fmtShape(this.shape)} was already disposed`);
  }

  get isContiguous(): boolean {
    return isContiguous(this);
  }

  /** A copy of the elements in row-major order, as a typed array of this dtype (bool as Uint8Array). */
  dataSync(): TypedArray {
    this.assertAlive("dataSync");
    if (this.isContiguous) return this.backend.read(this.storage, this.offset, this.size);
    const dense = materialize(this);
    try {
      return dense.backend.read(dense.storage, 0, dense.size);
    } finally {
      dense.dispose();
    }
  }

  /** Same as `dataSync()`, for code written against async backends. */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** The elements as nested arrays (numbers, or booleans for bool tensors); a scalar gives a number. */
  toArray(): NestedArray {
    return unflatten(this.dataSync(), this.shape, this.dtype === "bool");
  }

  /** The value of a one-element tensor. */
  item(): number {
    check(this.size === 1, "item", () => `only a one-element tensor can be converted to a number, got shape ${fmtShape(this.shape)}`);
    return this.dataSync()[0];
  }

  toString(): string {
    if (this.disposedFlag) return `tensor(<disposed>, shape=${fmtShape(this.shape)})`;
    const extras: string[] = [];
    if (this.dtype !== "float32" && this.dtype !== "bool" && this.dtype !== "int32") extras.push(`dtype=${this.dtype}`);
    if (this.dtype === "int32") extras.push("dtype=int32");
    if (this.gradFn) extras.push(`gradFn=<${this.gradFn.name}>`);
    else if (this.requiresGrad) extras.push("requiresGrad=true");
    return formatTensor(this.dataSync(), this.shape, this.dtype, extras);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Whether recording is on for an op with these inputs. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) return true;
  return false;
}

export type { Shape };
