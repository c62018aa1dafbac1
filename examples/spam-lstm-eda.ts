/**
 * Spam detection on the SpamAssassin corpus (mail bodies, no headers): WordTokenizer + Vocab,
 * EDA augmentation of the training texts, padSequences with lengths, and an LSTM classifier
 * (`tl.models.lstmClassifier`) that ignores the padding through `lengths`.
 * Run: `npx tsx examples/spam-lstm-eda.ts` or `--quick` (800 training and 500 test messages, the first 32 words of each).
 * Spam is ~31% of the corpus, so always answering "ham" scores ~0.69; CI expects accuracy ≥ 0.8.
 */
import { pathToFileURL } from "node:url";
import * as tl from "../src/index.js";

const text = tl.data.text;

/** Options of `main`. */
export interface SpamExampleOptions {
  /** A subset and few epochs (used by the tests). */
  quick?: boolean;
  /** Print progress (default true). */
  log?: boolean;
}

/** Final metrics of a run. */
export interface SpamExampleResult {
  testLoss: number;
  testAccuracy: number;
  /** Share of ham in the test messages: the accuracy of always answering "ham". */
  majorityBaseline: number;
}

/** A seeded PRNG (mulberry32) for the reproducible train/test split. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Passes `lengths` to the classifier as its forward option, since Trainer hands inputs positionally. */
class WithLengths extends tl.nn.Module {
  constructor(readonly net: tl.models.LstmClassifier) {
    super();
  }
  forward(ids: tl.Tensor, lengths: tl.Tensor): tl.Tensor {
    return this.net.call(ids, { lengths });
  }
}

/** Trains the classifier and returns its test loss, accuracy and the majority baseline. */
export async function main(options: SpamExampleOptions = {}): Promise<SpamExampleResult> {
  const { quick = false, log = true } = options;
  tl.manualSeed(0);
  const maxLength = quick ? 32 : 200;
  const corpus = tl.datasets.spamAssassin();
  // The package lists the groups one after another (ham, then spam): shuffle before splitting.
  const rand = prng(0);
  const order = corpus.texts.map((_, i) => i);
  for (let k = order.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const nTrain = quick ? 800 : Math.floor(order.length * 0.8);
  const nTest = quick ? 500 : order.length - nTrain;
  const trainIdx = order.slice(0, nTrain);
  const testIdx = order.slice(nTrain, nTrain + nTest);

  const tokenizer = new text.WordTokenizer();
  // Only the first maxLength words are used, so cut there before the (costlier) augmentation.
  const words = (i: number): string[] => tokenizer.tokenize(corpus.texts[i]!).slice(0, maxLength);
  const eda = new text.EDA({ numAug: 1, includeOriginal: true, seed: 0 });
  const trainTokens: string[][] = [];
  const trainLabels: number[] = [];
  for (const i of trainIdx) {
    const tokens = words(i);
    const variants = tokens.length > 0 ? eda.augment(tokens).map((s) => tokenizer.tokenize(s)) : [tokens];
    for (const v of variants) {
      trainTokens.push(v);
      trainLabels.push(corpus.labels[i]!);
    }
  }
  const vocab = text.Vocab.build(trainTokens, { minFreq: 2, maxSize: quick ? 5000 : 20000 });
  const encode = (tokens: string[][]) => text.padSequences(tokens.map((t) => vocab.encode(t.length > 0 ? t : ["<unk>"])), { maxLength });
  const train = encode(trainTokens);
  const testTokens = testIdx.map(words);
  const test = encode(testTokens);
  const testLabels = testIdx.map((i) => corpus.labels[i]!);

  const net = tl.models.lstmClassifier({ vocabSize: vocab.size, paddingIdx: 0, inputSize: 32, hiddenSize: 32, numClasses: 2 });
  const model = new WithLengths(net);
  const trainer = new tl.Trainer(model, {
    optimizer: new tl.optim.Adam(model.parameters(), { lr: 5e-3 }),
    loss: "crossEntropy",
    metrics: ["accuracy"],
    progress: log,
  });
  const int = (xs: number[]) => tl.tensor(xs, { dtype: "int32" });
  const trainLoader = new tl.data.DataLoader(new tl.data.TensorDataset(train.ids, train.lengths, int(trainLabels)), { batchSize: 32, shuffle: true });
  const testLoader = new tl.data.DataLoader(new tl.data.TensorDataset(test.ids, test.lengths, int(testLabels)), { batchSize: 250 });
  await trainer.fit(trainLoader, { epochs: quick ? 3 : 5, gradClip: 1 });
  const logs = await trainer.evaluate(testLoader);
  const majorityBaseline = testLabels.filter((y) => y === 0).length / testLabels.length;
  const result = { testLoss: logs.loss, testAccuracy: logs.accuracy, majorityBaseline };
  if (log) {
    console.log(`test loss ${result.testLoss.toFixed(4)}, test accuracy ${result.testAccuracy.toFixed(4)} ` +
      `(always "ham": ${majorityBaseline.toFixed(4)})`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main({ quick: process.argv.includes("--quick") });
}
