/**
 * `contrastive sweep` user errors, in process (no worker starts): another specification in the
 * same directory without --overwrite, unknown sweep keys, a bad dotted key (named with its cell,
 * before anything is written), unknown flags, and a --queue Redis server that cannot be reached (refused before anything is written).
 * The sweep itself runs end to end in test/sweep.e2e.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../program.js';

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

let dir: string;
let base: string;
let sweep: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-sweep-errors-'));
  base = path.join(dir, 'base.yaml');
  await writeFile(base, 'train: { maxSteps: 3 }\n');
  sweep = path.join(dir, 'sweep.yaml');
  await writeFile(sweep, 'name: temp\ngrid:\n  strategy.temperature: [0.2, 0.5]\n');
});

describe('contrastive sweep: user errors (status 2, nothing run)', () => {
  it('another specification in a sweep directory needs --overwrite', async () => {
    const out = path.join(dir, 'out');
    await mkdir(path.join(out, 'temp'), { recursive: true });
    await writeFile(path.join(out, 'temp', 'sweep.yaml'), stringify({ hash: '0000000000000000', sweep: {}, base: {} }));
    const r = await run(['sweep', '--config', base, '--sweep', sweep, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('holds a sweep of another specification');
    expect(r.stderr).toContain('argument: --overwrite');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('an unknown sweep key, with the closest known one', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'name: bad\nmesure: [knn]\n');
    const r = await run(['sweep', '--config', base, '--sweep', bad, '--out', path.join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("sweep.mesure: unknown key (did you mean 'measure'?)");
  });

  it('a dotted key the configuration does not have: named with the cell and the sweep key, nothing written', async () => {
    const badKey = path.join(dir, 'bad-key.yaml');
    await writeFile(badKey, 'name: badkey\ngrid:\n  strategy.tempreature: [0.3]\n');
    const r = await run(['sweep', '--config', base, '--sweep', badKey, '--out', path.join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('sweep cell tempreature=0.3.seed=0 (set by the sweep key strategy.tempreature)');
    expect(r.stderr).toContain("config.strategy.tempreature: unknown key (did you mean 'temperature'?)");
    expect(existsSync(path.join(dir, 'out', 'badkey'))).toBe(false);
  });

  it('unknown flags; a --queue Redis server that cannot be reached is refused before anything is written', async () => {
    const flag = await run(['sweep', '--config', base, '--sweep', sweep, '--bogus']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("unknown option '--bogus'");
    // Port 1 on loopback: nothing listens there.
    const queue = await run(['sweep', '--config', base, '--sweep', sweep, '--out', path.join(dir, 'q'), '--queue', 'redis://127.0.0.1:1']);
    expect(queue.status).toBe(2);
    expect(queue.stderr).toContain('cannot reach the Redis server at redis://127.0.0.1:1');
    expect(queue.stderr).toContain('argument: --queue');
    expect(existsSync(path.join(dir, 'q'))).toBe(false);
  });
});
