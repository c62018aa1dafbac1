import { appendFileSync, writeFileSync } from "node:fs";
import { Callback, type Logs } from "./callbacks.js";

/** Writes one CSV row per epoch (`epoch,loss,...`), header first, like Keras' CSVLogger. */
export class CSVLogger extends Callback {
  private columns: string[] | null = null;

  constructor(readonly path: string, readonly options: { append?: boolean } = {}) {
    super();
  }

  override onTrainBegin(): void {
    this.columns = null;
    if (!this.options.append) writeFileSync(this.path, "");
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    if (this.columns === null) {
      this.columns = Object.keys(logs);
      appendFileSync(this.path, ["epoch", ...this.columns].join(",") + "\n");
    }
    const row = [String(epoch + 1), ...this.columns.map((c) => (logs[c] === undefined ? "" : String(logs[c])))];
    appendFileSync(this.path, row.join(",") + "\n");
  }
}

/** Writes one JSON object per epoch per line. */
export class JSONLLogger extends Callback {
  constructor(readonly path: string, readonly options: { append?: boolean } = {}) {
    super();
  }

  override onTrainBegin(): void {
    if (!this.options.append) writeFileSync(this.path, "");
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    appendFileSync(this.path, JSON.stringify({ epoch: epoch + 1, ...logs }) + "\n");
  }
}
