/**
 * The memory a network of a given description will need for training, checked before any
 * variable is allocated: its parameters, their gradients and two optimizer slots (Adam, or
 * momentum and LARS's trust ratio), float32.
 */
import { assertAllocation } from '@contrastive/core';
import { sizeOf } from '@contrastive/nn';
import type { GraphSpec } from './spec.js';

/** The option to lower for each kind of network. */
const KNOB: Readonly<Record<string, string>> = { resnet: 'options.widthMultiplier', convnet: 'options.widths', mlp: 'options.hidden' };

/** Copies of the parameters training keeps: weights, gradients, two optimizer slots. */
export const TRAINING_COPIES = 4;

/** Throws `MemoryLimitError` (naming the option to lower) when `spec`'s training memory does not fit. */
export function assertSpecFits(where: string, spec: GraphSpec): void {
  let params = 0;
  let largest = 0;
  for (const v of spec.variables) {
    const n = sizeOf(v.shape);
    params += n;
    largest = Math.max(largest, n);
  }
  const argument = KNOB[spec.recipe.kind] ?? 'options';
  assertAllocation(where, {
    what: `${spec.name}'s ${params.toExponential(3)} parameters (x${TRAINING_COPIES}: weights, gradients, optimizer slots)`,
    bytes: params * 4 * TRAINING_COPIES,
    largestTensorBytes: largest * 4,
    argument,
    received: spec.recipe.options[argument.slice('options.'.length)],
  });
}
