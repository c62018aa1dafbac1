/**
 * A worker for test/data/transforms-spec.test.ts: rebuilds a pipeline from the spec it is sent and returns
 * its output on the image it is sent, as a DataLoader worker would.
 */
import { parentPort } from "node:worker_threads";
import * as tl from "../../src/index.js";

parentPort?.on("message", (msg: { spec: tl.data.transforms.TransformSpec; data: Float32Array; shape: number[] }) => {
  const pipeline = tl.data.transforms.transformFromSpec(msg.spec);
  const out = pipeline.forward(tl.tensor(msg.data, { shape: msg.shape }));
  parentPort?.postMessage({ data: out.dataSync(), shape: out.shape });
});
