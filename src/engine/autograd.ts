import { check, fmtShape, tensileError } from "../core/errors.js";
import type { GradContext, GradFn } from "./dispatch.js";
import { getOp, materialize, runKernel } from "./dispatch.js";
import { withGradMode } from "./grad-mode.js";
import type { Tensor } from "./tensor.js";

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (PyTorch's `retain_graph`). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order derivatives (PyTorch's `create_graph`). */
  createGraph?: boolean;
}

/** One recorded op on the tape: its inputs, its output and how to push a gradient back through it. */
export class GradNode {
  private released = false;
  private readonly inputVersions: number[];
  private readonly outputVersion: number;

  constructor(
    readonly name: string,
    readonly inputs: readonly Tensor[],
    private readonly output: Tensor,
    private readonly attrs: unknown,
    private readonly gradFn: GradFn<unknown>,
  ) {
    const versions = new Array<number>(inputs.length);
    for (let i = 0; i < inputs.length; i++) versions[i] = inputs[i].storage.version;
    this.inputVersions = versions;
    this.outputVersion = output.storage.version;
  }

  /** Tensors this node needs for backward; `tidy` keeps them alive for a returned tensor. */
  references(): readonly Tensor[] {
    return this.released ? [] : this.inputs;
  }

  /** Frees what only backward needed; another backward through this node is then an error. */
  release(): void {
    this.released = true;
  }

  apply(gradOutput: Tensor): readonly (Tensor | null)[] {
    if (this.released) {
      throw tensileError("backward", `trying to backward through the graph a second time (at ${this.name}); ` +
        "pass { retainGraph: true } to the first backward call if you need to");
    }
    const { inputs, output, inputVersions, outputVersion } = this;
    const verify = (t: Tensor, version: number): void => this.checkVersion(t, version);
    const ctx: GradContext<unknown> = {
      get inputs() {
        inputs.forEach((t, i) => verify(t, inputVersions[i]));
        return inputs;
      },
      get output() {
        verify(output, outputVersion);
        return output;
      },
      attrs: this.attrs,
      needsInputGrad: this.inputs.map((t) => t.requiresGrad),
    };
    return this.gradFn(ctx, gradOutput);
  }

  private checkVersion(t: Tensor, version: number): void {
    t.assertAlive(`backward of ${this.name}`);
    if (t.storage.version !== version) {
      throw tensileError("backward", `a tensor needed to compute the gradient of ${this.name} (shape ${fmtShape(t.shape)}) ` +
        "was modified by an in-place operation after it was used; make a copy before changing it");
    }
  }
}

/** Tensors reachable from `roots` through the graph, each after every tensor that depends on it. */
function topologicalOrder(roots: readonly Tensor[]): Tensor[] {
  const visited = new Set<Tensor>();
  const postOrder: Tensor[] = [];
  const stack: { t: Tensor; next: number }[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push({ t: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const inputs = top.t.gradFn?.inputs ?? [];
      if (top.next < inputs.length) {
        const child = inputs[top.next++];
        if (child.requiresGrad && !visited.has(child)) {
          visited.add(child);
          stack.push({ t: child, next: 0 });
        }
      } else {
        postOrder.push(top.t);
        stack.pop();
      }
    }
  }
  return postOrder.reverse();
}

function add(a: Tensor, b: Tensor): Tensor {
  return getOp<Record<string, never>>("add")([a, b], {});
}

interface Pass {
  /** Gradients of the requested tensors (for `autograd.grad`); undefined: accumulate into leaves' `.grad`. */
  targets?: Map<Tensor, Tensor | null>;
  createGraph: boolean;
  retainGraph: boolean;
}

/** Adds `g` into a leaf's `.grad`: in place when no graph is being built, like PyTorch. */
function accumulateLeafGrad(leaf: Tensor, g: Tensor, pass: Pass, owned: Set<Tensor>): void {
  const existing = leaf.grad;
  if (existing === null) {
    // A leaf's gradient must own contiguous memory, so later in-place accumulation is safe: steal g only
    // when nothing else (the caller's seed, another leaf, a view's base) shares its storage.
    const exclusive = g.isContiguous && !owned.has(g) && g.storage.lease.refs === 1;
    const value = (pass.createGraph && g.requiresGrad) || exclusive ? g : materialize(g);
    owned.add(value);
    leaf.grad = value;
  } else if (pass.createGraph || existing.requiresGrad) {
    leaf.grad = add(existing, g);
  } else {
    const sum = withGradMode(false, () => add(existing, g));
    runKernel("copy", [sum], [existing], {});
    existing.storage.version++;
    sum.dispose();
  }
}

/** The reverse pass shared by `tensor.backward()` and `autograd.grad()`. */
function runBackward(roots: readonly Tensor[], seeds: readonly Tensor[], pass: Pass): void {
  const order = topologicalOrder(roots);
  const grads = new Map<Tensor, Tensor>();
  const holders = new Map<Tensor, number>();
  const hold = (g: Tensor): void => void holders.set(g, (holders.get(g) ?? 0) + 1);
  const owned = new Set<Tensor>(seeds);
  const leafGrads = new Set<Tensor>(seeds);
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = grads.get(t);
    const next = prev === undefined ? g : add(prev, g);
    if (prev !== undefined) holders.set(prev, (holders.get(prev) ?? 1) - 1);
    grads.set(t, next);
    hold(next);
  };
  roots.forEach((r, i) => accumulate(r, seeds[i]));

  withGradMode(pass.createGraph, () => {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      holders.set(g, (holders.get(g) ?? 1) - 1);
      if (pass.targets?.has(t)) {
        pass.targets.set(t, g);
        owned.add(g);
      } else if (!pass.targets && t.retainsGradient) {
        accumulateLeafGrad(t, g, pass, leafGrads);
        owned.add(t.grad as Tensor);
      }
      const node = t.gradFn;
      if (node) {
        const inputGrads = node.apply(g);
        node.inputs.forEach((input, i) => {
          const gi = inputGrads[i];
          if (!input.requiresGrad || gi === null || gi === undefined) return;
          check(gi.shape.length === input.shape.length && gi.shape.every((d, k) => d === input.shape[k]), "backward",
            () => `gradient of ${node.name} for input ${i} has shape ${fmtShape(gi.shape)} but the input has shape ${fmtShape(input.shape)}`);
          accumulate(input, gi);
        });
        if (!pass.retainGraph) node.release();
      }
      // Free intermediate gradients as soon as nothing refers to them (saves memory outside tidy).
      if (!pass.createGraph && !owned.has(g) && (holders.get(g) ?? 0) <= 0 && !leafGrads.has(g)) g.dispose();
    }
  });
}

function seedGradients(roots: readonly Tensor[], grads: readonly Tensor[] | undefined, where: string): Tensor[] {
  return roots.map((r, i) => {
    check(r.requiresGrad, where, () => `tensor ${i} (shape ${fmtShape(r.shape)}) does not require grad and has no gradFn`);
    const g = grads?.[i];
    if (g === undefined || g === null) {
      check(r.size === 1, where, () => `grad can be created implicitly only for scalar outputs, got shape ${fmtShape(r.shape)}; pass a gradient`);
      return getOp<{ shape: readonly number[]; value: number; dtype: string }>("full")([], { shape: r.shape, value: 1, dtype: r.dtype });
    }
    check(g.shape.length === r.shape.length && g.shape.every((d, k) => d === r.shape[k]), where,
      () => `gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(r.shape)}`);
    return g;
  });
}

/** Backward from `roots`, accumulating into the `.grad` of every leaf that requires grad. */
export function backward(roots: readonly Tensor[], grads: readonly Tensor[] | undefined, options: BackwardOptions = {}): void {
  const seeds = seedGradients(roots, grads, "backward");
  runBackward(roots, seeds, { createGraph: options.createGraph ?? false, retainGraph: options.retainGraph ?? options.createGraph ?? false });
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (default: ones, for scalar outputs). */
  gradOutputs?: readonly Tensor[];
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, without touching any `.grad`, like
 * `torch.autograd.grad`. With `createGraph: true` the result can be differentiated again.
 * @example const [dx] = tl.autograd.grad(y, [x], { createGraph: true });
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const roots = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  for (const x of inputs) check(x.requiresGrad, "autograd.grad", () => `input of shape ${fmtShape(x.shape)} does not require grad`);
  const seeds = seedGradients(roots, options.gradOutputs, "autograd.grad");
  const targets = new Map<Tensor, Tensor | null>(inputs.map((x) => [x, null]));
  const createGraph = options.createGraph ?? false;
  runBackward(roots, seeds, { targets, createGraph, retainGraph: options.retainGraph ?? createGraph });
  return inputs.map((x, i) => {
    const g = targets.get(x) ?? null;
    if (g === null && !options.allowUnused) {
      throw tensileError("autograd.grad", `input ${i} was not used to compute the outputs; pass { allowUnused: true } to get null`);
    }
    return g;
  });
}
