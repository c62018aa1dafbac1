/** `tl.nn`: functional ops now; modules, layers and losses build on them. */
export * as functional from "./functional.js";
