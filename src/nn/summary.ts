/** `Module.summary`: a Keras-style table of layers, output shapes and parameter counts. */
import { bytesPerElement, type DType } from "../core/dtype.js";
import { check, fmtShape } from "../core/errors.js";
import { noGrad } from "../engine/grad-mode.js";
import { tidy } from "../engine/scope.js";
import { zeros } from "../ops/creation.js";
import { isTensor } from "../ops/scalar.js";
import type { Module } from "./module.js";

/** Options of `Module.summary`. */
export interface SummaryOptions {
  /** Also print the table with `console.log` (default false). */
  print?: boolean;
  /** dtype of the zeros fed to the model (default float32). */
  dtype?: DType;
}

/** One row of a summary: a leaf layer (or a layer with parameters of its own), once per call. */
export interface SummaryRow {
  /** Dotted name inside the model, e.g. `"features.0"` ("" for the model itself). */
  name: string;
  /** Class name, e.g. `"Linear"`. */
  type: string;
  /** Shape of the output, e.g. `[1, 10]`; several outputs are listed. */
  outputShape: string;
  /** Parameters the layer owns directly (counted at its first call only, so the column sums to the total). */
  params: number;
}

/** What `Module.summary` returns; `toString()` gives the table. */
export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Bytes held by the parameters. */
  paramBytes: number;
  /** The formatted table. */
  text: string;
  toString(): string;
}

function describeOutput(value: unknown): string {
  if (isTensor(value)) return fmtShape(value.shape);
  if (Array.isArray(value)) return `[${value.map(describeOutput).join(", ")}]`;
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${describeOutput(v)}`).join(", ")}}`;
  }
  return "-";
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

const count = (n: number): string => n.toLocaleString("en-US");

function formatTable(model: Module, rows: SummaryRow[], totals: Omit<ModelSummary, "rows" | "text" | "toString">): string {
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const cells = rows.map((r) => [r.name === "" ? r.type : `${r.name} (${r.type})`, r.outputShape, count(r.params)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 3);
  const line = (c: string[]): string => ` ${c.map((s, i) => s.padEnd(widths[i])).join("")}`.trimEnd();
  const width = widths.reduce((a, b) => a + b, 1);
  return [
    `Model: "${model.constructor.name}"`,
    "_".repeat(width),
    line(header),
    "=".repeat(width),
    ...cells.map(line),
    "=".repeat(width),
    `Total params: ${count(totals.totalParams)} (${formatBytes(totals.paramBytes)})`,
    `Trainable params: ${count(totals.trainableParams)}`,
    `Non-trainable params: ${count(totals.nonTrainableParams)}`,
    "_".repeat(width),
  ].join("\n");
}

/**
 * Traces one forward pass by wrapping every submodule's `forward` (so layers called as `.forward(x)`
 * are seen as well as those called through `.call(x)`), then restores the modules exactly.
 * @internal Use `Module.summary`.
 */
export function summarize(model: Module, inputShape: readonly number[] | readonly (readonly number[])[], options: SummaryOptions): ModelSummary {
  check(Array.isArray(inputShape), "summary", "inputShape must be an array of dimensions, or an array of shapes for several inputs");
  const shapes = (inputShape.length > 0 && Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as readonly (readonly number[])[];
  const named = model.namedModules();
  const rows: SummaryRow[] = [];
  const counted = new Set<Module>();
  const saved: [Module, PropertyDescriptor | undefined, boolean][] = [];
  try {
    for (const [name, m] of named) {
      const own = m.parameters({ recurse: false });
      const reported = m.children().length === 0 || own.length > 0;
      const original = m.forward;
      saved.push([m, Object.getOwnPropertyDescriptor(m, "forward"), m.training]);
      m.forward = function (this: Module, ...args: unknown[]): unknown {
        const out = original.apply(this, args);
        if (reported) {
          const params = counted.has(m) ? 0 : own.reduce((n, p) => n + p.size, 0);
          counted.add(m);
          rows.push({ name, type: m.constructor.name, outputShape: describeOutput(out), params });
        }
        return out;
      };
    }
    model.eval();
    tidy(() => noGrad(() => {
      const inputs = shapes.map((s) => zeros(s, { dtype: options.dtype ?? "float32" }));
      model.call(...inputs);
    }));
  } finally {
    for (const [m, descriptor, training] of saved) {
      delete (m as Partial<Module>).forward;
      if (descriptor) Object.defineProperty(m, "forward", descriptor);
      m.training = training;
    }
  }
  const params = model.parameters();
  const totalParams = params.reduce((n, p) => n + p.size, 0);
  const trainableParams = params.filter((p) => p.requiresGrad).reduce((n, p) => n + p.size, 0);
  const totals = {
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    paramBytes: params.reduce((n, p) => n + p.size * bytesPerElement(p.dtype), 0),
  };
  const text = formatTable(model, rows, totals);
  if (options.print) console.log(text);
  return { rows, ...totals, text, toString: () => text };
}
