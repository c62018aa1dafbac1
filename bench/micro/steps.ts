/**
 * Training-step overhead check for dispatch work: `tsx bench/micro/steps.ts [W2|W5] [steps]`. Times the
 * bench's W2 (MLP) or W5 (LSTM) step as bench/workers/tensile.ts runs it and prints wall and CPU ms
 * per step (median of 5 rounds) and the load average, for before/after comparisons on a busy machine.
 */
import { loadavg } from "node:os";
import * as tl from "../../src/index.js";
import { lstmClassifier, mlp } from "../workers/tensile-models.js";
import { trainingStep } from "../workers/tensile-steps.js";

const which = process.argv[2] ?? "W5";
const steps = Number(process.argv[3] ?? 5);
tl.setNumThreads(Number(process.env.TENSILE_NUM_THREADS ?? 2));
tl.manualSeed(0);
const built = which === "W2" ? mlp() : lstmClassifier();
const x = (which === "W2" ? tl.randn([128, 784]) : tl.randn([64, 64, 32])).keep();
const y = tl.randint(0, 10, [which === "W2" ? 128 : 64]).keep();
const { model } = built;
model.train();
const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
const step = trainingStep(model, opt, x, y);
let last: tl.Tensor | null = null;
for (let i = 0; i < 3; i++) step();
const wall: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < 5; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) last = step();
  last?.item();
  wall.push((performance.now() - t0) / steps);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e3 / steps);
}
const med = (xs: number[]): string => [...xs].sort((p, q) => p - q)[2].toFixed(2);
console.log(`${which} step: wall ${med(wall)} ms, cpu ${med(cpu)} ms (load ${loadavg()[0].toFixed(1)})`);
