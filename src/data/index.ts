/** Datasets, samplers, splits, the DataLoader (with worker threads), and dataset readers (CSV, JSON Lines, text and image folders, IDX, NPY, MNIST). */
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, type DatasetLike } from "./dataset.js";
export { DataLoader, defaultCollate, type DataLoaderOptions, type Collate, type IndexSampler, type IndexBatchSampler } from "./dataloader.js";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, type DataSource, type RandomSamplerOptions, type WeightedRandomSamplerOptions } from "./sampler.js";
export { randomSplit, kFold, type Fold, type KFoldOptions } from "./splits.js";
export { type ModuleSpec, type WorkerBuildable } from "./worker/spec.js";
export { type TransformSource } from "./transform.js";
export * from "./readers/index.js";
export { parseIdx, readIdx, readIdxSync, idxToTensor, type IdxArray, type IdxType } from "./idx.js";
export { loadMnist, loadMnistAsync, MNIST_MEAN, MNIST_STD, type Mnist, type MnistOptions } from "./mnist.js";
export * from "./preprocessing/index.js";
export * as text from "./text/index.js";
export * as transforms from "./transforms/index.js";
