import { describe, expect, it } from 'vitest';
import { ArgumentError } from './errors.js';
import { assertKnownKeys, closestKey } from './known-keys.js';

describe('assertKnownKeys', () => {
  it('names the unknown key under its argument, suggests the closest known one, and passes known keys', () => {
    expect(() => assertKnownKeys('ntXent', 'options', { temperature: 0.2, scale: 'paper' }, ['temperature', 'scale'])).not.toThrow();
    let error: unknown;
    try {
      assertKnownKeys('ntXent', 'options', { temperature: 0.2, temprature: 1 }, ['temperature', 'scale', 'checkValues']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toMatchObject({ argument: 'options.temprature', received: 1 });
    expect((error as Error).message).toBe(
      "ntXent: unknown option 'options.temprature' (did you mean 'temperature'?); expected one of the options 'temperature', 'scale', 'checkValues'",
    );
  });

  it('suggests nothing for a key unlike every known one', () => {
    expect(closestKey('negatives', ['temperature', 'variant', 'scale'])).toBeUndefined();
    expect(closestKey('varient', ['temperature', 'variant', 'scale'])).toBe('variant');
  });
});
