/**
 * Pipeline: transformers applied one after another, as scikit-learn's `Pipeline` of transformers:
 * fit fits each step on the previous step's output; inverseTransform runs the steps backwards.
 */
import { check } from "../../core/errors.js";
import type { Tensor } from "../../engine/tensor.js";
import { Transformer, checkKnownKeys, type TableTransformer } from "./base.js";
import { checkNames, checkPart, loadPart, numericOutput } from "./composite.js";
import { count, registerState, type TransformerState } from "./persist.js";
import { type Cell, type Data, type TableInput } from "./table.js";

/** A pipeline step: a name and a transformer, or "passthrough" to skip it. */
export type PipelineStep = readonly [name: string, step: TableTransformer | "passthrough"];

interface PipelineFitted {
  nFeaturesIn: number;
  nFeaturesOut: number;
}

const WHERE = "Pipeline";

/**
 * Chains transformers: `fit` fits each on the output of the one before, `transform` applies them in order.
 * @example
 * const pipe = new tl.data.Pipeline([
 *   ["impute", new tl.data.SimpleImputer({ strategy: "median" })],
 *   ["scale", new tl.data.StandardScaler()],
 * ]);
 * const xTrain = pipe.fitTransform(rawTrain);
 */
export class Pipeline extends Transformer<PipelineFitted, TableInput, Tensor, Tensor | Cell[][]> {
  readonly typeName = WHERE;
  protected override readonly categoricalInput = true;
  private stepList: [string, TableTransformer | "passthrough"][] = [];
  /** The last fit's output, so fitTransform does not transform twice. */
  private fitOutput: { input: Data; output: Data } | null = null;

  constructor(steps: readonly PipelineStep[] = []) {
    super();
    this.setSteps(steps);
  }

  private setSteps(steps: readonly PipelineStep[]): void {
    check(Array.isArray(steps), WHERE, "steps must be an array of [name, transformer] pairs");
    steps.forEach((s, i) => check(Array.isArray(s) && s.length === 2, WHERE, () => `step ${i} must be a [name, transformer] pair`));
    checkNames(steps.map((s) => s[0]), WHERE, "step");
    steps.forEach(([name, step]) => checkPart(step, ["passthrough"], WHERE, `step "${name}"`));
    this.stepList = steps.map(([name, step]) => [name, step]);
    this.fitted = null;
  }

  /** The steps, in order. */
  get steps(): readonly PipelineStep[] {
    return this.stepList;
  }

  /** The steps by name. */
  get namedSteps(): Record<string, TableTransformer | "passthrough"> {
    return Object.fromEntries(this.stepList);
  }

  override get nFeaturesOut(): number {
    return this.state().nFeaturesOut;
  }

  override get invertible(): boolean {
    return this.stepList.every(([, s]) => s === "passthrough" || s.invertible);
  }

  protected override describeNoInverse(): string {
    const names = this.stepList.filter(([, s]) => s !== "passthrough" && !s.invertible).map(([n]) => `"${n}"`);
    return `inverseTransform needs every step to have one, but step ${names.join(", ")} has none`;
  }

  /** Fits every step in order; returns `this`. */
  override fit(x: TableInput): this {
    super.fit(x);
    this.fitOutput = null;
    return this;
  }

  /** Applies the fitted steps; the result must be numeric (end with an encoder for categorical columns). */
  override transform(x: TableInput): Tensor {
    return numericOutput(this.transformData(this.read(x)), WHERE);
  }

  /** `fit(x)` then `transform(x)`, transforming the data once. */
  override fitTransform(x: TableInput): Tensor {
    const d = this.read(x);
    this.fitData(d);
    return numericOutput(this.transformData(d), WHERE);
  }

  protected learn(d: Data): PipelineFitted {
    let out = d;
    for (const [, step] of this.stepList) {
      if (step === "passthrough") continue;
      step.fitData(out);
      out = step.transformData(out);
    }
    this.fitOutput = { input: d, output: out };
    return { nFeaturesIn: d.cols, nFeaturesOut: out.cols };
  }

  protected apply(d: Data): Data {
    const cached = this.fitOutput;
    this.fitOutput = null;
    if (cached !== null && cached.input === d) return cached.output;
    let out = d;
    for (const [, step] of this.stepList) if (step !== "passthrough") out = step.transformData(out);
    return out;
  }

  protected override invert(d: Data): Data {
    let out = d;
    for (const [, step] of [...this.stepList].reverse()) if (step !== "passthrough") out = step.inverseData(out);
    return out;
  }

  protected optionsState(): Record<string, unknown> {
    return { steps: this.stepList.map(([name, step]) => [name, step === "passthrough" ? step : step.stateDict()]) };
  }

  protected loadOptions(options: Record<string, unknown>): void {
    checkKnownKeys(options, ["steps"], WHERE);
    const steps = options.steps;
    check(Array.isArray(steps) && steps.every((s) => Array.isArray(s) && s.length === 2), WHERE, "the saved state's steps must be [name, state] pairs");
    this.setSteps((steps as [string, unknown][]).map(([name, s]) => [name, loadPart(s, ["passthrough"], WHERE, `step "${name}"`) as TableTransformer | "passthrough"]));
  }

  protected loadFitted(f: Record<string, unknown>): PipelineFitted {
    const unfitted = this.stepList.filter(([, s]) => s !== "passthrough" && !s.isFitted).map(([n]) => n);
    check(unfitted.length === 0, WHERE, () => `the saved pipeline is fitted but its step ${unfitted.join(", ")} is not`);
    return { nFeaturesIn: count(f, "nFeaturesIn", WHERE), nFeaturesOut: count(f, "nFeaturesOut", WHERE) };
  }

  /** Rebuilds a Pipeline (with its fitted steps) from `stateDict()` / `toJSON()` output or its JSON string. */
  static fromJSON(json: TransformerState | object | string): Pipeline {
    return new Pipeline().loadStateDict(json);
  }
}

registerState(WHERE, (s) => new Pipeline().loadStateDict(s));
