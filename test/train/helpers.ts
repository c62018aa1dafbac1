/** Shared pieces of the training tests: a 2-class blob problem, a small MLP and a scripted metric. */
import * as tl from "../../src/index.js";
import type { TrainerControl } from "../../src/train/callbacks.js";
import type { Metric } from "../../src/train/metrics.js";

/** `n` points around (-2,-2) (class 0) or (2,2) (class 1), unit noise; labels int32. Draws from the global generator. */
export function blobs(n: number): { x: tl.Tensor; y: tl.Tensor } {
  const y = tl.randint(0, 2, [n]);
  const centers = tl.tensor([[-2, -2], [2, 2]]);
  const x = tl.indexSelect(centers, 0, y).add(tl.randn([n, 2]));
  centers.dispose();
  return { x, y };
}

/** 2 → hidden → 2 with ReLU and (optional) dropout. */
export function mlp(hidden = 8, dropout = 0): tl.nn.Module {
  const layers: tl.nn.Module[] = [new tl.nn.Linear(2, hidden), new tl.nn.ReLU()];
  if (dropout > 0) layers.push(new tl.nn.Dropout(dropout));
  layers.push(new tl.nn.Linear(hidden, 2));
  return new tl.nn.Sequential(...layers);
}

/** A copy of every parameter's values, by name. */
export function weights(model: tl.nn.Module): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(model.stateDict())) out[name] = Float32Array.from(t.dataSync());
  return out;
}

/**
 * A metric whose value is scripted per epoch: `values[k]` after the k-th `reset()` (fit resets metrics
 * once per epoch when there is no validation data).
 */
export class ScriptedMetric implements Metric {
  private epoch = -1;
  constructor(readonly name: string, private readonly values: number[]) {}
  update(): void {}
  compute(): number {
    return this.values[Math.max(0, this.epoch)];
  }
  reset(): void {
    this.epoch++;
  }
}

/** A TrainerControl for driving callbacks by hand. */
export function fakeControl(overrides: Partial<TrainerControl> = {}): TrainerControl & { snapshots: number; restored: unknown[] } {
  const control = {
    stopTraining: false,
    epochs: 10,
    initialEpoch: 0,
    stepsPerEpoch: null,
    lr: 0.1,
    snapshots: 0,
    restored: [] as unknown[],
    snapshot() {
      control.snapshots++;
      return {};
    },
    restore(s: unknown) {
      control.restored.push(s);
    },
    async saveCheckpoint() {},
    ...overrides,
  };
  return control;
}

