import type { ViewAugmenter } from '@contrastive/core';
import { byol as byolAugment, simclr as simclrAugment, type LocalCropsOptions } from '@contrastive/augment';

/**
 * The default augmenter of a named strategy at `size`: SimCLR's recipe (CIFAR settings, strength
 * 0.5 and no blur, for sides <= 64; the paper's otherwise) or BYOL's two asymmetric views, with
 * the multi-crop local views of `localCrops` (Caron et al. 2020) when given.
 */
export function defaultAugment(recipe: 'simclr' | 'byol', size: number, checkValues: boolean, localCrops: LocalCropsOptions | undefined): ViewAugmenter {
  const local = localCrops === undefined ? {} : { localCrops };
  if (recipe === 'byol') return byolAugment({ size, checkValues, ...local });
  return simclrAugment({ size, checkValues, ...(size <= 64 ? { strength: 0.5, blur: false } : {}), ...local });
}
