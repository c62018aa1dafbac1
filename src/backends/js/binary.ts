import type { KernelInfo } from "../../backend/backend.js";
import type { Kernel, TensorView } from "../../backend/backend.js";
import { isContiguous } from "../../core/layout.js";
import { binaryKernel, where } from "./elementwise.js";
import { dataOf } from "./storage.js";

const strided = (run: KernelInfo["run"]): KernelInfo => ({ run, strided: true });
const bool = (b: boolean): number => (b ? 1 : 0);

type Arith = "add" | "sub" | "mul" | "div";

function isBroadcastScalar(v: TensorView): boolean {
  return v.strides.every((st) => st === 0);
}

/**
 * add/sub/mul/div with the arithmetic written out in each loop: V8 cannot inline the per-element
 * callback of the generic kernel once many ops share it, and these four dominate optimizer updates.
 */
function arithmetic(op: Arith): Kernel {
  const general = binaryKernel(op === "add" ? (a, b) => a + b : op === "sub" ? (a, b) => a - b : op === "mul" ? (a, b) => a * b : (a, b) => a / b);
  return (inputs, outputs, attrs) => {
    const [a, b] = inputs;
    const dst = dataOf(outputs[0]);
    const da = dataOf(a);
    const db = dataOf(b);
    const n = dst.length;
    const oa = a.offset;
    const ob = b.offset;
    if (isContiguous(a) && isContiguous(b)) {
      switch (op) {
        case "add": for (let i = 0; i < n; i++) dst[i] = da[oa + i] + db[ob + i]; return;
        case "sub": for (let i = 0; i < n; i++) dst[i] = da[oa + i] - db[ob + i]; return;
        case "mul": for (let i = 0; i < n; i++) dst[i] = da[oa + i] * db[ob + i]; return;
        case "div": for (let i = 0; i < n; i++) dst[i] = da[oa + i] / db[ob + i]; return;
      }
    }
    if (isContiguous(a) && isBroadcastScalar(b)) {
      const v = db[ob];
      switch (op) {
        case "add": for (let i = 0; i < n; i++) dst[i] = da[oa + i] + v; return;
        case "sub": for (let i = 0; i < n; i++) dst[i] = da[oa + i] - v; return;
        case "mul": for (let i = 0; i < n; i++) dst[i] = da[oa + i] * v; return;
        case "div": for (let i = 0; i < n; i++) dst[i] = da[oa + i] / v; return;
      }
    }
    general(inputs, outputs, attrs);
  };
}

/** The reference kernels of the broadcasting binary ops (inputs arrive already broadcast). */
export const binaryKernels: Record<string, KernelInfo> = {
  add: strided(arithmetic("add")),
  sub: strided(arithmetic("sub")),
  mul: strided(arithmetic("mul")),
  div: strided(arithmetic("div")),
  /** Integer division that rounds toward negative infinity (floor_divide). */
  floorDiv: strided(binaryKernel((a, b) => Math.floor(a / b))),
  remainder: strided(binaryKernel((a, b) => a - Math.floor(a / b) * b)),
  pow: strided(binaryKernel(Math.pow)),
  maximum: strided(binaryKernel((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b))),
  minimum: strided(binaryKernel((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b))),
  eq: strided(binaryKernel((a, b) => bool(a === b))),
  ne: strided(binaryKernel((a, b) => bool(a !== b))),
  lt: strided(binaryKernel((a, b) => bool(a < b))),
  le: strided(binaryKernel((a, b) => bool(a <= b))),
  gt: strided(binaryKernel((a, b) => bool(a > b))),
  ge: strided(binaryKernel((a, b) => bool(a >= b))),
  logicalAnd: strided(binaryKernel((a, b) => bool(a !== 0 && b !== 0))),
  logicalOr: strided(binaryKernel((a, b) => bool(a !== 0 || b !== 0))),
  logicalXor: strided(binaryKernel((a, b) => bool((a !== 0) !== (b !== 0)))),
  where: strided(where),
};
