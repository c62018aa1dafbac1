"""PyTorch side of bench/micro/norm.ts: batch_norm (training) and layer_norm, forward + backward, ms per call.

Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/micro/norm_torch.py (2 threads, as BENCH.md asks; THREADS=n to change).
"""
import os
import statistics
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("THREADS", 2)))
torch.manual_seed(0)
REPS = int(os.environ.get("REPS", 7))
INNER = int(os.environ.get("INNER", 10))


def bn_case(shape):
    c = shape[1]
    x = (torch.randn(shape) * 2 + 3).requires_grad_(True)
    gy = torch.randn(shape)
    w = torch.randn(c, requires_grad=True)
    b = torch.randn(c, requires_grad=True)
    rm, rv = torch.zeros(c), torch.ones(c)

    def step():
        y = F.batch_norm(x, rm, rv, w, b, training=True)
        y.backward(gy)
        x.grad = w.grad = b.grad = None

    return step


def ln_case(shape):
    d = shape[-1]
    x = (torch.randn(shape) * 2 + 3).requires_grad_(True)
    gy = torch.randn(shape)
    w = torch.randn(d, requires_grad=True)
    b = torch.randn(d, requires_grad=True)

    def step():
        y = F.layer_norm(x, [d], w, b)
        y.backward(gy)
        x.grad = w.grad = b.grad = None

    return step


cases = [
    ("batchNorm2d [64,16,32,32]", bn_case([64, 16, 32, 32])),
    ("batchNorm2d [64,64,8,8]", bn_case([64, 64, 8, 8])),
    ("layerNorm [64,64,128]", ln_case([64, 64, 128])),
]
for _, step in cases:
    for _ in range(3):
        step()
times = [[] for _ in cases]
for _ in range(REPS):
    for i, (_, step) in enumerate(cases):
        t0 = time.perf_counter()
        for _ in range(INNER):
            step()
        times[i].append((time.perf_counter() - t0) * 1000 / INNER)
print(f"torch {torch.__version__}, threads {torch.get_num_threads()}; forward+backward, ms per call: median (min-max)")
for (name, _), t in zip(cases, times):
    print(f"{name:36s} {statistics.median(t):.3f} ({min(t):.3f}-{max(t):.3f})")
