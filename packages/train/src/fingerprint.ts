/**
 * A stable hash of a run's configuration, stored in checkpoints so that a resume with a
 * different configuration is refused rather than silently mixed.
 */
import { ArgumentError, describeValue } from '@contrastive/core';
import { sha256Hex } from './sha256.js';

/**
 * JSON with object keys sorted at every level, so that key order does not change the text.
 * Throws on values JSON cannot hold faithfully (functions, symbols, bigint, NaN, ±Infinity).
 * `undefined` object fields are skipped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown, path = 'value'): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ArgumentError(`canonicalJson: argument '${path}' must be a finite number, received ${describeValue(value)}`, { argument: path, received: value });
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && value !== null && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], `${path}.${k}`)}`);
    return `{${entries.join(',')}}`;
  }
  throw new ArgumentError(`canonicalJson: argument '${path}' must be JSON data (null, boolean, number, string, array, plain object), received ${describeValue(value)}`, {
    argument: path,
    expected: 'JSON data',
    received: value,
  });
}

/** The sha256 (hex) of {@link canonicalJson}`(config)`. */
export function configFingerprint(config: unknown): string {
  return sha256Hex(canonicalJson(config, 'config'));
}
