import { ArgumentError, assertInteger, describeValue, type Encoder, type ViewAugmenter } from '@contrastive/core';

/**
 * The square image side a default augmentation should produce: `options.imageSize` when given,
 * else read from the encoder's `inputShape` (encoders from @contrastive/encoders declare one
 * when built with it). With `localCrops` (multi-crop) the encoder must take any size (built
 * without `inputShape`) and `imageSize` names the global views' side.
 */
export function imageSizeOf(
  where: string,
  options: { readonly encoder: Encoder; readonly augment?: ViewAugmenter; readonly imageSize?: number; readonly localCrops?: unknown },
): number {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object, received ${describeValue(options)}`, {
      argument: 'options',
      received: options,
    });
  }
  if (options.augment !== undefined) return 0;
  if (options.imageSize !== undefined) {
    assertInteger(where, 'options.imageSize', options.imageSize, 1);
    return options.imageSize;
  }
  if (options.localCrops !== undefined) {
    throw new ArgumentError(`${where}: argument 'options.imageSize' is required with options.localCrops (the global views' side; the encoder must take any input size)`, {
      argument: 'options.imageSize',
      expected: 'the side of the global views, e.g. 32',
      received: undefined,
    });
  }
  const encoder = options.encoder as { inputShape?: readonly (number | null)[]; spec?: { inputShape?: readonly (number | null)[] } } | undefined;
  const shape = encoder?.spec?.inputShape ?? encoder?.inputShape;
  const side = shape?.[0];
  if (typeof side !== 'number' || side <= 0) {
    throw new ArgumentError(
      `${where}: argument 'options.augment' is required when the encoder does not declare a fixed inputShape, received encoder inputShape ${describeValue(shape)}`,
      { argument: 'options.augment', received: shape },
    );
  }
  return side;
}
