/**
 * The optimizers' update rules composed from public tensor ops, one parameter at a time: what
 * src/optim ran before the fused kernels, in PyTorch 1.13's single-tensor order. The fused kernels
 * must reproduce these bit for bit (test/optim/fused.test.ts).
 */
import * as tl from "../../src/index.js";

type Opts = Record<string, unknown>;
type State = Record<string, tl.Tensor | number>;

function sgd(p: tl.Tensor, grad: tl.Tensor, state: State, o: Opts): void {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize } = o as Record<string, number & boolean>;
  let d = maximize ? grad.neg() : grad;
  if (weightDecay !== 0) d = d.add(p.mul(weightDecay));
  if (momentum !== 0) {
    let buf = state.momentumBuffer as tl.Tensor | undefined;
    if (buf === undefined) {
      buf = tl.clone(d).keep();
      state.momentumBuffer = buf;
    } else {
      buf.mul_(momentum).add_(d.mul(1 - dampening));
    }
    d = nesterov ? d.add(buf.mul(momentum)) : buf;
  }
  p.sub_(d.mul(lr));
}

function adam(p: tl.Tensor, grad: tl.Tensor, state: State, o: Opts, decoupled: boolean): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = o as Record<string, number & boolean>;
  const [beta1, beta2] = o.betas as [number, number];
  if (state.step === undefined) {
    state.step = 0;
    state.expAvg = tl.zerosLike(p).keep();
    state.expAvgSq = tl.zerosLike(p).keep();
  }
  if (amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = tl.zerosLike(p).keep();
  const step = (state.step as number) + 1;
  state.step = step;
  let g = maximize ? grad.neg() : grad;
  if (weightDecay !== 0) {
    if (decoupled) p.mul_(1 - lr * weightDecay);
    else g = g.add(p.mul(weightDecay));
  }
  const expAvg = state.expAvg as tl.Tensor;
  const expAvgSq = state.expAvgSq as tl.Tensor;
  expAvg.mul_(beta1).add_(g.mul(1 - beta1));
  expAvgSq.mul_(beta2).add_(g.mul(1 - beta2).mul(g));
  const stepSize = lr / (1 - beta1 ** step);
  let second = expAvgSq;
  if (amsgrad) {
    const maxSq = state.maxExpAvgSq as tl.Tensor;
    maxSq.copy_(tl.maximum(maxSq, expAvgSq));
    second = maxSq;
  }
  const denom = second.sqrt().div(Math.sqrt(1 - beta2 ** step)).add(eps);
  p.sub_(expAvg.mul(stepSize).div(denom));
}

function rmsprop(p: tl.Tensor, grad: tl.Tensor, state: State, o: Opts): void {
  const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = o as Record<string, number & boolean>;
  if (state.step === undefined) {
    state.step = 0;
    state.squareAvg = tl.zerosLike(p).keep();
  }
  if (momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = tl.zerosLike(p).keep();
  if (centered && state.gradAvg === undefined) state.gradAvg = tl.zerosLike(p).keep();
  state.step = (state.step as number) + 1;
  let g = maximize ? grad.neg() : grad;
  if (weightDecay !== 0) g = g.add(p.mul(weightDecay));
  const squareAvg = state.squareAvg as tl.Tensor;
  squareAvg.mul_(alpha).add_(g.mul(1 - alpha).mul(g));
  let avg: tl.Tensor;
  if (centered) {
    const gradAvg = state.gradAvg as tl.Tensor;
    gradAvg.mul_(alpha).add_(g.mul(1 - alpha));
    avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
  } else {
    avg = squareAvg.sqrt();
  }
  avg = avg.add(eps);
  if (momentum > 0) {
    const buf = state.momentumBuffer as tl.Tensor;
    buf.mul_(momentum).add_(g.div(avg));
    p.sub_(buf.mul(lr));
  } else {
    p.sub_(g.mul(lr).div(avg));
  }
}

function adagrad(p: tl.Tensor, grad: tl.Tensor, state: State, o: Opts): void {
  const { lr, lrDecay, weightDecay, eps, maximize, initialAccumulatorValue } = o as Record<string, number & boolean>;
  if (state.step === undefined) {
    state.step = 0;
    state.sum = tl.fullLike(p, initialAccumulatorValue).keep();
  }
  const step = (state.step as number) + 1;
  state.step = step;
  let g = maximize ? grad.neg() : grad;
  if (weightDecay !== 0) g = g.add(p.mul(weightDecay));
  const clr = lr / (1 + (step - 1) * lrDecay);
  const sum = state.sum as tl.Tensor;
  sum.add_(g.mul(g));
  p.sub_(g.mul(clr).div(sum.sqrt().add(eps)));
}

/** The defaults of each optimizer (as src/optim has them). */
export const DEFAULTS: Record<string, Opts> = {
  SGD: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  Adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
  AdamW: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false },
  RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  Adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
};

/** One composed step of optimizer `name` on one parameter (under noGrad, in a tidy). */
export function composedStep(name: string, p: tl.Tensor, grad: tl.Tensor, state: State, options: Opts): void {
  const o = { ...DEFAULTS[name], ...options };
  tl.noGrad(() => tl.tidy(() => {
    if (name === "SGD") sgd(p, grad, state, o);
    else if (name === "Adam") adam(p, grad, state, o, false);
    else if (name === "AdamW") adam(p, grad, state, o, true);
    else if (name === "RMSprop") rmsprop(p, grad, state, o);
    else adagrad(p, grad, state, o);
  }));
}
