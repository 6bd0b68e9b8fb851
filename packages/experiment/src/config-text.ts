/**
 * Reading a configuration file's text in linear time, refusing what a configuration never is:
 * a duplicate key (JSON and YAML alike; the second would silently win), an empty or
 * comment-only file (it used to start the full default run), or a file far larger than any
 * configuration (a pasted data file, a YAML bomb's expansion). The `yaml` package's own
 * duplicate check compares every key with every earlier one (quadratic: 80,000 keys took 40 s);
 * the check here keeps one set per mapping.
 */
import { ConfigError } from '@contrastive/core';
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';

/** The largest configuration file read (a real one is under 2 KiB). */
export const MAX_CONFIG_BYTES = 256 * 1024;
/** The most lines a configuration file may have (a full one has about 80). */
export const MAX_CONFIG_LINES = 2000;
/** The most keys a configuration may hold in all (the schema has about 80). */
export const MAX_CONFIG_KEYS = 2000;

/** Throws a ConfigError when `value` holds more than {@link MAX_CONFIG_KEYS} keys (counted without recursion limits blowing up). */
export function assertKeyCount(value: unknown, source: string): void {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    if (!Array.isArray(v)) count += children.length;
    if (count > MAX_CONFIG_KEYS) {
      throw new ConfigError(`${source} holds more than ${MAX_CONFIG_KEYS} keys; a configuration has fewer than 100`, { argument: 'config', received: `> ${MAX_CONFIG_KEYS} keys`, expected: `at most ${MAX_CONFIG_KEYS} keys` });
    }
    for (const c of children) stack.push(c);
  }
}

/** Where a duplicate key was found. */
export interface DuplicateKey {
  readonly key: string;
  /** 1-based line of the second occurrence. */
  readonly line: number;
}

/** The first key that appears twice in one JSON object of `text` (already known to be valid JSON), if any. */
export function findDuplicateJsonKey(text: string): DuplicateKey | undefined {
  const stack: (Set<string> | null)[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j;
      // A string is a key when the next non-blank character is ':'.
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k] as string)) k++;
      const keys = stack[stack.length - 1];
      if (text[k] === ':' && keys !== undefined && keys !== null) {
        const key = JSON.parse(raw) as string;
        if (keys.has(key)) return { key, line };
        keys.add(key);
      }
    }
  }
  return undefined;
}

function refuse(file: string, message: string, received: unknown, expected: string): never {
  throw new ConfigError(`${file}: ${message}`, { argument: '--config', received, expected });
}

/** Size and emptiness checks shared by both formats. */
function checkText(text: string, file: string): void {
  const bytes = new TextEncoder().encode(text).length; // not Buffer: this entry runs in browsers too
  if (bytes > MAX_CONFIG_BYTES) refuse(file, `is ${bytes} bytes; a configuration is at most ${MAX_CONFIG_BYTES} bytes`, `${bytes} bytes`, `at most ${MAX_CONFIG_BYTES} bytes`);
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && lines <= MAX_CONFIG_LINES; i = text.indexOf('\n', i + 1)) lines++;
  if (lines > MAX_CONFIG_LINES) refuse(file, `has more than ${MAX_CONFIG_LINES} lines; a configuration has about 80`, `> ${MAX_CONFIG_LINES} lines`, `at most ${MAX_CONFIG_LINES} lines`);
}

/** The value of a configuration's text; `undefined` when it holds nothing but blanks and comments. */
function refuseEmpty(value: unknown, file: string): unknown {
  if (value === null || value === undefined) {
    refuse(file, "is empty (or only comments); write at least one key, or '{}' to train with every default", value, 'a mapping of keys to values');
  }
  return value;
}

/** JSON: `JSON.parse`, then duplicate keys and emptiness are refused. */
export function parseJsonConfig(text: string, file: string): unknown {
  checkText(text, file);
  if (text.trim() === '') refuseEmpty(undefined, file);
  const value = JSON.parse(text) as unknown;
  const dup = findDuplicateJsonKey(text);
  if (dup !== undefined) refuse(file, `key '${dup.key}' appears twice in one object (line ${dup.line}); keys must be unique`, dup.key, 'unique keys');
  return refuseEmpty(value, file);
}

/** YAML 1.2: parsed once, duplicate keys refused with their line and column, aliases bounded. */
export function parseYamlConfig(text: string, file: string): unknown {
  checkText(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter });
  const first = doc.errors[0];
  if (first !== undefined) throw first;
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const item of map.items) {
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (typeof key === 'object' && key !== null) continue; // complex keys: compared by the schema
        if (seen.has(key)) {
          const at = isScalar(item.key) && item.key.range !== undefined && item.key.range !== null ? lineCounter.linePos(item.key.range[0]) : undefined;
          refuse(file, `key '${String(key)}' appears twice in one mapping${at === undefined ? '' : ` (line ${at.line}, column ${at.col})`}; keys must be unique`, key, 'unique keys');
        }
        seen.add(key);
      }
    },
  });
  return refuseEmpty(doc.toJS({ maxAliasCount: 100 }), file);
}
