/**
 * The steps Tensile's bench worker times (bench/workers/tensile.ts), shared with the profiling scripts
 * under bench/micro so a profile measures exactly what the benchmark runs.
 */
import * as tl from "../../src/index.js";

/**
 * One training step as a user writes it: zeroGrad, forward, cross-entropy, backward, optimizer step,
 * in a tidy scope. Returns the step; each call frees the previous step's loss and returns the new one.
 */
export function trainingStep(model: { forward(x: tl.Tensor): tl.Tensor }, opt: tl.optim.Optimizer,
  x: tl.Tensor, y: tl.Tensor): () => tl.Tensor {
  let last: tl.Tensor | null = null;
  return () => {
    last?.dispose();
    last = tl.tidy(() => {
      opt.zeroGrad();
      const loss = tl.nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.detach();
    });
    return last;
  };
}

/**
 * One inference step (W6): eval-mode forward without grad, in a tidy scope, so the forward's
 * intermediates are freed as soon as it returns (as PyTorch's reference counts free them), not left
 * to the GC safety net. Each call frees the previous output and returns the new one.
 */
export function inferenceStep(model: { forward(x: tl.Tensor): tl.Tensor }, x: tl.Tensor): () => tl.Tensor {
  let last: tl.Tensor | null = null;
  return () => {
    last?.dispose();
    last = tl.tidy(() => tl.noGrad(() => model.forward(x)));
    return last;
  };
}
