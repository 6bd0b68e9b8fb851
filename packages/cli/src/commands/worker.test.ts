/**
 * `contrastive worker` and `contrastive sweep --queue`: flag errors name the flag (status 2)
 * before any work. The queue itself is tested in @contrastive/sweep (src/node/queue/).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../program.js';

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

async function run(args: string[]): Promise<{ status: number; stderr: string }> {
  const out = sink();
  const err = sink();
  const status = await runCli(args, { stdout: out.stream, stderr: err.stream, progress: false });
  return { status, stderr: err.text() };
}

describe('contrastive worker: flag errors', () => {
  it('a missing --queue, an unknown flag, a bad value', async () => {
    let r = await run(['worker']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain("required option '--queue <url>' not specified");
    r = await run(['worker', '--queue', 'redis://127.0.0.1:1', '--concurency', '2']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain("unknown option '--concurency'");
    r = await run(['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '0']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain("option '--concurrency <n>' argument '0' is invalid");
  });

  it('a URL that is not redis:// or an unreachable server names --queue', async () => {
    let r = await run(['worker', '--queue', 'http://localhost:6379']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('--queue must be a Redis URL');
    expect(r.stderr).toContain('argument: --queue');
    r = await run(['worker', '--queue', 'redis://127.0.0.1:1']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('cannot reach the Redis server at redis://127.0.0.1:1');
    expect(r.stderr).toContain('argument: --queue');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('--dir FROM=TO needs an absolute FROM', async () => {
    const r = await run(['worker', '--queue', 'redis://127.0.0.1:1', '--dir', 'relative=/mnt/x']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('--dir.from must be an absolute path');
  });
});

describe('contrastive sweep --queue: flag errors', () => {
  it('--workers with --queue, --queue-name without --queue', async () => {
    let r = await run(['sweep', '-c', 'base.yaml', '-s', 'sweep.yaml', '--queue', 'redis://127.0.0.1:1', '--workers', '2']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('--workers applies to local worker processes');
    r = await run(['sweep', '-c', 'base.yaml', '-s', 'sweep.yaml', '--queue-name', 'q']);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('--queue-name needs --queue');
  });
});
