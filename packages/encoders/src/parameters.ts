/**
 * Parameter counting, as `sum(p.numel() for p in model.parameters())` in PyTorch.
 */
import { ArgumentError, describeValue, type TrainableModule } from '@contrastive/core';

/**
 * Number of trainable parameters of a module: the sizes of its `trainableVariables` (BatchNorm
 * gamma and beta count; running averages, which are buffers, do not).
 *
 * @example
 * ```ts
 * countParameters(resnet18({ stem: 'imagenet' })); // 11_176_512, as torchvision without fc
 * ```
 */
export function countParameters(module: TrainableModule): number {
  if (typeof module !== 'object' || module === null || !Array.isArray(module.trainableVariables)) {
    throw new ArgumentError(`countParameters: argument 'module' must be a TrainableModule, received ${describeValue(module)}`, {
      argument: 'module',
      expected: 'a TrainableModule',
      received: module,
    });
  }
  return module.trainableVariables.reduce((a, v) => a + v.size, 0);
}
