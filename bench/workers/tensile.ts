/**
 * Tensile worker: `tsx bench/workers/tensile.ts <backend>`. Runs W1–W7 on one backend, with the thread
 * count the driver put in TENSILE_NUM_THREADS.
 */
import { readFileSync } from "node:fs";
import * as tl from "../../src/index.js";
import { batchOf, type CellSpec } from "../lib/protocol.js";
import { maxRssKb, serve, type Runner, type Suite } from "../lib/worker-loop.js";
import { lstmClassifier, mlp, resnet20, smallCnn, type Built } from "./tensile-models.js";
import { inferenceStep, trainingStep } from "./tensile-steps.js";

const backend = process.argv[2] ?? "js";
tl.setBackend(backend);
tl.manualSeed(0);
const baseRssKb = maxRssKb();

/** Inputs that live as long as the workload: kept so `tidy` leaves them alone. */
function kept(t: tl.Tensor): tl.Tensor {
  return t.keep();
}

/**
 * The first element of `t`, read as PyTorch's worker reads it (`t.reshape(-1)[0].item()`): through a
 * one-element view, so the sync copies one number and not the whole result (a 2048² product's 16 MB
 * copy cost W1 2-4%).
 */
function firstElement(t: tl.Tensor): number {
  return tl.tidy(() => tl.narrow(tl.flatten(t), 0, 0, 1).item());
}

/** One training step as a user writes it: zeroGrad, forward, cross-entropy, backward, Adam. */
function trainer(built: Built, x: tl.Tensor, y: tl.Tensor): Runner {
  const { model } = built;
  model.train();
  const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
  const run = trainingStep(model, opt, x, y);
  let last: tl.Tensor | null = null;
  return {
    note: built.note || undefined,
    step() {
      last = run();
    },
    sync: () => (last ? last.item() : NaN),
    dispose() {
      last?.dispose();
      for (const state of opt.state.values()) {
        for (const v of Object.values(state)) if (v instanceof tl.Tensor) v.dispose();
      }
      for (const t of [x, y, ...model.parameters(), ...model.buffers()]) t.dispose();
    },
  };
}

function inference(built: Built, x: tl.Tensor): Runner {
  const { model } = built;
  model.eval();
  const run = inferenceStep(model, x);
  let last: tl.Tensor | null = null;
  return {
    note: built.note || undefined,
    step() {
      last = run();
    },
    sync: () => (last ? firstElement(last) : NaN),
    dispose() {
      last?.dispose();
      for (const t of [x, ...model.parameters(), ...model.buffers()]) t.dispose();
    },
  };
}

/** Runs `op(a, b)` and frees its result each step, as a user's tidy would. */
function opRunner(a: tl.Tensor, b: tl.Tensor, op: (a: tl.Tensor, b: tl.Tensor) => tl.Tensor): Runner {
  let last: tl.Tensor | null = null;
  return {
    step() {
      last?.dispose();
      last = op(a, b);
    },
    sync: () => (last ? firstElement(last) : NaN),
    dispose() {
      for (const t of [a, b, last]) t?.dispose();
    },
  };
}

const labels = (batch: number): tl.Tensor => kept(tl.randint(0, 10, [batch]));

const suite: Suite = {
  info() {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return {
      framework: `tensile-${backend}`,
      version: pkg.version,
      threads: backend === "js" ? "1 (JS main thread)" : `TENSILE_NUM_THREADS=${process.env.TENSILE_NUM_THREADS ?? "unset"}`,
      backends: tl.listBackends().join(","),
      node: process.version,
      baseRssKb,
    };
  },
  setup(cell: CellSpec): Runner {
    tl.manualSeed(0);
    const batch = batchOf(cell);
    switch (cell.workload) {
      case "W1": {
        const n = cell.n ?? 1024;
        return opRunner(kept(tl.randn([n, n])), kept(tl.randn([n, n])), tl.matmul);
      }
      case "W2": return trainer(mlp(), kept(tl.randn([batch, 784])), labels(batch));
      case "W3": return trainer(smallCnn(), kept(tl.randn([batch, 1, 28, 28])), labels(batch));
      case "W4": return trainer(resnet20(), kept(tl.randn([batch, 3, 32, 32])), labels(batch));
      case "W5": return trainer(lstmClassifier(), kept(tl.randn([batch, 64, 32])), labels(batch));
      case "W6": return inference(smallCnn(), kept(tl.randn([batch, 1, 28, 28])));
      case "W7":
        return cell.op === "add"
          ? opRunner(kept(tl.randn([1])), kept(tl.randn([1])), tl.add)
          : opRunner(kept(tl.randn([64, 64])), kept(tl.randn([64, 64])), tl.matmul);
    }
  },
};

await serve(suite);
