/**
 * ONNX Runtime worker: `tsx bench/workers/ort.ts <model.onnx> <threads>`. Inference only (W6), on the
 * CNN that bench/peers/torch_bench.py exported with torch.onnx.export.
 */
import { createRequire } from "node:module";
import * as ort from "onnxruntime-node";
import { batchOf, type CellSpec } from "../lib/protocol.js";
import { maxRssKb, serve, type Runner, type Suite } from "../lib/worker-loop.js";

const modelPath = process.argv[2];
const threads = Number(process.argv[3] ?? "2");
if (!modelPath) throw new Error("usage: ort.ts MODEL.onnx [THREADS]");
const baseRssKb = maxRssKb();
const version = (createRequire(import.meta.url)("onnxruntime-node/package.json") as { version: string }).version;

/** Normal(0, 1) values from a fixed seed (a small LCG with Box–Muller): never zeros. */
function randn(count: number): Float32Array {
  let state = 12345;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

const suite: Suite = {
  info() {
    return { framework: "onnxruntime", version, threads: `intraOpNumThreads=${threads}, interOpNumThreads=1`, node: process.version, baseRssKb };
  },
  async setup(cell: CellSpec): Promise<Runner> {
    if (cell.workload !== "W6") throw new Error("inference only: ONNX Runtime runs W6 alone");
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all",
    });
    const batch = batchOf(cell);
    const x = new ort.Tensor("float32", randn(batch * 28 * 28), [batch, 1, 28, 28]);
    const input = session.inputNames[0];
    let last = NaN;
    return {
      async step() {
        const out = await session.run({ [input]: x });
        last = (out[session.outputNames[0]].data as Float32Array)[0];
      },
      sync: () => last,
      dispose() {
        void session.release();
      },
    };
  },
};

await serve(suite);
