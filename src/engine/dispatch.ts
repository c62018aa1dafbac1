import { isFloat, type DType } from "../core/dtype.js";
import { check, tensileError } from "../core/errors.js";
import { isContiguous, type Layout } from "../core/layout.js";
import { contiguousStrides, sizeOf } from "../core/shape.js";
import type { Backend, KernelInfo, TensorView } from "../backend/backend.js";
import { findKernel, getBackend } from "../backend/registry.js";
import { GradNode } from "./autograd.js";
import { storageAllocated } from "./memory.js";
import { needsGrad, Tensor } from "./tensor.js";

/** What an op's gradient function sees. Reading `inputs` or `output` checks they were not modified in place. */
export interface GradContext<A> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
  /** Which inputs need a gradient; a gradient function may skip the others (return null). */
  readonly needsInputGrad: readonly boolean[];
}

/** Gradients for each input (null where the input takes none). */
export type GradFn<A> = (ctx: GradContext<A>, gradOutput: Tensor) => readonly (Tensor | null)[];

export interface OpSpec<A> {
  /** The op's name: also its kernel key and the prefix of its errors. */
  readonly name: string;
  /** Checks the arguments and decides the output's shape and dtype; `kernelAttrs` go to the kernel. */
  readonly infer: (inputs: readonly Tensor[], attrs: A) => { shape: readonly number[]; dtype: DType; kernelAttrs?: Record<string, unknown> };
  /** Gradient written with public ops; ops without one are not differentiable (e.g. argmax). */
  readonly grad?: GradFn<A>;
  /** The kernel's key when it differs from the op's name (e.g. mm runs the matmul kernel). */
  readonly kernel?: string;
}

export interface ViewSpec<A> {
  readonly name: string;
  /** Checks the arguments and returns the view's layout over the input's storage, or null to copy. */
  readonly view: (input: Tensor, attrs: A) => Layout;
  readonly grad: GradFn<A>;
}

export type Op<A> = (inputs: readonly Tensor[], attrs: A) => Tensor;

const opRegistry = new Map<string, Op<never>>();

/** Looks an op up by name: lets the engine call ops (e.g. add for gradient accumulation) without importing them. */
export function getOp<A>(name: string): Op<A> {
  const op = opRegistry.get(name);
  if (!op) throw tensileError(name, `op "${name}" is not defined`);
  return op as unknown as Op<A>;
}

export function listOps(): string[] {
  return [...opRegistry.keys()];
}

function checkInputs(name: string, inputs: readonly Tensor[]): Backend {
  const n = inputs.length;
  if (n === 0) return getBackend();
  const first = inputs[0];
  check(first instanceof Tensor, name, "expected Tensor inputs");
  first.assertAlive(name);
  const backend = first.backend;
  for (let i = 1; i < n; i++) {
    const t = inputs[i];
    check(t instanceof Tensor, name, "expected Tensor inputs");
    t.assertAlive(name);
    if (t.backend !== backend) {
      throw tensileError(name, `inputs live on different backends (${backend.name} and ${t.backend.name}); move them with .to()`);
    }
  }
  return backend;
}

/** A frozen shape and its frozen row-major strides. */
interface DenseLayout {
  shape: readonly number[];
  strides: readonly number[];
}

/**
 * Recently allocated shapes, matched by content: an op in a loop (or a training step) allocates
 * the same few shapes over and over, and sharing their frozen arrays saves two copies and two
 * freezes per tensor.
 */
const MEMO_SIZE = 8;
const layoutMemo: DenseLayout[] = Array.from({ length: MEMO_SIZE }, () => ({ shape: [-1], strides: [] }));
let memoNext = 0;

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function denseLayout(shape: readonly number[]): DenseLayout {
  for (let i = 0; i < MEMO_SIZE; i++) {
    const m = layoutMemo[i];
    if (sameDims(m.shape, shape)) return m;
  }
  const owned = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
  const m: DenseLayout = { shape: owned, strides: Object.freeze(contiguousStrides(owned)) };
  layoutMemo[memoNext] = m;
  memoNext = (memoNext + 1) % MEMO_SIZE;
  return m;
}

/**
 * Allocates a contiguous tensor on `backend`: zeroed, unless `zero` is false because a kernel is
 * about to write every element. Its shape and strides are frozen arrays shared with other tensors
 * of the same shape (no copy).
 */
export function allocTensor(backend: Backend, shape: readonly number[], dtype: DType, zero = true): Tensor {
  const dense = denseLayout(shape);
  const storage = backend.alloc(dtype, sizeOf(dense.shape), zero);
  storageAllocated(storage);
  return new Tensor(storage, { shape: dense.shape, strides: dense.strides, offset: 0 }, dtype);
}

/** Moves a view to another backend's memory (used only for kernel fallbacks). */
function transfer(view: TensorView, to: Backend): TensorView {
  if (view.storage.backend === to) return view;
  const dense = isContiguous(view) ? view : materialize(view as Tensor);
  const data = dense.storage.backend.read(dense.storage, dense.offset, sizeOf(dense.shape));
  const copy = allocTensor(to, dense.shape, dense.dtype);
  to.write(copy.storage, data);
  return copy;
}

/** Where kernel `name` runs for tensors on one backend (its own kernel, or the js reference). */
interface Route {
  readonly backend: Backend;
  readonly kernel: KernelInfo;
  readonly kernelBackend: Backend;
}

/** Routes by backend, then kernel name: backends build their kernel tables once, so routes never change. */
const routes = new Map<Backend, Map<string, Route>>();

function routeFor(name: string, backend: Backend): Route {
  let byName = routes.get(backend);
  if (byName === undefined) routes.set(backend, (byName = new Map()));
  let route = byName.get(name);
  if (route === undefined) {
    const found = findKernel(name, backend);
    route = { backend, kernel: found.kernel, kernelBackend: found.backend };
    byName.set(name, route);
  }
  return route;
}

/** Whether the outputs of kernel `name` on `backend` are written in full (so they need not be zeroed). */
export function kernelOverwrites(name: string, backend: Backend): boolean {
  const route = routeFor(name, backend);
  return route.kernelBackend === backend && route.kernel.overwrites === true;
}

/** Runs kernel `name` with already-allocated outputs, making inputs contiguous if the kernel needs it. */
export function runKernel(name: string, inputs: readonly TensorView[], outputs: readonly Tensor[], attrs: Record<string, unknown>): void {
  const backend = outputs.length > 0 ? outputs[0].backend : getBackend();
  runRoute(routeFor(name, backend), inputs, outputs, attrs);
}

function runRoute(route: Route, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: Record<string, unknown>): void {
  const { kernel, kernelBackend, backend } = route;
  if (kernelBackend === backend && (kernel.strided || allContiguous(inputs))) {
    // The common case: no transfer, no copies.
    kernel.run(inputs, outputs, attrs);
    return;
  }
  const temporaries: Tensor[] = [];
  const prepared = inputs.map((v) => {
    let view = v;
    if (kernelBackend !== backend) {
      view = transfer(view, kernelBackend);
      if (view !== v) temporaries.push(view as Tensor);
    }
    if (!kernel.strided && !isContiguous(view)) {
      view = materialize(view as Tensor);
      temporaries.push(view as Tensor);
    }
    return view;
  });
  if (kernelBackend === backend) {
    kernel.run(prepared, outputs, attrs);
  } else {
    const outs = outputs.map((o) => allocTensor(kernelBackend, o.shape, o.dtype));
    kernel.run(prepared, outs, attrs);
    outs.forEach((o, i) => {
      backend.write(outputs[i].storage, o.backend.read(o.storage, 0, o.size));
      o.dispose();
    });
  }
  for (const t of temporaries) t.dispose();
}

function allContiguous(views: readonly TensorView[]): boolean {
  for (let i = 0; i < views.length; i++) if (!isContiguous(views[i])) return false;
  return true;
}

/** A contiguous copy of `t` (not recorded for autograd). */
export function materialize(t: Tensor): Tensor {
  const route = routeFor("copy", t.backend);
  const out = allocTensor(t.backend, t.shape, t.dtype, !(route.kernelBackend === route.backend && route.kernel.overwrites === true));
  runRoute(route, [t], [out], {});
  return out;
}

function record<A>(name: string, inputs: readonly Tensor[], output: Tensor, attrs: A, grad: GradFn<A> | undefined): void {
  // Integer and bool results never require grad, as in PyTorch (e.g. a cast to int32 cuts the graph).
  if (!grad || !isFloat(output.dtype) || !needsGrad(inputs)) return;
  output.setGradFn(new GradNode(name, inputs, output, attrs, grad as GradFn<unknown>));
}

/**
 * Defines an op once: argument checks and output shape/dtype (`infer`), the kernel looked up by
 * name on the inputs' backend, and the gradient written with other ops.
 */
export function defineOp<A = Record<string, never>>(spec: OpSpec<A>): Op<A> {
  const name = spec.name;
  const kernelName = spec.kernel ?? name;
  const { infer, grad } = spec;
  // The last route used: an op in a loop runs on one backend, so this skips two map lookups.
  let last: Route | null = null;
  const op: Op<A> = (inputs, attrs) => {
    const backend = checkInputs(name, inputs);
    const { shape, dtype, kernelAttrs } = infer(inputs, attrs);
    let route = last;
    if (route === null || route.backend !== backend) last = route = routeFor(kernelName, backend);
    const overwrites = route.kernelBackend === backend && route.kernel.overwrites === true;
    const out = allocTensor(backend, shape, dtype, !overwrites);
    if (out.size > 0) {
      runRoute(route, inputs, [out], (kernelAttrs ?? attrs) as Record<string, unknown>);
    }
    record(name, inputs, out, attrs, grad);
    return out;
  };
  register(spec.name, op);
  return op;
}

/** Defines a view op: no kernel, a new layout over the input's storage. */
export function defineView<A>(spec: ViewSpec<A>): Op<A> {
  const op: Op<A> = (inputs, attrs) => {
    checkInputs(spec.name, inputs);
    const input = inputs[0];
    const layout = spec.view(input, attrs);
    const out = new Tensor(input.storage, layout, input.dtype);
    record(spec.name, inputs, out, attrs, spec.grad);
    return out;
  };
  register(spec.name, op);
  return op;
}

function register(name: string, op: Op<never>): void {
  if (opRegistry.has(name)) throw tensileError(name, `op "${name}" is defined twice`);
  opRegistry.set(name, op);
}

/** @internal Registers an op implemented by hand (composite or multi-step) so the engine can find it by name. */
export function registerOp<A>(name: string, op: Op<A>): Op<A> {
  register(name, op as Op<never>);
  return op;
}
