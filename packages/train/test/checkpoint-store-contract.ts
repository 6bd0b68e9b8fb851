// The behaviour every CheckpointStore must have, run against the memory, IndexedDB and directory stores.
import { describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../src/checkpoint-store.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

export function checkpointStoreContract(label: string, make: () => CheckpointStore): void {
  describe(`${label}: the CheckpointStore contract`, () => {
    it('starts empty: no checkpoints, no latest, missing files read as null', async () => {
      const store = make();
      expect(await store.list()).toEqual([]);
      expect(await store.readLatest()).toBeNull();
      expect(await store.readFile('step-000000001', 'manifest.json')).toBeNull();
    });

    it('writes all files, points latest at the newest, reads back copies', async () => {
      const store = make();
      const files = new Map([
        ['manifest.json', bytes(1, 2, 3)],
        ['weights.bin', bytes(4, 5)],
      ]);
      const where = await store.write('step-000000001', files);
      expect(where).toBe(store.locate('step-000000001'));
      files.get('weights.bin')?.fill(0); // the store kept its own copy
      expect(Array.from((await store.readFile('step-000000001', 'weights.bin')) ?? [])).toEqual([4, 5]);
      await store.write('step-000000002', new Map([['manifest.json', bytes(9)]]));
      expect(await store.readLatest()).toBe('step-000000002');
      expect([...(await store.list())].sort()).toEqual(['step-000000001', 'step-000000002']);
    });

    it('replaces a checkpoint of the same name entirely, and removes one', async () => {
      const store = make();
      await store.write('step-000000003', new Map([['a.bin', bytes(1)], ['b.bin', bytes(2)]]));
      await store.write('step-000000003', new Map([['a.bin', bytes(7)]]));
      expect(Array.from((await store.readFile('step-000000003', 'a.bin')) ?? [])).toEqual([7]);
      expect(await store.readFile('step-000000003', 'b.bin')).toBeNull();
      await store.remove('step-000000003');
      expect(await store.list()).not.toContain('step-000000003');
      expect(await store.readFile('step-000000003', 'a.bin')).toBeNull();
    });
  });
}
