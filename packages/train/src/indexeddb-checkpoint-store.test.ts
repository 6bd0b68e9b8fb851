import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@contrastive/core';
import { indexedDbCheckpointStore } from './indexeddb-checkpoint-store.js';
import { checkpointStoreContract } from '../test/checkpoint-store-contract.js';

// fake-indexeddb implements the IndexedDB API in memory (the real one runs in the browser test of
// scripts/consumer-test.mjs); each store gets a fresh factory.
let n = 0;
checkpointStoreContract('indexedDbCheckpointStore', () => indexedDbCheckpointStore(`run-${++n}`, { indexedDB: new IDBFactory() }));

describe('indexedDbCheckpointStore', () => {
  it('keeps checkpoints across store objects on the same database (a page reload)', async () => {
    const factory = new IDBFactory();
    await indexedDbCheckpointStore('persist', { indexedDB: factory }).write('step-000000004', new Map([['m.json', Uint8Array.from([1])]]));
    const again = indexedDbCheckpointStore('persist', { indexedDB: factory });
    expect(await again.readLatest()).toBe('step-000000004');
    expect(Array.from((await again.readFile('step-000000004', 'm.json')) ?? [])).toEqual([1]);
  });
  it('names its argument without IndexedDB or with a bad name', () => {
    expect(() => indexedDbCheckpointStore('')).toThrow(ArgumentError);
    expect(() => indexedDbCheckpointStore('x')).toThrow(/options\.indexedDB/);
  });
});
