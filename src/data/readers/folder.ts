/**
 * Class-per-sub-folder layouts (`root/<class>/.../<file>`), scanned in torchvision's `ImageFolder`
 * order: classes sorted by name, files sorted within each directory, directories walked in sorted order.
 */
import { readdirSync, statSync, type Dirent } from "node:fs";
import { extname, join, relative } from "node:path";
import { tensileError } from "../../core/errors.js";

/** A labelled file: its path and its class index. */
export interface LabelledFile {
  path: string;
  label: number;
}

/** What `scanClassFolders` finds. */
export interface ClassFolders {
  /** Class names (the sub-folders of root), sorted. */
  classes: string[];
  /** Files with an accepted extension, class by class. */
  samples: LabelledFile[];
  /** Files that were left out because of their extension (reported, not silently dropped). */
  skipped: string[];
}

/** Compares strings by code point, as Python's `sorted` (JavaScript's default sort compares UTF-16 units). */
export function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function listDir(dir: string, where: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw tensileError(where, `could not read the folder ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function isDir(dir: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, entry.name)).isDirectory(); // follow links, as torchvision's os.walk(followlinks=True)
  } catch {
    return false;
  }
}

/** Every file under `dir`, directory by directory in sorted path order, files sorted within each. */
function walk(dir: string, where: string): string[] {
  const dirs: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const d = pending.pop() as string;
    dirs.push(d);
    for (const e of listDir(d, where)) if (isDir(d, e)) pending.push(join(d, e.name));
  }
  dirs.sort(byCodePoint);
  const files: string[] = [];
  for (const d of dirs) {
    const names = listDir(d, where).filter((e) => !isDir(d, e)).map((e) => e.name).sort(byCodePoint);
    for (const n of names) files.push(join(d, n));
  }
  return files;
}

/**
 * Scans `root/<class>/...`: the classes, and each accepted file with its class index. Extensions are
 * compared case-insensitively. A root without sub-folders, or a class without a single accepted file,
 * is an error (as torchvision).
 */
export function scanClassFolders(root: string, extensions: readonly string[], where: string): ClassFolders {
  const accepted = new Set(extensions.map((e) => (e.startsWith(".") ? e : `.${e}`).toLowerCase()));
  const classes = listDir(root, where).filter((e) => isDir(root, e)).map((e) => e.name).sort(byCodePoint);
  if (classes.length === 0) throw tensileError(where, `${root} has no sub-folders: expected one folder per class (root/<class>/<file>)`);
  const samples: LabelledFile[] = [];
  const skipped: string[] = [];
  classes.forEach((name, label) => {
    const files = walk(join(root, name), where);
    let found = 0;
    for (const f of files) {
      if (accepted.has(extname(f).toLowerCase())) {
        samples.push({ path: f, label });
        found++;
      } else skipped.push(f);
    }
    if (found === 0) {
      throw tensileError(where, `the class folder ${join(root, name)} has no files with extensions ${[...accepted].join(", ")}` +
        (files.length > 0 ? ` (it holds ${files.slice(0, 3).map((f) => relative(root, f)).join(", ")}${files.length > 3 ? ", ..." : ""})` : ""));
    }
  });
  return { classes, samples, skipped };
}
