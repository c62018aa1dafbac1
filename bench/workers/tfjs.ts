/**
 * TensorFlow.js worker: `tsx bench/workers/tfjs.ts <cpu|wasm>`. Same networks as the other frameworks,
 * in TF.js's own layout (NHWC images, as tf.layers wants them); models from tf.layers, the training
 * step as a custom loop: `optimizer.minimize(() => softmaxCrossEntropy(oneHot(y), model.apply(x)))`.
 * The umbrella package is imported because tfjs-layers' LSTM initializer needs its chained ops.
 */
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { batchOf, type CellSpec } from "../lib/protocol.js";
import { maxRssKb, serve, type Runner, type Suite } from "../lib/worker-loop.js";

const backend = process.argv[2] ?? "cpu";
if (backend === "wasm") wasm.setThreadsCount(2);
await tf.setBackend(backend);
await tf.ready();
const baseRssKb = maxRssKb();
let seed = 1;
const randn = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, "float32", seed++);

function oneHotLabels(batch: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", seed++), 10).toFloat());
}

function disposeModel(model: tf.LayersModel): void {
  model.dispose();
}

function trainer(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Runner {
  const opt = tf.train.adam(1e-3);
  let last: tf.Scalar | null = null;
  const step = (): void => {
    last?.dispose();
    last = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
  };
  try {
    step();
  } catch (error) {
    for (const t of [x, y]) t.dispose();
    disposeModel(model);
    opt.dispose();
    throw new Error(`cannot train: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    step,
    sync: () => (last ? last.dataSync()[0] : NaN),
    dispose() {
      last?.dispose();
      for (const t of [x, y]) t.dispose();
      disposeModel(model);
      opt.dispose();
    },
  };
}

/**
 * The first element of `t`, read as PyTorch's worker reads it: through a one-element slice, so the
 * sync copies one number and not the whole result (16 MB for W1 at n = 2048).
 */
function firstElement(t: tf.Tensor): number {
  return tf.tidy(() => t.reshape([-1]).slice(0, 1).dataSync()[0]);
}

function inference(model: tf.LayersModel, x: tf.Tensor): Runner {
  let last: tf.Tensor | null = null;
  return {
    step() {
      last?.dispose();
      last = model.predict(x) as tf.Tensor;
    },
    sync: () => (last ? firstElement(last) : NaN),
    dispose() {
      last?.dispose();
      x.dispose();
      disposeModel(model);
    },
  };
}

function opRunner(a: tf.Tensor, b: tf.Tensor, op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Runner {
  let last: tf.Tensor | null = null;
  return {
    step() {
      last?.dispose();
      last = op(a, b);
    },
    sync: () => (last ? firstElement(last) : NaN),
    dispose() {
      for (const t of [a, b, last]) t?.dispose();
    },
  };
}

function mlp(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 512, activation: "relu" }),
    tf.layers.dense({ units: 512, activation: "relu" }),
    tf.layers.dense({ units: 10 }),
  ] });
}

function smallCnn(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu" }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 128, activation: "relu" }),
    tf.layers.dense({ units: 10 }),
  ] });
}

/** ResNet-20 with PyTorch's option-B shortcut (1×1 conv + BN where the shape changes), as in the other frameworks. */
function resnet20(): tf.LayersModel {
  const conv = (filters: number, kernelSize: number, strides: number): tf.layers.Layer =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: "same", useBias: false });
  const bn = (): tf.layers.Layer => tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
  const relu = (): tf.layers.Layer => tf.layers.activation({ activation: "relu" });
  const block = (x: tf.SymbolicTensor, inC: number, outC: number, stride: number): tf.SymbolicTensor => {
    let out = relu().apply(bn().apply(conv(outC, 3, stride).apply(x))) as tf.SymbolicTensor;
    out = bn().apply(conv(outC, 3, 1).apply(out)) as tf.SymbolicTensor;
    const short = stride !== 1 || inC !== outC ? (bn().apply(conv(outC, 1, stride).apply(x)) as tf.SymbolicTensor) : x;
    return relu().apply(tf.layers.add().apply([out, short])) as tf.SymbolicTensor;
  };
  const input = tf.input({ shape: [32, 32, 3] });
  let x = relu().apply(bn().apply(conv(16, 3, 1).apply(input))) as tf.SymbolicTensor;
  let channels = 16;
  for (const [outC, stride] of [[16, 1], [32, 2], [64, 2]]) {
    for (let i = 0; i < 3; i++) {
      x = block(x, channels, outC, i === 0 ? stride : 1);
      channels = outC;
    }
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(pooled) as tf.SymbolicTensor });
}

function lstmClassifier(): tf.LayersModel {
  return tf.sequential({ layers: [
    tf.layers.lstm({ inputShape: [64, 32], units: 128 }),
    tf.layers.dense({ units: 10 }),
  ] });
}

const suite: Suite = {
  info() {
    return {
      framework: `tfjs-${backend}`,
      version: tf.version.tfjs,
      threads: backend === "wasm" ? `setThreadsCount(2) → getThreadsCount() = ${wasm.getThreadsCount()}` : "1 (JS main thread)",
      node: process.version,
      baseRssKb,
    };
  },
  setup(cell: CellSpec): Runner {
    seed = 1;
    const batch = batchOf(cell);
    switch (cell.workload) {
      case "W1": {
        const n = cell.n ?? 1024;
        return opRunner(randn([n, n]), randn([n, n]), (a, b) => tf.matMul(a, b));
      }
      case "W2": return trainer(mlp(), randn([batch, 784]), oneHotLabels(batch));
      case "W3": return trainer(smallCnn(), randn([batch, 28, 28, 1]), oneHotLabels(batch));
      case "W4": return trainer(resnet20(), randn([batch, 32, 32, 3]), oneHotLabels(batch));
      case "W5": return trainer(lstmClassifier(), randn([batch, 64, 32]), oneHotLabels(batch));
      case "W6": return inference(smallCnn(), randn([batch, 28, 28, 1]));
      case "W7":
        return cell.op === "add"
          ? opRunner(randn([1]), randn([1]), (a, b) => tf.add(a, b))
          : opRunner(randn([64, 64]), randn([64, 64]), (a, b) => tf.matMul(a, b));
    }
  },
};

await serve(suite);
