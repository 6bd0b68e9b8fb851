/**
 * A checkpoint store in the browser's IndexedDB: survives a page reload, so a training run in a
 * page can resume. One object store of files keyed `<checkpoint>/<file>` plus the `latest`
 * pointer; a checkpoint (its files and the pointer) is written in one transaction, so a closed
 * tab leaves the old or the new checkpoint, never half of one.
 */
import { ArgumentError, CheckpointError, describeValue } from '@contrastive/core';
import type { CheckpointStore } from './checkpoint-store.js';

const FILES = 'files';
const LATEST_KEY = 'latest';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Options of {@link indexedDbCheckpointStore}. */
export interface IndexedDbCheckpointStoreOptions {
  /** The IndexedDB factory; default `globalThis.indexedDB` (pass another, e.g. in tests). */
  readonly indexedDB?: IDBFactory;
}

/**
 * A {@link CheckpointStore} in the IndexedDB database `name` (created on first use). Needs
 * IndexedDB (browsers, web workers); throws an ArgumentError naming `options.indexedDB` without it.
 *
 * @example
 * ```ts
 * const store = indexedDbCheckpointStore('simclr-run');
 * await new Trainer({ ...options, checkpoint: { dir: store }, resume: 'latest' }).run();
 * ```
 */
export function indexedDbCheckpointStore(name: string, options: IndexedDbCheckpointStoreOptions = {}): CheckpointStore {
  const where = 'indexedDbCheckpointStore';
  if (typeof name !== 'string' || name.length === 0) {
    throw new ArgumentError(`${where}: argument 'name' must be a non-empty database name, received ${describeValue(name)}`, { argument: 'name', expected: 'a non-empty string', received: name });
  }
  const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) {
    throw new ArgumentError(`${where}: IndexedDB is not available here (Node.js has none); pass options.indexedDB, or use memoryCheckpointStore() or a directory`, {
      argument: 'options.indexedDB',
      expected: 'an IDBFactory',
      received: factory,
    });
  }
  const location = `indexeddb:${name}`;
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(FILES);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new CheckpointError(`${where}: cannot open IndexedDB database '${name}'`, { argument: 'name', received: name, cause: req.error }));
    });
    return db;
  };
  const keysOf = async (checkpoint: string): Promise<IDBValidKey[]> => {
    const tx = (await open()).transaction(FILES, 'readonly');
    // All keys, filtered here: a key range would need the global IDBKeyRange of one particular factory.
    const keys = await request(tx.objectStore(FILES).getAllKeys());
    return keys.filter((k) => typeof k === 'string' && k.startsWith(`${checkpoint}/`));
  };
  return {
    location,
    locate: (n) => `${location}/${n}`,
    async list() {
      const tx = (await open()).transaction(FILES, 'readonly');
      const keys = await request(tx.objectStore(FILES).getAllKeys());
      const names = new Set<string>();
      for (const k of keys) if (typeof k === 'string' && k.includes('/')) names.add(k.slice(0, k.indexOf('/')));
      return [...names];
    },
    async readLatest() {
      const tx = (await open()).transaction(FILES, 'readonly');
      const v = await request(tx.objectStore(FILES).get(LATEST_KEY));
      return typeof v === 'string' ? v.trim() : null;
    },
    async write(checkpoint, files) {
      const old = await keysOf(checkpoint);
      const tx = (await open()).transaction(FILES, 'readwrite');
      const store = tx.objectStore(FILES);
      for (const k of old) store.delete(k);
      for (const [file, bytes] of files) store.put(bytes.slice(), `${checkpoint}/${file}`);
      store.put(checkpoint, LATEST_KEY);
      await done(tx);
      return `${location}/${checkpoint}`;
    },
    async readFile(checkpoint, file) {
      const tx = (await open()).transaction(FILES, 'readonly');
      const v: unknown = await request(tx.objectStore(FILES).get(`${checkpoint}/${file}`));
      return v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : null;
    },
    async remove(checkpoint) {
      const keys = await keysOf(checkpoint);
      const tx = (await open()).transaction(FILES, 'readwrite');
      for (const k of keys) tx.objectStore(FILES).delete(k);
      await done(tx);
    },
  };
}
