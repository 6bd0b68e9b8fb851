/**
 * The built-in configuration of `contrastive main` (platform-neutral: a plain object, exported by
 * the main entry `@contrastive/cli`).
 */
import type { RunConfigInput } from '@contrastive/experiment';

/**
 * The main job's configuration (also `examples/simclr-cifar10/config.yaml`). Sizing (measured on
 * the 2-core development machine on the wasm+onednn engine, see docs/cli/README.md): ResNet-18 at
 * width ×0.25 (16-32-64-128, CIFAR stem), batch 64, 1200 steps, AdamW and a cosine schedule, SimCLR's
 * CIFAR-10 augmentation (strength 0.5, no blur) and τ = 0.5.
 */
export const MAIN_CONFIG: RunConfigInput = {
  name: 'main',
  seed: 0,
  encoder: { kind: 'resnet', depth: 18, stem: 'cifar', widthMultiplier: 0.25 },
  head: { kind: 'mlp', outputDim: 128 },
  strategy: { name: 'simclr', temperature: 0.5 },
  augment: { recipe: 'simclr', strength: 0.5, blur: false, cropScale: [0.2, 1] },
  optimizer: { name: 'adamw', lr: 0.003, weightDecay: 1e-4 },
  schedule: { kind: 'cosine', warmupSteps: 20 },
  train: { epochs: 2, maxSteps: 1200, batchSize: 64 },
  checkpoint: { everySteps: 200, keep: 2 },
  monitor: { enabled: true, everySteps: 200, bankSize: 1000, testSize: 500 },
  eval: { bankSize: 10000, testSize: 10000, k: 200, temperature: 0.1, linear: { epochs: 100, lr: 1e-3, weightDecay: 1e-4, batchSize: 256 } },
  report: { mapPoints: 2000, previewImages: 8, previewViews: 6 },
};
