/**
 * Errors of the library, told in the configuration's words: a check inside `resnet()` names
 * `options.widthMultiplier`, but the person running `contrastive train` wrote
 * `encoder.widthMultiplier` in a file. {@link atConfigKey} rewrites the argument of an error
 * raised while building a run's parts to the configuration key that set it.
 */
import { ConfigError, ContrastiveError, MemoryLimitError } from '@contrastive/core';

/** [function that raised it (message prefix), library argument, configuration key]. */
const RULES: readonly (readonly [RegExp, string, string])[] = [
  [/^resnet/, 'options.widthMultiplier', 'config.encoder.widthMultiplier'],
  [/^convNet/, 'options.widths', 'config.encoder.widths'],
  [/^(mlp|linear|predictor)/, 'options.hiddenDim', 'config.head.hiddenDim'],
  [/^(mlp|linear|predictor)/, 'options.outputDim', 'config.head.outputDim'],
  [/^momentumQueue/, 'options.size', 'config.strategy.queueSize'],
  [/^(momentumQueue|memoryBank)/, 'options.dim', 'config.head.outputDim'],
  [/^memoryBank/, 'options.size', 'config.data.trainLimit'],
  [/^memoryBank/, 'options.numNegatives', 'config.strategy.numNegatives'],
  [/^simclr/, 'options.strength', 'config.augment.strength'],
  [/./, 'options.temperature', 'config.strategy.temperature'],
];

/** The configuration key behind a library error's argument, if known. */
export function configKeyOf(e: ContrastiveError): string | undefined {
  return RULES.find(([where, argument]) => argument === e.argument && where.test(e.message))?.[2];
}

/**
 * Runs `build`; an error naming a library argument that a configuration key sets is thrown
 * again naming the key (a MemoryLimitError stays one; others become ConfigError).
 */
export function atConfigKey<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof ContrastiveError)) throw e;
    const key = configKeyOf(e);
    if (key === undefined) throw e;
    const message = `${key}: ${e.message}`;
    const details = { argument: key, received: e.received, ...(e.expected === undefined ? {} : { expected: e.expected }), cause: e };
    if (e instanceof MemoryLimitError) throw new MemoryLimitError(message, e.requiredBytes, e.limitBytes, details);
    throw new ConfigError(message, details);
  }
}
