/** Sequence classifiers for text and other token or feature sequences. */
import { check, fmtShape } from "../core/errors.js";
import type { Tensor } from "../engine/tensor.js";
import { cat } from "../ops/join.js";
import { select } from "../ops/movement.js";
import { Dropout } from "../nn/layers/dropout.js";
import { Embedding } from "../nn/layers/embedding.js";
import { Linear } from "../nn/layers/linear.js";
import { LSTM } from "../nn/layers/recurrent.js";
import { Module } from "../nn/module.js";
import { checkOptions, probabilityOption, wholeOption } from "./common.js";

/** Options of `lstmClassifier`. */
export interface LstmClassifierOptions {
  /**
   * Vocabulary size: when given, inputs are token ids [B, T] looked up in an `embedding` table of
   * `inputSize`-wide vectors; without it, inputs are feature sequences [B, T, inputSize].
   */
  vocabSize?: number;
  /** Padding token id, whose embedding is zero and gets no gradient (only with `vocabSize`). */
  paddingIdx?: number;
  /** Width of each step's input vector (the embedding width when `vocabSize` is given). */
  inputSize: number;
  /** LSTM hidden size. */
  hiddenSize: number;
  /** Stacked LSTM layers (default 1). */
  numLayers?: number;
  /** Number of output classes. */
  numClasses: number;
  /** Run a backward LSTM too and classify from both final states (default false). */
  bidirectional?: boolean;
  /** Dropout between LSTM layers and before the classifier (default 0). */
  dropout?: number;
}

/** Per-call options of `LstmClassifier.forward`. */
export interface LstmClassifierForwardOptions {
  /** Valid length of each sequence (B whole numbers): padding after it is ignored. */
  lengths?: Tensor | readonly number[];
}

/**
 * [embedding →] LSTM (batch first) → the last layer's final hidden state (forward and backward
 * concatenated when bidirectional) → dropout → `fc` logits [B, numClasses]. Children: `embedding`
 * (with `vocabSize`), `lstm`, `dropout`, `fc`.
 * @example
 * const net = tl.models.lstmClassifier({ vocabSize: 5000, inputSize: 64, hiddenSize: 128, numClasses: 2, bidirectional: true });
 * net.call(tl.tensor([[4, 17, 9, 0]], { dtype: "int32" }), { lengths: [3] }).shape // [1, 2]
 */
export class LstmClassifier extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  declare embedding: Embedding | null;
  declare lstm: LSTM;
  declare dropout: Dropout;
  declare fc: Linear;

  constructor(options: LstmClassifierOptions) {
    super();
    check(typeof options === "object" && options !== null, "lstmClassifier",
      "expected an options object such as { inputSize: 32, hiddenSize: 64, numClasses: 2 }");
    checkOptions("lstmClassifier", options);
    this.inputSize = wholeOption("lstmClassifier", "inputSize", options.inputSize, NaN);
    this.hiddenSize = wholeOption("lstmClassifier", "hiddenSize", options.hiddenSize, NaN);
    this.numLayers = wholeOption("lstmClassifier", "numLayers", options.numLayers, 1);
    const numClasses = wholeOption("lstmClassifier", "numClasses", options.numClasses, NaN);
    const p = probabilityOption("lstmClassifier", "dropout", options.dropout, 0);
    this.bidirectional = options.bidirectional ?? false;
    check(typeof this.bidirectional === "boolean", "lstmClassifier", () => `bidirectional must be a boolean, got ${JSON.stringify(options.bidirectional)}`);
    check(options.vocabSize !== undefined || options.paddingIdx === undefined, "lstmClassifier", "paddingIdx needs vocabSize (it names a token of the embedding)");
    const embedding = options.vocabSize === undefined ? null
      : new Embedding(wholeOption("lstmClassifier", "vocabSize", options.vocabSize, NaN), this.inputSize, { paddingIdx: options.paddingIdx ?? null });
    this.registerModule("embedding", embedding);
    this.lstm = new LSTM(this.inputSize, this.hiddenSize, { numLayers: this.numLayers, batchFirst: true, bidirectional: this.bidirectional, dropout: this.numLayers > 1 ? p : 0 });
    this.dropout = new Dropout(p);
    this.fc = new Linear(this.hiddenSize * (this.bidirectional ? 2 : 1), numClasses);
  }

  /** Logits [B, numClasses] for token ids [B, T] (with `vocabSize`) or features [B, T, inputSize]. */
  forward(x: Tensor, options: LstmClassifierForwardOptions = {}): Tensor {
    if (this.embedding) {
      check(x.ndim === 2, "LstmClassifier", () => `token ids have shape ${fmtShape(x.shape)}; expected [batch, time]`);
      x = this.embedding.call(x);
    } else {
      check(x.ndim === 3 && x.shape[2] === this.inputSize, "LstmClassifier",
        () => `input has shape ${fmtShape(x.shape)}; expected [batch, time, ${this.inputSize}] (or pass vocabSize for token ids)`);
    }
    const [, [hN]] = this.lstm.call(x, null, { lengths: options.lengths }); // hN [layers·directions, B, H]
    const last = hN.shape[0] - 1;
    const h = this.bidirectional ? cat([select(hN, 0, last - 1), select(hN, 0, last)], 1) : select(hN, 0, last);
    return this.fc.call(this.dropout.call(h));
  }
}

/** An LSTM sequence classifier; see `LstmClassifier`. @example tl.models.lstmClassifier({ inputSize: 8, hiddenSize: 32, numClasses: 3 }) */
export function lstmClassifier(options: LstmClassifierOptions): LstmClassifier {
  return new LstmClassifier(options);
}
