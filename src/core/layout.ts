import { contiguousStrides, sizeOf, type Shape } from "./shape.js";

/** Where a tensor's elements live in its storage: element i at offset + Σ index_k · strides[k]. */
export interface Layout {
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

export function contiguousLayout(shape: Shape): Layout {
  return { shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

/** True when the layout walks its storage in row-major order without gaps (size-1 dims ignored). */
export function isContiguous(layout: Layout): boolean {
  let expected = 1;
  for (let i = layout.shape.length - 1; i >= 0; i--) {
    const d = layout.shape[i];
    if (d === 1) continue;
    if (layout.strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * Strides for viewing `layout` with `newShape` without copying, or null when the memory order
 * does not allow it (then reshape must copy). Follows PyTorch's `computeStride`.
 */
export function viewStrides(layout: Layout, newShape: Shape): number[] | null {
  const oldShape = layout.shape;
  const oldStrides = layout.strides;
  if (sizeOf(oldShape) === 0) return contiguousStrides(newShape);
  if (isContiguous(layout)) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldShape.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}
