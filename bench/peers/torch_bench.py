"""PyTorch worker for the Tensile benchmark (bench/run.ts starts it with /usr/bin/python3).

Speaks the driver's line protocol (bench/lib/protocol.ts): one JSON request per line on stdin, one reply
per line on stdout prefixed with "@@bench ". Runs W1-W7 with the same shapes as the other frameworks;
the timing loop is the one in bench/lib/worker-loop.ts.

    torch_bench.py [THREADS]            serve requests
    torch_bench.py --export-onnx PATH   write W3's CNN as ONNX (for ONNX Runtime's W6) and exit
"""
import json
import os
import re
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MARK = "@@bench "


def max_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


BASE_RSS_KB = max_rss_kb()


def small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


class BasicBlock(nn.Module):
    """ResNet basic block; the shortcut is a 1x1 conv + BN where the shape changes (option B)."""

    def __init__(self, in_c, out_c, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, out_c, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_c)
        self.conv2 = nn.Conv2d(out_c, out_c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_c)
        self.shortcut = None
        if stride != 1 or in_c != out_c:
            self.shortcut = nn.Sequential(nn.Conv2d(in_c, out_c, 1, stride=stride, bias=False), nn.BatchNorm2d(out_c))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)

        def stage(in_c, out_c, stride):
            return nn.Sequential(BasicBlock(in_c, out_c, stride), BasicBlock(out_c, out_c, 1), BasicBlock(out_c, out_c, 1))

        self.layer1 = stage(16, 16, 1)
        self.layer2 = stage(16, 32, 2)
        self.layer3 = stage(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


class LstmClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(32, 128, batch_first=True)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


class Trainer:
    """One training step: zero_grad, forward, cross-entropy, backward, Adam(lr 1e-3)."""

    def __init__(self, model, x, y):
        self.model, self.x, self.y = model.train(), x, y
        self.opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.last = None

    def step(self):
        self.opt.zero_grad()
        loss = F.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.last = loss

    def sync(self):
        return float(self.last.item()) if self.last is not None else float("nan")


class Inference:
    def __init__(self, model, x):
        self.model, self.x = model.eval(), x
        self.last = None

    def step(self):
        with torch.no_grad():
            self.last = self.model(self.x)

    def sync(self):
        return float(self.last[0, 0].item()) if self.last is not None else float("nan")


class Op:
    def __init__(self, a, b, fn):
        self.a, self.b, self.fn = a, b, fn
        self.last = None

    def step(self):
        self.last = self.fn(self.a, self.b)

    def sync(self):
        return float(self.last.reshape(-1)[0].item()) if self.last is not None else float("nan")


BATCH = {"W2": 128, "W3": 64, "W4": 64, "W5": 64, "W6": 64}


def setup(cell):
    torch.manual_seed(0)
    w = cell["workload"]
    batch = cell.get("batch", BATCH.get(w, 1))

    def labels():
        return torch.randint(0, 10, (batch,))

    if w == "W1":
        n = cell.get("n", 1024)
        return Op(torch.randn(n, n), torch.randn(n, n), torch.mm)
    if w == "W2":
        return Trainer(mlp(), torch.randn(batch, 784), labels())
    if w == "W3":
        return Trainer(small_cnn(), torch.randn(batch, 1, 28, 28), labels())
    if w == "W4":
        return Trainer(ResNet20(), torch.randn(batch, 3, 32, 32), labels())
    if w == "W5":
        return Trainer(LstmClassifier(), torch.randn(batch, 64, 32), labels())
    if w == "W6":
        return Inference(small_cnn(), torch.randn(batch, 1, 28, 28))
    if w == "W7":
        if cell.get("op") == "add":
            return Op(torch.randn(1), torch.randn(1), torch.add)
        return Op(torch.randn(64, 64), torch.randn(64, 64), torch.mm)
    raise ValueError("unknown workload " + str(w))


def check(value):
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("the step produced a non-finite value (%r)" % value)


def calibrate(runner, warmup_sec, rep_sec, slow_sec):
    """Same as calibrate() in bench/lib/worker-loop.ts."""
    t0 = time.perf_counter()
    runner.step()
    check(runner.sync())
    iter_sec = time.perf_counter() - t0
    if iter_sec < slow_sec:
        count = 0
        t0 = time.perf_counter()
        while count < 2 or time.perf_counter() - t0 < warmup_sec:
            runner.step()
            count += 1
        check(runner.sync())
        iter_sec = (time.perf_counter() - t0) / count
    return iter_sec, max(1, round(rep_sec / iter_sec))


def blas_library():
    """The BLAS shared library this process loaded (torch links the system's libblas.so.3)."""
    with open("/proc/self/maps") as f:
        found = set(re.findall(r"(/\S*(?:blas|BLAS)\S*\.so\S*)", f.read()))
    real = sorted({os.path.basename(os.path.realpath(p)) for p in found})
    return ", ".join(real) if real else "none found"


def debian_version():
    """The python3-torch package's version (torch.__version__ says 1.13.0a0 for Debian's 1.13.1 build)."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def info(threads):
    torch.mm(torch.ones(4, 4), torch.ones(4, 4))  # loads BLAS
    keys = ("OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "LD_LIBRARY_PATH")
    env = ", ".join("%s=%s" % (k, os.environ[k]) for k in keys if k in os.environ)
    return {
        "framework": "torch",
        "version": torch.__version__,
        "threads": "torch.set_num_threads(%d) -> %d%s" % (threads, torch.get_num_threads(), (", " + env) if env else ""),
        "debian": "python3-torch " + debian_version(),
        "blas": blas_library(),
        "python": sys.version.split()[0],
        "baseRssKb": BASE_RSS_KB,
    }


def send(reply):
    sys.stdout.write(MARK + json.dumps(reply) + "\n")
    sys.stdout.flush()


def serve(threads):
    torch.set_num_threads(threads)
    runner, inner = None, 1
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "hello":
                send({"ok": True, "info": info(threads)})
            elif op == "setup":
                runner = None
                runner = setup(req["cell"])
                iter_sec, inner = calibrate(runner, req["warmupSec"], req["repSec"], req["slowSec"])
                send({"ok": True, "iterSec": iter_sec, "inner": inner})
            elif op == "rep":
                if runner is None:
                    raise RuntimeError("rep before setup")
                t0 = time.perf_counter()
                for _ in range(inner):
                    runner.step()
                value = runner.sync()
                sec = (time.perf_counter() - t0) / inner
                check(value)
                send({"ok": True, "secPerIter": sec, "check": value})
            elif op == "teardown":
                runner = None
                send({"ok": True})
            elif op == "rss":
                send({"ok": True, "maxRssKb": max_rss_kb()})
            elif op == "exit":
                send({"ok": True})
                return
        except Exception as e:  # reported to the driver, which shows it in the table
            runner = None
            send({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})


def export_onnx(path):
    torch.manual_seed(0)
    model = small_cnn().eval()
    torch.onnx.export(model, torch.randn(64, 1, 28, 28), path, input_names=["x"], output_names=["logits"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--export-onnx":
        export_onnx(sys.argv[2])
    else:
        serve(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
