/**
 * Unit tests of the queue mode: job ids, directory mapping, option checks, and (with a real
 * redis-server on loopback) dedupe on re-enqueue, permanent failures and their retry, the
 * worker's directory mapping and graceful shutdown, and the claim files.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArgumentError, ConfigError } from '@contrastive/core';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acquireCellClaim, claimPath } from './claim.js';
import { redisExecutor } from './executor.js';
import { fakePlan, fakeRunCell } from './fixtures/fake-cell.js';
import { QueueConnectionError, SweepDirNotFoundError, cellJobId, checkDirMap, mapSweepDir, parseDirFlag } from './options.js';
import { startTestRedis, type TestRedis } from './test-redis.js';
import type { QueueCellEvent, QueueRunCell } from './types.js';
import { runWorker } from './worker.js';

let redis: TestRedis;
let dir: string;
let counter = 0;
const fresh = async (name: string): Promise<string> => {
  const d = path.join(dir, `${name}-${counter++}`);
  await mkdir(d, { recursive: true });
  return d;
};
const noRun: QueueRunCell = async () => ({});

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(tmpdir(), 'queue-unit-'));
});

afterAll(async () => {
  await redis?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('cellJobId', () => {
  test('is stable for the same sweep directory and cell, differs across directories and cells', () => {
    const a = cellJobId('lr-grid', '/shared/sweeps/lr-grid', 'c1');
    expect(cellJobId('lr-grid', '/shared/sweeps/lr-grid/', 'c1')).toBe(a);
    expect(cellJobId('lr-grid', '/shared/sweeps/other', 'c1')).not.toBe(a);
    expect(cellJobId('lr-grid', '/shared/sweeps/lr-grid', 'c2')).not.toBe(a);
    expect(a).toMatch(/^lr-grid\.[0-9a-f]{10}\.c1$/);
  });

  test("never contains ':' and is never an integer (BullMQ's rules); other characters are encoded", () => {
    const id = cellJobId('a:b', '/x', 'lr=0.1:seed 2/ü');
    expect(id).not.toContain(':');
    expect(id).toMatch(/^a%3Ab\.[0-9a-f]{10}\.lr%3D0\.1%3Aseed%202%2F%C3%BC$/);
    expect(Number.isInteger(Number(cellJobId('1', '/x', '2')))).toBe(false);
    expect(() => cellJobId('s', '/x', '')).toThrow(ArgumentError);
  });
});

describe('dir mapping', () => {
  test('from/to replaces a path prefix at a segment boundary; to alone replaces the sweep root', () => {
    expect(mapSweepDir('/data/sweeps/lr', [{ from: '/data', to: '/mnt/data' }])).toBe('/mnt/data/sweeps/lr');
    expect(mapSweepDir('/data/sweeps/lr', [{ from: '/data/sweeps/lr', to: '/m/lr2' }])).toBe('/m/lr2');
    expect(mapSweepDir('/database/lr', [{ from: '/data', to: '/mnt/data' }])).toBe('/database/lr');
    expect(mapSweepDir('/data/sweeps/lr', [{ to: '/mnt/sweeps' }])).toBe('/mnt/sweeps/lr');
    expect(mapSweepDir('/data/sweeps/lr', [{ from: '/other', to: '/o' }, { to: '/mnt/sweeps' }])).toBe('/mnt/sweeps/lr');
    expect(mapSweepDir('/data/sweeps/lr', [])).toBe('/data/sweeps/lr');
  });

  test('parseDirFlag reads TO and FROM=TO; bad maps name the argument', () => {
    expect(parseDirFlag('/mnt/sweeps')).toEqual({ to: '/mnt/sweeps' });
    expect(parseDirFlag('/data=/mnt/data')).toEqual({ from: '/data', to: '/mnt/data' });
    expect(parseDirFlag('rel')).toEqual({ to: path.resolve('rel') });
    expect(() => parseDirFlag('relative=/x')).toThrow(/--dir\.from must be an absolute path/);
    expect(() => checkDirMap({ to: '/x', form: '/y' })).toThrow(/unknown option 'dirMap\.form' \(did you mean 'from'\?\)/);
    expect(() => checkDirMap([{ to: '' }])).toThrow(/dirMap\[0\]\.to must be a non-empty path/);
  });
});

describe('option checks', () => {
  test('unknown options are errors naming the key', () => {
    expect(() => redisExecutor({ url: redis.url, quueName: 'x' } as never)).toThrow(/redisExecutor: unknown option 'options\.quueName' \(did you mean 'queueName'\?\)/);
    const e = (() => {
      try {
        redisExecutor({ url: redis.url, atempts: 2 } as never);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).argument).toBe('options.atempts');
    return expect(runWorker({ url: redis.url, runCell: noRun, concurency: 2 } as never)).rejects.toThrow(/runWorker: unknown option 'options\.concurency' \(did you mean 'concurrency'\?\)/);
  });

  test('bad values name the argument, the expectation and the value', async () => {
    expect(() => redisExecutor({ url: 'http://localhost:6379' })).toThrow(/url must be a Redis URL .*received 'http:\/\/localhost:6379\/' \(protocol http:\)/);
    expect(() => redisExecutor({ url: 'localhost' })).toThrow(ArgumentError);
    expect(() => redisExecutor({ url: redis.url, queueName: 'a:b' })).toThrow(/queueName must be a non-empty name/);
    expect(() => redisExecutor({ url: redis.url, attempts: 0 })).toThrow(/attempts must be an integer >= 1, received 0/);
    await expect(runWorker({ url: redis.url, runCell: noRun, concurrency: 0 })).rejects.toThrow(/concurrency must be an integer in \[1, 1024\], received 0/);
    await expect(runWorker({ url: redis.url } as never)).rejects.toThrow(/runCell must be a function/);
    await expect(runWorker({ url: redis.url, runCell: noRun, claimHeartbeatMs: 1000, claimStaleMs: 1500 })).rejects.toThrow(/claimStaleMs \(1500\) must be more than twice claimHeartbeatMs/);
  });

  test('an unreachable Redis server is a QueueConnectionError naming the URL', async () => {
    const closed = `redis://127.0.0.1:${redis.port === 1 ? 2 : 1}`;
    const sweepDir = await fresh('unreachable');
    const err = await redisExecutor({ url: closed })({ sweepDir, plan: fakePlan('s', ['c']), onEvent: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueConnectionError);
    expect((err as QueueConnectionError).argument).toBe('url');
    expect((err as Error).message).toMatch(/cannot reach the Redis server at redis:\/\/127\.0\.0\.1:[12]/);
  });
});

describe('with redis-server', () => {
  test('re-enqueueing the same cells adds nothing; finished cells are skipped; abort stops the waiting (resolves) and leaves the jobs queued', async () => {
    const queueName = 'dedupe';
    const sweepDir = await fresh('dedupe');
    await mkdir(path.join(sweepDir, 'cells', 'done'), { recursive: true });
    await writeFile(path.join(sweepDir, 'cells', 'done', 'result.json'), '{"ok":1}');
    const plan = fakePlan('dd', ['done', 'a', 'b']);
    const queue = new Queue(queueName, { connection: { url: redis.url, maxRetriesPerRequest: null } });
    try {
      for (let round = 0; round < 2; round++) {
        const events: QueueCellEvent[] = [];
        const stop = new AbortController();
        const run = redisExecutor({ url: redis.url, queueName, pollMs: 100 })({
          sweepDir,
          plan,
          signal: stop.signal,
          onEvent: (e) => {
            events.push(e);
            if (events.filter((x) => x.kind === 'queued').length === 2) stop.abort();
          },
        });
        await run; // resolves: the waiting stops, the jobs stay
        expect(events.map((e) => `${e.cellId}:${e.kind}`).sort()).toEqual(['a:queued', 'b:queued', 'done:skipped']);
        expect(events.find((e) => e.kind === 'skipped')?.result).toEqual({ ok: 1 });
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
        expect(counts).toEqual({ waiting: 2, active: 0, delayed: 0, completed: 0, failed: 0 });
      }
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs.map((j) => j.id).sort()).toEqual([cellJobId('dd', sweepDir, 'a'), cellJobId('dd', sweepDir, 'b')].sort());
      expect(jobs.map((j) => j.data)).toContainEqual({ sweepDir, cellId: 'a', sweepName: 'dd' });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  test('a cell that keeps failing is reported failed after its attempts; running the sweep again retries it', async () => {
    const queueName = 'fail';
    const sweepDir = await fresh('fail');
    const plan = fakePlan('f', ['ok', 'bad']);
    const stop = new AbortController();
    const workerEvents: QueueCellEvent[] = [];
    let fail = true;
    const inner = fakeRunCell({ steps: 2, stepMs: 10, worker: 'w' });
    const runCell: QueueRunCell = (d, id, o) => (fail && id === 'bad' ? Promise.reject(new Error('boom')) : inner(d, id, o));
    const worker = runWorker({ url: redis.url, queueName, runCell, signal: stop.signal, onEvent: (e) => workerEvents.push(e), progressIntervalMs: 0 });
    try {
      const events: QueueCellEvent[] = [];
      await redisExecutor({ url: redis.url, queueName, attempts: 2, backoffMs: 10, pollMs: 200 })({ sweepDir, plan, onEvent: (e) => events.push(e) });
      expect(events.filter((e) => e.kind === 'finished').map((e) => e.cellId)).toEqual(['ok']);
      expect(events.filter((e) => e.kind === 'failed')).toEqual([{ cellId: 'bad', kind: 'failed', error: 'boom' }]);
      expect(events.some((e) => e.kind === 'progress' && e.cellId === 'ok' && e.step === 2 && e.totalSteps === 2 && e.worker !== undefined)).toBe(true);
      expect(workerEvents.filter((e) => e.kind === 'failed').map((e) => e.error)).toEqual(['attempt 1 of 2: boom (will be retried)', 'attempt 2 of 2: boom']);

      fail = false;
      const again: QueueCellEvent[] = [];
      await redisExecutor({ url: redis.url, queueName, attempts: 2, backoffMs: 10, pollMs: 200 })({ sweepDir, plan, onEvent: (e) => again.push(e) });
      expect(again.map((e) => `${e.cellId}:${e.kind}`).filter((s) => !s.endsWith(':progress') && !s.endsWith(':started'))).toEqual(['ok:skipped', 'bad:queued', 'bad:finished']);
    } finally {
      stop.abort();
      await worker;
    }
  });

  test('a worker maps the sweep directory; one that cannot see it puts the job back and stops with SweepDirNotFoundError', async () => {
    const queueName = 'dirmap';
    const real = await fresh('dirmap');
    const sweepDir = path.join(real, 'sweep');
    await mkdir(sweepDir);
    const enqueuedAs = '/nonexistent-enqueuer-root/sweeps/sweep';
    const queue = new Queue(queueName, { connection: { url: redis.url, maxRetriesPerRequest: null } });
    try {
      await queue.add('c', { sweepDir: enqueuedAs, cellId: 'c' }, { jobId: 'dm.c' });
      const err = await runWorker({ url: redis.url, queueName, runCell: noRun }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SweepDirNotFoundError);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/the sweep directory \/nonexistent-enqueuer-root\/sweeps\/sweep does not exist on this worker/);
      const job = await queue.getJob('dm.c');
      expect(['waiting', 'delayed']).toContain(await job?.getState());
      expect(job?.attemptsMade).toBe(0);

      const stop = new AbortController();
      const seen: string[] = [];
      const runCell: QueueRunCell = async (d, id) => {
        seen.push(`${d} ${id}`);
        stop.abort();
        return { ok: true };
      };
      await runWorker({ url: redis.url, queueName, runCell, signal: stop.signal, dirMap: { to: real } });
      expect(seen).toEqual([`${sweepDir} c`]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  test('shutdown aborts the running cell (which checkpoints) and puts its job back without using an attempt', async () => {
    const queueName = 'shutdown';
    const sweepDir = await fresh('shutdown');
    const queue = new Queue(queueName, { connection: { url: redis.url, maxRetriesPerRequest: null } });
    try {
      await queue.add('c', { sweepDir, cellId: 'c' }, { jobId: 'sd.c', attempts: 1 });
      const stop = new AbortController();
      const inner = fakeRunCell({ steps: 100, stepMs: 20, worker: 'w' });
      const runCell: QueueRunCell = (d, id, o) => inner(d, id, { ...o, onProgress: (p) => (o?.onProgress?.(p), (p.step ?? 0) >= 3 && stop.abort()) });
      await runWorker({ url: redis.url, queueName, runCell, signal: stop.signal, progressIntervalMs: 0 });
      const job = await queue.getJob('sd.c');
      expect(['waiting', 'delayed']).toContain(await job?.getState());
      expect(job?.attemptsMade).toBe(0);
      expect(await readdir(path.join(sweepDir, 'queue', 'claims'))).toEqual([]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe('claim files', () => {
  test('a live holder keeps the claim (a waiter waits); when it releases, the waiter gets it', async () => {
    const sweepDir = await fresh('claim-live');
    const a = await acquireCellClaim({ sweepDir, cellId: 'c', worker: 'A', heartbeatMs: 50, staleMs: 2000 });
    const notes: string[] = [];
    let got = false;
    const b = acquireCellClaim({ sweepDir, cellId: 'c', worker: 'B', heartbeatMs: 50, staleMs: 2000, onNote: (n) => notes.push(n) }).then((c) => ((got = true), c));
    // Longer than staleMs: the heartbeat keeps A's claim alive. (staleMs is 40 heartbeats, so a
    // loaded machine that delays the heartbeat thread for a while does not look like a dead holder.)
    await new Promise((r) => setTimeout(r, 2500));
    expect(got).toBe(false);
    expect(notes[0]).toMatch(/cell c: still claimed by A .* which is alive; waiting/);
    expect(a.lost.aborted).toBe(false);
    await a.release();
    const claim = await b;
    expect(claim.info.worker).toBe('B');
    expect(claim.info.tookOverFrom).toBeUndefined();
    await claim.release();
    expect(await readdir(path.dirname(claimPath(sweepDir, 'c')))).toEqual([]);
  });

  test("a dead holder's claim (same host, pid gone) is taken over at once", async () => {
    const sweepDir = await fresh('claim-dead');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const file = claimPath(sweepDir, 'c');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ token: 't', worker: 'ghost', host: (await import('node:os')).hostname(), pid: Number(dead.stdout), claimedAt: '' }));
    const notes: string[] = [];
    const t0 = performance.now();
    const claim = await acquireCellClaim({ sweepDir, cellId: 'c', worker: 'B', heartbeatMs: 1000, staleMs: 60_000, onNote: (n) => notes.push(n) });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(claim.info.tookOverFrom).toMatch(/^ghost/);
    expect(notes[0]).toMatch(/taking over the claim of ghost .*: its process \d+ on .* is gone/);
    await claim.release();
  });

  test("a frozen holder on another host is taken over after staleMs; the holder's claim is then lost", async () => {
    const sweepDir = await fresh('claim-stale');
    const file = claimPath(sweepDir, 'c');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ token: 't', worker: 'far', host: 'another-host', pid: 1, claimedAt: '' }));
    const t0 = performance.now();
    const claim = await acquireCellClaim({ sweepDir, cellId: 'c', worker: 'B', heartbeatMs: 20, staleMs: 300 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(claim.info.tookOverFrom).toMatch(/^far \(another-host/);

    // Now B is the holder; if someone takes B's claim over, B's `lost` fires on its next heartbeat.
    await rm(file);
    await writeFile(file, '{"token":"x","worker":"C","host":"h","pid":1,"claimedAt":""}');
    await new Promise<void>((resolve) => (claim.lost.aborted ? resolve() : claim.lost.addEventListener('abort', () => resolve())));
    expect(String((claim.lost.reason as Error).message)).toMatch(/was taken over by another worker/);
    await claim.release();
    expect(JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')).worker).toBe('C'); // not deleted: not B's
  });
});
