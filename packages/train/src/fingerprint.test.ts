import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, configFingerprint } from './fingerprint.js';

describe('configFingerprint', () => {
  it('ignores key order and changes with any value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(configFingerprint(reversed)).toBe(configFingerprint(obj));
        expect(configFingerprint({ ...obj, extraKeyNotIn: 1 })).not.toBe(configFingerprint(obj));
      }),
      { numRuns: 50 },
    );
    expect(configFingerprint({ a: { b: [1, 2] } })).not.toBe(configFingerprint({ a: { b: [2, 1] } }));
    expect(configFingerprint({ lr: 0.1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/value\.a/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/JSON data/);
    expect(() => canonicalJson(new Map())).toThrow(/JSON data/);
    expect(canonicalJson({ b: 1, a: undefined, c: [null, 'x'] })).toBe('{"b":1,"c":[null,"x"]}');
  });
});
