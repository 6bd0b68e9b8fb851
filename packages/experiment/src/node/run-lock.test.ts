import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, acquireRunLock } from './run-lock.js';

describe('acquireRunLock', () => {
  it('one holder per run directory: a second taker gets a ConfigError naming outDir and the owner; release frees it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-lock-'));
    const lock = await acquireRunLock(dir);
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    const refused = await acquireRunLock(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused).toMatchObject({ argument: 'outDir', received: dir });
    expect((refused as Error).message).toContain(`in use by process ${process.pid}`);
    await lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await acquireRunLock(dir);
    await again.release();
  });

  it('takes over a lock whose process is gone (a SIGKILLed run must be resumable)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-lock-'));
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: os.hostname(), started: 'then' }));
    const lock = await acquireRunLock(dir);
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });
});
