import { ArgumentError, describeValue } from '@contrastive/core';

/**
 * Rejects an options object of a named strategy that is not an object or holds a key outside
 * `known` (a typo such as `{ temprature: 0.1 }` is an error, not a silent default).
 */
export function checkStrategyOptions(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object, received ${describeValue(options)}`, {
      argument: 'options',
      received: options,
    });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ArgumentError(`${where}: argument 'options.${key}' is not an option (known: ${known.join(', ')})`, {
        argument: `options.${key}`,
        expected: `one of ${known.join(', ')}`,
        received: (options as Record<string, unknown>)[key],
      });
    }
  }
}

/** A boolean option `options.<name>` of a named strategy, or `fallback` when absent. */
export function booleanOption(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.${name}' must be a boolean, received ${describeValue(value)}`, {
      argument: `options.${name}`,
      expected: 'a boolean',
      received: value,
    });
  }
  return value;
}
