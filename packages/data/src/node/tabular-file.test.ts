import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DataFormatError } from '@contrastive/core';
import { loadTabular } from './tabular-file.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tabular-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadTabular', () => {
  it('format from the ending: .csv, .tsv, .json; name = file name', async () => {
    await writeFile(path.join(tmp, 'a.csv'), 'x,y,label\n1,2,p\n3,4,q\n');
    await writeFile(path.join(tmp, 'a.tsv'), 'x\ty\tlabel\n1\t2\tp\n');
    await writeFile(path.join(tmp, 'a.json'), '[{"x": 1, "label": "p"}]');
    const csv = await loadTabular({ file: path.join(tmp, 'a.csv') });
    expect(csv).toMatchObject({ name: 'a.csv', length: 2, numFeatures: 2, classNames: ['p', 'q'] });
    expect(Array.from((await loadTabular({ file: path.join(tmp, 'a.tsv') })).features)).toEqual([1, 2]);
    expect((await loadTabular({ file: path.join(tmp, 'a.json'), labelColumn: 'label' })).featureNames).toEqual(['x']);
  });

  it('errors name the file', async () => {
    const file = path.join(tmp, 'bad.csv');
    await writeFile(file, 'x,label\nfoo,p\n');
    const e = await loadTabular({ file }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as DataFormatError).file).toBe(file);
    expect((e as Error).message).toContain(`${file}: line 2`);
    await expect(loadTabular({ file: path.join(tmp, 'missing.csv') })).rejects.toThrow(ArgumentError);
  });
});
