/**
 * End to end, with a real redis-server and two worker PROCESSES running a fake cell runner: one
 * worker is SIGKILLed mid-cell; BullMQ's stalled-job check hands its cell to the other worker,
 * which takes the dead worker's claim over and resumes from the checkpoint. Every cell must
 * complete exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { redisExecutor } from './executor.js';
import { fakePlan } from './fixtures/fake-cell.js';
import { startWorkerProcess, withTimeout, type WorkerProcess } from './fixtures/processes.js';
import { startTestRedis, type TestRedis } from './test-redis.js';
import type { QueueCellEvent } from './types.js';

const STEPS = 8;
const STEP_MS = 150;

let redis: TestRedis;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(tmpdir(), 'queue-e2e-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function startWorker(name: string, queueName: string, cell: object = {}): WorkerProcess {
  const settings = {
    worker: { url: redis.url, queueName, name, lockDuration: 1000, stalledInterval: 500, claimHeartbeatMs: 100, claimStaleMs: 5000, progressIntervalMs: 0 },
    cell: { steps: STEPS, stepMs: STEP_MS, worker: name, ...cell },
  };
  const w = startWorkerProcess('fake-worker.ts', settings);
  children.push(w.child);
  return w;
}

test('6 cells, 2 worker processes, one SIGKILLed mid-cell: every cell completes exactly once, the killed cell resumes from its checkpoint', async () => {
  const started = performance.now();
  const queueName = 'e2e';
  const sweepDir = path.join(dir, 'sweep');
  const plan = fakePlan('e2e-sweep', Array.from({ length: 6 }, (_, i) => `c${i}`));
  const executorEvents: QueueCellEvent[] = [];
  const logs: string[] = [];
  const { mkdir } = await import('node:fs/promises');
  await mkdir(sweepDir, { recursive: true });

  const run = redisExecutor({ url: redis.url, queueName, pollMs: 300, log: (l) => logs.push(l) })({ sweepDir, plan, onEvent: (e) => executorEvents.push(e) });
  const a = startWorker('A', queueName);
  const b = startWorker('B', queueName);
  const diag = (): string => `\nA stderr:\n${a.stderr()}\nB stderr:\n${b.stderr()}\nexecutor log:\n${logs.join('\n')}`;

  // Kill A in the middle of a cell (after its 3rd step, before its last).
  const mid = await withTimeout(
    a.when((e) => e.kind === 'progress' && (e.step ?? 0) >= 3 && (e.step ?? 0) < STEPS - 1),
    60_000,
    () => `worker A never got mid-cell${diag()}`,
  );
  a.child.kill('SIGKILL');
  await a.exited;
  const killedCell = mid.cellId;

  await withTimeout(run, 90_000, () => `executor did not finish${diag()}`);
  const elapsed = (performance.now() - started) / 1000;

  // Every cell: one finished event at the executor, one result.json, one completion line.
  for (const cell of plan.cells) {
    expect(executorEvents.filter((e) => e.cellId === cell.id && e.kind === 'finished'), cell.id).toHaveLength(1);
    const result = JSON.parse(await readFile(path.join(sweepDir, 'cells', cell.id, 'result.json'), 'utf8')) as { steps: number };
    expect(result.steps).toBe(STEPS);
  }
  expect(executorEvents.filter((e) => e.kind === 'failed')).toEqual([]);
  const completions = (await readFile(path.join(sweepDir, 'completions.log'), 'utf8')).trim().split('\n');
  expect(completions.map((l) => l.split(' ')[0]).sort()).toEqual(plan.cells.map((c) => c.id).sort());

  // The killed cell: A's steps, then B starting from (at least) A's last logged step, never from 0.
  const steps = (await readFile(path.join(sweepDir, 'cells', killedCell, 'steps.log'), 'utf8')).trim().split('\n');
  const lastA = Math.max(...steps.filter((l) => /^A step /.test(l)).map((l) => Number(l.split(' ')[2])));
  const starts = steps.filter((l) => / start /.test(l));
  expect(lastA).toBeGreaterThanOrEqual(3);
  expect(starts[0]).toBe('A start 0');
  expect(starts.slice(1).length, steps.join('\n')).toBe(1);
  const resumedAt = Number((starts[1] as string).split(' ')[2]);
  expect(starts[1]?.startsWith('B start')).toBe(true);
  expect(resumedAt).toBeGreaterThanOrEqual(lastA);
  // Every step of the cell was logged once after the resume point: no restart.
  const bSteps = steps.filter((l) => /^B step /.test(l)).map((l) => Number(l.split(' ')[2]));
  expect(bSteps).toEqual(Array.from({ length: STEPS - resumedAt }, (_, i) => resumedAt + i + 1));
  expect(b.stderr()).toMatch(/taking over the claim of A/);

  // No claim left behind; B shuts down cleanly on SIGTERM.
  expect(await readdir(path.join(sweepDir, 'queue', 'claims'))).toEqual([]);
  b.child.kill('SIGTERM');
  expect(await withTimeout(b.exited, 20_000, () => `B did not exit on SIGTERM${diag()}`)).toBe(0);
  console.log(`redis e2e: 6 cells x ${STEPS} steps x ${STEP_MS} ms, 2 workers (one SIGKILLed at step ${mid.step} of ${killedCell}, resumed at ${resumedAt}): ${elapsed.toFixed(1)} s`);
}, 150_000);

test('a worker that is only slow (event loop blocked past its lock) keeps its cell: the second worker waits on the claim, the result is written once', async () => {
  const started = performance.now();
  const queueName = 'slow';
  const sweepDir = path.join(dir, 'slow');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(sweepDir, { recursive: true });
  const a = startWorker('A', queueName, { blockAtStep: 2, blockMs: 6000 });
  const b = startWorker('B', queueName);
  const diag = (): string => `\nA stderr:\n${a.stderr()}\nB stderr:\n${b.stderr()}`;
  const ready = (w: WorkerProcess): Promise<void> =>
    withTimeout(
      new Promise<void>((resolve) => {
        const poll = (): void => (/waiting for cells/.test(w.stderr()) ? resolve() : void setTimeout(poll, 50));
        poll();
      }),
      60_000,
      () => `worker not ready${diag()}`,
    );
  await Promise.all([ready(a), ready(b)]);
  const plan = fakePlan('slow-sweep', ['s0', 's1']);
  const events: QueueCellEvent[] = [];
  await withTimeout(redisExecutor({ url: redis.url, queueName, pollMs: 300 })({ sweepDir, plan, onEvent: (e) => events.push(e) }), 90_000, () => `executor did not finish${diag()}`);

  const slowCell = a.events.find((e) => e.kind === 'started')?.cellId as string;
  const completions = (await readFile(path.join(sweepDir, 'completions.log'), 'utf8')).trim().split('\n');
  expect(completions.sort()).toEqual([`${slowCell} A`, `${slowCell === 's0' ? 's1' : 's0'} B`].sort());
  for (const cell of plan.cells) expect(events.filter((e) => e.cellId === cell.id && e.kind === 'finished'), cell.id).toHaveLength(1);
  const steps = (await readFile(path.join(sweepDir, 'cells', slowCell, 'steps.log'), 'utf8')).trim().split('\n');
  expect(steps.filter((l) => l.startsWith('B '))).toEqual([]); // B never ran a step of A's cell
  expect(steps).toContain('A blocked');
  expect(b.stderr()).toMatch(new RegExp(`cell ${slowCell}: still claimed by A .*which is alive; waiting`));
  expect(b.stderr()).not.toMatch(/taking over/);
  expect(await readdir(path.join(sweepDir, 'queue', 'claims'))).toEqual([]);
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  expect(await withTimeout(Promise.all([a.exited, b.exited]), 20_000, () => `workers did not exit on SIGTERM${diag()}`)).toEqual([0, 0]);
  console.log(`redis e2e (slow worker): ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 150_000);
