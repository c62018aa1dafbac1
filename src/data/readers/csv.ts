/**
 * CSV files, streamed through `csv-parse` (RFC 4180: quoted fields with delimiters, quotes and
 * newlines inside), into a `Table` of typed columns. Errors name the file, the row and the column.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { parse, type Info } from "csv-parse";
import { check, TensileError, tensileError } from "../../core/errors.js";
import { byCodePoint } from "./folder.js";
import { Table, type ColumnData, type ColumnType, type SkippedRow } from "./table.js";

const WHERE = "readCsv";

/** Cell texts read as missing by default (after trimming). */
export const DEFAULT_MISSING: readonly string[] = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"];

/** Options of `readCsv` and `parseCsv`. */
export interface CsvOptions {
  /** The first row names the columns (default true). Without a header, columns are named "0", "1", ... or by `columns`. */
  header?: boolean;
  /** Column names, replacing the header's (or naming the columns of a headerless file). */
  columns?: readonly string[];
  /** Field separator (default ","). */
  delimiter?: string;
  /** Quote character (default '"'). */
  quote?: string;
  /** Lines starting with this character are comments. */
  comment?: string;
  /** Remove whitespace around fields (default true). */
  trim?: boolean;
  /**
   * Column types by name: "number" (an unparseable cell is an error naming row and column), "category"
   * (codes into sorted names), "string", or "auto" (the default: number when every present value
   * parses, string otherwise).
   */
  types?: Readonly<Record<string, ColumnType | "auto">>;
  /** Cell texts that mean "missing" (NaN in number columns, null in text); default `DEFAULT_MISSING`. */
  missing?: readonly string[];
  /** Leave out rows with the wrong number of fields and list them in `table.skippedRows` (default false: an error). */
  skipRaggedRows?: boolean;
  /** File encoding (default "utf8"). */
  encoding?: BufferEncoding;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;

/** The number a cell holds, or null when it is not a decimal number (hex, "1,5", "12a" are not). */
export function parseNumber(text: string): number | null {
  const s = text.trim();
  if (NUMBER.test(s)) return Number(s);
  const inf = INFINITY.exec(s);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  return null;
}

/** Builds one column's data from its cells as they stream in. */
class ColumnBuilder {
  private readonly cells: (string | null)[] = [];
  private readonly numbers: number[] = [];

  constructor(readonly name: string, readonly type: ColumnType | "auto", private readonly source: string) {}

  push(cell: string | null, row: number, line: number): void {
    if (this.type === "number") {
      if (cell === null) this.numbers.push(NaN);
      else {
        const v = parseNumber(cell);
        if (v === null) throw tensileError(WHERE, `${this.source}, row ${row} (line ${line}), column "${this.name}": ${JSON.stringify(cell)} is not a number`);
        this.numbers.push(v);
      }
    } else this.cells.push(cell);
  }

  finish(): ColumnData {
    if (this.type === "number") return { type: "number", values: Float64Array.from(this.numbers) };
    if (this.type === "category") {
      const categories = [...new Set(this.cells.filter((c): c is string => c !== null))].sort(byCodePoint);
      const code = new Map(categories.map((c, i) => [c, i]));
      return { type: "category", categories, codes: Float64Array.from(this.cells, (c) => (c === null ? NaN : (code.get(c) as number))) };
    }
    if (this.type === "string") return { type: "string", values: this.cells };
    // auto: numbers when every present cell parses.
    const values = new Float64Array(this.cells.length);
    for (let i = 0; i < this.cells.length; i++) {
      const c = this.cells[i];
      const v = c === null ? NaN : parseNumber(c);
      if (v === null) return { type: "string", values: this.cells, firstNonNumber: { row: i + 1, value: c as string } };
      values[i] = v;
    }
    return { type: "number", values };
  }
}

function checkOptions(options: CsvOptions): void {
  const { delimiter, quote, types, missing, columns } = options;
  check(delimiter === undefined || (typeof delimiter === "string" && delimiter.length > 0), WHERE, "delimiter must be a non-empty string");
  check(quote === undefined || (typeof quote === "string" && quote.length === 1), WHERE, "quote must be one character");
  check(missing === undefined || (Array.isArray(missing) && missing.every((m) => typeof m === "string")), WHERE, "missing must be an array of strings");
  check(columns === undefined || (Array.isArray(columns) && columns.every((c) => typeof c === "string")), WHERE, "columns must be an array of names");
  for (const [name, t] of Object.entries(types ?? {})) {
    check(["number", "string", "category", "auto"].includes(t), WHERE, () => `types.${name} is ${JSON.stringify(t)}; use "number", "string", "category" or "auto"`);
  }
}

/** Reads CSV text from a stream into a table. */
async function readStream(input: Readable, source: string, options: CsvOptions): Promise<Table> {
  checkOptions(options);
  const { header = true, trim = true, skipRaggedRows = false } = options;
  const missing = new Set((options.missing ?? DEFAULT_MISSING).map((m) => m.trim()));
  const parser = parse({
    delimiter: options.delimiter ?? ",", quote: options.quote ?? '"', comment: options.comment, trim, bom: true,
    relax_column_count: true, skip_empty_lines: true, info: true,
  });
  input.on("error", (err) => parser.destroy(tensileError(WHERE, `could not read ${source}: ${err.message}`)));
  input.pipe(parser);
  let names: string[] | null = header ? null : options.columns ? [...options.columns] : null;
  let builders: ColumnBuilder[] = [];
  const skipped: SkippedRow[] = [];
  let rows = 0;
  const start = (fields: string[]) => {
    const seen = new Set<string>();
    for (const n of fields) {
      if (seen.has(n)) throw tensileError(WHERE, `${source}: the column name ${JSON.stringify(n)} appears twice in the header`);
      seen.add(n);
    }
    for (const n of Object.keys(options.types ?? {})) {
      if (!seen.has(n)) throw tensileError(WHERE, `${source}: types names the column ${JSON.stringify(n)}, which is not one of ${fields.map((f) => JSON.stringify(f)).join(", ")}`);
    }
    names = fields;
    builders = fields.map((n) => new ColumnBuilder(n, options.types?.[n] ?? "auto", source));
  };
  try {
    for await (const { info, record } of parser as AsyncIterable<{ info: Info; record: string[] }>) {
      if (names === null) {
        if (header) {
          if (options.columns && options.columns.length !== record.length) {
            throw tensileError(WHERE, `${source}: columns gives ${options.columns.length} names but the header has ${record.length} fields`);
          }
          start(options.columns ? [...options.columns] : record);
          continue;
        }
        start(record.map((_, j) => String(j)));
      } else if (builders.length === 0) start(names);
      const row = rows + skipped.length + 1;
      if (record.length !== builders.length) {
        const reason = `has ${record.length} fields but the header has ${builders.length} (${(names as string[]).join(", ")})`;
        if (!skipRaggedRows) throw tensileError(WHERE, `${source}, row ${row} (line ${info.lines}) ${reason}`);
        skipped.push({ row, line: info.lines, reason });
        continue;
      }
      rows++;
      for (let j = 0; j < builders.length; j++) {
        const cell = record[j];
        builders[j].push(missing.has(cell.trim()) ? null : cell, row, info.lines);
      }
    }
  } catch (err) {
    if (err instanceof TensileError) throw err;
    throw tensileError(WHERE, `${source}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    input.destroy();
  }
  if (names === null) throw tensileError(WHERE, `${source} is empty: expected a header row`);
  if (builders.length === 0) start(names);
  const data = new Map<string, ColumnData>(builders.map((b) => [b.name, b.finish()]));
  return new Table(names, data, rows, source, skipped);
}

/**
 * Reads a CSV file into a `Table` of typed columns, streaming (the file is never held as one string).
 * Missing cells ("", NA, NaN, null, ...) become NaN in number columns. Unparseable numbers in a
 * "number" column and rows with the wrong number of fields are errors naming the file, row and column.
 * @example
 * const table = await tl.data.readCsv("houses.csv", { types: { city: "category" } });
 * const x = table.toTensor(["rooms", "area"]); // float32 [rows, 2]
 */
export function readCsv(path: string, options: CsvOptions = {}): Promise<Table> {
  return readStream(createReadStream(path, { encoding: options.encoding ?? "utf8" }), path, options);
}

/**
 * Parses CSV text (the same rules as `readCsv`); `source` names it in errors.
 * @example const t = await tl.data.parseCsv("a,b\n1,2\n");
 */
export function parseCsv(text: string, options: CsvOptions & { source?: string } = {}): Promise<Table> {
  return readStream(Readable.from([text]), options.source ?? "<csv text>", options);
}
