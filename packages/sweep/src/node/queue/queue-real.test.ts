/**
 * The real thing: a tiny 4-cell sweep (tabular blobs, an MLP, 6 steps, a checkpoint every 2
 * steps) run (a) by the local executor and (b) through Redis/BullMQ by two worker processes
 * running the real `runCell`, one of them SIGKILLed in the middle of a cell. Every cell must
 * complete exactly once and give the local mode's results.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CellEvent, CellResult } from '../../cell-result.js';
import { localExecutor } from '../local-executor.js';
import { prepareSweep } from '../prepare-sweep.js';
import { runSweep } from '../run-sweep.js';
import { CELL_FILES, cellDir, readCellResult } from '../sweep-dir.js';
import { tinySetup } from '../tiny-sweep.fixture.js';
import { claimPath } from './claim.js';
import { redisExecutor } from './executor.js';
import { runWorker } from './worker.js';
import { runCell } from '../run-cell.js';
import { LOCK_FILE } from '@contrastive/experiment/node';
import { startWorkerProcess, withTimeout, type WorkerProcess } from './fixtures/processes.js';
import { startTestRedis, type TestRedis } from './test-redis.js';

let redis: TestRedis;
let dir: string | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const TOTAL = 6;

test('a 4-cell sweep through redisExecutor and two real worker processes (one SIGKILLed mid-cell) completes every cell once, with the local mode results', async () => {
  const setup = await tinySetup('sweep-queue-');
  dir = setup.dir;
  const base = { ...setup.base, train: { ...(setup.base['train'] as object), maxSteps: TOTAL }, checkpoint: { everySteps: 2 } };
  const sweep = { name: 'real', seeds: [0, 1], grid: { 'strategy.temperature': [0.2, 0.5] }, measure: ['knn', 'uniformity'] };

  // (a) local mode.
  let t0 = performance.now();
  const local = await prepareSweep({ baseConfig: base, sweep, outDir: path.join(dir, 'local') });
  const localOutcome = await runSweep({ sweepDir: local.sweepDir, plan: local.plan, executor: localExecutor({ workers: 2, engine: 'cpu' }) });
  expect(localOutcome.finished).toHaveLength(4);
  const localSeconds = (performance.now() - t0) / 1000;

  // (b) queue mode.
  t0 = performance.now();
  const queued = await prepareSweep({ baseConfig: base, sweep, outDir: path.join(dir, 'queue') });
  expect(queued.plan.cells.map((c) => c.id)).toEqual(local.plan.cells.map((c) => c.id));
  const queueName = 'real';
  const start = (name: string): WorkerProcess => {
    const w = startWorkerProcess('real-worker.ts', {
      worker: { url: redis.url, queueName, name, engine: 'cpu', lockDuration: 2000, stalledInterval: 500, claimHeartbeatMs: 100, claimStaleMs: 10_000, progressIntervalMs: 0 },
      slowStepMs: 250,
    });
    children.push(w.child);
    return w;
  };
  const events: CellEvent[] = [];
  const logs: string[] = [];
  const run = runSweep({
    sweepDir: queued.sweepDir,
    plan: queued.plan,
    executor: redisExecutor({ url: redis.url, queueName, pollMs: 500, log: (l) => logs.push(l) }),
    onEvent: (e) => events.push(e),
  });
  const a = start('A');
  const b = start('B');
  const diag = (): string => `\nA stderr:\n${a.stderr()}\nB stderr:\n${b.stderr()}\nexecutor:\n${logs.join('\n')}`;
  const mid = await withTimeout(
    a.when((e) => e.kind === 'progress' && (e.step ?? 0) >= 3 && (e.step ?? 0) < TOTAL),
    180_000,
    () => `worker A never got to the middle of a cell${diag()}`,
  );
  a.child.kill('SIGKILL');
  await a.exited;
  const outcome = await withTimeout(run, 240_000, () => `the sweep did not finish${diag()}`);
  const queueSeconds = (performance.now() - t0) / 1000;
  expect(outcome.failed).toEqual([]);
  expect([...outcome.finished].sort()).toEqual(queued.plan.cells.map((c) => c.id).sort());

  // Exactly once: one result, one "finished" line in each cell's log.
  for (const cell of queued.plan.cells) {
    const log = await readFile(path.join(cellDir(queued.sweepDir, cell.id), CELL_FILES.log), 'utf8');
    expect(log.match(/ finished: /g), `${cell.id}:\n${log}`).toHaveLength(1);
  }
  // The killed cell resumed from its checkpoint (step 2 or 4), not from 0.
  const killedLog = await readFile(path.join(cellDir(queued.sweepDir, mid.cellId), CELL_FILES.log), 'utf8');
  expect(killedLog).toMatch(/attempt 2/);
  const resumed = /resumed.*\(step (\d+) of (\d+)\)$/m.exec(killedLog);
  expect(resumed, killedLog).not.toBeNull();
  expect(Number(resumed?.[1])).toBeGreaterThanOrEqual(2);
  expect(b.stderr()).toMatch(/taking over the claim of A/);

  // The same results as the local mode.
  const differences: string[] = [];
  let largest = 0;
  for (const cell of queued.plan.cells) {
    const l = (await readCellResult(local.sweepDir, cell.id)) as CellResult;
    const q = (await readCellResult(queued.sweepDir, cell.id)) as CellResult;
    expect([q.steps, q.totalSteps]).toEqual([l.steps, l.totalSteps]);
    const pairs: [string, number | null, number | null][] = [['finalLoss', l.finalLoss, q.finalLoss], ...Object.keys(l.metrics).map((k): [string, number | null, number | null] => [k, l.metrics[k] ?? null, q.metrics[k] ?? null])];
    for (const [k, x, y] of pairs) {
      if (x !== null && y !== null) largest = Math.max(largest, Math.abs(x - y));
      if (x === null || y === null ? x !== y : Math.abs(x - y) > 1e-4 * Math.max(1, Math.abs(x))) differences.push(`${cell.id}${cell.id === mid.cellId ? ' (killed, resumed)' : ''} ${k}: local ${x}, queue ${y}`);
    }
  }
  expect(differences).toEqual([]);

  b.child.kill('SIGTERM');
  expect(await withTimeout(b.exited, 30_000, () => `B did not exit on SIGTERM${diag()}`)).toBe(0);
  console.log(`real sweep: local ${localSeconds.toFixed(1)} s; queue with 2 workers, A SIGKILLed at step ${mid.step} of ${mid.cellId}, resumed at ${resumed?.[1]}: ${queueSeconds.toFixed(1)} s; largest |local - queue| of the metrics and final losses: ${largest}`);
}, 600_000);

test("a cell whose holder on another host went silent: the claim and that holder's runCell locks are taken over, the cell runs", async () => {
  const setup = await tinySetup('sweep-queue-foreign-');
  const sweep = { name: 'foreign', grid: { 'strategy.temperature': [0.2] } };
  const { sweepDir, plan } = await prepareSweep({ baseConfig: setup.base, sweep, outDir: setup.dir });
  try {
    const cellId = plan.cells[0]!.id;
    const far = { pid: 4242, host: 'another-host', started: '2026-01-01T00:00:00.000Z' };
    const claim = claimPath(sweepDir, cellId);
    await mkdir(path.dirname(claim), { recursive: true });
    await writeFile(claim, JSON.stringify({ token: 't', worker: 'far', claimedAt: far.started, ...far }));
    await mkdir(path.join(cellDir(sweepDir, cellId), CELL_FILES.lockDir), { recursive: true });
    await writeFile(path.join(cellDir(sweepDir, cellId), CELL_FILES.lockDir, LOCK_FILE), JSON.stringify(far));
    await writeFile(path.join(cellDir(sweepDir, cellId), LOCK_FILE), JSON.stringify(far));

    const stop = new AbortController();
    const lines: string[] = [];
    const queueName = 'foreign';
    const worker = runWorker({ url: redis.url, queueName, runCell, engine: 'cpu', signal: stop.signal, claimHeartbeatMs: 50, claimStaleMs: 500, log: (l) => lines.push(l) });
    const events: CellEvent[] = [];
    const outcome = await runSweep({ sweepDir, plan, executor: redisExecutor({ url: redis.url, queueName, pollMs: 300 }), onEvent: (e) => events.push(e) });
    stop.abort();
    await worker;
    expect(outcome.finished, lines.join('\n')).toEqual([cellId]);
    expect(lines.some((l) => /taking over the claim of far \(another-host, pid 4242\)/.test(l))).toBe(true);
    expect(lines.filter((l) => /removed the stale lock/.test(l))).toHaveLength(2);
    expect((await readCellResult(sweepDir, cellId))?.steps).toBe(4);
  } finally {
    await rm(setup.dir, { recursive: true, force: true });
  }
}, 300_000);
