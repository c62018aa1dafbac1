import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { check } from "../core/errors.js";
import { Callback, type Logs } from "./callbacks.js";

/** Options of the file loggers. */
export interface LoggerOptions {
  /** Add to an existing file instead of starting it afresh (default false), e.g. when resuming. */
  append?: boolean;
}

/** Starts the log file (creating its directory) unless appending to one. */
function startFile(path: string, append: boolean | undefined): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  if (!append || !existsSync(path)) writeFileSync(path, "");
}

/**
 * Writes one CSV row per epoch, header first: `epoch,loss,accuracy,...,lr`, like Keras' CSVLogger but
 * with 1-based epochs (as the progress bar shows them). The columns are those of the first epoch;
 * appending to a file reuses its header.
 * @example new tl.callbacks.CSVLogger("runs/log.csv")
 */
export class CSVLogger extends Callback {
  private columns: string[] | null = null;

  constructor(readonly path: string, readonly options: LoggerOptions = {}) {
    super();
    check(typeof path === "string" && path.length > 0, "CSVLogger", "path must be a non-empty string");
  }

  override onTrainBegin(): void {
    startFile(this.path, this.options.append);
    const header = readFileSync(this.path, "utf8").split("\n", 1)[0];
    this.columns = header === "" ? null : header.split(",").slice(1);
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

/**
 * Writes one JSON object per epoch per line: `{"epoch":1,"loss":0.52,...}` (1-based epochs; NaN and
 * ±Infinity are written as null, as JSON has no such numbers).
 * @example new tl.callbacks.JSONLLogger("runs/log.jsonl")
 */
export class JSONLLogger extends Callback {
  constructor(readonly path: string, readonly options: LoggerOptions = {}) {
    super();
    check(typeof path === "string" && path.length > 0, "JSONLLogger", "path must be a non-empty string");
  }

  override onTrainBegin(): void {
    startFile(this.path, this.options.append);
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    appendFileSync(this.path, JSON.stringify({ epoch: epoch + 1, ...logs }) + "\n");
  }
}
