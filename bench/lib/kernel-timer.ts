/**
 * Per-kernel timing for the profiling scripts under bench/micro: wraps every kernel of a backend with a
 * timer. Install it before any op runs — dispatch caches kernel lookups, so ops that already ran keep
 * calling the unwrapped kernel.
 */
import type { Kernel, KernelInfo } from "../../src/backend/backend.js";
import { getBackend } from "../../src/backend/registry.js";

export interface KernelTime {
  ms: number;
  calls: number;
}

/** Extra keys to charge a call to besides the kernel's name (e.g. the name with its input shapes). */
export type ExtraKeys = (name: string, ...args: Parameters<Kernel>) => readonly string[];

/** Wraps every kernel of `backendName` (default: the active backend); returns the live table of time per key. */
export function timeKernels(backendName?: string, extraKeys?: ExtraKeys): Map<string, KernelTime> {
  const spent = new Map<string, KernelTime>();
  const charge = (key: string, ms: number): void => {
    const e = spent.get(key) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    spent.set(key, e);
  };
  const kernels = getBackend(backendName).kernels as Map<string, KernelInfo>;
  for (const [name, info] of [...kernels]) {
    const run = info.run;
    kernels.set(name, {
      ...info,
      run: (inputs, outputs, attrs) => {
        const t0 = performance.now();
        run(inputs, outputs, attrs);
        const ms = performance.now() - t0;
        charge(name, ms);
        if (extraKeys) for (const key of extraKeys(name, inputs, outputs, attrs)) charge(key, ms);
      },
    });
  }
  return spent;
}
