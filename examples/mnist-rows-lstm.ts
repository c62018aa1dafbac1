/**
 * An LSTM that reads each MNIST image as a sequence of 28 rows of 28 pixels (`tl.nn.LSTM` with
 * batchFirst), then classifies the last hidden state with a linear layer.
 * Run: `npx tsx examples/mnist-rows-lstm.ts` or `--quick` (1,500 images, 4 epochs; CI expects
 * accuracy ≥ 0.6 on 500 test images, chance is 0.1).
 */
import { pathToFileURL } from "node:url";
import * as tl from "../src/index.js";

/** Options of `main`. */
export interface RowsLstmOptions {
  /** Small subset and few epochs (used by the tests). */
  quick?: boolean;
  /** Print progress (default true). */
  log?: boolean;
}

/** Final metrics of a run. */
export interface RowsLstmResult {
  testLoss: number;
  testAccuracy: number;
}

/** LSTM over the rows → linear layer on the final hidden state. */
class RowsLstm extends tl.nn.Module {
  readonly lstm: tl.nn.LSTM;
  readonly head: tl.nn.Linear;
  constructor(hidden: number) {
    super();
    this.lstm = new tl.nn.LSTM(28, hidden, { batchFirst: true });
    this.head = new tl.nn.Linear(hidden, 10);
  }
  forward(images: tl.Tensor): tl.Tensor {
    const rows = images.reshape([images.shape[0]!, 28, 28]); // [B, T=28 rows, 28 pixels]
    const [, [hN]] = this.lstm.call(rows);
    return this.head.call(hN.select(0, 0)); // hN [1, B, H] → [B, H]
  }
}

/** Trains the row LSTM and returns its test loss and accuracy. */
export async function main(options: RowsLstmOptions = {}): Promise<RowsLstmResult> {
  const { quick = false, log = true } = options;
  tl.manualSeed(0);
  const train = tl.datasets.mnist({ split: "train", normalize: true, limit: quick ? 1500 : undefined });
  const test = tl.datasets.mnist({ split: "test", normalize: true, limit: quick ? 500 : undefined });
  const model = new RowsLstm(quick ? 32 : 128);
  const trainer = new tl.Trainer(model, {
    optimizer: new tl.optim.Adam(model.parameters(), { lr: 5e-3 }),
    loss: "crossEntropy",
    metrics: ["accuracy"],
    progress: log,
  });
  const trainLoader = new tl.data.DataLoader(new tl.data.TensorDataset(train.images, train.labels), { batchSize: 50, shuffle: true });
  const testLoader = new tl.data.DataLoader(new tl.data.TensorDataset(test.images, test.labels), { batchSize: 250 });
  await trainer.fit(trainLoader, { epochs: quick ? 4 : 5, gradClip: 1 });
  const logs = await trainer.evaluate(testLoader);
  const result = { testLoss: logs.loss, testAccuracy: logs.accuracy };
  if (log) console.log(`test loss ${result.testLoss.toFixed(4)}, test accuracy ${result.testAccuracy.toFixed(4)} (chance 0.1)`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main({ quick: process.argv.includes("--quick") });
}
