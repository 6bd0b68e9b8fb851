import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from './errors.js';
import { Rng } from './rng.js';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('same seed gives the same stream (law)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draw(Rng.fromSeed(seed), 16)).toEqual(draw(Rng.fromSeed(seed), 16));
      }),
    );
  });

  it('different seeds give different streams', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        fc.pre(a !== b);
        expect(draw(Rng.fromSeed(a), 8)).not.toEqual(draw(Rng.fromSeed(b), 8));
      }),
    );
  });

  it('state() / fromState() resume the exact stream, including a cached normal', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(20), (seed, skip) => {
        const rng = Rng.fromSeed(seed);
        for (let i = 0; i < skip; i++) rng.next();
        rng.normal(); // leaves a spare normal cached
        const restored = Rng.fromState(JSON.parse(JSON.stringify(rng.state())));
        expect([rng.normal(), ...draw(rng, 8)]).toEqual([restored.normal(), ...draw(restored, 8)]);
      }),
    );
  });

  it('clone() continues identically and independently', () => {
    const a = Rng.fromSeed(7);
    a.next();
    const b = a.clone();
    expect(draw(a, 5)).toEqual(draw(b, 5));
  });

  it('split() gives children that differ from the parent and from each other', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const parent = Rng.fromSeed(seed);
        const c1 = parent.split();
        const c2 = parent.split();
        const p = draw(parent, 8);
        const s1 = draw(c1, 8);
        const s2 = draw(c2, 8);
        expect(s1).not.toEqual(s2);
        expect(s1).not.toEqual(p);
        expect(s2).not.toEqual(p);
      }),
    );
  });

  it('split() is deterministic given the seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draw(Rng.fromSeed(seed).split(), 6)).toEqual(draw(Rng.fromSeed(seed).split(), 6));
      }),
    );
  });

  it('next() stays in [0, 1) and int() in [lo, hi)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (seed, lo, width) => {
        const rng = Rng.fromSeed(seed);
        for (let i = 0; i < 50; i++) {
          const u = rng.next();
          expect(u).toBeGreaterThanOrEqual(0);
          expect(u).toBeLessThan(1);
          const k = rng.int(lo, lo + width);
          expect(Number.isInteger(k) && k >= lo && k < lo + width).toBe(true);
        }
      }),
    );
  });

  it('permutation() is a permutation', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(200), (seed, n) => {
        const p = Array.from(Rng.fromSeed(seed).permutation(n));
        expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('moments of uniform and normal draws are close to theory (n = 20000)', () => {
    const rng = Rng.fromSeed(123);
    const u = rng.uniformArray(20000);
    const z = rng.normalArray(20000);
    const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    const varOf = (a: Float32Array): number => {
      const m = mean(a);
      return a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length;
    };
    // Standard errors: uniform mean 0.002, normal mean 0.007; bounds are ~5 s.e.
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(varOf(u) - 1 / 12)).toBeLessThan(0.005);
    expect(Math.abs(mean(z))).toBeLessThan(0.035);
    expect(Math.abs(varOf(z) - 1)).toBeLessThan(0.05);
  });

  it('bernoulli(0) is never and bernoulli(1) always true', () => {
    const rng = Rng.fromSeed(1);
    for (let i = 0; i < 100; i++) {
      expect(rng.bernoulli(0)).toBe(false);
      expect(rng.bernoulli(1)).toBe(true);
    }
  });

  it('rejects bad arguments with typed errors naming the argument', () => {
    expect(() => Rng.fromSeed(1.5)).toThrow(ArgumentError);
    expect(() => Rng.fromSeed(Number.NaN)).toThrow(/'seed'/);
    expect(() => Rng.fromState({ algorithm: 'xoroshiro128plus', state: [1, 2], spareNormal: null })).toThrow(/'state'/);
    const rng = Rng.fromSeed(1);
    expect(() => rng.bernoulli(1.5)).toThrow(/'p' must be a probability in \[0, 1\], received 1.5/);
    expect(() => rng.int(3, 3)).toThrow(/'hiExclusive'/);
    expect(() => rng.uniform(2, 1)).toThrow(/'hi'/);
    expect(() => rng.permutation(-1)).toThrow(/'n'/);
    try {
      rng.bernoulli(-0.1);
    } catch (e) {
      expect(e).toBeInstanceOf(ArgumentError);
      expect((e as ArgumentError).code).toBe('INVALID_ARGUMENT');
      expect((e as ArgumentError).argument).toBe('p');
      expect((e as ArgumentError).received).toBe(-0.1);
    }
  });
});
