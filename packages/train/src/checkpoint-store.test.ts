import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@contrastive/core';
import { assertCheckpointTarget, isCheckpointStore, memoryCheckpointStore } from './checkpoint-store.js';
import { fileCheckpointStore } from './node/file-checkpoint-store.js';
import { checkpointStoreContract } from '../test/checkpoint-store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

checkpointStoreContract('memoryCheckpointStore', () => memoryCheckpointStore());
checkpointStoreContract('fileCheckpointStore', () => fileCheckpointStore(join(root, `store-${++dirs}`)));

describe('checkpoint targets', () => {
  it('recognises stores and names the argument when given something else', () => {
    expect(isCheckpointStore(memoryCheckpointStore())).toBe(true);
    expect(isCheckpointStore({ location: 'x' })).toBe(false);
    expect(() => assertCheckpointTarget('saveCheckpoint', 'target', 42)).toThrow(ArgumentError);
    expect(() => assertCheckpointTarget('saveCheckpoint', 'target', '')).toThrow(/argument 'target' must be a directory path or a CheckpointStore/);
  });
});
