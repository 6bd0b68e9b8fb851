/**
 * Strict and early configuration checks (issue 19, defects 5, 7 and 8): duplicate JSON keys,
 * empty files, limits named by their configuration key, linear-time parsing, bounded error
 * output, --resume with --overwrite, an outDir that cannot be created, sizes that cannot fit.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ConfigError, MemoryLimitError } from '@contrastive/core';
import { atConfigKey, buildRunParts, parseConfig, parseConfigText } from '@contrastive/experiment';
import { loadConfigFile, makeRunDir } from '@contrastive/experiment/node';
import { runCli } from './program.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'config-strict-'));
});

const errorOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('configuration text', () => {
  it('a JSON key given twice is refused with its line (JSON.parse would keep the last silently)', () => {
    const e = errorOf(() => parseConfigText('{\n  "optimizer": { "lr": 0.1 },\n  "optimizer": { "lr": 5 }\n}', 'run.json'));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toBe("run.json: key 'optimizer' appears twice in one object (line 3); keys must be unique");
    expect(parseConfigText('{"a": {"x": 1}, "b": {"x": 2}, "c": ["x", "x"]}', 'ok.json')).toEqual({ a: { x: 1 }, b: { x: 2 }, c: ['x', 'x'] });
    expect(errorOf(() => parseConfigText('seed: 1\nseed: 2\n', 'run.yaml'))).toMatchObject({ message: expect.stringMatching(/key 'seed' appears twice .*line 2, column 1/) as string });
  });

  it('an empty or comment-only file is refused (it started the full default run); {} still means every default', async () => {
    for (const [name, text] of [['empty.yaml', ''], ['comments.yaml', '# nothing here\n\n'], ['empty.json', '  \n']] as const) {
      const file = path.join(dir, name);
      await writeFile(file, text);
      await expect(loadConfigFile(file)).rejects.toThrow(/is empty \(or only comments\)/);
    }
    const file = path.join(dir, 'braces.yaml');
    await writeFile(file, '{}\n');
    expect((await loadConfigFile(file)).strategy.name).toBe('simclr');
  });

  it('80,000 keys are refused within a few seconds (at most), not parsed for 40 s', () => {
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, i])));
    const yaml = Array.from({ length: 80_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const t0 = performance.now();
    expect(errorOf(() => parseConfig(parseConfigText(json.slice(0, 200_000).replace(/,"k\d*"?:?\d*$/, '}'), 'big.json')))).toMatchObject({ message: expect.stringMatching(/more than 2000 keys/) as string });
    expect(errorOf(() => parseConfigText(yaml, 'big.yaml'))).toMatchObject({ message: expect.stringMatching(/bytes; a configuration is at most/) as string });
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('limits named by their configuration key', () => {
  it('temperature 1e-30, lr 1e308 and strength 1e9 are refused at parse time with the key', () => {
    const cases: [unknown, string][] = [
      [{ strategy: { name: 'simclr', temperature: 1e-30 } }, 'config.strategy.temperature'],
      [{ optimizer: { lr: 1e308 } }, 'config.optimizer.lr'],
      [{ augment: { strength: 1e9 } }, 'config.augment.strength'],
    ];
    for (const [value, key] of cases) expect(errorOf(() => parseConfig(value)), key).toMatchObject({ code: 'CONFIG', argument: key });
  });

  it('encoder.widthMultiplier 1000, head.hiddenDim 1e8 and strategy.queueSize 1e9: MemoryLimitError naming the key, before allocating', async () => {
    await initBackend({ prefer: 'cpu' });
    const cases: [unknown, string][] = [
      [{ encoder: { widthMultiplier: 1000 } }, 'config.encoder.widthMultiplier'],
      [{ encoder: { kind: 'convnet', widths: [4] }, head: { hiddenDim: 1e8 } }, 'config.head.hiddenDim'],
      [{ encoder: { kind: 'convnet', widths: [4] }, strategy: { name: 'mocoV2', queueSize: 1e9 } }, 'config.strategy.queueSize'],
    ];
    for (const [value, key] of cases) {
      const e = errorOf(() => atConfigKey(() => buildRunParts(parseConfig(value), 100, 10)));
      expect(e, key).toBeInstanceOf(MemoryLimitError);
      expect(e).toMatchObject({ argument: key });
      expect((e as Error).message).toMatch(new RegExp(`^${key.replaceAll('.', '\\.')}: .* needs [\\d.]+ [GM]iB`));
    }
  });
});

describe('command line', () => {
  const sink = () => {
    let text = '';
    return { stream: new Writable({ write: (c: Buffer, _e, done) => ((text += c.toString()), done()) }), text: () => text };
  };

  it('--resume with --overwrite is a usage error (exit 2)', async () => {
    const err = sink();
    const status = await runCli(['train', '--config', 'x.yaml', '--resume', '--overwrite'], { stdout: sink().stream, stderr: err.stream, progress: false });
    expect(status).toBe(2);
    expect(err.text()).toMatch(/option '--overwrite' cannot be used with option '--resume'/);
  });

  it('an error carrying a huge value prints a bounded message', async () => {
    const file = path.join(dir, 'huge.yaml');
    await writeFile(file, `name: "${'x'.repeat(200_000)} !"\n`);
    const err = sink();
    const status = await runCli(['train', '--config', file], { stdout: sink().stream, stderr: err.stream, progress: false });
    expect(status).toBe(2);
    expect(err.text()).toContain('config.name');
    expect(err.text().length).toBeLessThan(10_000);
  });

  it('an outDir that cannot be created is a ConfigError naming outDir, at once (it spun at 100% CPU under /proc)', async () => {
    await expect(makeRunDir('/proc/contrastive-test/run')).rejects.toMatchObject({ code: 'CONFIG', argument: 'outDir' });
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await expect(makeRunDir(path.join(file, 'run'))).rejects.toThrow(/is a file/);
    await makeRunDir(path.join(dir, 'new', 'deep', 'run'));
  });
});
