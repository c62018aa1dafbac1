/** Every optimizer against PyTorch 1.13 trajectories (tools/fixtures/optim.py). */
import { test } from "node:test";
import * as tl from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { assertAllClose, fixture, lossOf, makeParams, type Problem } from "./helpers.js";

interface Case {
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  name: string;
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  trajectory: number[][][];
}

const { problem, cases } = fixture<{ problem: Problem; cases: Case[] }>("optimizers.json");

type AnyCtor = new (params: optim.ParamsInput<never>, options: Record<string, unknown>) => optim.Optimizer<optim.BaseOptions>;
const classes: Record<Case["optimizer"], AnyCtor> = {
  SGD: optim.SGD as unknown as AnyCtor,
  Adam: optim.Adam as unknown as AnyCtor,
  AdamW: optim.AdamW as unknown as AnyCtor,
  RMSprop: optim.RMSprop as unknown as AnyCtor,
  Adagrad: optim.Adagrad as unknown as AnyCtor,
};

for (const c of cases) {
  test(`${c.optimizer} (${c.name}) matches PyTorch over ${c.trajectory.length} steps`, () => {
    const params = makeParams(problem);
    const input = c.groups === null ? params : c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) }));
    const opt = new classes[c.optimizer](input as never, c.options);
    c.trajectory.forEach((expected, step) => {
      tl.tidy(() => {
        opt.zeroGrad();
        lossOf(problem, params[0], params[1]).backward();
        opt.step();
      });
      params.forEach((p, i) => assertAllClose(p.dataSync(), expected[i], `${c.optimizer} ${c.name} step ${step + 1} param ${i}`));
    });
  });
}
