import { Callback, type Logs, type TrainerControl } from "./callbacks.js";

/** Options of `ProgressBar`. */
export interface ProgressBarOptions {
  /** Where to write; default process.stdout. */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Redraw at most this often (ms). */
  refreshMs?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .filter(([k]) => k !== "samplesPerSec")
    .map(([k, v]) => `${k} ${k === "lr" ? v.toExponential(2) : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(4)}`)
    .join(" · ");
}

/**
 * A terminal progress bar with loss, metrics, lr, samples/s and ETA, redrawn in place (`\r`). When the
 * output is not a terminal (CI, a pipe), it prints one plain line per epoch instead. `Trainer` adds one
 * on stdout unless `progress: false`.
 * @example new tl.Trainer(model, { optimizer, loss: "crossEntropy", callbacks: [new tl.callbacks.ProgressBar({ refreshMs: 500 })] })
 */
export class ProgressBar extends Callback {
  private readonly stream: NonNullable<ProgressBarOptions["stream"]>;
  private readonly refreshMs: number;
  private epochStart = 0;
  private lastDraw = 0;
  private epochs = 0;
  private epoch = 0;
  private steps: number | null = null;

  constructor(options: ProgressBarOptions = {}) {
    super();
    this.stream = options.stream ?? process.stdout;
    this.refreshMs = options.refreshMs ?? 100;
  }

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  override onTrainBegin(control: TrainerControl): void {
    this.epochs = control.epochs;
    this.steps = control.stepsPerEpoch;
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = Date.now();
    this.lastDraw = 0;
  }

  override onBatchEnd(step: number, logs: Logs, control: TrainerControl): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < this.refreshMs) return;
    this.lastDraw = now;
    const done = step + 1;
    const elapsed = (now - this.epochStart) / 1000;
    const total = this.steps;
    const width = 24;
    const filled = total ? Math.min(width, Math.round((done / total) * width)) : 0;
    const bar = total ? `[${"=".repeat(filled)}${filled < width ? ">" : ""}${" ".repeat(Math.max(0, width - filled - 1))}] ${done}/${total}` : `${done}`;
    const eta = total ? formatDuration((elapsed / done) * (total - done)) : "?";
    const rate = logs.samplesPerSec !== undefined ? ` · ${logs.samplesPerSec.toFixed(0)} samples/s` : "";
    const line = `epoch ${this.epoch + 1}/${this.epochs} ${bar} · ${formatLogs({ ...logs, lr: control.lr })}${rate} · ETA ${eta}`;
    const columns = (this.stream as { columns?: number }).columns ?? 120;
    this.stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const seconds = (Date.now() - this.epochStart) / 1000;
    const line = `epoch ${epoch + 1}/${this.epochs} · ${formatLogs(logs)} · ${formatDuration(seconds)}`;
    this.stream.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
