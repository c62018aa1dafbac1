/** Affine layers: `Identity`, `Linear`, `Bilinear`. */
import { check, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { zeros } from "../../ops/creation.js";
import { linear, matmul } from "../../ops/matmul.js";
import { add, mul } from "../../ops/binary.js";
import { permute, reshape, unsqueeze } from "../../ops/movement.js";
import { sum } from "../../ops/reduce.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { Module } from "../module.js";
import { parameterFrom, type Parameter } from "../parameter.js";

/** Options of `Linear` and `Bilinear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** dtype of the parameters (default float32; float64 for gradient checks). */
  dtype?: "float32" | "float64";
}

function checkFeatures(where: string, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    check(Number.isInteger(v) && v >= 0, where, () => `${name} must be a whole number ≥ 0, got ${v}`);
  }
}

/**
 * Returns its input unchanged: a placeholder that keeps a model's structure (and parameter names)
 * when a layer is removed. Constructor arguments are accepted and ignored, like PyTorch's.
 * @example model.fc = new tl.nn.Identity();
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * y = x·Wᵀ + b, like `torch.nn.Linear`: weight [outFeatures, inFeatures], bias [outFeatures], input
 * [..., inFeatures]. Initialized as PyTorch does: W ~ kaimingUniform(a = √5), i.e. U(±1/√inFeatures),
 * and b ~ U(±1/√inFeatures).
 * @example const fc = new tl.nn.Linear(784, 10); fc.call(tl.randn([32, 784])).shape // [32, 10]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  declare bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkFeatures("Linear", { inFeatures, outFeatures });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? "float32";
    this.weight = parameterFrom(zeros([outFeatures, inFeatures], { dtype }));
    this.registerParameter("bias", options.bias ?? true ? parameterFrom(zeros([outFeatures], { dtype })) : null);
    this.resetParameters();
  }

  /** Draws fresh initial values, exactly like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * y[..., o] = Σᵢⱼ x1[..., i]·W[o, i, j]·x2[..., j] + b[o], like `torch.nn.Bilinear`: weight
 * [out, in1, in2]; the inputs share their leading dims. Initialized U(±1/√in1) for W and b.
 * @example new tl.nn.Bilinear(20, 30, 40).call(tl.randn([128, 20]), tl.randn([128, 30])).shape // [128, 40]
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  declare bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkFeatures("Bilinear", { in1Features, in2Features, outFeatures });
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? "float32";
    this.weight = parameterFrom(zeros([outFeatures, in1Features, in2Features], { dtype }));
    this.registerParameter("bias", options.bias ?? true ? parameterFrom(zeros([outFeatures], { dtype })) : null);
    this.resetParameters();
  }

  /** Draws fresh initial values, exactly like PyTorch's `reset_parameters`. */
  resetParameters(): void {
    const bound = this.in1Features > 0 ? 1 / Math.sqrt(this.in1Features) : 0;
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    const { in1Features: in1, in2Features: in2, outFeatures: out } = this;
    check(x1.ndim >= 1 && x1.shape[x1.ndim - 1] === in1 && x2.ndim >= 1 && x2.shape[x2.ndim - 1] === in2, "Bilinear",
      () => `inputs have shapes ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}: their last dims must be ${in1} and ${in2}`);
    const lead = x1.shape.slice(0, -1);
    check(fmtShape(lead) === fmtShape(x2.shape.slice(0, -1)), "Bilinear",
      () => `inputs have shapes ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}: all dims but the last must match`);
    const n = lead.reduce((a, b) => a * b, 1);
    // t[n, o, j] = Σᵢ x1[n, i]·W[o, i, j]: one matmul against W laid out as [in1, out·in2].
    const w = reshape(permute(this.weight, [1, 0, 2]), [in1, out * in2]);
    const t = reshape(matmul(reshape(x1, [n, in1]), w), [n, out, in2]);
    let y = sum(mul(t, unsqueeze(reshape(x2, [n, in2]), 1)), { dim: -1 }); // [n, out]
    if (this.bias) y = add(y, this.bias);
    return reshape(y, [...lead, out]);
  }

  override extraRepr(): string {
    return `in1Features=${this.in1Features}, in2Features=${this.in2Features}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
