import { Tensor } from "../../engine/tensor.js";
import * as ix from "../indexing.js";
import * as j from "../join.js";

declare module "../../engine/tensor.js" {
  interface Tensor {
    /** Views of at most `splitSizeOrSections`-sized pieces (or the given sizes) along `dim`; see `tl.split`. */
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** At most `chunks` equal views along `dim`; see `tl.chunk`. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** Padding in PyTorch's order (last dim first); see `tl.pad`. */
    pad(pad: readonly number[], options?: j.PadOptions): Tensor;
    /** Reverses the order along `dims`; see `tl.flip`. */
    flip(dims: number | readonly number[]): Tensor;
    /** Tiles the tensor `sizes[i]` times along dim i, like `torch.Tensor.repeat`. */
    repeat(sizes: readonly number[]): Tensor;
    /** Values at `index` along `dim`; see `tl.gather`. */
    gather(dim: number, index: Tensor): Tensor;
    /** Slices at a 1-D `index` along `dim`; see `tl.indexSelect`. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** A copy with `src` added at `index` along `dim`; see `tl.scatterAdd`. */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** `value` where the bool `mask` is true; see `tl.maskedFill`. */
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    /** One-hot encoding of these class indices (int32); see `tl.oneHot`. */
    oneHot(numClasses?: number): Tensor;
    /** Lower triangle of the last two dims; see `tl.tril`. */
    tril(diagonal?: number): Tensor;
    /** Upper triangle of the last two dims; see `tl.triu`. */
    triu(diagonal?: number): Tensor;
  }
}

const proto = Tensor.prototype;
proto.split = function (splitSizeOrSections, dim) { return j.split(this, splitSizeOrSections, dim); };
proto.chunk = function (chunks, dim) { return j.chunk(this, chunks, dim); };
proto.pad = function (pad, options) { return j.pad(this, pad, options); };
proto.flip = function (dims) { return j.flip(this, dims); };
proto.repeat = function (sizes) { return j.repeat(this, sizes); };
proto.gather = function (dim, index) { return ix.gather(this, dim, index); };
proto.indexSelect = function (dim, index) { return ix.indexSelect(this, dim, index); };
proto.scatterAdd = function (dim, index, src) { return ix.scatterAdd(this, dim, index, src); };
proto.maskedFill = function (mask, value) { return ix.maskedFill(this, mask, value); };
proto.oneHot = function (numClasses) { return ix.oneHot(this, numClasses); };
proto.tril = function (diagonal) { return ix.tril(this, diagonal); };
proto.triu = function (diagonal) { return ix.triu(this, diagonal); };
