/**
 * Text normalization shared by the tokenizers: Unicode normalization and lower-casing, both
 * optional, checked once so every tokenizer reports a bad option the same way.
 */
import { check } from "../../core/errors.js";

/** A Unicode normalization form (see `String.prototype.normalize`), or `false` to leave text as it is. */
export type NormalizationForm = "NFC" | "NFD" | "NFKC" | "NFKD" | false;

const FORMS: readonly NormalizationForm[] = ["NFC", "NFD", "NFKC", "NFKD", false];

/** Throws a clear error unless `form` is a normalization form or `false`. */
export function checkNormalization(form: unknown, where: string): NormalizationForm {
  check(FORMS.includes(form as NormalizationForm), where,
    () => `normalize must be "NFC", "NFD", "NFKC", "NFKD" or false, got ${JSON.stringify(form)}`);
  return form as NormalizationForm;
}

/** Throws a clear error unless `text` is a string (callers pass user data straight through). */
export function checkText(text: unknown, where: string): asserts text is string {
  check(typeof text === "string", where, () => `text must be a string, got ${text === null ? "null" : typeof text}`);
}

/**
 * Normalizes `text` with `form` and lower-cases it when asked. Lower-casing is locale-independent
 * (`toLowerCase`), so a model trained in one locale tokenizes the same way in another.
 */
export function normalizeText(text: string, form: NormalizationForm, lowercase: boolean): string {
  const normalized = form === false ? text : text.normalize(form);
  return lowercase ? normalized.toLowerCase() : normalized;
}
