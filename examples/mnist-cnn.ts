/**
 * A small convolutional network on real MNIST, trained with `tl.Trainer`.
 * Run: `npx tsx examples/mnist-cnn.ts` (full data, 3 epochs) or `--quick` (2,000 train images,
 * 1 epoch, 1,000 test images; CI expects accuracy ≥ 0.85, chance is 0.1).
 */
import { pathToFileURL } from "node:url";
import * as tl from "../src/index.js";

/** Options of `main`. */
export interface MnistCnnOptions {
  /** Small subset and one epoch (used by the tests). */
  quick?: boolean;
  /** Print progress (default true). */
  log?: boolean;
}

/** Final metrics of a run. */
export interface MnistCnnResult {
  testLoss: number;
  testAccuracy: number;
}

/** Two conv blocks (8 and 16 channels) and a linear classifier: ~10k parameters. */
function buildModel(): tl.nn.Module {
  return new tl.nn.Sequential(
    new tl.nn.Conv2d(1, 8, 3, { padding: 1 }), new tl.nn.ReLU(), new tl.nn.MaxPool2d(2), // [B, 8, 14, 14]
    new tl.nn.Conv2d(8, 16, 3, { padding: 1 }), new tl.nn.ReLU(), new tl.nn.MaxPool2d(2), // [B, 16, 7, 7]
    new tl.nn.Flatten(),
    new tl.nn.Linear(16 * 7 * 7, 10),
  );
}

/** Trains the CNN and returns its test loss and accuracy. */
export async function main(options: MnistCnnOptions = {}): Promise<MnistCnnResult> {
  const { quick = false, log = true } = options;
  tl.manualSeed(0);
  const train = tl.datasets.mnist({ split: "train", normalize: true, limit: quick ? 2000 : undefined });
  const test = tl.datasets.mnist({ split: "test", normalize: true, limit: quick ? 1000 : undefined });
  const model = buildModel();
  const trainer = new tl.Trainer(model, {
    optimizer: new tl.optim.Adam(model.parameters(), { lr: 3e-3 }),
    loss: "crossEntropy",
    metrics: ["accuracy"],
    progress: log,
  });
  const trainLoader = new tl.data.DataLoader(new tl.data.TensorDataset(train.images, train.labels), { batchSize: 32, shuffle: true });
  const testLoader = new tl.data.DataLoader(new tl.data.TensorDataset(test.images, test.labels), { batchSize: 250 });
  await trainer.fit(trainLoader, { epochs: quick ? 1 : 3 });
  const logs = await trainer.evaluate(testLoader);
  const result = { testLoss: logs.loss, testAccuracy: logs.accuracy };
  if (log) console.log(`test loss ${result.testLoss.toFixed(4)}, test accuracy ${result.testAccuracy.toFixed(4)} (chance 0.1)`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main({ quick: process.argv.includes("--quick") });
}
