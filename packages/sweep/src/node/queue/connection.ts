/**
 * Redis connections of the queue mode: a quick reachability check with a clear error (BullMQ's
 * own connections retry forever, so an unreachable server would otherwise hang in silence) and
 * the connection options BullMQ wants.
 */
import { Redis } from 'ioredis';
import { QueueConnectionError, redactUrl } from './options.js';

/** BullMQ connection options for a Redis URL (blocking commands need `maxRetriesPerRequest: null`). */
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/**
 * Connects to `url`, sends PING and disconnects; throws a {@link QueueConnectionError} naming
 * `argument` when the server cannot be reached within `timeoutMs`.
 */
export async function checkRedisReachable(url: string, argument = 'url', timeoutMs = 5000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new QueueConnectionError(`cannot reach the Redis server at ${redactUrl(url)}: ${why} (is redis-server running and reachable from this machine?)`, {
      argument,
      received: redactUrl(url),
      expected: 'a reachable Redis server',
      cause: e,
    });
  } finally {
    client.disconnect();
  }
}
