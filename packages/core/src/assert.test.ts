import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertFiniteTensor,
  assertInRange,
  assertInteger,
  assertOneOf,
  assertPositive,
  assertProbability,
  assertRangePair,
  assertShape,
  assertTensor,
  assertFloatTensor,
  assertOptionsObject,
} from './assert.js';
import { ArgumentError, ContrastiveError, NonFiniteError, ShapeError } from './errors.js';
import { describeValue } from './describe-value.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('argument assertions', () => {
  it('accept valid values silently', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e9, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (pos, p) => {
        assertPositive('f', 'x', pos);
        assertProbability('f', 'p', p);
        assertInRange('f', 'p', p, 0, 1);
      }),
    );
    assertInteger('f', 'n', 3);
    assertRangePair('f', 'scale', [0.08, 1], 0, 1);
    assertOneOf('f', 'variant', 'in', ['in', 'out']);
    assertOptionsObject('f', 'options', undefined);
  });

  it('reject bad values with ArgumentError naming argument, expectation and value', () => {
    const cases: Array<[() => void, RegExp]> = [
      [() => assertPositive('ntXent', 'temperature', 0), /ntXent: argument 'temperature' must be a finite number > 0, received 0/],
      [() => assertPositive('ntXent', 'temperature', Number.NaN), /received NaN/],
      [() => assertPositive('ntXent', 'temperature', Infinity), /received Infinity/],
      [() => assertProbability('flip', 'p', 1.2), /'p' must be a probability in \[0, 1\], received 1.2/],
      [() => assertInteger('f', 'n', 2.5), /'n' must be an integer >= 1, received 2.5/],
      [() => assertInteger('f', 'n', 0), /received 0/],
      [() => assertRangePair('crop', 'scale', [0.9, 0.1], 0, 1), /'scale' must be a pair \[lo, hi\].*received \[0.9, 0.1\]/],
      [() => assertRangePair('crop', 'scale', [0.1], 0, 1), /'scale'/],
      [() => assertOneOf('supCon', 'variant', 'mid', ['in', 'out']), /'variant' must be one of "in", "out", received "mid"/],
      [() => assertOptionsObject('f', 'options', 3), /'options' must be an options object, received 3/],
    ];
    for (const [fn, re] of cases) {
      expect(fn).toThrow(ArgumentError);
      expect(fn).toThrow(re);
    }
  });

  it('tensor checks throw ShapeError with the shape received', () => {
    const x = tf.zeros([2, 3]);
    expect(() => assertTensor('f', 'x', [1, 2])).toThrow(ArgumentError);
    expect(() => assertTensor('f', 'x', x, 3)).toThrow(ShapeError);
    expect(() => assertShape('ntXent', 'z2', x, [2, 4])).toThrow(/'z2' must have shape \[2,4\], received shape \[2,3\]/);
    assertShape('f', 'x', x, [null, 3]);
    expect(() => assertFloatTensor('f', 'x', tf.zeros([2], 'int32'))).toThrow(/dtype float32/);
    x.dispose();
    expect(() => assertTensor('f', 'x', x)).toThrow(/disposed/);
  });

  it('assertFiniteTensor finds NaN and Infinity and names the flat index', () => {
    const t = tf.tensor1d([1, 2, Number.NaN]);
    expect(() => assertFiniteTensor('f', 'z', t)).toThrow(NonFiniteError);
    expect(() => assertFiniteTensor('f', 'z', t)).toThrow(/found NaN at flat index 2/);
    const u = tf.tensor1d([1, -Infinity]);
    expect(() => assertFiniteTensor('f', 'z', u)).toThrow(/-Infinity at flat index 1/);
    tf.dispose([t, u]);
  });

  it('all errors are ContrastiveErrors with a code', () => {
    const e = new ShapeError('m', { argument: 'a' });
    expect(e).toBeInstanceOf(ContrastiveError);
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.name).toBe('ShapeError');
  });

  it('describeValue abbreviates', () => {
    expect(describeValue(Array.from({ length: 10 }, (_, i) => i))).toMatch(/… \(10 items\)/);
    expect(describeValue(new Float32Array(4))).toBe('Float32Array(4)');
    expect(describeValue('a')).toBe('"a"');
  });
});
