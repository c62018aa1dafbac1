// Run as a child process by workers.test.ts: a loader with persistent workers that is never closed
// and never finished must still let the process exit on its own. (It imports only the loader, with a
// collate that makes no tensors, so the process starts fast.)
import { DataLoader } from "../../src/data/dataloader.js";

const spec = { module: new URL("./loader-fixture.ts", import.meta.url).href, export: "Numbered", args: [40] };
const loader = new DataLoader(
  { length: 40, get: () => [new Float32Array(2), 0] },
  { batchSize: 4, numWorkers: 1, persistentWorkers: true, workerDataset: spec, collate: (s) => s.length },
);
for await (const size of loader) {
  console.log(`got ${size}`);
  break;
}
const it = loader[Symbol.asyncIterator]();
await it.next(); // an iterator left suspended with batches in flight
console.log("done");
