/** Error thrown for bad input anywhere in Tensile; the message starts with `[component]`. */
export class TensileError extends Error {
  override name = "TensileError";
}

/** Builds a TensileError whose message starts with `[where]`, as every Tensile error does. */
export function tensileError(where: string, message: string): TensileError {
  return new TensileError(`[${where}] ${message}`);
}

/** Throws `[where] message` when `condition` is false. */
export function check(condition: unknown, where: string, message: string | (() => string)): asserts condition {
  if (!condition) throw tensileError(where, typeof message === "string" ? message : message());
}

/** Formats a shape like `[2,3]` for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
