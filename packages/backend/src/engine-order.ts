/**
 * The option checks both initialisers share (Node's `initBackend`, the browser's
 * `initWebBackend`): a plain options object with known keys only, and `prefer` as one engine or a
 * non-empty list of them.
 */
import { ArgumentError, assertOptionsObject, describeValue } from '@contrastive/core';

/**
 * Checks `options` (only `keys` allowed) and returns the engines to try: `options.prefer` as a
 * list, or `engines` when it is absent. ArgumentError naming the option otherwise.
 */
export function engineOrder<E extends string>(where: string, options: { readonly prefer?: E | readonly E[] }, keys: readonly string[], engines: readonly E[]): readonly E[] {
  assertOptionsObject(where, 'options', options);
  const prefer = options.prefer;
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) {
      throw new ArgumentError(`${where}: unknown option 'options.${key}'; known options are ${keys.join(', ')}`, {
        argument: `options.${key}`,
        expected: keys.join(' | '),
        received: (options as Record<string, unknown>)[key],
      });
    }
  }
  const chosen = prefer ?? engines;
  const order: readonly E[] = typeof chosen === 'string' ? [chosen] : chosen;
  if (!Array.isArray(order) || order.length === 0 || !order.every((e) => (engines as readonly string[]).includes(e))) {
    throw new ArgumentError(`${where}: argument 'options.prefer' must be one of ${engines.join(', ')} or a non-empty list of them, received ${describeValue(chosen)}`, {
      argument: 'options.prefer',
      expected: engines.join(' | '),
      received: chosen,
    });
  }
  return order;
}
