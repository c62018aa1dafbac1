/** The table's rows: each workload's cells, their figure, and how a time per step becomes that figure. */
import { batchOf, type CellSpec, type WorkloadId } from "./protocol.js";

/** A measured row of the table. */
export interface Cell {
  /** Row label, e.g. "W1 SGEMM n=1024". */
  label: string;
  spec: CellSpec;
  unit: "GFLOP/s" | "samples/s" | "µs";
  /** Whether a larger figure is better (throughput) or a smaller one (time per op). */
  higherIsBetter: boolean;
}

export const WORKLOAD_IDS: readonly WorkloadId[] = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"];

/** Every cell of the selected workloads, in table order. */
export function cellsFor(workloads: readonly string[]): Cell[] {
  const cells: Cell[] = [];
  const want = new Set(workloads);
  if (want.has("W1")) {
    for (const n of [256, 1024, 2048]) cells.push({ label: `W1 SGEMM n=${n}`, spec: { workload: "W1", n }, unit: "GFLOP/s", higherIsBetter: true });
  }
  const train = (id: WorkloadId, label: string): void => {
    if (want.has(id)) cells.push({ label, spec: { workload: id }, unit: "samples/s", higherIsBetter: true });
  };
  train("W2", "W2 MLP train");
  train("W3", "W3 CNN train");
  train("W4", "W4 ResNet-20 train");
  train("W5", "W5 LSTM train");
  train("W6", "W6 CNN inference");
  if (want.has("W7")) {
    cells.push({ label: "W7 add 1-element", spec: { workload: "W7", op: "add" }, unit: "µs", higherIsBetter: false });
    cells.push({ label: "W7 matmul 64×64", spec: { workload: "W7", op: "mm64" }, unit: "µs", higherIsBetter: false });
  }
  return cells;
}

/** The cell's figure from seconds per step (with the batch the framework actually ran). */
export function figureOf(cell: Cell, spec: CellSpec, secPerIter: number): number {
  switch (cell.unit) {
    case "GFLOP/s": {
      const n = spec.n ?? 1024;
      return (2 * n ** 3) / secPerIter / 1e9;
    }
    case "samples/s": return batchOf(spec) / secPerIter;
    case "µs": return secPerIter * 1e6;
  }
}
