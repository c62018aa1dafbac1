/**
 * The native backend: C++ kernels behind the addon built at `npm install` (native/). It becomes
 * the default backend when it loads; `TENSILE_BACKEND=js` or `tl.setBackend("js")` switch back.
 */
import { isMainThread } from "node:worker_threads";
import type { DType, TypedArray } from "../../core/dtype.js";
import { check } from "../../core/errors.js";
import type { Backend, Kernel, KernelInfo, Storage, StorageLease } from "../../backend/backend.js";
import { registerBackend, setBackend } from "../../backend/registry.js";
import { jsBackend } from "../js/index.js";
import type { NativeAddon, NativeMemoryStats } from "./abi.js";
import { loadAddon } from "./addon.js";
import { bindAddon } from "./frame.js";
import { binaryKernels } from "./kernels/binary.js";
import { convKernels } from "./kernels/conv.js";
import { copyKernels } from "./kernels/copy.js";
import { nativeKernel, type NativeKernelTable } from "./kernels/define.js";
import { gemmKernels } from "./kernels/gemm.js";
import { linearKernels } from "./kernels/linear.js";
import { poolKernels } from "./kernels/pool.js";
import { optimKernels } from "./kernels/optim.js";
import { normKernels } from "./kernels/norm.js";
import { indexKernels } from "./kernels/index.js";
import { movementKernels } from "./kernels/movement.js";
import { randomKernels } from "./kernels/random.js";
import { recurrentKernels } from "./kernels/recurrent.js";
import { reduceKernels } from "./kernels/reduce.js";
import { softmaxKernels } from "./kernels/softmax.js";
import { unaryKernels } from "./kernels/unary.js";
import { NativeMemory, type NativeLease, type NativeStorage } from "./storage.js";

/** Every family's wrappers: one line per family (its C++ file lists the same names). */
const FAMILIES: readonly NativeKernelTable[] = [
  copyKernels,
  randomKernels,
  unaryKernels,
  binaryKernels,
  reduceKernels,
  gemmKernels,
  convKernels,
  poolKernels,
  softmaxKernels,
  optimKernels,
  normKernels,
  recurrentKernels,
  indexKernels,
  movementKernels,
  linearKernels,
];

/** Priority above js (0): the native backend is the default when it loads. */
const NATIVE_PRIORITY = 10;

let loaded: NativeAddon | null = null;

/** Builds the backend over a loaded addon. */
export function createNativeBackend(addon: NativeAddon): Backend {
  bindAddon(addon);
  const kernels = new Map<string, KernelInfo>();
  const backend: Backend = {
    name: "native",
    alloc(dtype: DType, size: number, zero?: boolean): Storage {
      return memory.alloc(dtype, size, zero);
    },
    free(storage: Storage): void {
      memory.release(storage as NativeStorage);
    },
    reclaim(lease: StorageLease): void {
      memory.reclaim(lease as NativeLease);
    },
    read(storage: Storage, offset: number, size: number): TypedArray {
      return (storage as NativeStorage).data.slice(offset, offset + size);
    },
    write(storage: Storage, data: TypedArray): void {
      (storage as NativeStorage).data.set(data);
    },
    kernels,
  };
  const memory = new NativeMemory(addon, backend, { poison: typeof process !== "undefined" && process.env.TENSILE_POISON_OUTPUTS === "1" });
  const specs = new Map<string, NativeKernelTable[string]>();
  for (const family of FAMILIES) for (const [name, spec] of Object.entries(family)) specs.set(name, spec);
  addon.listKernels().forEach((name, index) => {
    const spec = specs.get(name);
    if (spec) kernels.set(name, nativeKernel(name, index, spec, jsBackend.kernels.get(name)?.run));
  });
  // Ops without a native kernel yet run the js kernel straight on native memory (storages share
  // the `data` view), with one warning per op instead of a copy to js storage and back.
  for (const [name, info] of jsBackend.kernels) {
    if (!kernels.has(name)) kernels.set(name, borrowed(name, info));
  }
  return backend;
}

const warned = new Set<string>();

function borrowed(name: string, info: KernelInfo): KernelInfo {
  const run: Kernel = (inputs, outputs, attrs) => {
    if (!warned.has(name)) {
      warned.add(name);
      console.warn(`Tensile: the native backend has no "${name}" kernel yet; running the js kernel on native memory`);
    }
    info.run(inputs, outputs, attrs);
  };
  return { run, strided: info.strided };
}

/**
 * Loads the addon and registers the native backend above js; honours `TENSILE_BACKEND` (js or
 * native). When the addon is missing, prints one warning and leaves js active (no warning when js
 * was asked for).
 */
export function registerNativeBackend(): void {
  const choice = typeof process === "undefined" ? undefined : process.env.TENSILE_BACKEND;
  const load = loadAddon();
  if (load.addon === null) {
    if (choice !== "js") console.warn(`Tensile: native backend unavailable (${load.reason}); using js`);
    return;
  }
  loaded = load.addon;
  // Each worker_thread gets its own addon instance and thread pool; one thread by default, so that
  // workers and the main thread's pool do not oversubscribe the cores (tl.setNumThreads raises it).
  if (!isMainThread) load.addon.setNumThreads(1);
  registerBackend(createNativeBackend(load.addon), NATIVE_PRIORITY);
  if (choice === "js") setBackend("js");
  else if (choice !== undefined && choice !== "" && choice !== "native") {
    console.warn(`Tensile: TENSILE_BACKEND="${choice}" is not a backend (js, native); using native`);
  }
}

/**
 * Sets the number of threads native kernels use (the calling thread included), like
 * `torch.set_num_threads`. The default is the CPUs this process may use, or `TENSILE_NUM_THREADS`;
 * in a worker_thread the default is 1, and the setting applies to that thread's kernels only.
 * No effect on the js backend.
 * @example tl.setNumThreads(2)
 */
export function setNumThreads(n: number): void {
  check(Number.isInteger(n) && n >= 1, "setNumThreads", () => `n must be a whole number ≥ 1, got ${n}`);
  loaded?.setNumThreads(n);
}

/** Threads native kernels use (1 when the native backend is not loaded). */
export function getNumThreads(): number {
  return loaded?.getNumThreads() ?? 1;
}

/** @internal The loaded addon (tests and benchmarks switch ISA levels and read allocator counters). */
export function nativeAddon(): NativeAddon | null {
  return loaded;
}

export type { NativeMemoryStats };
