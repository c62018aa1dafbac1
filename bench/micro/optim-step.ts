/**
 * Rough timing of one optimizer step over the W2 MLP's parameters (784×512, 512, 512×512, 512,
 * 512×10, 10): the fused update (tl.optim, one kernel call per group) against the per-op composition
 * it replaced (test/optim/composed.ts), interleaved A B A B; then a whole W2 training step (batch 128,
 * forward + cross-entropy + backward + Adam) with each. Compare with bench/micro/optim-step-torch.py.
 *
 *   TENSILE_NUM_THREADS=2 node --import tsx bench/micro/optim-step.ts [--reps 9] [--steps 50]
 */
import { parseArgs } from "node:util";
import * as tl from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { composedStep } from "../../test/optim/composed.js";

const { values } = parseArgs({ options: { reps: { type: "string", default: "9" }, steps: { type: "string", default: "50" } } });
const reps = Number(values.reps);
const steps = Number(values.steps);
const SHAPES = [[512, 784], [512], [512, 512], [512], [10, 512], [10]];

type Make = (ps: tl.Tensor[]) => optim.Optimizer<optim.BaseOptions>;
const CASES: [string, string, Record<string, unknown>, Make][] = [
  ["Adam", "Adam", { lr: 1e-3 }, (ps) => new optim.Adam(ps, { lr: 1e-3 })],
  ["AdamW amsgrad", "AdamW", { lr: 1e-3, amsgrad: true }, (ps) => new optim.AdamW(ps, { lr: 1e-3, amsgrad: true })],
  ["SGD momentum", "SGD", { lr: 0.01, momentum: 0.9 }, (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9 })],
  ["RMSprop", "RMSprop", { lr: 1e-3 }, (ps) => new optim.RMSprop(ps, { lr: 1e-3 })],
  ["Adagrad", "Adagrad", { lr: 1e-2 }, (ps) => new optim.Adagrad(ps, { lr: 1e-2 })],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / steps;
}

tl.manualSeed(1);
console.log(`backend ${tl.getBackend().name}, ${tl.getNumThreads()} thread(s); ms per step, median (min–max) of ${reps} reps × ${steps} steps`);
for (const [label, name, options, make] of CASES) {
  const params = SHAPES.map((s) => tl.randn(s).mul(0.05).requiresGrad_().keep());
  const plain = SHAPES.map((s) => tl.randn(s).mul(0.05).keep());
  for (const p of params) p.grad = tl.randn(p.shape).mul(0.01);
  const grads = params.map((p) => p.grad as tl.Tensor);
  const opt = make(params);
  const states = plain.map(() => ({}) as Record<string, tl.Tensor | number>);
  const fused = (): void => opt.step();
  const composed = (): void => plain.forEach((p, k) => composedStep(name, p, grads[k], states[k], options));
  for (let i = 0; i < 10; i++) {
    fused();
    composed();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    a.push(timeIt(fused));
    b.push(timeIt(composed));
  }
  const fmt = (xs: number[]): string => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
  console.log(`${label.padEnd(14)} fused ${fmt(a)}   composed ${fmt(b)}   speed-up ${(median(b) / median(a)).toFixed(1)}×`);
  tl.dispose([params, plain, grads, [...opt.state.values()], states]);
}

// A whole W2 step (bench/workers/tensile.ts's trainer) with the fused Adam and with the composed rule.
{
  const model = new tl.nn.Sequential(new tl.nn.Linear(784, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 512), new tl.nn.ReLU(), new tl.nn.Linear(512, 10));
  const params = model.parameters();
  const x = tl.randn([128, 784]).keep();
  const y = tl.randint(0, 10, [128]).keep();
  const opt = new optim.Adam(params, { lr: 1e-3 });
  const states = params.map(() => ({}) as Record<string, tl.Tensor | number>);
  const trainStep = (update: () => void) => (): void => {
    tl.tidy(() => {
      opt.zeroGrad();
      tl.nn.functional.crossEntropy(model.forward(x), y).backward();
      update();
    });
  };
  const fused = trainStep(() => opt.step());
  const composed = trainStep(() => tl.noGrad(() => params.forEach((p, k) => composedStep("Adam", p, p.grad as tl.Tensor, states[k], { lr: 1e-3 }))));
  for (let i = 0; i < 10; i++) {
    fused();
    composed();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    a.push(timeIt(fused));
    b.push(timeIt(composed));
  }
  const fmt = (xs: number[]): string => `${(128_000 / median(xs)).toFixed(0)} samples/s (${median(xs).toFixed(2)} ms/step, ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  console.log(`W2 train step  fused Adam ${fmt(a)}   composed Adam ${fmt(b)}`);
}
