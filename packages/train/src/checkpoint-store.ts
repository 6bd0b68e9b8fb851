/**
 * Where checkpoints live. A {@link CheckpointStore} holds named checkpoints (`step-NNNNNNNNN`),
 * each a set of files, and a `latest` pointer; `saveCheckpoint`, `readCheckpoint` and the trainer
 * work on any store. This file has the contract and the in-memory store; the IndexedDB store is
 * in `indexeddb-checkpoint-store.ts`, the directory store (atomic renames, fsync) in
 * `@contrastive/train/node`.
 */
import { ArgumentError, describeValue } from '@contrastive/core';

/** A place that holds checkpoints: a directory, an IndexedDB database, memory. */
export interface CheckpointStore {
  /** Where the store is, for messages (a directory path, `indexeddb:<name>`, `memory:<n>`). */
  readonly location: string;
  /** Where checkpoint (or file) `name` is, for messages and for what `saveCheckpoint` returns. */
  locate(name: string): string;
  /** Names of the checkpoints in the store, any order. */
  list(): Promise<readonly string[]>;
  /** The name the `latest` pointer holds (trimmed), or null when there is none. */
  readLatest(): Promise<string | null>;
  /**
   * Writes checkpoint `name` with `files` (all of them or none, replacing a checkpoint of the
   * same name), then points `latest` at it. Returns {@link CheckpointStore.locate}`(name)`.
   */
  write(name: string, files: ReadonlyMap<string, Uint8Array>): Promise<string>;
  /** The bytes of one file of checkpoint `name`, or null when the file does not exist. */
  readFile(name: string, file: string): Promise<Uint8Array | null>;
  /** Deletes checkpoint `name` (nothing if absent). */
  remove(name: string): Promise<void>;
}

/** True when `value` has every method of a {@link CheckpointStore}. */
export function isCheckpointStore(value: unknown): value is CheckpointStore {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['location'] === 'string' && ['locate', 'list', 'readLatest', 'write', 'readFile', 'remove'].every((k) => typeof v[k] === 'function');
}

/** Throws an ArgumentError naming `argument` unless `value` is a non-empty path or a store. */
export function assertCheckpointTarget(where: string, argument: string, value: unknown): asserts value is string | CheckpointStore {
  if ((typeof value === 'string' && value.length > 0) || isCheckpointStore(value)) return;
  throw new ArgumentError(`${where}: argument '${argument}' must be a directory path or a CheckpointStore, received ${describeValue(value)}`, {
    argument,
    expected: 'a non-empty path string (Node.js) or a CheckpointStore (memoryCheckpointStore, indexedDbCheckpointStore, fileCheckpointStore)',
    received: value,
  });
}

let memoryStores = 0;

/**
 * A checkpoint store in memory (this page or process only): for tests, for short browser runs,
 * or to hand checkpoints to your own storage. Files are copied in and out, so later changes to
 * the caller's arrays do not reach the store.
 *
 * @example
 * ```ts
 * const store = memoryCheckpointStore();
 * await new Trainer({ ...options, checkpoint: { dir: store } }).run();
 * const loaded = await readCheckpoint(store); // the latest one
 * ```
 */
export function memoryCheckpointStore(): CheckpointStore {
  const id = ++memoryStores;
  const checkpoints = new Map<string, Map<string, Uint8Array>>();
  let latest: string | null = null;
  return {
    location: `memory:${id}`,
    locate: (name) => `memory:${id}/${name}`,
    list: async () => [...checkpoints.keys()],
    readLatest: async () => latest,
    async write(name, files) {
      checkpoints.set(name, new Map([...files].map(([f, bytes]) => [f, bytes.slice()])));
      latest = name;
      return `memory:${id}/${name}`;
    },
    readFile: async (name, file) => checkpoints.get(name)?.get(file)?.slice() ?? null,
    async remove(name) {
      checkpoints.delete(name);
    },
  };
}
