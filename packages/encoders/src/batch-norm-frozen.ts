/**
 * Freezing BatchNorm: the layers normalise with their running averages in training passes too
 * and stop updating them, as PyTorch's `module.eval()` does for BatchNorm. Used to fine-tune with
 * small batches or to keep a pretrained encoder's statistics.
 */
import { ArgumentError, describeValue, type TrainableModule } from '@contrastive/core';

/** A module whose BatchNorm layers can be frozen (encoders here, heads of @contrastive/heads). */
export interface BatchNormFreezable extends TrainableModule {
  readonly batchNormFrozen: boolean;
  setBatchNormFrozen(frozen: boolean): void;
}

/**
 * Freezes (`true`) or unfreezes (`false`) every BatchNorm layer of `module`: while frozen,
 * `apply(x, { training: true })` uses the running averages and leaves them unchanged; gamma and
 * beta remain trainable variables (leave them out of the optimizer to fix them too).
 *
 * @example
 * ```ts
 * setBatchNormFrozen(encoder, true); // fine-tune with batch statistics fixed
 * ```
 */
export function setBatchNormFrozen(module: BatchNormFreezable, frozen: boolean): void {
  if (typeof module !== 'object' || module === null || typeof (module as { setBatchNormFrozen?: unknown }).setBatchNormFrozen !== 'function') {
    throw new ArgumentError(`setBatchNormFrozen: argument 'module' must be an encoder or head with BatchNorm control, received ${describeValue(module)}`, {
      argument: 'module',
      expected: 'a module with setBatchNormFrozen()',
      received: module,
    });
  }
  if (typeof frozen !== 'boolean') {
    throw new ArgumentError(`setBatchNormFrozen: argument 'frozen' must be a boolean, received ${describeValue(frozen)}`, {
      argument: 'frozen',
      expected: 'a boolean',
      received: frozen,
    });
  }
  module.setBatchNormFrozen(frozen);
}
