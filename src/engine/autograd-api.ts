/** The `tl.autograd` namespace. */
export { grad, backward, type GradOptions, type BackwardOptions } from "./autograd.js";
