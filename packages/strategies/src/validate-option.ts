import { ArgumentError, describeValue } from '@contrastive/core';

/**
 * The `validate` option of a named strategy (default false): whether the default augmenter and
 * the loss check values on every step (each check is a host read-back).
 */
export function validateOption(where: string, options: { readonly validate?: boolean }): boolean {
  const value: unknown = options.validate;
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.validate' must be a boolean, received ${describeValue(value)}`, {
      argument: 'options.validate',
      expected: 'a boolean',
      received: value,
    });
  }
  return value;
}
