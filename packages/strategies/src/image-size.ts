import { ArgumentError, describeValue, type Encoder, type ViewAugmenter } from '@contrastive/core';

/**
 * The square image side a default augmentation should produce: read from the encoder's
 * `inputShape` when it has one (encoders from @contrastive/encoders do).
 */
export function imageSizeOf(where: string, options: { readonly encoder: Encoder; readonly augment?: ViewAugmenter }): number {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object, received ${describeValue(options)}`, {
      argument: 'options',
      received: options,
    });
  }
  if (options.augment !== undefined) return 0;
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
