/**
 * Deep merging of partial configurations and dotted keys: how a sweep cell's overrides are laid
 * onto the base configuration. Objects merge key by key; arrays and every other value replace.
 */

/** True for a plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `patch` laid onto `base`: objects merge recursively, arrays and scalars replace. Neither input
 * is changed.
 *
 * @example
 * ```ts
 * deepMerge({ head: { kind: 'mlp', outputDim: 128 } }, { head: { kind: 'linear' } });
 * // { head: { kind: 'linear', outputDim: 128 } }
 * ```
 */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) out[key] = key in out ? deepMerge(out[key], value) : structuredClone(value);
  return out;
}

/**
 * A partial object holding `value` at the dotted `key` (`'strategy.temperature'` ->
 * `{ strategy: { temperature: value } }`).
 */
export function dottedToObject(key: string, value: unknown): Record<string, unknown> {
  const parts = key.split('.');
  let out: unknown = value;
  for (let i = parts.length - 1; i >= 0; i--) out = { [parts[i] as string]: out };
  return out as Record<string, unknown>;
}

/** The value at a dotted key of `obj`, or undefined. */
export function valueAtKey(obj: unknown, key: string): unknown {
  let v = obj;
  for (const part of key.split('.')) {
    if (!isPlainObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

/**
 * The leaves where `b` differs from `a`, as dotted keys with `b`'s value (a key only `a` has maps
 * to undefined). Arrays are compared whole.
 */
export function diffLeaves(a: unknown, b: unknown, prefix = ''): Record<string, unknown> {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) Object.assign(out, diffLeaves(a[key], b[key], prefix === '' ? key : `${prefix}.${key}`));
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? {} : { [prefix]: b };
}

/** The leaves of a nested object as dotted keys (arrays are leaves): `{ head: { kind: 'x' } }` -> `{ 'head.kind': 'x' }`. */
export function flattenLeaves(value: unknown, prefix = ''): Record<string, unknown> {
  if (!isPlainObject(value) || (Object.keys(value).length === 0 && prefix !== '')) return prefix === '' ? {} : { [prefix]: value };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) Object.assign(out, flattenLeaves(v, prefix === '' ? key : `${prefix}.${key}`));
  return out;
}
