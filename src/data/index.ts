/** Datasets, the DataLoader, and dataset readers (IDX, MNIST). */
export { Dataset, TensorDataset, type DatasetLike } from "./dataset.js";
export { DataLoader, defaultCollate, type DataLoaderOptions, type Collate } from "./dataloader.js";
export { parseIdx, readIdx, readIdxSync, idxToTensor, type IdxArray, type IdxType } from "./idx.js";
export { loadMnist, loadMnistAsync, MNIST_MEAN, MNIST_STD, type Mnist, type MnistOptions } from "./mnist.js";
