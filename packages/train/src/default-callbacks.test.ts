import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { Trainer, train } from './trainer.js';
import { metricsLogCallbacks, progressBarCallbacks } from './node/callbacks.js';
import { sgd } from './sgd.js';
import type { TrainerCallbacks } from './trainer-types.js';
import { toyData, toyStrategy } from '../test/toy-strategy.js';

const dir = mkdtempSync(join(tmpdir(), 'callbacks-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** A TTY-like stream that records what is drawn. */
function terminal(): Writable & { isTTY: boolean; text: () => string } {
  let text = '';
  const s = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY: boolean; text: () => string; columns: number; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean };
  Object.assign(s, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, text: () => text });
  return s;
}

/** Records every hook call as a string. */
function recorder(name: string, calls: string[]): TrainerCallbacks {
  return {
    onRunStart: () => void calls.push(`${name}:runStart`),
    onEpochStart: (e) => void calls.push(`${name}:epochStart ${e}`),
    onStepEnd: (s) => void calls.push(`${name}:step ${s.step}`),
    onEpochEnd: (e) => void calls.push(`${name}:epochEnd ${e.epoch}`),
    shouldStop: (s) => (calls.push(`${name}:shouldStop ${s.step}`), false),
    onRunEnd: () => void calls.push(`${name}:runEnd`),
  };
}

/** Two steps per epoch of the toy strategy, no bar unless asked. */
const small = { data: toyData({ n: 10, batchSize: 5 }), optimizer: sgd(), learningRate: 0.01, progress: false } as const;

describe('trainer callbacks', () => {
  it('runs a list of callbacks hook by hook, in order; any shouldStop ends the run', async () => {
    const strategy = toyStrategy({ prefix: 'cb-order' });
    const calls: string[] = [];
    const summary = await train({ ...small, strategy, epochs: 2, callbacks: [recorder('a', calls), recorder('b', calls), { shouldStop: (s) => s.step === 3 }] });
    expect(summary).toMatchObject({ steps: 3, stopped: true });
    expect(calls).toEqual([
      'a:runStart', 'b:runStart',
      'a:epochStart 0', 'b:epochStart 0',
      'a:step 1', 'b:step 1', 'a:shouldStop 1', 'b:shouldStop 1',
      'a:step 2', 'b:step 2', 'a:shouldStop 2', 'b:shouldStop 2',
      'a:epochEnd 0', 'b:epochEnd 0',
      'a:epochStart 1', 'b:epochStart 1',
      'a:step 3', 'b:step 3', 'a:shouldStop 3', 'b:shouldStop 3',
      'a:runEnd', 'b:runEnd',
    ]);
    strategy.dispose();
  });

  it('runEnd runs for every callback when the run fails (the metrics file is closed), and the error surfaces', async () => {
    const strategy = toyStrategy({ prefix: 'cb-fail' });
    const calls: string[] = [];
    const log = join(dir, 'fail.jsonl');
    const failing = train({ ...small, strategy, epochs: 1, metricsLog: log, callbacks: [{ onStepEnd: () => Promise.reject(new Error('boom')) }, recorder('r', calls)] });
    await expect(failing).rejects.toThrow('boom');
    expect(calls.at(-1)).toBe('r:runEnd');
    expect(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['step']);
    strategy.dispose();
  });

  it('the progress bar is a default callback: progress: false drops it, and a user may pass their own', async () => {
    const strategy = toyStrategy({ prefix: 'cb-bar' });
    const own = terminal();
    const log = join(dir, 'own.jsonl');
    await train({ ...small, strategy, epochs: 2, callbacks: [progressBarCallbacks(2, { stream: own, show: true, stepsPerEpoch: 2 }), metricsLogCallbacks(log)] });
    expect(own.text()).toContain('epoch 2/2');
    expect(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['step', 'step', 'epoch', 'step', 'step', 'epoch']);
    // The default bar, on a terminal stream given through `progress`:
    const shown = terminal();
    await train({ ...small, strategy, epochs: 1, progress: { stream: shown } });
    expect(shown.text()).toContain('epoch 1/1');
    strategy.dispose();
  });

  it('rejects callbacks that are not objects of functions, naming the hook', () => {
    const strategy = toyStrategy({ prefix: 'cb-bad' });
    const base = { strategy, data: toyData(), epochs: 1, optimizer: sgd(), learningRate: 0.01 };
    expect(() => new Trainer({ ...base, callbacks: [{}, 5 as never] })).toThrow(/'options.callbacks\[1\]'/);
    expect(() => new Trainer({ ...base, callbacks: { onStepEnd: 'later' as never } })).toThrow(/'options.callbacks.onStepEnd' must be a function/);
    strategy.dispose();
  });
});
