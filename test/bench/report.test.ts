/**
 * The benchmark report's rows (bench/lib/report.ts): PyTorch is taken at its better thread setting and
 * ratios read "> 1 is better than PyTorch", for throughputs, times per op and W8's wall times alike.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Measurement } from "../../bench/lib/measure.js";
import { buildRows, w8Rows, type W8Result } from "../../bench/lib/report.js";

function measurement(worker: string, column: string, median: number, higherIsBetter: boolean, setting?: string): Measurement {
  return {
    cell: "cell", unit: higherIsBetter ? "samples/s" : "µs", higherIsBetter, worker, column, ...(setting ? { setting } : {}),
    spec: { workload: "W2" }, figures: [median], median, min: median, max: median, reps: 1, inner: 1,
  };
}

test("bench report: timed cells compare with PyTorch's better setting, higher or lower being better", () => {
  const throughput = buildRows([
    measurement("tensile-native", "tensile-native", 300, true),
    measurement("torch:passive", "pytorch", 100, true, "PASSIVE"),
    measurement("torch:blas1", "pytorch", 150, true, "BLAS1"),
  ], null, 2);
  assert.equal(throughput.length, 2);
  assert.equal(throughput[0].ratio, 2);
  assert.equal(throughput[1].median, 150);
  assert.match(throughput[1].note, /^BLAS1 \(PASSIVE: 100\)/);

  const latency = buildRows([
    measurement("tensile-native", "tensile-native", 2, false),
    measurement("torch:passive", "pytorch", 5, false, "PASSIVE"),
    measurement("torch:blas1", "pytorch", 4, false, "BLAS1"),
  ], null, 2);
  assert.equal(latency[0].ratio, 2);
  assert.equal(latency[1].median, 4);
});

test("bench report: W8 rows take PyTorch's faster run and give wall-time ratios", () => {
  const runs: W8Result[] = [
    { column: "tensile-native", wallSec: 20, accuracy: 0.9917, epochs: 3, command: "npm start" },
    { column: "pytorch", setting: "PASSIVE", wallSec: 45, accuracy: 0.992, epochs: 3, command: "torch_mnist.py" },
    { column: "pytorch", setting: "BLAS1", wallSec: 40, accuracy: 0.9924, epochs: 3, command: "torch_mnist.py" },
  ];
  const rows = w8Rows(runs);
  assert.deepEqual(rows.map((r) => [r.framework, r.median, r.ratio]), [["tensile-native", 20, 2], ["pytorch", 40, 1]]);
  assert.match(rows[1].note, /^BLAS1 \(PASSIVE: 45(\.0)? s\); 3 epochs, test accuracy 0\.9924/);

  // A failed PyTorch run leaves no ratio rather than a wrong one, and says why.
  const failed = w8Rows([runs[0], { column: "pytorch", setting: "PASSIVE", command: "torch_mnist.py", error: "exit code 1" }]);
  assert.equal(failed[0].ratio, undefined);
  assert.match(failed[1].note, /exit code 1/);
});
