import type { DType, TypedArray } from "../../core/dtype.js";
import type { Backend, KernelInfo, Storage } from "../../backend/backend.js";
import { arange, assign, copy, eye, fill, normal, randint, randperm, uniform } from "./basic.js";
import { binaryKernels } from "./binary.js";
import { convKernels } from "./conv.js";
import { indexingKernels } from "./indexing.js";
import { linearKernels } from "./linear.js";
import { matmulKernels } from "./matmul.js";
import { movementKernels } from "./movement.js";
import { nnKernels } from "./nn.js";
import { optimKernels } from "./optim.js";
import { normKernels } from "./norm.js";
import { poolKernels } from "./pool.js";
import { recurrentKernels } from "./recurrent.js";
import { reduceKernels } from "./reduce.js";
import { sampleKernels } from "./sample.js";
import { softmaxKernels } from "./softmax.js";
import { allocJs, freeJs, type JsStorage } from "./storage.js";
import { unaryKernels } from "./unary.js";

const contiguousOnly = (run: KernelInfo["run"]): KernelInfo => ({ run, strided: false });
const anyStrides = (run: KernelInfo["run"]): KernelInfo => ({ run, strided: true });

const kernels = new Map<string, KernelInfo>(Object.entries({
  copy: anyStrides(copy),
  assign: anyStrides(assign),
  cast: anyStrides(copy),
  full: contiguousOnly(fill),
  arange: contiguousOnly(arange),
  eye: contiguousOnly(eye),
  uniform: contiguousOnly(uniform),
  normal: contiguousOnly(normal),
  randint: contiguousOnly(randint),
  randperm: contiguousOnly(randperm),
  ...unaryKernels,
  ...binaryKernels,
  ...reduceKernels,
  ...movementKernels,
  ...indexingKernels,
  ...matmulKernels,
  ...linearKernels,
  ...convKernels,
  ...poolKernels,
  ...nnKernels,
  ...normKernels,
  ...recurrentKernels,
  ...sampleKernels,
  ...softmaxKernels,
  ...optimKernels,
}));

/** The reference backend: plain TypeScript over typed arrays; runs everywhere and is the oracle for the others. */
export const jsBackend: Backend = {
  name: "js",
  alloc(dtype: DType, size: number): Storage {
    return allocJs(jsBackend, dtype, size);
  },
  free(storage: Storage): void {
    freeJs(storage);
  },
  reclaim(): void {
    // A collected js storage took its typed array with it: nothing else to free.
  },
  read(storage: Storage, offset: number, size: number): TypedArray {
    return (storage as JsStorage).data.slice(offset, offset + size);
  },
  write(storage: Storage, data: TypedArray): void {
    (storage as JsStorage).data.set(data);
  },
  kernels,
};
