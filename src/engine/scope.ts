import type { Tensor } from "./tensor.js";

/** Tensors created inside each open `tidy`, innermost last. */
const scopes: Set<Tensor>[] = [];

/** @internal Called by the Tensor constructor. */
export function trackTensor(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

/** Collects every tensor in a value returned from `tidy` (tensors, arrays, plain objects, Maps). */
function collectTensors(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out, isTensor, seen);
  else if (value instanceof Map) for (const v of value.values()) collectTensors(v, out, isTensor, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, isTensor, seen);
  }
}

/** Adds the tensors a kept tensor's autograd graph still needs, so `backward()` works after `tidy`. */
function collectGraph(roots: Set<Tensor>): Set<Tensor> {
  const keep = new Set<Tensor>(roots);
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    const node = t.gradFn;
    if (!node) continue;
    for (const r of node.references()) {
      if (!keep.has(r)) {
        keep.add(r);
        stack.push(r);
      }
    }
  }
  return keep;
}

function closeScope(scope: Set<Tensor>, result: unknown, isTensor: (v: unknown) => v is Tensor): void {
  if (result === null || typeof result !== "object") {
    // Nothing returned (or a number): every tensor made here goes, without walking a result.
    for (const t of scope) if (!t.isKept) t.dispose();
    return;
  }
  const returned = new Set<Tensor>();
  collectTensors(result, returned, isTensor);
  const keep = collectGraph(returned);
  const parent = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (t.isKept) continue;
    if (keep.has(t)) parent?.add(t);
    else t.dispose();
  }
}

let tensorCheck: ((v: unknown) => v is Tensor) | null = null;

/** @internal The Tensor class registers its instanceof check here (avoids an import cycle). */
export function setTensorCheck(fn: (v: unknown) => v is Tensor): void {
  tensorCheck = fn;
}

/**
 * Runs `fn` and disposes every tensor it created, except what it returns (and the autograd graph
 * behind that) and kept tensors (parameters, gradients, optimizer state). Works with async `fn` too;
 * async scopes must not overlap.
 * @example const loss = tl.tidy(() => model.forward(x).sub(y).square().mean());
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  const isTensor = tensorCheck as (v: unknown) => v is Tensor;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    closeScope(scope, undefined, isTensor);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        removeScope(scope);
        closeScope(scope, value, isTensor);
        return value;
      },
      (error) => {
        removeScope(scope);
        closeScope(scope, undefined, isTensor);
        throw error;
      },
    ) as T;
  }
  scopes.pop();
  closeScope(scope, result, isTensor);
  return result;
}

function removeScope(scope: Set<Tensor>): void {
  const i = scopes.lastIndexOf(scope);
  if (i >= 0) scopes.splice(i, 1);
}

/** Disposes tensors (and tensors inside arrays or objects). */
export function dispose(value: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(value, found, tensorCheck as (v: unknown) => v is Tensor);
  for (const t of found) t.dispose();
}
