"""PyTorch 1.13's optimizer step over the W2 MLP's parameters, foreach=False and foreach=True, the
peer of bench/micro/optim-step.ts (same shapes, same optimizers, ms per step, median (min-max) of reps).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/micro/optim-step-torch.py [reps] [steps]
"""
import sys
import time

import torch

torch.set_num_threads(2)
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 9
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
SHAPES = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
CASES = [
    ("Adam", lambda ps, fe: torch.optim.Adam(ps, lr=1e-3, foreach=fe)),
    ("AdamW amsgrad", lambda ps, fe: torch.optim.AdamW(ps, lr=1e-3, amsgrad=True, foreach=fe)),
    ("SGD momentum", lambda ps, fe: torch.optim.SGD(ps, lr=0.01, momentum=0.9, foreach=fe)),
    ("RMSprop", lambda ps, fe: torch.optim.RMSprop(ps, lr=1e-3, foreach=fe)),
    ("Adagrad", lambda ps, fe: torch.optim.Adagrad(ps, lr=1e-2, foreach=fe)),
]


def time_it(opt):
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.step()
    return (time.perf_counter() - t0) * 1e3 / steps


def fmt(xs):
    s = sorted(xs)
    return f"{s[len(s) // 2]:.3f} ({s[0]:.3f}-{s[-1]:.3f})"


torch.manual_seed(1)
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ms per step, median (min-max) of {reps} reps x {steps} steps")
for label, make in CASES:
    opts = []
    for fe in (False, True):
        ps = [(torch.randn(s) * 0.05).requires_grad_() for s in SHAPES]
        for p in ps:
            p.grad = torch.randn(p.shape) * 0.01
        opts.append(make(ps, fe))
    for opt in opts:
        for _ in range(10):
            opt.step()
    times = ([], [])
    for _ in range(reps):
        for i, opt in enumerate(opts):
            times[i].append(time_it(opt))
    print(f"{label:<14} foreach=False {fmt(times[0])}   foreach=True {fmt(times[1])}")
