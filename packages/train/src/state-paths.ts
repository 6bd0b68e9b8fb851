/**
 * Parameter paths of a strategy's variables, and the translation of optimizer slot keys between
 * tfjs variable names (what an optimizer works with in a process) and parameter paths (what a
 * checkpoint stores), so that a checkpoint never depends on the order in which a process built
 * its modules.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, type SerializedState, type Strategy } from '@contrastive/core';
import { slotKey } from './optimizer.js';

/**
 * Every variable of `strategy` (trainable, then not) by parameter path: `strategy.stateDict()`
 * when the strategy has one (it must cover exactly those variables), otherwise positional paths
 * `trainable.<i>` / `buffer.<i>`.
 */
export function strategyPaths(where: string, strategy: Strategy<unknown>): ReadonlyMap<string, tf.Variable> {
  const variables = [...strategy.trainableVariables, ...strategy.nonTrainableVariables];
  if (typeof strategy.stateDict !== 'function') {
    return new Map([
      ...strategy.trainableVariables.map((v, i) => [`trainable.${i}`, v] as const),
      ...strategy.nonTrainableVariables.map((v, i) => [`buffer.${i}`, v] as const),
    ]);
  }
  const dict = strategy.stateDict();
  const pathOf = new Map([...dict].map(([p, v]) => [v, p]));
  const unnamed = variables.filter((v) => !pathOf.has(v)).map((v) => v.name);
  const own = new Set(variables);
  const foreign = [...dict].filter(([, v]) => !own.has(v)).map(([p]) => p);
  if (unnamed.length > 0 || foreign.length > 0 || dict.size !== variables.length) {
    throw new ArgumentError(
      `${where}: argument 'options.strategy.stateDict()' must name every trainable and non-trainable variable once (${unnamed.length} without a path: ${unnamed.slice(0, 5).join(', ')}; ${foreign.length} paths of other variables: ${foreign.slice(0, 5).join(', ')})`,
      { argument: 'options.strategy.stateDict', expected: 'one path per variable of the strategy', received: { unnamed, foreign } },
    );
  }
  // In the order of the variable lists, so checkpoints list tensors in a fixed order.
  return new Map(variables.map((v) => [pathOf.get(v) as string, v]));
}

/** Renames slot keys `<from>/<slot>` to `<to>/<slot>`; other keys stay (and are refused later). */
function renameSlots(data: SerializedState, rename: ReadonlyMap<string, string>, slotNames: readonly string[]): SerializedState {
  const keys = new Map<string, string>();
  for (const [from, to] of rename) for (const k of slotNames) keys.set(slotKey(from, k), slotKey(to, k));
  const tensors = Object.fromEntries(Object.entries(data.tensors).map(([k, t]) => [keys.get(k) ?? k, t]));
  const listed = data.meta['variables'];
  const meta = Array.isArray(listed) ? { ...data.meta, variables: listed.map((n) => (typeof n === 'string' ? (rename.get(n) ?? n) : n)) } : data.meta;
  return { tensors, meta };
}

/** Optimizer state keyed by tfjs variable names -> keyed by parameter path (for a checkpoint). */
export function slotsToPaths(data: SerializedState, paths: ReadonlyMap<string, tf.Variable>, slotNames: readonly string[]): SerializedState {
  return renameSlots(data, new Map([...paths].map(([p, v]) => [v.name, p])), slotNames);
}

/** Optimizer state keyed by parameter path (from a checkpoint) -> keyed by this process's tfjs variable names. */
export function slotsFromPaths(data: SerializedState, paths: ReadonlyMap<string, tf.Variable>, slotNames: readonly string[]): SerializedState {
  return renameSlots(data, new Map([...paths].map(([p, v]) => [p, v.name])), slotNames);
}
