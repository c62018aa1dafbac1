import { isFloat, type DType } from "../core/dtype.js";
import { check, tensileError } from "../core/errors.js";
import { contiguousLayout, isContiguous, type Layout } from "../core/layout.js";
import { sizeOf } from "../core/shape.js";
import type { Backend, TensorView } from "../backend/backend.js";
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
  for (const t of inputs) {
    check(t instanceof Tensor, name, "expected Tensor inputs");
    t.assertAlive(name);
  }
  const backend = inputs.length > 0 ? inputs[0].backend : getBackend();
  for (const t of inputs) {
    check(t.backend === backend, name, () => `inputs live on different backends (${backend.name} and ${t.backend.name}); move them with .to()`);
  }
  return backend;
}

/** Allocates a contiguous tensor on `backend`. */
export function allocTensor(backend: Backend, shape: readonly number[], dtype: DType): Tensor {
  const storage = backend.alloc(dtype, sizeOf(shape));
  storageAllocated(storage);
  return new Tensor(storage, contiguousLayout(shape), dtype);
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

/** Runs kernel `name` with already-allocated outputs, making inputs contiguous if the kernel needs it. */
export function runKernel(name: string, inputs: readonly TensorView[], outputs: readonly Tensor[], attrs: Record<string, unknown>): void {
  const backend = outputs.length > 0 ? outputs[0].backend : getBackend();
  const { kernel, backend: kernelBackend } = findKernel(name, backend);
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

/** A contiguous copy of `t` (not recorded for autograd). */
export function materialize(t: Tensor): Tensor {
  const out = allocTensor(t.backend, t.shape, t.dtype);
  runKernel("copy", [t], [out], {});
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
  const op: Op<A> = (inputs, attrs) => {
    const backend = checkInputs(spec.name, inputs);
    const { shape, dtype, kernelAttrs } = spec.infer(inputs, attrs);
    const out = allocTensor(backend, shape, dtype);
    if (out.size > 0) runKernel(spec.name, inputs, [out], (kernelAttrs ?? attrs) as Record<string, unknown>);
    record(spec.name, inputs, out, attrs, spec.grad);
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
