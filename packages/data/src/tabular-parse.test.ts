import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { parseTabular } from './tabular-parse.js';

describe('parseTabular', () => {
  it('CSV with a header: features row-major, label column by name, string classes sorted', () => {
    const ds = parseTabular('a, kind ,b\n1.5,y,2\n"3",x,-4e-1\n\n5,y,6\n', { labelColumn: 'kind', file: 'toy.csv' });
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.classNames).toEqual(['x', 'y']);
    expect(Array.from(ds.features)).toEqual([1.5, 2, 3, Math.fround(-0.4), 5, 6]);
    expect(Array.from(ds.labels)).toEqual([1, 0, 1]);
    expect(ds).toMatchObject({ length: 3, numFeatures: 2, name: 'toy.csv' });
  });

  it('numeric labels sort numerically; the default label column is the last; no header names columns by position', () => {
    const ds = parseTabular('0.1;10\n0.2;2\n0.3;10\n', { header: false, delimiter: ';' });
    expect(ds.classNames).toEqual(['2', '10']);
    expect(Array.from(ds.labels)).toEqual([1, 0, 1]);
    expect(ds.featureNames).toEqual(['0']);
  });

  it('JSON rows as objects or arrays; given classNames fix the label order', () => {
    const objects = parseTabular(JSON.stringify([{ x: 1, y: 2, c: 'b' }, { x: 3, y: 4, c: 'a' }]), { format: 'json', labelColumn: 'c', classNames: ['b', 'a'] });
    expect(Array.from(objects.labels)).toEqual([0, 1]);
    expect(Array.from(objects.features)).toEqual([1, 2, 3, 4]);
    const arrays = parseTabular('[[0, 1, 2], [1, 3, 4]]', { format: 'json', labelColumn: 0 });
    expect(arrays.featureNames).toEqual(['1', '2']);
    expect(Array.from(arrays.labels)).toEqual([0, 1]);
  });

  it('round-trips any numeric table written as CSV', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 3, maxLength: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 20 }),
        (rows) => {
          const text = ['f0,f1,f2,label', ...rows.map(([f, l]) => `${f.map((v) => String(v)).join(',')},c${l}`)].join('\n');
          const ds = parseTabular(text);
          expect(Array.from(ds.features)).toEqual(rows.flatMap(([f]) => f.map((v) => Math.fround(v) + 0)));
          expect(Array.from(ds.labels, (k) => ds.classNames[k])).toEqual(rows.map(([, l]) => `c${l}`));
        },
      ),
    );
  });

  it('bad cells are DataFormatErrors naming the file and the line or row', () => {
    const bad = (text: string, opts = {}): DataFormatError => {
      try {
        parseTabular(text, { file: 'data.csv', ...opts });
      } catch (e) {
        expect(e).toBeInstanceOf(DataFormatError);
        expect((e as DataFormatError).file).toBe('data.csv');
        return e as DataFormatError;
      }
      throw new Error('no error');
    };
    expect(bad('a,b\n1,x\n2,y\nzz,x\n').message).toMatch(/data.csv: line 4: column "a" must be a finite number, received "zz"/);
    expect(bad('a,b\n1,x\n,y\n').message).toMatch(/line 3: column "a"/);
    expect(bad('a,b\n1,x\n2\n').message).toMatch(/data.csv/);
    expect(bad('a,b\n1,\n').message).toMatch(/line 2: empty label/);
    expect(bad('[{"a": 1, "b": "x"}, {"a": "NaN", "b": "y"}]', { format: 'json' }).message).toMatch(/row 1: column "a"/);
    expect(bad('{"a": 1}', { format: 'json' }).message).toMatch(/JSON array/);
    expect(bad('not json', { format: 'json' }).message).toMatch(/not valid JSON/);
    expect(bad('a,b\n1,z\n', { classNames: ['x'] }).message).toMatch(/label "z" is not one of/);
    expect(() => parseTabular('a,b\n1,2\n', { labelColumn: 'c' })).toThrow(ArgumentError);
  });
});
