const tl = await import(`/work/wt/softmax/src/index.js`);
tl.setNumThreads(1);
function time(label: string, fn: () => void, iters = 300): void {
  for (let i = 0; i < 50; i++) tl.tidy(fn);
  const ts: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) tl.tidy(fn);
    ts.push(Number(process.hrtime.bigint() - t0) / 1e3 / iters);
  }
  ts.sort((a, b) => a - b);
  console.log(`${label}\tmin ${ts[0].toFixed(1)} med ${ts[7].toFixed(1)} us`);
}
for (const s of [[128, 10], [64, 100], [64, 1000]]) {
  const x = tl.randn(s).keep();
  const y = tl.softmax(x, 1).keep();
  time(`add ${s}`, () => tl.add(x, x));
  time(`softmax ${s}`, () => tl.softmax(x, 1));
  time(`softmaxBackward ${s}`, () => tl.softmaxBackward(y, x, 1));
}
