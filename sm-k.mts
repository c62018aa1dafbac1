const tl = await import(`/work/wt/softmax/src/index.js`);
const n = Number(process.argv[2] ?? 2);
tl.setNumThreads(n);
function time(label: string, fn: () => void, iters = 300): void {
  for (let i = 0; i < 50; i++) tl.tidy(fn);
  const ts: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) tl.tidy(fn);
    ts.push(Number(process.hrtime.bigint() - t0) / 1e3 / iters);
  }
  ts.sort((a, b) => a - b);
  console.log(`threads ${n} ${label}\tmin ${ts[0].toFixed(1)} med ${ts[4].toFixed(1)} us`);
}
const x = tl.randn([64, 1000]).keep();
const g = tl.randn([64, 1000]).keep();
const y = tl.softmax(x, 1).keep();
time("softmax fwd [64,1000]", () => tl.softmax(x, 1));
time("logSoftmax fwd [64,1000]", () => tl.logSoftmax(x, 1));
time("softmaxBackward [64,1000]", () => tl.softmaxBackward(y, g, 1));
time("logSoftmaxBackward [64,1000]", () => tl.logSoftmaxBackward(y, g, 1));
time("exp [64,1000]", () => tl.exp(x));
time("add [64,1000]", () => tl.add(x, g));
