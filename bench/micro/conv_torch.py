"""PyTorch side of bench/micro/conv.ts: the same conv cases (forward, input grad, weight grad),
2 threads. Run: OMP_WAIT_POLICY=PASSIVE LD_LIBRARY_PATH=<openblas> /usr/bin/python3 bench/micro/conv_torch.py [reps]"""
import sys
import time

import torch

torch.set_num_threads(2)
PEAK = 230
SHAPES = [
    ("W3 c1 1→32 28", 64, 1, 28, 32, 3, 1, 0),
    ("W3 c2 32→64 13", 64, 32, 13, 64, 3, 1, 0),
    ("W4 stem 3→16 32", 64, 3, 32, 16, 3, 1, 1),
    ("W4 16→16 32", 64, 16, 32, 16, 3, 1, 1),
    ("W4 16→32 s2", 64, 16, 32, 32, 3, 2, 1),
    ("W4 32→32 16", 64, 32, 16, 32, 3, 1, 1),
    ("W4 32→64 s2", 64, 32, 16, 64, 3, 2, 1),
    ("W4 64→64 8", 64, 64, 8, 64, 3, 1, 1),
    ("W4 1x1 16→32 s2", 64, 16, 32, 32, 1, 2, 0),
    ("W4 1x1 32→64 s2", 64, 32, 16, 64, 1, 2, 0),
]
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def median(fn):
    for _ in range(3):
        fn()
    t = []
    c = []
    for _ in range(reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
        c.append((time.process_time() - c0) * 1e3)
    t.sort()
    c.sort()
    return t[reps // 2], c[reps // 2]


print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, reps {reps}")
print("case                   op     ms      GF/s  %peak  cpu-ms")
torch.manual_seed(1)
for name, n, c, h, o, k, s, p in SHAPES:
    ho = (h + 2 * p - k) // s + 1
    x = torch.randn(n, c, h, h)
    w = torch.randn(o, c, k, k)
    gy = torch.randn(n, o, ho, ho)
    flop = 2 * n * o * ho * ho * c * k * k
    with torch.no_grad():
        runs = [
            ("fwd", lambda: torch.nn.functional.conv2d(x, w, None, s, p)),
            ("dx", lambda: torch.nn.grad.conv2d_input(x.shape, w, gy, s, p)),
            ("dw", lambda: torch.ops.aten.convolution_backward(gy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1,
                                                               [False, True, False])),
        ]
        for op, fn in runs:
            ms, cpu = median(fn)
            gf = flop / ms / 1e6
            print(f"{name:22s} {op:4s} {ms:7.3f} {gf:7.1f} {100 * gf / PEAK:5.0f}% {cpu:7.2f}")
