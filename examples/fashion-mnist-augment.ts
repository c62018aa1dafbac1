/**
 * Fashion-MNIST with data augmentation: a DataLoader whose collate function applies
 * `tl.data.transforms` (RandomCrop with 2 pixels of padding, RandomHorizontalFlip) to each training
 * batch — every image draws its own crop and flip. A small CNN is trained with `tl.Trainer`.
 * Run: `npx tsx examples/fashion-mnist-augment.ts` or `--quick` (2,000 train images, 2 epochs,
 * 1,000 test images; CI expects accuracy ≥ 0.6, chance is 0.1).
 */
import { pathToFileURL } from "node:url";
import * as tl from "../src/index.js";

const T = tl.data.transforms;

/** Options of `main`. */
export interface FashionAugmentOptions {
  /** Small subset and few epochs (used by the tests). */
  quick?: boolean;
  /** Print progress (default true). */
  log?: boolean;
}

/** Final metrics of a run. */
export interface FashionAugmentResult {
  testLoss: number;
  testAccuracy: number;
}

/** Two conv blocks and a linear classifier. */
function buildModel(): tl.nn.Module {
  return new tl.nn.Sequential(
    new tl.nn.Conv2d(1, 8, 3, { padding: 1 }), new tl.nn.ReLU(), new tl.nn.MaxPool2d(2), // [B, 8, 14, 14]
    new tl.nn.Conv2d(8, 16, 3, { padding: 1 }), new tl.nn.ReLU(), new tl.nn.MaxPool2d(2), // [B, 16, 7, 7]
    new tl.nn.Flatten(),
    new tl.nn.Linear(16 * 7 * 7, 10),
  );
}

/** Trains on augmented batches and returns the test loss and accuracy (test images are not augmented). */
export async function main(options: FashionAugmentOptions = {}): Promise<FashionAugmentResult> {
  const { quick = false, log = true } = options;
  tl.manualSeed(0);
  const train = tl.datasets.fashionMnist({ split: "train", normalize: true, limit: quick ? 2000 : undefined });
  const test = tl.datasets.fashionMnist({ split: "test", normalize: true, limit: quick ? 1000 : undefined });
  const augment = new T.Compose([new T.RandomCrop(28, { padding: 2 }), new T.RandomHorizontalFlip()]);
  const collate = (samples: tl.Tensor[][]): tl.Tensor[] => {
    const [images, labels] = tl.data.defaultCollate(samples);
    return [augment.forward(images!), labels!];
  };
  const trainLoader = new tl.data.DataLoader(new tl.data.TensorDataset(train.images, train.labels), { batchSize: 32, shuffle: true, collate });
  const testLoader = new tl.data.DataLoader(new tl.data.TensorDataset(test.images, test.labels), { batchSize: 250 });
  const model = buildModel();
  const trainer = new tl.Trainer(model, {
    optimizer: new tl.optim.Adam(model.parameters(), { lr: 2e-3 }),
    loss: "crossEntropy",
    metrics: ["accuracy"],
    progress: log,
  });
  await trainer.fit(trainLoader, { epochs: quick ? 2 : 5 });
  const logs = await trainer.evaluate(testLoader);
  const result = { testLoss: logs.loss, testAccuracy: logs.accuracy };
  if (log) console.log(`test loss ${result.testLoss.toFixed(4)}, test accuracy ${result.testAccuracy.toFixed(4)} (chance 0.1)`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main({ quick: process.argv.includes("--quick") });
}
