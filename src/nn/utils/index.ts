/** `tl.nn.utils`: gradient clipping (also re-exported by `tl.optim`). */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from "./clip.js";
