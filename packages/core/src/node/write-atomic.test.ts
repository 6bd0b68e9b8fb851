import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { pathExists, syncDirectory, writeFileAtomic, writeFileSynced } from './write-atomic.js';

const freshDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'core-atomic-'));

describe('writeFileAtomic', () => {
  it('writes, overwrites and leaves no temporary files', async () => {
    const dir = await freshDir();
    const target = join(dir, 'x.txt');
    await writeFile(target, 'old');
    await writeFileAtomic(target, 'hello');
    expect(await readFile(target, 'utf8')).toBe('hello');
    await writeFileAtomic(join(dir, 'y.bin'), new Uint8Array([1, 2, 3]));
    expect([...(await readFile(join(dir, 'y.bin')))]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual(['x.txt', 'y.bin']);
  });

  it('round-trips any bytes (property)', async () => {
    const dir = await freshDir();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
        await writeFileAtomic(join(dir, 'p.bin'), bytes);
        expect(new Uint8Array(await readFile(join(dir, 'p.bin')))).toEqual(bytes);
      }),
      { numRuns: 20 },
    );
    expect(await readdir(dir)).toEqual(['p.bin']);
  });

  it('a failed rename leaves the target as it was and removes the temporary file', async () => {
    const dir = await freshDir();
    // A non-empty directory cannot be replaced by a file: the rename fails.
    await mkdir(join(dir, 'blocked'));
    await writeFile(join(dir, 'blocked', 'keep'), 'x');
    await expect(writeFileAtomic(join(dir, 'blocked'), 'new')).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(await readdir(dir)).toEqual(['blocked']);
    expect(await readFile(join(dir, 'blocked', 'keep'), 'utf8')).toBe('x');
  });

  it('fails cleanly when the directory does not exist, and validates its arguments', async () => {
    const dir = await freshDir();
    await expect(writeFileAtomic(join(dir, 'missing', 'a.txt'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
    await expect(writeFileAtomic('', 'x')).rejects.toThrow(ArgumentError);
    await expect(writeFileAtomic('', 'x')).rejects.toMatchObject({ argument: 'path', expected: 'a non-empty string' });
    await expect(writeFileAtomic(join(dir, 'a'), 5 as unknown as string)).rejects.toMatchObject({ argument: 'data', received: 5 });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('writeFileSynced and syncDirectory', () => {
  it('writes the data; the exclusive flag refuses an existing file', async () => {
    const dir = await freshDir();
    await writeFileSynced(join(dir, 'a'), 'one');
    await writeFileSynced(join(dir, 'a'), 'two');
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('two');
    await expect(writeFileSynced(join(dir, 'a'), 'three', 'wx')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('two');
  });

  it('syncDirectory is best effort: a missing directory does not throw', async () => {
    const dir = await freshDir();
    await expect(syncDirectory(dir)).resolves.toBeUndefined();
    await expect(syncDirectory(join(dir, 'missing'))).resolves.toBeUndefined();
  });
});

describe('pathExists', () => {
  it('is true for a file or directory, false for a missing path', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'f'), 'x');
    expect(await pathExists(dir)).toBe(true);
    expect(await pathExists(join(dir, 'f'))).toBe(true);
    expect(await pathExists(join(dir, 'missing'))).toBe(false);
    expect(await pathExists(join(dir, 'f', 'below-a-file'))).toBe(false);
  });
});
