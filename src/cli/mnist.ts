/**
 * The main job (`npm start`): train a network on the full MNIST training set and report accuracy on
 * the 10,000 test images, with a model summary, the progress bar and a saved checkpoint.
 */
import { parseArgs } from "node:util";
import * as tl from "../index.js";

type ModelName = "cnn" | "mlp";

interface Options {
  model: ModelName;
  epochs: number;
  backend: string;
  batchSize: number;
  lr: number;
  checkpoint: string;
  seed: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string", default: "cnn" },
      epochs: { type: "string" },
      backend: { type: "string" },
      "batch-size": { type: "string", default: "64" },
      lr: { type: "string", default: "0.001" },
      checkpoint: { type: "string", default: "checkpoints/mnist.safetensors" },
      seed: { type: "string", default: "0" },
    },
    strict: true,
  });
  const number = (name: string, text: string | undefined, whole: boolean): number => {
    const v = Number(text);
    if (!Number.isFinite(v) || v <= 0 || (whole && !Number.isInteger(v))) {
      throw new Error(`--${name} must be a ${whole ? "whole " : ""}number > 0, got ${text}`);
    }
    return v;
  };
  const model = values.model as string;
  if (model !== "cnn" && model !== "mlp") throw new Error(`--model must be cnn or mlp, got ${model}`);
  return {
    model,
    // The CNN reaches 99% in 3 epochs; the MLP needs a few more for 98%.
    epochs: number("epochs", values.epochs ?? (model === "cnn" ? "3" : "5"), true),
    backend: values.backend ?? tl.getBackend().name,
    batchSize: number("batch-size", values["batch-size"], true),
    lr: number("lr", values.lr, false),
    checkpoint: values.checkpoint as string,
    seed: Number(values.seed),
  };
}

/**
 * The CNN of BENCH.md's W3 workload: two 3×3 convolutions with max pooling, then two linear layers
 * (with dropout before the classifier).
 */
function buildCnn(): tl.nn.Module {
  return new tl.nn.Sequential(
    new tl.nn.Conv2d(1, 32, 3), new tl.nn.ReLU(), new tl.nn.MaxPool2d(2),
    new tl.nn.Conv2d(32, 64, 3), new tl.nn.ReLU(), new tl.nn.MaxPool2d(2),
    new tl.nn.Flatten(),
    new tl.nn.Linear(1600, 128), new tl.nn.ReLU(), new tl.nn.Dropout(0.25),
    new tl.nn.Linear(128, 10),
  );
}

/** A multilayer perceptron: 784 → 512 → 256 → 10 with ReLU and dropout. */
function buildMlp(): tl.nn.Module {
  return new tl.nn.Sequential(
    new tl.nn.Flatten(),
    new tl.nn.Linear(784, 512), new tl.nn.ReLU(), new tl.nn.Dropout(0.2),
    new tl.nn.Linear(512, 256), new tl.nn.ReLU(), new tl.nn.Dropout(0.2),
    new tl.nn.Linear(256, 10),
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  tl.setBackend(options.backend);
  tl.manualSeed(options.seed);
  console.log(`Tensile ${options.backend} backend · MNIST ${options.model} · ${options.epochs} epochs · batch ${options.batchSize} · Adam lr ${options.lr}`);

  const train = tl.data.loadMnist({ split: "train" });
  const test = tl.data.loadMnist({ split: "test" });
  // Standardize with the training set's mean and std, as the classic PyTorch example does.
  const mean = 0.1307;
  const std = 0.3081;
  const trainX = train.images.sub(mean).div(std);
  const testX = test.images.sub(mean).div(std);
  console.log(`train ${train.images.shape[0]} images · test ${test.images.shape[0]} images`);

  const trainLoader = new tl.data.DataLoader(new tl.data.TensorDataset(trainX, train.labels), { batchSize: options.batchSize, shuffle: true });
  const testLoader = new tl.data.DataLoader(new tl.data.TensorDataset(testX, test.labels), { batchSize: 1000 });

  const model = options.model === "cnn" ? buildCnn() : buildMlp();
  console.log(String(model.summary([1, 1, 28, 28])));
  const optimizer = new tl.optim.Adam(model.parameters(), { lr: options.lr });
  const scheduler = new tl.optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: options.epochs });
  const trainer = new tl.Trainer(model, {
    optimizer,
    loss: "crossEntropy",
    metrics: ["accuracy"],
    scheduler,
    // The test set is never used for choosing anything: the checkpoint is simply the latest epoch.
    callbacks: [new tl.callbacks.ModelCheckpoint({ path: options.checkpoint, saveBestOnly: false })],
  });
  await trainer.fit(trainLoader, { epochs: options.epochs });

  const result = await trainer.evaluate(testLoader);
  console.log(`checkpoint: ${options.checkpoint}`);
  console.log(`test accuracy: ${result.accuracy.toFixed(4)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
