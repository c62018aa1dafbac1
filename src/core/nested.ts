import type { DType, TypedArray } from "./dtype.js";
import { typedArrayFor } from "./dtype.js";
import { check, tensileError } from "./errors.js";

/** A number, a boolean, or arrays of them nested to any depth. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** The shape of a nested array, checking that it is rectangular. */
export function nestedShape(data: NestedArray, where: string): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedArray;
  }
  const walk = (node: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      check(typeof node === "number" || typeof node === "boolean", where,
        () => `element ${path || "(root)"} is ${Array.isArray(node) ? "an array" : typeof node} but a number or boolean was expected`);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw tensileError(where, `nested array is ragged: element ${path || "(root)"} has ${Array.isArray(node) ? `length ${node.length}` : "no length"} but length ${shape[depth]} was expected`);
    }
    node.forEach((child: NestedArray, i: number) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, "");
  return shape;
}

/** Flattens a rectangular nested array into a typed array of `dtype`. */
export function flattenNested(data: NestedArray, size: number, dtype: DType): TypedArray {
  const out = typedArrayFor(dtype, size);
  let i = 0;
  const walk = (node: NestedArray): void => {
    if (Array.isArray(node)) for (const child of node) walk(child as NestedArray);
    else out[i++] = typeof node === "boolean" ? (node ? 1 : 0) : (node as number);
  };
  walk(data);
  return out;
}

/** Builds nested arrays of `shape` from flat values (booleans for bool tensors). */
export function unflatten(flat: TypedArray, shape: readonly number[], asBool: boolean): NestedArray {
  let i = 0;
  const build = (depth: number): NestedArray => {
    if (depth === shape.length) {
      const v = flat[i++];
      return asBool ? v !== 0 : v;
    }
    const out: NestedArray[] = [];
    for (let k = 0; k < shape[depth]; k++) out.push(build(depth + 1));
    return out;
  };
  return build(0);
}
