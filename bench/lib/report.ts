/**
 * The report: one row per workload × framework (median, min–max, repetitions, ratio to PyTorch), with
 * the machine, versions and thread settings above it; printed as text, Markdown or JSON.
 */
import type { Machine } from "./machine.js";
import type { Measurement } from "./measure.js";
import type { WorkerInfo } from "./protocol.js";
import { fmt, fmtRatio } from "./stats.js";

/** One line of the table. */
export interface Row {
  workload: string;
  framework: string;
  unit: string;
  median?: number;
  min?: number;
  max?: number;
  reps?: number;
  /** PyTorch's figure over this one's, turned so that > 1 means "better than PyTorch" (for RSS: size / PyTorch's). */
  ratio?: number;
  note: string;
}

/** Peak RSS of one framework's W3 in a fresh process. */
export interface RssResult { column: string; maxRssKb?: number; baseRssKb?: number; note?: string; error?: string }

/** The end-to-end run (W8). */
export interface W8Result { column: string; setting?: string; wallSec?: number; accuracy?: number; epochs?: number; command: string; error?: string }

/** Everything a run produced. */
export interface Report {
  date: string;
  machine: Machine | null;
  workers: Record<string, WorkerInfo | { error: string }>;
  settings: Record<string, unknown>;
  warnings: string[];
  rows: Row[];
  measurements: Measurement[];
  rss: RssResult[];
  w8: W8Result[];
}

const PYTORCH = "pytorch";

/** The better of several measurements of one column (PyTorch's two thread settings). */
function best(ms: Measurement[]): { chosen: Measurement; others: Measurement[] } {
  const ok = ms.filter((m) => !m.error && m.reps > 0);
  if (ok.length === 0) return { chosen: ms[0], others: ms.slice(1) };
  const chosen = ok.reduce((a, b) => ((a.higherIsBetter ? b.median > a.median : b.median < a.median) ? b : a));
  return { chosen, others: ms.filter((m) => m !== chosen) };
}

function peak2(machine: Machine | null, threads: number): number | undefined {
  if (!machine || "error" in machine.peak) return undefined;
  return machine.peak.gflops[String(threads)];
}

/** Rows for the timed cells, columns in the order they were measured. */
export function buildRows(measurements: Measurement[], machine: Machine | null, threads: number): Row[] {
  const rows: Row[] = [];
  const cells = [...new Set(measurements.map((m) => m.cell))];
  for (const cell of cells) {
    const ms = measurements.filter((m) => m.cell === cell);
    const columns = [...new Set(ms.map((m) => m.column))];
    const chosen = new Map<string, { chosen: Measurement; others: Measurement[] }>(columns.map((c) => [c, best(ms.filter((m) => m.column === c))]));
    const torch = chosen.get(PYTORCH)?.chosen;
    const torchOk = torch && !torch.error && torch.reps > 0 ? torch.median : undefined;
    for (const column of columns) {
      const { chosen: m, others } = chosen.get(column)!;
      const notes: string[] = [];
      if (m.setting && others.length > 0) {
        notes.push(`${m.setting}${others.map((o) => ` (${o.setting}: ${o.error ? "failed" : fmt(o.median)})`).join("")}`);
      }
      if (m.note) notes.push(m.note);
      if (m.error) {
        rows.push({ workload: cell, framework: column, unit: m.unit, note: [m.error, ...notes].join("; ") });
        continue;
      }
      const pk = peak2(machine, threads);
      if (m.unit === "GFLOP/s" && pk) notes.unshift(`${((m.median / pk) * 100).toFixed(0)}% of ${threads}-thread peak`);
      const ratio = torchOk === undefined ? undefined : m.higherIsBetter ? m.median / torchOk : torchOk / m.median;
      rows.push({ workload: cell, framework: column, unit: m.unit, median: m.median, min: m.min, max: m.max, reps: m.reps, ratio, note: notes.join("; ") });
    }
  }
  return rows;
}

/** Rows for W3's peak RSS (ratio = size / PyTorch's: lower is better). */
export function rssRows(rss: RssResult[]): Row[] {
  const torch = rss.find((r) => r.column === PYTORCH && r.maxRssKb !== undefined)?.maxRssKb;
  return rss.map((r) => {
    const note = [r.baseRssKb !== undefined ? `${fmt(r.baseRssKb / 1024)} MiB after import` : "", r.note ?? "", r.error ?? ""].filter(Boolean).join("; ");
    if (r.maxRssKb === undefined) return { workload: "W3 peak RSS (ratio = size/PyTorch's)", framework: r.column, unit: "MiB", note };
    return {
      workload: "W3 peak RSS (ratio = size/PyTorch's)", framework: r.column, unit: "MiB", median: r.maxRssKb / 1024, reps: 1,
      ratio: torch ? r.maxRssKb / torch : undefined, note,
    };
  });
}

/**
 * Rows for W8 (ratio = PyTorch's wall time / this one's: > 1 is faster). PyTorch's column shows its
 * faster thread setting, the other in brackets, as the timed cells do.
 */
export function w8Rows(w8: W8Result[]): Row[] {
  const ok = (r: W8Result): boolean => r.wallSec !== undefined;
  const torchRuns = w8.filter((r) => r.column === PYTORCH);
  const torch = torchRuns.filter(ok).reduce<W8Result | undefined>((a, b) => (a === undefined || b.wallSec! < a.wallSec! ? b : a), undefined);
  const shown = w8.filter((r) => r.column !== PYTORCH || r === (torch ?? torchRuns[0]));
  return shown.map((r) => {
    const others = r.column === PYTORCH ? torchRuns.filter((o) => o !== r) : [];
    const setting = r.setting ? `${r.setting}${others.map((o) => ` (${o.setting}: ${o.wallSec === undefined ? "failed" : `${fmt(o.wallSec)} s`})`).join("")}; ` : "";
    return {
      workload: "W8 MNIST CNN, end to end", framework: r.column, unit: "s", median: r.wallSec, reps: ok(r) ? 1 : undefined,
      ratio: torch && ok(r) ? torch.wallSec! / r.wallSec! : undefined,
      note: setting + (r.error ?? `${r.epochs ?? "?"} epochs, test accuracy ${r.accuracy?.toFixed(4) ?? "?"}; ${r.command}`),
    };
  });
}

function cells(r: Row): string[] {
  const has = r.median !== undefined;
  const range = has && r.min !== undefined && r.max !== undefined ? `${fmt(r.min)}–${fmt(r.max)}` : "";
  return [r.workload, r.framework, has ? `${fmt(r.median!)} ${r.unit}` : "–", range, r.reps !== undefined ? String(r.reps) : "", fmtRatio(r.ratio), r.note];
}

const HEAD = ["workload", "framework", "median", "min–max", "reps", "vs PyTorch", "notes"];

/** The header lines: machine, peak, bandwidth, versions, thread settings. */
export function headerLines(report: Report): string[] {
  const lines: string[] = [`date: ${report.date}`];
  const m = report.machine;
  if (m) {
    const end = report.settings.loadAverageAtEnd;
    lines.push(`machine: ${m.line}; load average at start ${m.load}${typeof end === "string" ? `, at end ${end}` : ""}`);
    lines.push("error" in m.peak ? `fp32 FMA peak: ${m.peak.error}`
      : `fp32 FMA peak: ${Object.entries(m.peak.gflops).map(([t, g]) => `${fmt(g)} GFLOP/s on ${t} thread${t === "1" ? "" : "s"}`).join(", ")} (${m.peak.isa})`);
    lines.push("error" in m.stream ? `STREAM triad: ${m.stream.error}`
      : `STREAM triad: ${Object.entries(m.stream.gbs).map(([t, g]) => `${fmt(g)} GB/s on ${t} thread${t === "1" ? "" : "s"}`).join(", ")}`);
  }
  for (const [id, info] of Object.entries(report.workers)) {
    if ("error" in info) {
      lines.push(`${id}: ${info.error}`);
      continue;
    }
    const extra = Object.entries(info).filter(([k]) => !["framework", "version", "threads", "baseRssKb"].includes(k)).map(([k, v]) => `${k} ${String(v)}`);
    lines.push(`${id}: ${info.framework} ${info.version}; threads: ${info.threads}${extra.length ? `; ${extra.join("; ")}` : ""}`);
  }
  for (const w of report.warnings) lines.push(`WARNING: ${w}`);
  return lines;
}

/** The table as aligned text. */
export function textTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 2 || i === 4 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out: string[] = [line(HEAD), widths.map((w) => "-".repeat(w)).join("  ")];
  let last = "";
  for (const r of rows) {
    if (last && r.workload !== last) out.push("");
    out.push(line(cells(r)));
    last = r.workload;
  }
  return out.join("\n");
}

/** The table as Markdown. */
export function markdownTable(rows: Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|");
  return [`| ${HEAD.join(" | ")} |`, `|${HEAD.map((_, i) => (i === 2 || i === 4 || i === 5 ? "---:" : "---")).join("|")}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(" | ")} |`)].join("\n");
}
