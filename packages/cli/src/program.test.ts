/**
 * User errors through the whole command line, in process: one clear message naming the argument
 * and the value, no stack trace, exit status 2 (the checks run before any engine or data work).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ArgumentError, CheckpointError, DataFormatError, NonFiniteError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from './interrupt.js';
import { EXIT, describeError, runCli } from './program.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const status = await runCli(args, { stdout: out.stream, stderr: err.stream, progress: false });
  return { status, stdout: out.text(), stderr: err.text() };
}

const noStackTrace = (text: string): void => {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
};

describe('runCli: user errors', () => {
  it('an invalid configuration file: every problem with its path, argument and value; status 2', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-prog-'));
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'optimizer:\n  lr: -1\ntrain:\n  batchSz: 64\n');
    const r = await run(['train', '--config', file]);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('config.optimizer.lr: expected a number > 0, received -1');
    expect(r.stderr).toContain("config.train.batchSz: unknown key (did you mean 'batchSize'?)");
    expect(r.stderr).toContain('argument: config.optimizer.lr');
    expect(r.stderr).toContain('received: -1');
    noStackTrace(r.stderr);
  });

  it('a missing configuration file or flag, an unknown command or option, a bad flag value', async () => {
    const missing = await run(['train', '--config', '/nonexistent/x.yaml']);
    expect(missing.status).toBe(EXIT.usage);
    expect(missing.stderr).toContain('cannot read the config file /nonexistent/x.yaml: no such file');
    expect(missing.stderr).toContain('argument: --config');
    const noFlag = await run(['train']);
    expect(noFlag.status).toBe(EXIT.usage);
    expect(noFlag.stderr).toContain("required option '-c, --config <file>' not specified");
    const unknown = await run(['trian']);
    expect(unknown.status).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("unknown command 'trian'");
    const badInt = await run(['eval', 'somewhere', '--k', '0']);
    expect(badInt.status).toBe(EXIT.usage);
    expect(badInt.stderr).toContain("option '--k <n>' argument '0' is invalid. expected an integer >= 1, received '0'");
    const badEngine = await run(['eval', 'somewhere', '--engine', 'gpu']);
    expect(badEngine.status).toBe(EXIT.usage);
    expect(badEngine.stderr).toContain("argument 'gpu' is invalid. Allowed choices are auto, wasm+onednn, wasm, cpu, tensorflow, tensorflow-gpu");
    const badSize = await run(['main', '--test-size', '20000']);
    expect(badSize.stderr).toContain('expected an integer in [1, 10000]');
    for (const r of [missing, noFlag, unknown, badInt, badEngine, badSize]) noStackTrace(r.stderr);
  });

  it('a source that does not exist, or a directory that is not a run', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-prog-'));
    const gone = await run(['eval', path.join(dir, 'nothing')]);
    expect(gone.status).toBe(EXIT.usage);
    expect(gone.stderr).toContain(`error: no such file or directory: ${path.join(dir, 'nothing')}`);
    expect(gone.stderr).toContain('argument: source');
    const embed = await run(['embed', path.join(dir, 'nothing'), '--out', path.join(dir, 'x.emb')]);
    expect(embed.status).toBe(EXIT.usage);
    const report = await run(['report', dir]);
    expect(report.status).toBe(EXIT.usage);
    expect(report.stderr).toContain('is not a run directory (no run.json)');
    noStackTrace(gone.stderr + report.stderr);
  });

  it('help and version exit with 0', async () => {
    const help = await run(['--help']);
    expect(help.status).toBe(EXIT.ok);
    for (const command of ['train', 'eval', 'embed', 'preview', 'report', 'main']) expect(help.stdout).toContain(command);
    expect((await run(['--version'])).stdout.trim()).toBe('0.1.0');
    expect((await run(['train', '--help'])).stdout).toContain('--resume');
  });
});

describe('describeError', () => {
  it('user errors (argument, config, checkpoint, data) exit 2 and show argument, value, file and offset', () => {
    const data = describeError(new DataFormatError('bad record', '/d/test.bin', 3073, { argument: 'file', received: 12 }));
    expect(data.status).toBe(EXIT.usage);
    expect(data.lines).toEqual(['error: bad record', '  argument: file', '  received: 12', '  file: /d/test.bin', '  byte offset: 3073']);
    expect(describeError(new CheckpointError('corrupt', { argument: 'checkpoint', expected: 'sha256 x' })).lines).toContain('  expected: sha256 x');
    expect(describeError(new ArgumentError('x')).status).toBe(EXIT.usage);
  });

  it('other failures exit 1 without a stack trace unless CONTRASTIVE_DEBUG=1; an interruption exits 130', () => {
    const nonFinite = describeError(new NonFiniteError('non-finite loss NaN at step 4', { argument: 'loss', received: Number.NaN }));
    expect(nonFinite.status).toBe(EXIT.failure);
    expect(nonFinite.lines).toContain('  received: NaN');
    const bug = describeError(new TypeError('x is undefined'));
    expect(bug.status).toBe(EXIT.failure);
    expect(bug.lines.join('\n')).not.toMatch(/\n\s+at /);
    expect(describeError(new InterruptedError('stopped by SIGINT during embedding')).status).toBe(EXIT.interrupted);
  });
});
