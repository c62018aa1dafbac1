/**
 * Text readers: text folders (one class per sub-folder, one document per file), line files, and
 * JSON Lines, the last two also as streams (`IterableDataset`) for files that do not fit in memory.
 */
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { check, tensileError } from "../../core/errors.js";
import { Dataset, IterableDataset } from "../dataset.js";
import { libraryUrl, type ModuleSpec, type WorkerBuildable } from "../worker/spec.js";
import { scanClassFolders, type LabelledFile } from "./folder.js";

/** Options of `TextFolder` and `readTextFolder`. */
export interface TextFolderOptions {
  /** Accepted file extensions (default [".txt"]); other files are listed in `skipped`. */
  extensions?: readonly string[];
  /** File encoding (default "utf8"). */
  encoding?: BufferEncoding;
}

function readText(path: string, encoding: BufferEncoding, where: string): string {
  try {
    return readFileSync(path, { encoding });
  } catch (err) {
    throw tensileError(where, `could not read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Documents in class sub-folders (`root/<class>/<doc>.txt`), like scikit-learn's `load_files`:
 * sample i is `[text, class index]`; classes are the sorted sub-folder names.
 * @example
 * const ds = new tl.data.TextFolder("reviews/train"); // reviews/train/{neg,pos}/*.txt
 * const [text, label] = ds.get(0);
 */
export class TextFolder extends Dataset<[string, number]> implements WorkerBuildable {
  readonly root: string;
  readonly classes: readonly string[];
  readonly samples: readonly LabelledFile[];
  readonly targets: readonly number[];
  readonly skipped: readonly string[];
  private readonly options: TextFolderOptions;

  constructor(root: string, options: TextFolderOptions = {}) {
    super();
    const scan = scanClassFolders(root, options.extensions ?? [".txt"], "TextFolder");
    this.root = root;
    this.classes = scan.classes;
    this.samples = scan.samples;
    this.targets = scan.samples.map((s) => s.label);
    this.skipped = scan.skipped;
    this.options = { ...options };
  }

  get length(): number {
    return this.samples.length;
  }

  get(index: number): [string, number] {
    check(Number.isInteger(index) && index >= 0 && index < this.samples.length, "TextFolder", () => `index ${index} is out of range for ${this.samples.length} documents`);
    const s = this.samples[index];
    return [readText(s.path, this.options.encoding ?? "utf8", "TextFolder"), s.label];
  }

  workerSpec(): ModuleSpec {
    return { module: libraryUrl(), export: "data.TextFolder", args: [this.root, this.options] };
  }
}

/** A text folder read at once: the documents, their labels, the class names and the files. */
export interface TextCorpus {
  texts: string[];
  labels: number[];
  classes: string[];
  files: string[];
}

/**
 * Reads every document of a class-per-sub-folder tree.
 * @example const { texts, labels, classes } = tl.data.readTextFolder("reviews/train");
 */
export function readTextFolder(root: string, options: TextFolderOptions = {}): TextCorpus {
  const ds = new TextFolder(root, options);
  const texts = ds.samples.map((s) => readText(s.path, options.encoding ?? "utf8", "readTextFolder"));
  return { texts, labels: [...ds.targets], classes: [...ds.classes], files: ds.samples.map((s) => s.path) };
}

/** Options of `readLines` and `TextLinesDataset`. */
export interface LineOptions {
  /** Leave out lines that are empty (after trimming, when `trim`). Default false. */
  skipEmpty?: boolean;
  /** Remove leading and trailing whitespace. Default false. */
  trim?: boolean;
  /** File encoding (default "utf8"). */
  encoding?: BufferEncoding;
}

/** The lines of a file, streamed (CRLF and LF both end a line); a missing file is an error naming it. */
async function* lines(path: string, encoding: BufferEncoding, where: string): AsyncGenerator<{ line: string; number: number }> {
  const stream = createReadStream(path, { encoding });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (err) => reject(tensileError(where, `could not read ${path}: ${err.message}`)));
  });
  await opened;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of rl) yield { line, number: ++number };
  } finally {
    rl.close();
    stream.destroy();
  }
}

/**
 * A line file as a stream of strings (an `IterableDataset`).
 * @example for await (const line of new tl.data.TextLinesDataset("corpus.txt", { skipEmpty: true })) { ... }
 */
export class TextLinesDataset extends IterableDataset<string> {
  constructor(readonly path: string, private readonly options: LineOptions = {}) {
    super();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    const { skipEmpty = false, trim = false, encoding = "utf8" } = this.options;
    for await (const { line } of lines(this.path, encoding, "TextLinesDataset")) {
      const text = trim ? line.trim() : line;
      if (skipEmpty && text.length === 0) continue;
      yield text;
    }
  }
}

/**
 * Reads the lines of a text file.
 * @example const sentences = await tl.data.readLines("corpus.txt", { skipEmpty: true });
 */
export async function readLines(path: string, options: LineOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const line of new TextLinesDataset(path, options)) out.push(line);
  return out;
}

/**
 * A JSON Lines file (one JSON value per line) as a stream of values; blank lines are allowed. A line
 * that is not valid JSON is an error naming the file and the line.
 * @example for await (const record of new tl.data.JsonLinesDataset("train.jsonl")) { ... }
 */
export class JsonLinesDataset<T = unknown> extends IterableDataset<T> {
  constructor(readonly path: string, private readonly options: { encoding?: BufferEncoding } = {}) {
    super();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const { line, number } of lines(this.path, this.options.encoding ?? "utf8", "readJsonLines")) {
      if (line.trim().length === 0) continue;
      try {
        yield JSON.parse(line) as T;
      } catch (err) {
        const shown = line.length > 60 ? `${line.slice(0, 60)}...` : line;
        throw tensileError("readJsonLines", `${this.path}, line ${number}: not valid JSON (${err instanceof Error ? err.message : String(err)}): ${shown}`);
      }
    }
  }
}

/**
 * Reads every value of a JSON Lines file.
 * @example const records = await tl.data.readJsonLines("train.jsonl");
 */
export async function readJsonLines<T = unknown>(path: string, options: { encoding?: BufferEncoding } = {}): Promise<T[]> {
  const out: T[] = [];
  for await (const v of new JsonLinesDataset<T>(path, options)) out.push(v);
  return out;
}
