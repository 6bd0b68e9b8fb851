/**
 * Test helper: a throwaway redis-server on loopback on a free port (no persistence). The queue
 * tests never skip: without a redis-server binary they fail with this helper's message (CI
 * installs redis-server; set REDIS_SERVER to use another binary).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A running test Redis server. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server --port <free> --bind 127.0.0.1 --save '' --appendonly no` and waits until
 * it answers PING.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const bin = process.env['REDIS_SERVER'] ?? 'redis-server';
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    child.on('error', (e) =>
      reject(
        new Error(
          `the queue tests need a redis-server binary ('${bin}' could not be started: ${e.message}); install it (apt-get install redis-server, brew install redis) or set REDIS_SERVER to its path`,
        ),
      ),
    ),
  );
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`redis-server exited with status ${code} before it was ready:\n${output}`))));
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async (): Promise<void> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 15 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        client.disconnect();
      }
    }
  })();
  await Promise.race([ready, spawnError, exited]);
  exited.catch(() => undefined);
  return {
    url,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}
