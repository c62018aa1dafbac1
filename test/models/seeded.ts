/**
 * The seeded models and inputs behind test/fixtures/models/logits.json, shared by the test and by
 * tools/fixtures/models-weights.ts (which saves them for PyTorch), so both build exactly the same.
 */
import * as tl from "../../src/index.js";

/**
 * The models whose logits are checked against torchvision, at the smallest input that runs every
 * layer (32×32: ResNet-18's layer4 and VGG's last pool reach 1×1; VGG's adaptive pool then makes 7×7).
 * VGG-11 keeps its layers' default initialization (`initWeights: false`): torchvision's extra pass
 * over 133M weights takes ~15 s on the js backend and changes nothing a weight transfer checks.
 */
export const SEEDED = {
  resnet18: { seed: 18, inputSeed: 1018, input: [2, 3, 32, 32], build: () => tl.models.resnet18() },
  vgg11: { seed: 11, inputSeed: 1011, input: [2, 3, 32, 32], build: () => tl.models.vgg11({ initWeights: false }) },
} as const;

export type SeededName = keyof typeof SEEDED;

/**
 * Gives every batch norm non-trivial statistics and affine parameters, so the comparison sees a
 * wrongly loaded or ignored running_mean/running_var/weight/bias (at initialization they are 0/1/1/0).
 */
export function perturbBatchNorms(model: tl.nn.Module): void {
  tl.noGrad(() => {
    for (const m of model.modules()) {
      if (!(m instanceof tl.nn.BatchNorm2d)) continue;
      m.running_mean?.normal_(0, 0.1);
      m.running_var?.uniform_(0.5, 1.5);
      m.weight?.uniform_(0.5, 1.5);
      m.bias?.normal_(0, 0.1);
    }
  });
}

/** The seeded model (in eval mode) as the fixture was made: manualSeed(seed), build, perturb. */
export function seededModel(name: SeededName): tl.nn.Module {
  const spec = SEEDED[name];
  tl.manualSeed(spec.seed);
  const model = spec.build();
  perturbBatchNorms(model);
  return model.eval();
}

/** The seeded input: manualSeed(inputSeed), randn(input shape). */
export function seededInput(name: SeededName): tl.Tensor {
  const spec = SEEDED[name];
  tl.manualSeed(spec.inputSeed);
  return tl.randn([...spec.input]);
}
