/**
 * The module contract of every encoder and head: variables with hierarchical, stable paths
 * (`'layer2.0.conv1.kernel'`, `'layer1.bn.moving_mean'`), parameters versus buffers, state
 * dicts keyed by path, copies, and BatchNorm freezing.
 *
 * A path depends only on the module's architecture: never on the order in which a process
 * built its modules or on how many it built. tfjs needs a process-unique name for every
 * variable, so each variable's tfjs name is `<module name>_<n>/<path>` with a process-wide
 * counter `n`; that name is for tfjs (and log readability) only. Everything that outlives the
 * process (checkpoints, optimizer slots, saved encoders) keys on the path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertOptionsObject, describeValue, type ForwardOptions, type TrainableModule } from '@contrastive/core';
import { initialiseParameters, sizeOf, type ParameterSpec } from './init.js';
import type { BatchNormMode } from './batch-norm.js';

/** A variable together with its stable path inside a module. */
export interface NamedVariable {
  /** Stable path, e.g. `'layer1.0.conv1.kernel'`. */
  readonly path: string;
  readonly variable: tf.Variable;
  /** A parameter (true) or a buffer such as a BatchNorm running average (false). */
  readonly trainable: boolean;
}

/** Options of {@link Module.clone}. */
export interface CloneOptions {
  /**
   * Whether the copy's variables are registered as trainable with tfjs (default true). A
   * momentum copy uses `false`, so `tf.variableGrads()` and optimizers that default to "all
   * trainable variables" never touch it. The copy's `trainableVariables` still lists its
   * parameters, so that they pair one-to-one (by path) with the original's.
   */
  readonly trainable?: boolean;
}

/** Initial values of a module: a seed (fresh weights) or a value per path (a copy or a load). */
export type ModuleValues = number | ReadonlyMap<string, tf.Tensor | Float32Array>;

/** A state dict: a tensor per path. */
export type StateDict = ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;

let tfjsNameCounter = 0;

/** The joined path `prefix.path` (just `path` for an empty prefix). */
export function joinPath(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}.${path}`;
}

function entriesOf(state: StateDict): [string, tf.Tensor][] {
  return state instanceof Map ? [...state.entries()] : Object.entries(state as Record<string, tf.Tensor>);
}

/**
 * Base class of every module (encoders, heads): owns the variables declared by a list of
 * {@link ParameterSpec}s, in declaration order, and implements core's `TrainableModule`.
 * Subclasses implement `apply` and {@link Module.clone}.
 */
export abstract class Module implements TrainableModule {
  /** A short name for logs, e.g. `'resnet18-cifar'`. */
  readonly name: string;
  /** Parameters, in declaration order. */
  readonly trainableVariables: readonly tf.Variable[];
  /** Buffers (BatchNorm running means and variances), in declaration order. */
  readonly nonTrainableVariables: readonly tf.Variable[];
  readonly #named: readonly NamedVariable[];
  readonly #byPath: ReadonlyMap<string, tf.Variable>;
  #frozen = false;
  #disposed = false;

  /**
   * @param specs - the variables, in declaration order (paths unique).
   * @param values - a seed (fresh values from each spec's initialiser) or a value per path.
   * @param registerTrainable - register the parameters as trainable with tfjs (false for momentum copies).
   */
  protected constructor(name: string, specs: readonly ParameterSpec[], values: ModuleValues, registerTrainable = true) {
    this.name = name;
    const initial = typeof values === 'number' ? initialiseParameters(specs, values) : values;
    const id = tfjsNameCounter++;
    const named: NamedVariable[] = [];
    const byPath = new Map<string, tf.Variable>();
    try {
      for (const s of specs) {
        if (byPath.has(s.path)) throw new Error(`${name}: parameter path '${s.path}' is declared twice`);
        const value = initial.get(s.path);
        if (value === undefined) throw new Error(`${name}: no value for parameter '${s.path}'`);
        const variable = tf.tidy(() => {
          const t = value instanceof Float32Array ? tf.tensor(value, [...s.shape], 'float32') : value;
          return tf.variable(t, registerTrainable && s.trainable, `${name}_${id}/${s.path}`);
        });
        named.push({ path: s.path, variable, trainable: s.trainable });
        byPath.set(s.path, variable);
      }
    } catch (e) {
      for (const n of named) n.variable.dispose();
      throw e;
    }
    this.#named = named;
    this.#byPath = byPath;
    this.trainableVariables = named.filter((n) => n.trainable).map((n) => n.variable);
    this.nonTrainableVariables = named.filter((n) => !n.trainable).map((n) => n.variable);
  }

  /** Every variable with its path, parameters and buffers, in declaration order. */
  namedVariables(): readonly NamedVariable[] {
    this.assertLive('namedVariables');
    return this.#named;
  }

  /** The parameters (what the optimizer updates) with their paths. */
  namedParameters(): readonly NamedVariable[] {
    return this.namedVariables().filter((n) => n.trainable);
  }

  /** The buffers (BatchNorm running averages) with their paths. */
  namedBuffers(): readonly NamedVariable[] {
    return this.namedVariables().filter((n) => !n.trainable);
  }

  /** The parameters, in declaration order (same as `trainableVariables`). */
  parameters(): readonly tf.Variable[] {
    this.assertLive('parameters');
    return this.trainableVariables;
  }

  /** The buffers, in declaration order (same as `nonTrainableVariables`). */
  buffers(): readonly tf.Variable[] {
    this.assertLive('buffers');
    return this.nonTrainableVariables;
  }

  /**
   * Every variable by path (parameters and buffers, in declaration order), each path prefixed
   * with `prefix.` when a prefix is given (`stateDict('encoder')` -> `'encoder.conv1.kernel'`).
   * The values are the module's live variables, not copies: read them, do not dispose them.
   */
  stateDict(prefix = ''): Map<string, tf.Variable> {
    return new Map(this.namedVariables().map((n) => [joinPath(prefix, n.path), n.variable]));
  }

  /**
   * Assigns every variable its value in `state` (by path). Everything is checked before anything
   * is assigned: a missing or unexpected path throws ArgumentError, a shape or dtype mismatch
   * throws ShapeError; both name the path, and leave every variable unchanged.
   */
  loadStateDict(state: StateDict): void {
    const where = `${this.name}.loadStateDict`;
    this.assertLive('loadStateDict');
    if (typeof state !== 'object' || state === null) {
      throw new ArgumentError(`${where}: argument 'state' must be a Map or record from path to tensor, received ${describeValue(state)}`, {
        argument: 'state',
        expected: 'a Map or record from path to tensor',
        received: state,
      });
    }
    const entries = new Map(entriesOf(state));
    const missing = this.#named.filter((n) => !entries.has(n.path)).map((n) => n.path);
    const unexpected = [...entries.keys()].filter((p) => !this.#byPath.has(p));
    if (missing.length > 0 || unexpected.length > 0) {
      const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : ''].filter((p) => p !== '');
      throw new ArgumentError(`${where}: argument 'state' must hold exactly the paths of ${this.name} (${parts.join('; ')})`, {
        argument: 'state',
        expected: `the ${this.#named.length} paths of ${this.name}`,
        received: { missing, unexpected },
      });
    }
    for (const n of this.#named) {
      const t = entries.get(n.path) as tf.Tensor;
      const v = n.variable;
      if (typeof t !== 'object' || t === null || t.dtype !== v.dtype || t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new ShapeError(`${where}: argument 'state['${n.path}']' must be ${v.dtype} [${v.shape.join(',')}], received ${describeValue(t)}`, {
          argument: `state['${n.path}']`,
          expected: `${v.dtype} [${v.shape.join(',')}]`,
          received: t,
        });
      }
    }
    for (const n of this.#named) n.variable.assign(entries.get(n.path) as tf.Tensor);
  }

  /** The variable at `path`; throws ArgumentError naming the path when there is none. */
  variable(path: string): tf.Variable {
    const v = this.#byPath.get(path);
    if (v === undefined) {
      throw new ArgumentError(`${this.name}.variable: argument 'path' must be a parameter path of ${this.name}, received ${describeValue(path)}`, {
        argument: 'path',
        expected: `one of ${this.#named.length} paths`,
        received: path,
      });
    }
    return v;
  }

  /** The variable at `path`, or undefined. @internal */
  protected maybeVariable(path: string): tf.Variable | undefined {
    return this.#byPath.get(path);
  }

  /** Number of trainable parameters (BatchNorm gamma and beta count, running averages do not). */
  get parameterCount(): number {
    return this.trainableVariables.reduce((a, v) => a + v.size, 0);
  }

  /** Whether BatchNorm layers use (and keep) their running averages in training passes too. */
  get batchNormFrozen(): boolean {
    return this.#frozen;
  }

  /**
   * Freezes (or unfreezes) every BatchNorm layer: while frozen, `training: true` passes
   * normalise with the running averages and do not update them (PyTorch's `bn.eval()`).
   * Gamma and beta stay in `trainableVariables`; leave them out of the optimizer's list to fix
   * them as well.
   */
  setBatchNormFrozen(frozen: boolean): void {
    this.assertLive('setBatchNormFrozen');
    if (typeof frozen !== 'boolean') {
      throw new ArgumentError(`${this.name}.setBatchNormFrozen: argument 'frozen' must be a boolean, received ${describeValue(frozen)}`, {
        argument: 'frozen',
        expected: 'a boolean',
        received: frozen,
      });
    }
    this.#frozen = frozen;
  }

  /** True once {@link Module.dispose} ran. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** An independent copy with the same values (parameters and buffers) and BatchNorm state. */
  abstract clone(options?: CloneOptions): Module;

  /** Frees every variable. The module cannot be used afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    for (const n of this.#named) n.variable.dispose();
    this.#disposed = true;
  }

  /** Throws ArgumentError if the module was disposed. @internal */
  protected assertLive(method: string): void {
    if (this.#disposed) {
      throw new ArgumentError(`${this.name}.${method}: the module has been disposed`, { argument: 'this', expected: 'a live module', received: 'disposed' });
    }
  }

  /**
   * Checks `options` of a forward pass and returns the BatchNorm mode it asks for:
   * `'inference'` (training false), `'running'` (training while frozen) or `'batch'`. @internal
   */
  protected forwardMode(where: string, options: ForwardOptions): BatchNormMode {
    this.assertLive('apply');
    assertOptionsObject(where, 'options', options);
    if (options === undefined || typeof options.training !== 'boolean') {
      throw new ArgumentError(`${where}: argument 'options.training' must be a boolean, received ${describeValue(options?.training)}`, {
        argument: 'options.training',
        expected: 'a boolean',
        received: options?.training,
      });
    }
    return !options.training ? 'inference' : this.#frozen ? 'running' : 'batch';
  }

  /** Checks `options` of {@link Module.clone}; returns whether the copy registers trainable variables. @internal */
  protected cloneTrainable(options: CloneOptions): boolean {
    this.assertLive('clone');
    assertOptionsObject(`${this.name}.clone`, 'options', options);
    const trainable = options.trainable ?? true;
    if (typeof trainable !== 'boolean') {
      throw new ArgumentError(`${this.name}.clone: argument 'options.trainable' must be a boolean, received ${describeValue(trainable)}`, {
        argument: 'options.trainable',
        expected: 'a boolean',
        received: trainable,
      });
    }
    return trainable;
  }

  /** Copies the BatchNorm freeze state onto a clone. @internal */
  protected copyStateTo(copy: Module): void {
    copy.#frozen = this.#frozen;
  }

  /** The current values by path, for a clone's constructor. @internal */
  protected currentValues(): ReadonlyMap<string, tf.Tensor> {
    return new Map(this.#named.map((n) => [n.path, n.variable as tf.Tensor]));
  }
}

/** Trainable parameter count of a list of specs. */
export function specParameterCount(specs: readonly ParameterSpec[]): number {
  return specs.filter((s) => s.trainable).reduce((a, s) => a + sizeOf(s.shape), 0);
}

/**
 * The variables of any module by path, prefixed with `prefix.`: a {@link Module}'s own paths, or,
 * for another `TrainableModule` (a user's own encoder), positional paths
 * `prefix.trainable.<i>` / `prefix.buffer.<i>` (stable as long as the module declares its
 * variables in a fixed order).
 */
export function modulePaths(module: TrainableModule, prefix: string): Map<string, tf.Variable> {
  const dict = (module as { stateDict?: unknown }).stateDict;
  if (typeof dict === 'function') return (dict as (p: string) => Map<string, tf.Variable>).call(module, prefix);
  const out = new Map<string, tf.Variable>();
  module.trainableVariables.forEach((v, i) => out.set(joinPath(prefix, `trainable.${i}`), v));
  module.nonTrainableVariables.forEach((v, i) => out.set(joinPath(prefix, `buffer.${i}`), v));
  return out;
}
