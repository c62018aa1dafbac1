import { tensileError } from "../core/errors.js";
import type { Backend, KernelInfo } from "./backend.js";

const backends = new Map<string, Backend>();
const priorities = new Map<string, number>();
let active: Backend | null = null;
const warnedFallbacks = new Set<string>();

/** Makes a backend available; the highest priority one becomes active unless one was chosen. */
export function registerBackend(backend: Backend, priority: number): void {
  backends.set(backend.name, backend);
  priorities.set(backend.name, priority);
  if (active === null || (priorities.get(active.name) ?? 0) < priority) active = backend;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

export function getBackend(name?: string): Backend {
  if (name === undefined) {
    if (active === null) throw tensileError("backend", "no backend is registered (import Tensile from its entry point)");
    return active;
  }
  const backend = backends.get(name);
  if (!backend) throw tensileError("setBackend", `unknown backend "${name}"; available: ${listBackends().join(", ")}`);
  return backend;
}

/** Chooses the backend new tensors are created on, like `tl.setBackend("js")`. */
export function setBackend(name: string): void {
  active = getBackend(name);
}

/**
 * The kernel for `op` on `backend`. A backend that lacks it falls back to the js reference kernel
 * with a one-time warning, never a crash.
 */
export function findKernel(op: string, backend: Backend): { kernel: KernelInfo; backend: Backend } {
  const own = backend.kernels.get(op);
  if (own) return { kernel: own, backend };
  const reference = backends.get("js");
  const fallback = reference?.kernels.get(op);
  if (!reference || !fallback) throw tensileError(op, `no kernel for op "${op}" on backend "${backend.name}"`);
  if (!warnedFallbacks.has(`${op}/${backend.name}`)) {
    warnedFallbacks.add(`${op}/${backend.name}`);
    console.warn(`Tensile: backend "${backend.name}" has no kernel for "${op}"; using the js kernel`);
  }
  return { kernel: fallback, backend: reference };
}
