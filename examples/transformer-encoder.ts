/**
 * A small TransformerEncoder (token + learned positional embeddings, mean pooling, linear head)
 * that tells whether a sequence of digits is sorted. Negatives are shuffles of sorted sequences,
 * so token counts give nothing away: the model must compare positions. Chance is 0.5.
 * Run: `npx tsx examples/transformer-encoder.ts` or `--quick` (CI expects accuracy ≥ 0.8).
 */
import { pathToFileURL } from "node:url";
import * as tl from "../src/index.js";

const VOCAB = 10;
const SEQ_LEN = 8;

/** Options of `main`. */
export interface TransformerExampleOptions {
  /** Fewer samples and epochs (used by the tests). */
  quick?: boolean;
  /** Print progress (default true). */
  log?: boolean;
}

/** Final metrics of a run. */
export interface TransformerExampleResult {
  testLoss: number;
  testAccuracy: number;
}

/** A seeded PRNG (mulberry32) so the synthetic data is the same on every run. */
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

/** `n` sequences, half sorted (label 1), half shuffled and not sorted (label 0). */
function makeData(n: number, seed: number): { tokens: tl.Tensor; labels: tl.Tensor } {
  const rand = prng(seed);
  const tokens: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const seq = Array.from({ length: SEQ_LEN }, () => Math.floor(rand() * VOCAB)).sort((a, b) => a - b);
    const sorted = i % 2 === 0;
    if (!sorted) {
      // Fisher–Yates until the order differs from the sorted one (all-equal digits cannot be unsorted: redraw).
      while (seq.every((v, k) => k === 0 || seq[k - 1]! <= v)) {
        if (seq[0] === seq[SEQ_LEN - 1]) seq[0] = (seq[0]! + 1) % VOCAB;
        for (let k = SEQ_LEN - 1; k > 0; k--) {
          const j = Math.floor(rand() * (k + 1));
          [seq[k], seq[j]] = [seq[j]!, seq[k]!];
        }
      }
    }
    tokens.push(...seq);
    labels.push(sorted ? 1 : 0);
  }
  return {
    tokens: tl.tensor(tokens, { dtype: "int32", shape: [n, SEQ_LEN] }),
    labels: tl.tensor(labels, { dtype: "int32" }),
  };
}

/** Embeddings → TransformerEncoder → mean over positions → linear layer to 2 classes. */
class SortedClassifier extends tl.nn.Module {
  readonly tokenEmbedding: tl.nn.Embedding;
  readonly positionEmbedding: tl.nn.Embedding;
  readonly encoder: tl.nn.TransformerEncoder;
  readonly head: tl.nn.Linear;
  constructor(dModel: number) {
    super();
    this.tokenEmbedding = new tl.nn.Embedding(VOCAB, dModel);
    this.positionEmbedding = new tl.nn.Embedding(SEQ_LEN, dModel);
    const layer = new tl.nn.TransformerEncoderLayer(dModel, 4, { dimFeedforward: 2 * dModel, dropout: 0, batchFirst: true });
    this.encoder = new tl.nn.TransformerEncoder(layer, 2);
    this.head = new tl.nn.Linear(dModel, 2);
  }
  forward(tokens: tl.Tensor): tl.Tensor {
    const positions = tl.arange(SEQ_LEN); // [T], broadcast over the batch
    const x = this.tokenEmbedding.call(tokens).add(this.positionEmbedding.call(positions)); // [B, T, D]
    return this.head.call(this.encoder.call(x).mean({ dim: 1 }));
  }
}

/** Trains the classifier and returns its loss and accuracy on held-out sequences. */
export async function main(options: TransformerExampleOptions = {}): Promise<TransformerExampleResult> {
  const { quick = false, log = true } = options;
  tl.manualSeed(0);
  const train = makeData(quick ? 2000 : 10000, 1);
  const test = makeData(1000, 2);
  const model = new SortedClassifier(32);
  const trainer = new tl.Trainer(model, {
    optimizer: new tl.optim.Adam(model.parameters(), { lr: 2e-3 }),
    loss: "crossEntropy",
    metrics: ["accuracy"],
    progress: log,
  });
  const trainLoader = new tl.data.DataLoader(new tl.data.TensorDataset(train.tokens, train.labels), { batchSize: 64, shuffle: true });
  const testLoader = new tl.data.DataLoader(new tl.data.TensorDataset(test.tokens, test.labels), { batchSize: 500 });
  await trainer.fit(trainLoader, { epochs: quick ? 3 : 10 });
  const logs = await trainer.evaluate(testLoader);
  const result = { testLoss: logs.loss, testAccuracy: logs.accuracy };
  if (log) console.log(`test loss ${result.testLoss.toFixed(4)}, test accuracy ${result.testAccuracy.toFixed(4)} (chance 0.5)`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main({ quick: process.argv.includes("--quick") });
}
