/**
 * The benchmark networks in Tensile, shaped and initialized as their PyTorch twins in
 * bench/peers/torch_bench.py. Convolution, batch norm and LSTM use Tensile's own layers when
 * `tl.nn` has them (checked by parameter count and output shape); otherwise the bench builds them
 * here from `tl.nn.functional` and plain ops, with parameters laid out as in PyTorch, and says so.
 */
import * as tl from "../../src/index.js";

const F = tl.nn.functional;
type Tensor = tl.Tensor;

/** A module whose forward maps one tensor to one tensor. */
export interface Net extends tl.nn.Module {
  forward(x: Tensor): Tensor;
}

/** A parameter of `shape` holding zeros (initialized by the caller). */
function param(shape: number[]): tl.nn.Parameter {
  const t = tl.zeros(shape);
  const p = new tl.nn.Parameter(t);
  t.dispose();
  return p;
}

/** PyTorch's default initialization of conv and linear layers: U(±1/√fanIn) for weight and bias. */
function resetLikeTorch(weight: Tensor, bias: Tensor | null): void {
  tl.nn.init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = tl.nn.init.calculateFanInAndFanOut(weight);
    tl.nn.init.uniform_(bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  }
}

interface ConvOptions { stride?: number; padding?: number; bias?: boolean }

/** `nn.Conv2d` from `F.conv2d`. */
class Conv2dOps extends tl.nn.Module {
  weight: tl.nn.Parameter;
  bias: tl.nn.Parameter | null;
  private readonly stride: number;
  private readonly padding: number;

  constructor(inC: number, outC: number, k: number, options: ConvOptions = {}) {
    super();
    this.weight = param([outC, inC, k, k]);
    this.bias = options.bias ?? true ? param([outC]) : null;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    resetLikeTorch(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

/** `nn.BatchNorm2d` from `F.batchNorm`: weight 1, bias 0, running mean 0 and variance 1. */
class BatchNorm2dOps extends tl.nn.Module {
  weight: tl.nn.Parameter;
  bias: tl.nn.Parameter;
  declare runningMean: Tensor;
  declare runningVar: Tensor;

  constructor(channels: number) {
    super();
    this.weight = param([channels]);
    tl.nn.init.ones_(this.weight);
    this.bias = param([channels]);
    this.registerBuffer("runningMean", tl.zeros([channels]));
    this.registerBuffer("runningVar", tl.ones([channels]));
  }

  forward(x: Tensor): Tensor {
    return F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training });
  }
}

/**
 * A one-layer LSTM (PyTorch's gate order i, f, g, o and its four parameters) returning the last hidden
 * state. The input projection of every time step is one matmul, as in PyTorch's CPU kernel.
 */
class LstmOps extends tl.nn.Module {
  weightIh: tl.nn.Parameter;
  weightHh: tl.nn.Parameter;
  biasIh: tl.nn.Parameter;
  biasHh: tl.nn.Parameter;

  constructor(readonly inputSize: number, readonly hiddenSize: number) {
    super();
    const h = hiddenSize;
    this.weightIh = param([4 * h, inputSize]);
    this.weightHh = param([4 * h, h]);
    this.biasIh = param([4 * h]);
    this.biasHh = param([4 * h]);
    for (const p of [this.weightIh, this.weightHh, this.biasIh, this.biasHh]) tl.nn.init.uniform_(p, -1 / Math.sqrt(h), 1 / Math.sqrt(h));
  }

  forward(x: Tensor): Tensor {
    const [b, steps, input] = x.shape;
    const h = this.hiddenSize;
    const projected = F.linear(x.reshape([b * steps, input]), this.weightIh, this.biasIh).reshape([b, steps, 4 * h]);
    let hidden = tl.zeros([b, h]);
    let cell = tl.zeros([b, h]);
    for (let t = 0; t < steps; t++) {
      const gates = projected.select(1, t).add(F.linear(hidden, this.weightHh, this.biasHh));
      const i = gates.narrow(1, 0, h).sigmoid();
      const f = gates.narrow(1, h, h).sigmoid();
      const g = gates.narrow(1, 2 * h, h).tanh();
      const o = gates.narrow(1, 3 * h, h).sigmoid();
      cell = f.mul(cell).add(i.mul(g));
      hidden = o.mul(cell.tanh());
    }
    return hidden;
  }
}

/** How layers are made: Tensile's own (`library`) or the bench's stand-ins above (`ops`). */
interface LayerKit {
  conv2d(inC: number, outC: number, k: number, options?: ConvOptions): Net;
  batchNorm2d(channels: number): Net;
  /** An LSTM over [batch, steps, input] returning the last hidden state [batch, hidden]. */
  lstmLast(input: number, hidden: number): Net;
}

const opsKit: LayerKit = {
  conv2d: (inC, outC, k, options) => new Conv2dOps(inC, outC, k, options),
  batchNorm2d: (c) => new BatchNorm2dOps(c),
  lstmLast: (i, h) => new LstmOps(i, h),
};

type AnyCtor = new (...args: unknown[]) => tl.nn.Module;

/** A layer class of `tl.nn` by name, when this version of Tensile has it. */
function libraryLayer(name: string): AnyCtor | null {
  const value = (tl.nn as unknown as Record<string, unknown>)[name];
  return typeof value === "function" ? (value as AnyCtor) : null;
}

/** Wraps a library LSTM (PyTorch-style result: output, or [output, state]) to return the last hidden state. */
class LastStep extends tl.nn.Module {
  constructor(readonly lstm: tl.nn.Module) {
    super();
  }

  forward(x: Tensor): Tensor {
    const run = this.lstm as unknown as { call(x: Tensor): unknown };
    let out = run.call(x);
    if (Array.isArray(out)) out = out[0];
    if (out && typeof out === "object" && !(out instanceof tl.Tensor) && "output" in out) out = (out as { output: unknown }).output;
    if (!(out instanceof tl.Tensor)) throw new Error("tl.nn.LSTM returned something other than a tensor or [output, state]");
    return out.select(1, out.shape[1] - 1);
  }
}

/** The library kit, or null with the reason when a layer the workload needs is missing. */
function libraryKit(needs: readonly string[]): LayerKit | string {
  const missing = needs.filter((n) => libraryLayer(n) === null);
  if (missing.length > 0) return `no ${missing.map((n) => `tl.nn.${n}`).join(", ")} yet: built from tl.nn.functional and ops`;
  return {
    conv2d: (inC, outC, k, options = {}) => new (libraryLayer("Conv2d") as AnyCtor)(inC, outC, k,
      { stride: options.stride ?? 1, padding: options.padding ?? 0, bias: options.bias ?? true }) as Net,
    batchNorm2d: (c) => new (libraryLayer("BatchNorm2d") as AnyCtor)(c) as Net,
    lstmLast: (i, h) => new LastStep(new (libraryLayer("LSTM") as AnyCtor)(i, h, { batchFirst: true })) as Net,
  };
}

function countParameters(m: tl.nn.Module): number {
  return m.parameters().reduce((s, p) => s + p.size, 0);
}

/** A model and how it was built. */
export interface Built { model: Net; note: string }

/**
 * Builds with Tensile's layers when present and they give PyTorch's parameter count and output shape;
 * otherwise with the bench's stand-ins.
 */
function build(needs: readonly string[], make: (kit: LayerKit) => Net, expectParams: number, input: number[], output: number[]): Built {
  const kit = libraryKit(needs);
  if (typeof kit !== "string") {
    try {
      const model = make(kit);
      const n = countParameters(model);
      const shape = tl.tidy(() => tl.noGrad(() => model.forward(tl.randn(input)).shape));
      if (n === expectParams && shape.join() === output.join()) return { model, note: `layers: ${needs.map((x) => `tl.nn.${x}`).join(", ")}` };
      return { model: make(opsKit), note: `tl.nn layers gave ${n} parameters and shape [${shape}] (expected ${expectParams}, [${output}]): built from ops` };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return { model: make(opsKit), note: `tl.nn layers failed (${why.slice(0, 80)}): built from ops` };
    }
  }
  return { model: make(opsKit), note: kit };
}

/** A module calling its children in order, typed as a Net. */
function seq(...layers: tl.nn.Module[]): Net {
  return new tl.nn.Sequential(...layers) as unknown as Net;
}

/** W3/W6: conv(1→32) ReLU maxpool · conv(32→64) ReLU maxpool · flatten · linear(1600→128) ReLU · linear(128→10). */
export function smallCnn(): Built {
  const pool = (): Net => new Lambda((x) => F.maxPool2d(x, { kernelSize: 2 }));
  return build(["Conv2d"], (kit) => seq(
    kit.conv2d(1, 32, 3), new tl.nn.ReLU(), pool(),
    kit.conv2d(32, 64, 3), new tl.nn.ReLU(), pool(),
    new tl.nn.Flatten(), new tl.nn.Linear(1600, 128), new tl.nn.ReLU(), new tl.nn.Linear(128, 10),
  ), 225034, [2, 1, 28, 28], [2, 10]);
}

/** A parameterless module from a function. */
class Lambda extends tl.nn.Module {
  constructor(private readonly fn: (x: Tensor) => Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** ResNet's basic block; the shortcut is a 1×1 conv + BN where the shape changes (PyTorch's option B). */
class BasicBlock extends tl.nn.Module {
  conv1: Net;
  bn1: Net;
  conv2: Net;
  bn2: Net;
  shortcut: Net | null;

  constructor(kit: LayerKit, inC: number, outC: number, stride: number) {
    super();
    this.conv1 = kit.conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
    this.bn1 = kit.batchNorm2d(outC);
    this.conv2 = kit.conv2d(outC, outC, 3, { padding: 1, bias: false });
    this.bn2 = kit.batchNorm2d(outC);
    this.shortcut = stride !== 1 || inC !== outC ? seq(kit.conv2d(inC, outC, 1, { stride, bias: false }), kit.batchNorm2d(outC)) : null;
  }

  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    return out.add(this.shortcut ? this.shortcut.forward(x) : x).relu();
  }
}

class ResNet20 extends tl.nn.Module {
  conv1: Net;
  bn1: Net;
  layer1: Net;
  layer2: Net;
  layer3: Net;
  fc: tl.nn.Linear;

  constructor(kit: LayerKit) {
    super();
    this.conv1 = kit.conv2d(3, 16, 3, { padding: 1, bias: false });
    this.bn1 = kit.batchNorm2d(16);
    const stage = (inC: number, outC: number, stride: number): Net => seq(
      new BasicBlock(kit, inC, outC, stride), new BasicBlock(kit, outC, outC, 1), new BasicBlock(kit, outC, outC, 1));
    this.layer1 = stage(16, 16, 1);
    this.layer2 = stage(16, 32, 2);
    this.layer3 = stage(32, 64, 2);
    this.fc = new tl.nn.Linear(64, 10);
  }

  forward(x: Tensor): Tensor {
    let out = this.bn1.forward(this.conv1.forward(x)).relu();
    out = this.layer3.forward(this.layer2.forward(this.layer1.forward(out)));
    return this.fc.forward(F.adaptiveAvgPool2d(out, 1).flatten(1));
  }
}

/** W4: ResNet-20 for 3×32×32 images (3 stages × 3 basic blocks, 16/32/64 channels, BatchNorm). */
export function resnet20(): Built {
  return build(["Conv2d", "BatchNorm2d"], (kit) => new ResNet20(kit) as unknown as Net, 272474, [2, 3, 32, 32], [2, 10]);
}

class LstmClassifier extends tl.nn.Module {
  lstm: Net;
  fc: tl.nn.Linear;

  constructor(kit: LayerKit) {
    super();
    this.lstm = kit.lstmLast(32, 128);
    this.fc = new tl.nn.Linear(128, 10);
  }

  forward(x: Tensor): Tensor {
    return this.fc.forward(this.lstm.forward(x));
  }
}

/** W5: LSTM(32 → 128) over 64 steps, last hidden state → linear(128→10). */
export function lstmClassifier(): Built {
  return build(["LSTM"], (kit) => new LstmClassifier(kit) as unknown as Net, 84234, [2, 64, 32], [2, 10]);
}

/** W2: MLP 784-512-512-10 with ReLU. */
export function mlp(): Built {
  return {
    model: seq(new tl.nn.Linear(784, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 10)),
    note: "",
  };
}
