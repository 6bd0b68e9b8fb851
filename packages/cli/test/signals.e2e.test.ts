/**
 * Ctrl-C and SIGTERM through the documented commands, sent to the whole process group as a
 * terminal (or a process manager) does: `npx tsx ... bin.ts train` and `npm run main` both end
 * with a checkpoint of the last finished step, status `stopped` and exit 130 / 143 (before the
 * supervisor, tsx SIGKILLed the busy child 30 ms after forwarding the signal: no checkpoint,
 * run.json `running`). npm returns as soon as its shell dies of the signal; the test waits, as a
 * user would see in the terminal, until the worker has closed the output too. Also: two processes cannot train into one run directory, and a stop
 * during the start of a resumed run leaves the checkpoint it resumed from untouched.
 * (The built executable and `npx contrastive` are checked by scripts/signal-check.mjs after the build.)
 */
import { stat, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDataDir } from '../../../test/shared-data.js';
import { killStartedGroups, loggedSteps, shellStatus, startGroup, waitUntil, type GroupResult } from './process-group.js';

const root = repoRoot();
const env = { CONTRASTIVE_DATA_DIR: sharedDataDir(), CONTRASTIVE_WASM_THREADS: '1', FORCE_COLOR: '0' };
let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-signals-'));
  config = path.join(dir, 'long.yaml');
  await writeFile(
    config,
    `name: long
data: { trainLimit: 320 }
encoder: { kind: convnet, widths: [8, 16] }
head: { hiddenDim: 32, outputDim: 16 }
strategy: { name: simclr, temperature: 0.5 }
train: { batchSize: 16, maxSteps: 40, epochs: 10000 }
checkpoint: { everySteps: 1000 }
monitor: { enabled: false }
report: { previewImages: 2, previewViews: 2 }
`,
  );
});

afterEach(killStartedGroups);

const runJson = async (out: string): Promise<{ status: string; steps: number }> => JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')) as { status: string; steps: number };
const latest = async (out: string): Promise<string> => (await readFile(path.join(out, 'checkpoints', 'latest'), 'utf8')).trim();
const stepName = (n: number): string => `step-${String(n).padStart(9, '0')}`;

/** Starts `command`, signals its process group once a step is logged, and checks the stop. */
async function stopAfterFirstStep(command: string, args: string[], out: string, signal: NodeJS.Signals): Promise<GroupResult> {
  const p = startGroup(command, [...args, '--out', out], root, env);
  await waitUntil(async () => (await loggedSteps(path.join(out, 'metrics.jsonl'))) >= 1);
  p.signalGroup(signal);
  const r = await p.done;
  const steps = await loggedSteps(path.join(out, 'metrics.jsonl'));
  expect(r.stderr).toContain(`${signal}: stopping after the current step`);
  expect(steps).toBeGreaterThanOrEqual(1);
  expect(steps).toBeLessThan(40);
  expect(await runJson(out)).toMatchObject({ status: 'stopped', steps });
  expect(await latest(out)).toBe(stepName(steps));
  return r;
}

describe('signals to the process group of the documented commands', () => {
  it('npx tsx --conditions=contrastive-source packages/cli/src/bin.ts train + Ctrl-C (SIGINT): checkpoint, stopped, exit 130', async () => {
    const r = await stopAfterFirstStep('npx', ['tsx', '--conditions=contrastive-source', 'packages/cli/src/bin.ts', 'train', '--config', config], path.join(dir, 'tsx-int'), 'SIGINT');
    expect(shellStatus(r)).toBe(130);
  });

  it('npm run main -- -c <config> + SIGTERM: checkpoint, stopped, exit 143', async () => {
    const r = await stopAfterFirstStep('npm', ['run', '--silent', 'main', '--', '-c', config], path.join(dir, 'npm-term'), 'SIGTERM');
    expect(shellStatus(r)).toBe(143);
  });
});

describe('run-directory lock and resume start', () => {
  it('a second train --resume into a directory in use is refused (exit 2, names the owner); a stop during the start of a resume rewrites no checkpoint', async () => {
    const out = path.join(dir, 'locked');
    const tsx = ['tsx', '--conditions=contrastive-source', 'packages/cli/src/bin.ts', 'train', '--config', config, '--out', out, '--steps', '100000'];
    const first = startGroup('npx', tsx, root, env);
    await waitUntil(async () => (await loggedSteps(path.join(out, 'metrics.jsonl'))) >= 1);
    const second = await startGroup('npx', [...tsx, '--resume'], root, env).done;
    expect(shellStatus(second)).toBe(2);
    expect(second.stderr).toMatch(/is in use by process \d+/);
    expect(second.stderr).toContain('argument: outDir');
    first.signalGroup('SIGINT');
    expect(shellStatus(await first.done)).toBe(130);

    // Resume, and stop as soon as the worker has started (before the checkpoint is restored).
    const name = await latest(out);
    const before = await stat(path.join(out, 'checkpoints', name, 'manifest.json'));
    const resumed = startGroup('npx', [...tsx, '--resume'], root, env);
    await waitUntil(() => resumed.stderr().includes('engine:'));
    resumed.signalGroup('SIGINT');
    const r = await resumed.done;
    expect(shellStatus(r)).toBe(130);
    expect(r.stderr).toMatch(/resumed from .*step-/);
    expect(await latest(out)).toBe(name);
    const after = await stat(path.join(out, 'checkpoints', name, 'manifest.json'));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });
});
