import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { batchNormParameters } from './batch-norm.js';
import { denseParameters } from './layers.js';
import { Module, modulePaths, type CloneOptions, type ModuleValues } from './module.js';
import type { ParameterSpec } from './init.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** A two-layer test module: dense + BatchNorm, then dense. */
class Tiny extends Module {
  static specs(width: number): ParameterSpec[] {
    return [...denseParameters('layer1', 3, width, false), ...batchNormParameters('layer1.bn', width), ...denseParameters('layer2', width, 2, true)];
  }
  readonly width: number;
  constructor(width: number, values: ModuleValues, trainable = true) {
    super('tiny', Tiny.specs(width), values, trainable);
    this.width = width;
  }
  clone(options: CloneOptions = {}): Tiny {
    const copy = new Tiny(this.width, this.currentValues(), this.cloneTrainable(options));
    this.copyStateTo(copy);
    return copy;
  }
}

const values = (m: Module): number[][] => m.namedVariables().map((n) => Array.from(n.variable.dataSync()));

describe('Module', () => {
  it('names variables by stable hierarchical paths, parameters and buffers apart', () => {
    const m = new Tiny(4, 1);
    expect(m.namedVariables().map((n) => n.path)).toEqual([
      'layer1.kernel',
      'layer1.bn.gamma',
      'layer1.bn.beta',
      'layer1.bn.moving_mean',
      'layer1.bn.moving_variance',
      'layer2.kernel',
      'layer2.bias',
    ]);
    expect(m.namedParameters().map((n) => n.path)).toEqual(['layer1.kernel', 'layer1.bn.gamma', 'layer1.bn.beta', 'layer2.kernel', 'layer2.bias']);
    expect(m.namedBuffers().map((n) => n.path)).toEqual(['layer1.bn.moving_mean', 'layer1.bn.moving_variance']);
    expect(m.parameters()).toEqual(m.trainableVariables);
    expect(m.buffers()).toEqual(m.nonTrainableVariables);
    expect(m.parameterCount).toBe(3 * 4 + 4 + 4 + 4 * 2 + 2);
    expect([...m.stateDict('encoder').keys()][0]).toBe('encoder.layer1.kernel');
    m.dispose();
  });

  it('paths and values do not depend on how many modules were built before (no counter in the keys)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -1000, max: 1000 }), (before, seed) => {
        const a = new Tiny(3, seed);
        const others = Array.from({ length: before }, (_, i) => new Tiny(5, i));
        const b = new Tiny(3, seed);
        expect([...b.stateDict().keys()]).toEqual([...a.stateDict().keys()]);
        expect(values(b)).toEqual(values(a));
        // tfjs names are unique per process (tfjs requires it) but never used as keys.
        expect(b.trainableVariables[0]?.name).not.toBe(a.trainableVariables[0]?.name);
        [a, b, ...others].forEach((m) => m.dispose());
      }),
      { numRuns: 10 },
    );
  });

  it('loadStateDict assigns by path, bit for bit, and stateDict round-trips', () => {
    const a = new Tiny(4, 1);
    const b = new Tiny(4, 2);
    const dict = new Map([...a.stateDict().entries()].reverse()); // order does not matter
    b.loadStateDict(dict);
    expect(values(b)).toEqual(values(a));
    b.loadStateDict(Object.fromEntries(new Tiny(4, 3).stateDict()));
    a.dispose();
    b.dispose();
  });

  it('loadStateDict checks everything first and names the path; nothing changes on a refusal', () => {
    const a = new Tiny(4, 1);
    const before = values(a);
    const wide = new Tiny(5, 1);
    expect(() => a.loadStateDict(wide.stateDict())).toThrow(ShapeError);
    expect(() => a.loadStateDict(wide.stateDict())).toThrow(/state\['layer1\.kernel'\]/);
    const partial = a.stateDict();
    partial.delete('layer2.bias');
    expect(() => a.loadStateDict(partial)).toThrow(/missing layer2\.bias/);
    const extra = new Map<string, tf.Tensor>([...a.stateDict(), ['layer3.kernel', a.variable('layer2.bias')]]);
    expect(() => a.loadStateDict(extra)).toThrow(ArgumentError);
    const ints = new Map<string, tf.Tensor>([...a.stateDict()].map(([p, v]) => [p, p === 'layer2.bias' ? tf.cast(v, 'int32') : v]));
    expect(() => a.loadStateDict(ints)).toThrow(/float32 \[2\]/);
    tf.dispose(ints.get('layer2.bias'));
    expect(values(a)).toEqual(before);
    a.dispose();
    wide.dispose();
  });

  it('clone copies values and freeze state; the copy is independent and can hide from optimizers', () => {
    const a = new Tiny(3, 7);
    a.setBatchNormFrozen(true);
    const c = a.clone({ trainable: false });
    expect(values(c)).toEqual(values(a));
    expect(c.batchNormFrozen).toBe(true);
    expect(c.trainableVariables.every((v) => !v.trainable)).toBe(true);
    a.variable('layer2.bias').assign(tf.zeros([2]));
    expect(Array.from(c.variable('layer2.bias').dataSync())).not.toEqual([0, 0]);
    expect(() => a.clone({ trainable: 'no' as unknown as boolean })).toThrow(ArgumentError);
    a.dispose();
    c.dispose();
  });

  it('variable() names the unknown path; dispose frees every variable and blocks further use', () => {
    const start = tf.memory().numTensors;
    const a = new Tiny(3, 0);
    expect(() => a.variable('layer9.kernel')).toThrow(/layer9\.kernel/);
    expect(tf.memory().numTensors).toBe(start + 7);
    a.dispose();
    a.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(a.isDisposed).toBe(true);
    expect(() => a.stateDict()).toThrow(/disposed/);
    expect(() => a.setBatchNormFrozen('yes' as unknown as boolean)).toThrow(/disposed/);
  });

  it('modulePaths: a Module by its paths, any other TrainableModule by position', () => {
    const a = new Tiny(3, 0);
    expect([...modulePaths(a, 'head').keys()][0]).toBe('head.layer1.kernel');
    const w = tf.variable(tf.zeros([2]), true);
    const s = tf.variable(tf.zeros([2]), false);
    const plain = { name: 'plain', trainableVariables: [w], nonTrainableVariables: [s], dispose: () => undefined };
    expect([...modulePaths(plain, 'encoder').entries()]).toEqual([
      ['encoder.trainable.0', w],
      ['encoder.buffer.0', s],
    ]);
    tf.dispose([w, s]);
    a.dispose();
  });
});
