import { booleanOption } from './strategy-options.js';

/**
 * The `validate` option of a named strategy (default false): whether the default augmenter and
 * the loss check values on every step (each check is a host read-back).
 */
export function validateOption(where: string, options: { readonly validate?: boolean }): boolean {
  return booleanOption(where, 'validate', options.validate, false);
}
