/**
 * A data file that exists but cannot be read is a DataFormatError naming the file (issue 19,
 * defect 7: it was a raw `EACCES` with exit 1). Permissions cannot make a file unreadable for
 * root, so the file system's refusal is simulated for one path.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DataFormatError } from '@contrastive/core';

const denied = new Set<string>();
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const refuse = (file: unknown): Promise<never> => Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${String(file)}'`), { code: 'EACCES' }));
  return {
    ...fs,
    open: (file: string, ...rest: unknown[]) => (denied.has(file) ? refuse(file) : (fs.open as (...a: unknown[]) => unknown)(file, ...rest)),
    readFile: (file: string, ...rest: unknown[]) => (denied.has(file) ? refuse(file) : (fs.readFile as (...a: unknown[]) => unknown)(file, ...rest)),
  };
});

describe('unreadable data files', () => {
  it('readCifar10Binary: an existing file that cannot be opened gives DataFormatError with the file name', async () => {
    const { readCifar10Binary } = await import('./cifar10.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'unreadable-'));
    const file = path.join(dir, 'data_batch_1.bin');
    await writeFile(file, Buffer.alloc(3073));
    denied.add(file);
    const error = await readCifar10Binary(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({ file, received: 'EACCES' });
    expect((error as Error).message).toBe(`${file}: cannot read the CIFAR-10 batch file (permission denied)`);
  });
});
