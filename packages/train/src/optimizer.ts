/**
 * The optimizer contract of the trainer and the shared machinery of SGD, LARS and AdamW.
 *
 * An optimizer is a pure description (hyperparameters) plus an explicit state value (the
 * update count and the slot tensors, e.g. momentum buffers), so that a checkpoint can save
 * the state and a resume can restore it exactly, as with the strategies' state.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  CheckpointError,
  ShapeError,
  assertNonNegative,
  describeValue,
  isTensorLike,
  type SerializedState,
} from '@contrastive/core';

/** Gradients by variable name (what `tf.variableGrads` returns). A missing name means "no gradient". */
export type GradientMap = Readonly<Record<string, tf.Tensor>>;

/** A test on a variable, e.g. "is this a bias or a BatchNorm parameter?". */
export type VariablePredicate = (variable: tf.Variable) => boolean;

/** JSON-able hyperparameters, for logs and the checkpoint's config fingerprint. */
export type Hyperparameters = Readonly<Record<string, number | boolean | string>>;

/**
 * An optimizer's state: the number of updates applied and the slot tensors of each variable
 * (`slots[variableName][slotName]`). `apply` returns the next state and disposes the slot
 * tensors it replaces, so a state must not be used after it was passed to `apply`.
 */
export interface OptimizerState {
  readonly step: number;
  readonly slots: Readonly<Record<string, Readonly<Record<string, tf.Tensor>>>>;
}

/** An optimizer with explicit, checkpointable state. */
export interface Optimizer {
  /** `'sgd'`, `'lars'` or `'adamw'`. */
  readonly name: string;
  /** The configuration, for logs and the config fingerprint (predicates appear by name only). */
  readonly hyperparameters: Hyperparameters;
  /** Slot names per variable (e.g. `['momentum']`). */
  readonly slotNames: readonly string[];
  /** A fresh state: zero slots for every variable. Variable names must be unique. */
  init(variables: readonly tf.Variable[]): OptimizerState;
  /**
   * Updates `variables` in place from `grads` (by variable name; variables without a gradient
   * are left alone) at `learningRate`, and returns the next state. No tensor is left behind
   * except the new slots.
   */
  apply(variables: readonly tf.Variable[], grads: GradientMap, state: OptimizerState, learningRate: number): OptimizerState;
  /** The state as named tensors (`'<variable>/<slot>'`, fresh copies the caller disposes) plus meta. */
  serialize(state: OptimizerState): SerializedState;
  /** A state from {@link Optimizer.serialize}'s output; refuses (CheckpointError) one made for other variables. */
  deserialize(data: SerializedState, variables: readonly tf.Variable[]): OptimizerState;
  /** Frees the slot tensors. */
  dispose(state: OptimizerState): void;
}

/** What one variable's update computes (inside a tidy scope owned by the harness). */
export interface VariableUpdateInput {
  readonly variable: tf.Variable;
  readonly grad: tf.Tensor;
  readonly slots: Readonly<Record<string, tf.Tensor>>;
  readonly learningRate: number;
  /** 1-based index of this update (the optimizer's update count including this one). */
  readonly step: number;
}

/** The new value of the variable and its new slots. */
export interface VariableUpdateOutput {
  readonly value: tf.Tensor;
  readonly slots: Readonly<Record<string, tf.Tensor>>;
}

/** Definition of an optimizer for {@link createOptimizer}. */
export interface OptimizerDefinition {
  readonly name: string;
  readonly hyperparameters: Hyperparameters;
  readonly slotNames: readonly string[];
  update(input: VariableUpdateInput): VariableUpdateOutput;
}

/**
 * True for biases and normalisation parameters: variables of rank <= 1, or whose name
 * mentions `bias`, `beta`, `gamma`, `bn` or `batch_norm`/`batchnorm` as a path segment.
 * The official SimCLR LARS excludes `['batch_normalization', 'bias']` by name; matching on
 * rank as well catches them whatever the model calls them.
 */
export const isBiasOrNormVariable: VariablePredicate = (variable) =>
  variable.shape.length <= 1 || /(^|[/_.:-])(bias|beta|gamma|bn|batch_?norm(alization)?)([/_.:-]|\d|$)/i.test(variable.name);

/** Never excludes anything. */
export const excludeNothing: VariablePredicate = () => false;

/** Argument check for predicates. */
export function assertPredicate(where: string, name: string, value: unknown): asserts value is VariablePredicate {
  if (typeof value !== 'function') {
    throw new ArgumentError(`${where}: argument '${name}' must be a function (variable) => boolean, received ${describeValue(value)}`, {
      argument: name,
      expected: 'a function (variable) => boolean',
      received: value,
    });
  }
}

/** Argument check for booleans. */
export function assertBoolean(where: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new ArgumentError(`${where}: argument '${name}' must be a boolean, received ${describeValue(value)}`, {
      argument: name,
      expected: 'a boolean',
      received: value,
    });
  }
}

/** The variables are live tf.Variables with unique names. */
export function assertVariables(where: string, name: string, variables: unknown): asserts variables is readonly tf.Variable[] {
  if (!Array.isArray(variables) || !variables.every((v) => isTensorLike(v) && typeof (v as { assign?: unknown }).assign === 'function')) {
    throw new ArgumentError(`${where}: argument '${name}' must be an array of tf.Variable, received ${describeValue(variables)}`, {
      argument: name,
      expected: 'an array of tf.Variable',
      received: variables,
    });
  }
  const seen = new Set<string>();
  for (const v of variables as tf.Variable[]) {
    if (seen.has(v.name)) {
      throw new ArgumentError(`${where}: argument '${name}' must have unique variable names, '${v.name}' appears twice`, {
        argument: name,
        expected: 'unique variable names',
        received: v.name,
      });
    }
    seen.add(v.name);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Serialized key of a slot. */
export function slotKey(variableName: string, slotName: string): string {
  return `${variableName}/${slotName}`;
}

/**
 * Builds an {@link Optimizer} from a per-variable update rule: the harness checks arguments,
 * runs the rule in a tidy scope, assigns the variable, swaps the slots and (de)serializes.
 */
export function createOptimizer(def: OptimizerDefinition): Optimizer {
  // Over 80 lines by design: the body is the returned object's five methods (init, apply,
  // serialize, deserialize, dispose; each under 60 lines), which share `def` and `checkState`
  // by closure. Splitting them out would thread that context through five functions.
  const { name, hyperparameters, slotNames } = def;

  const checkState = (where: string, state: OptimizerState, variables: readonly tf.Variable[]): void => {
    if (typeof state !== 'object' || state === null || typeof state.slots !== 'object' || !Number.isInteger(state.step)) {
      throw new ArgumentError(`${where}: argument 'state' must be a state from ${name}.init, received ${describeValue(state)}`, {
        argument: 'state',
        expected: `a ${name} state`,
        received: state,
      });
    }
    for (const v of variables) {
      const s = state.slots[v.name];
      if (s === undefined || slotNames.some((k) => s[k] === undefined || (s[k] as tf.Tensor).isDisposed)) {
        throw new ArgumentError(`${where}: argument 'state' has no live slots for variable '${v.name}' (was it made for other variables, or already used?)`, {
          argument: 'state',
          expected: `slots ${slotNames.join(', ')} for every variable`,
          received: Object.keys(state.slots),
        });
      }
    }
  };

  return {
    name,
    hyperparameters,
    slotNames,

    init(variables) {
      assertVariables(`${name}.init`, 'variables', variables);
      const slots: Record<string, Record<string, tf.Tensor>> = {};
      for (const v of variables) {
        if (v.dtype !== 'float32') {
          throw new ArgumentError(`${name}.init: argument 'variables' must hold float32 variables, '${v.name}' is ${v.dtype}`, {
            argument: 'variables',
            expected: 'float32 variables',
            received: v,
          });
        }
        slots[v.name] = Object.fromEntries(slotNames.map((k) => [k, tf.zerosLike(v)]));
      }
      return { step: 0, slots };
    },

    apply(variables, grads, state, learningRate) {
      const where = `${name}.apply`;
      assertVariables(where, 'variables', variables);
      assertNonNegative(where, 'learningRate', learningRate);
      if (typeof grads !== 'object' || grads === null) {
        throw new ArgumentError(`${where}: argument 'grads' must be a map from variable name to gradient, received ${describeValue(grads)}`, {
          argument: 'grads',
          expected: 'a map from variable name to gradient',
          received: grads,
        });
      }
      checkState(where, state, variables);
      const byName = new Map(variables.map((v) => [v.name, v]));
      for (const [key, g] of Object.entries(grads)) {
        const v = byName.get(key);
        if (v === undefined) {
          throw new ArgumentError(`${where}: argument 'grads' has a gradient for '${key}', which is not among the variables`, {
            argument: 'grads',
            expected: 'gradients for the given variables only',
            received: key,
          });
        }
        if (!isTensorLike(g) || !sameShape(g.shape, v.shape)) {
          throw new ShapeError(`${where}: argument 'grads.${key}' must match its variable's shape [${v.shape.join(',')}], received ${describeValue(g)}`, {
            argument: `grads.${key}`,
            expected: `shape [${v.shape.join(',')}]`,
            received: g,
          });
        }
      }
      const step = state.step + 1;
      const nextSlots: Record<string, Readonly<Record<string, tf.Tensor>>> = { ...state.slots };
      for (const v of variables) {
        const grad = grads[v.name];
        if (grad === undefined) continue;
        const old = state.slots[v.name] as Readonly<Record<string, tf.Tensor>>;
        const [value, ...newSlots] = tf.tidy(() => {
          const out = def.update({ variable: v, grad, slots: old, learningRate, step });
          return [out.value, ...slotNames.map((k) => out.slots[k] as tf.Tensor)];
        });
        v.assign(value as tf.Tensor);
        (value as tf.Tensor).dispose();
        const fresh: Record<string, tf.Tensor> = {};
        slotNames.forEach((k, i) => {
          const t = newSlots[i] as tf.Tensor;
          if (t !== old[k]) (old[k] as tf.Tensor).dispose();
          fresh[k] = t;
        });
        nextSlots[v.name] = fresh;
      }
      return { step, slots: nextSlots };
    },

    serialize(state) {
      const tensors: Record<string, tf.Tensor> = {};
      for (const [varName, slots] of Object.entries(state.slots)) {
        for (const k of slotNames) tensors[slotKey(varName, k)] = tf.clone(slots[k] as tf.Tensor);
      }
      return { tensors, meta: { kind: name, step: state.step, slotNames: [...slotNames], variables: Object.keys(state.slots) } };
    },

    deserialize(data, variables) {
      const where = `${name}.deserialize`;
      assertVariables(where, 'variables', variables);
      const fail = (what: string, received: unknown): never => {
        throw new CheckpointError(`${where}: optimizer state ${what}, received ${describeValue(received)}`, {
          argument: 'data',
          expected: what,
          received,
        });
      };
      if (typeof data !== 'object' || data === null || typeof data.tensors !== 'object' || typeof data.meta !== 'object') {
        fail('must be a SerializedState { tensors, meta }', data);
      }
      if (data.meta['kind'] !== name) fail(`must come from optimizer '${name}'`, data.meta['kind']);
      const step = data.meta['step'];
      if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) fail('must have meta.step, an integer >= 0', step);
      const expected = new Set(variables.flatMap((v) => slotNames.map((k) => slotKey(v.name, k))));
      const extra = Object.keys(data.tensors).filter((k) => !expected.has(k));
      if (extra.length > 0) fail(`must hold slots only for the model's variables; unexpected`, extra);
      // Check everything before copying anything, so a refusal leaves no tensor behind.
      for (const v of variables) {
        for (const k of slotNames) {
          const t = data.tensors[slotKey(v.name, k)];
          if (t === undefined) fail(`must hold slot '${k}' of variable '${v.name}'`, Object.keys(data.tensors));
          if (!isTensorLike(t) || t.dtype !== 'float32' || !sameShape(t.shape, v.shape)) {
            fail(`must hold slot '${slotKey(v.name, k)}' as float32 [${v.shape.join(',')}]`, t);
          }
        }
      }
      const slots: Record<string, Record<string, tf.Tensor>> = {};
      for (const v of variables) {
        slots[v.name] = Object.fromEntries(slotNames.map((k) => [k, tf.clone(data.tensors[slotKey(v.name, k)] as tf.Tensor)]));
      }
      return { step: step as number, slots };
    },

    dispose(state) {
      for (const slots of Object.values(state.slots)) for (const t of Object.values(slots)) t.dispose();
    },
  };
}
